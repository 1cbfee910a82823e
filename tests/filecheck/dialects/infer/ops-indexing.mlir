// RUN: infer-opt %s | infer-opt | filecheck %s
// The indexing ops print in their custom form and parse back.

// CHECK-LABEL: func.func @cumulative
func.func @cumulative(%x: tensor<?x8xf32>, %a: tensor<i64>, %n: tensor<3xi32>, %b: tensor<1xi32>) -> (tensor<?x8xf32>, tensor<?x8xf32>, tensor<3xi32>) {
  // CHECK: %[[S:.*]] = infer.cumsum %{{.*}} {axis = 1 : i64, exclusive, reverse} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %s = infer.cumsum %x {axis = 1 : i64, exclusive, reverse} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[R:.*]] = infer.cumsum %{{.*}}, %{{.*}} : (tensor<?x8xf32>, tensor<i64>) -> tensor<?x8xf32>
  %r = infer.cumsum %x, %a : (tensor<?x8xf32>, tensor<i64>) -> tensor<?x8xf32>
  // CHECK: %[[P:.*]] = infer.cumprod %{{.*}}, %{{.*}} {exclusive} : (tensor<3xi32>, tensor<1xi32>) -> tensor<3xi32>
  %p = infer.cumprod %n, %b {exclusive} : (tensor<3xi32>, tensor<1xi32>) -> tensor<3xi32>
  // CHECK: func.return %[[S]], %[[R]], %[[P]]
  func.return %s, %r, %p : tensor<?x8xf32>, tensor<?x8xf32>, tensor<3xi32>
}
