// RUN: infer-opt %s | infer-opt | filecheck %s
// The normalization ops print in their custom form and parse back.

// CHECK-LABEL: func.func @batch_norm
func.func @batch_norm(%x: tensor<?x64x?x?xf32>, %h: tensor<?x?x?x64xf32>, %p: tensor<64xf32>) -> (tensor<?x64x?x?xf32>, tensor<?x?x?x64xf32>) {
  // CHECK: %[[Y:.*]] = infer.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64}
  // CHECK-SAME: : (tensor<?x64x?x?xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x?x?xf32>
  %y = infer.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f64} : (tensor<?x64x?x?xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x?x?xf32>
  // CHECK: %[[Z:.*]] = infer.batch_norm {{.*}} {epsilon = 1.000000e-03 : f64, layout = "nhwc"}
  %z = infer.batch_norm %h, %p, %p, %p, %p {epsilon = 1.0e-3 : f64, layout = "nhwc"} : (tensor<?x?x?x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x?x?x64xf32>
  // CHECK: func.return %[[Y]], %[[Z]]
  func.return %y, %z : tensor<?x64x?x?xf32>, tensor<?x?x?x64xf32>
}

// CHECK-LABEL: func.func @instance_norm
func.func @instance_norm(%x: tensor<?x?x?x64xf16>, %p: tensor<64xf16>) -> tensor<?x?x?x64xf16> {
  // CHECK: infer.instance_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64, layout = "nhwc"}
  // CHECK-SAME: : (tensor<?x?x?x64xf16>, tensor<64xf16>, tensor<64xf16>) -> tensor<?x?x?x64xf16>
  %y = infer.instance_norm %x, %p, %p {epsilon = 1.0e-5 : f64, layout = "nhwc"} : (tensor<?x?x?x64xf16>, tensor<64xf16>, tensor<64xf16>) -> tensor<?x?x?x64xf16>
  func.return %y : tensor<?x?x?x64xf16>
}

// CHECK-LABEL: func.func @layer_norm
func.func @layer_norm(%x: tensor<?x?x768xf32>, %s: tensor<1x1x768xf32>) -> (tensor<?x?x768xf32>, tensor<?x?x768xf32>) {
  // CHECK: infer.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64, epsilon = 1.000000e-05 : f64}
  // CHECK-SAME: : (tensor<?x?x768xf32>, tensor<1x1x768xf32>, tensor<1x1x768xf32>) -> tensor<?x?x768xf32>
  %y = infer.layer_norm %x, %s, %s {axis = 2 : i64, epsilon = 1.0e-5 : f64} : (tensor<?x?x768xf32>, tensor<1x1x768xf32>, tensor<1x1x768xf32>) -> tensor<?x?x768xf32>
  // CHECK: infer.layer_norm %{{.*}}, %{{.*}} {axis = 1 : i64, epsilon = 1.000000e-05 : f64} : (tensor<?x?x768xf32>, tensor<1x1x768xf32>) -> tensor<?x?x768xf32>
  %z = infer.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f64} : (tensor<?x?x768xf32>, tensor<1x1x768xf32>) -> tensor<?x?x768xf32>
  func.return %y, %z : tensor<?x?x768xf32>, tensor<?x?x768xf32>
}
