// RUN: infer-opt %s | infer-opt | filecheck %s
// The bitwise ops print in their custom form and parse back.

// CHECK-LABEL: func.func @bitwise
func.func @bitwise(%x: tensor<?x4xui8>, %y: tensor<1x4xui8>, %i: tensor<?x4xi32>, %s: tensor<1x1xi32>) -> (tensor<?x4xui8>, tensor<?x4xui8>, tensor<?x4xui8>, tensor<?x4xi32>, tensor<?x4xi32>, tensor<?x4xi32>) {
  // CHECK: infer.bitwise_and %{{.*}}, %{{.*}} : (tensor<?x4xui8>, tensor<1x4xui8>) -> tensor<?x4xui8>
  %a = infer.bitwise_and %x, %y : (tensor<?x4xui8>, tensor<1x4xui8>) -> tensor<?x4xui8>
  // CHECK: infer.bitwise_or %{{.*}}, %{{.*}} : (tensor<?x4xui8>, tensor<1x4xui8>) -> tensor<?x4xui8>
  %o = infer.bitwise_or %x, %y : (tensor<?x4xui8>, tensor<1x4xui8>) -> tensor<?x4xui8>
  // CHECK: infer.bitwise_xor %{{.*}}, %{{.*}} : (tensor<?x4xui8>, tensor<1x4xui8>) -> tensor<?x4xui8>
  %e = infer.bitwise_xor %x, %y : (tensor<?x4xui8>, tensor<1x4xui8>) -> tensor<?x4xui8>
  // CHECK: infer.bitwise_not %{{.*}} : (tensor<?x4xi32>) -> tensor<?x4xi32>
  %n = infer.bitwise_not %i : (tensor<?x4xi32>) -> tensor<?x4xi32>
  // CHECK: infer.shift_left %{{.*}}, %{{.*}} : (tensor<?x4xi32>, tensor<1x1xi32>) -> tensor<?x4xi32>
  %l = infer.shift_left %i, %s : (tensor<?x4xi32>, tensor<1x1xi32>) -> tensor<?x4xi32>
  // CHECK: infer.shift_right %{{.*}}, %{{.*}} : (tensor<?x4xi32>, tensor<1x1xi32>) -> tensor<?x4xi32>
  %r = infer.shift_right %i, %s : (tensor<?x4xi32>, tensor<1x1xi32>) -> tensor<?x4xi32>
  func.return %a, %o, %e, %n, %l, %r : tensor<?x4xui8>, tensor<?x4xui8>, tensor<?x4xui8>, tensor<?x4xi32>, tensor<?x4xi32>, tensor<?x4xi32>
}
