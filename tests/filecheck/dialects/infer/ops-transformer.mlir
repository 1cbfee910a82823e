// RUN: infer-opt %s | infer-opt | filecheck %s
// The transformer composites print in their custom form and parse back.

// CHECK-LABEL: func.func @rms_norm
func.func @rms_norm(%x: tensor<?x?x768xf32>, %s: tensor<1x1x768xf32>, %h: tensor<2x?x8xf16>, %t: tensor<1x1x1xf16>) -> (tensor<?x?x768xf32>, tensor<2x?x8xf16>) {
  // CHECK: infer.rms_norm %{{.*}}, %{{.*}} {axis = 2 : i64, epsilon = 1.000000e-05 : f64}
  // CHECK-SAME: : (tensor<?x?x768xf32>, tensor<1x1x768xf32>) -> tensor<?x?x768xf32>
  %y = infer.rms_norm %x, %s {axis = 2 : i64, epsilon = 1.0e-5 : f64} : (tensor<?x?x768xf32>, tensor<1x1x768xf32>) -> tensor<?x?x768xf32>
  // CHECK: infer.rms_norm %{{.*}}, %{{.*}} {axis = 0 : i64, epsilon = 1.000000e-03 : f64} : (tensor<2x?x8xf16>, tensor<1x1x1xf16>) -> tensor<2x?x8xf16>
  %z = infer.rms_norm %h, %t {axis = 0 : i64, epsilon = 1.0e-3 : f64} : (tensor<2x?x8xf16>, tensor<1x1x1xf16>) -> tensor<2x?x8xf16>
  func.return %y, %z : tensor<?x?x768xf32>, tensor<2x?x8xf16>
}

// CHECK-LABEL: func.func @group_norm
func.func @group_norm(%x: tensor<?x64x?x?xf32>, %p: tensor<64xf32>) -> tensor<?x64x?x?xf32> {
  // CHECK: infer.group_norm %{{.*}}, %{{.*}}, %{{.*}} {num_groups = 8 : i64, epsilon = 1.000000e-05 : f64}
  // CHECK-SAME: : (tensor<?x64x?x?xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x?x?xf32>
  %y = infer.group_norm %x, %p, %p {num_groups = 8 : i64, epsilon = 1.0e-5 : f64} : (tensor<?x64x?x?xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x?x?xf32>
  func.return %y : tensor<?x64x?x?xf32>
}

// CHECK-LABEL: func.func @rotary_embedding
func.func @rotary_embedding(%x: tensor<?x8x?x64xf32>, %c: tensor<?x1x?x32xf32>, %d: tensor<?x1x?x16xf32>) -> (tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>) {
  // CHECK: infer.rotary_embedding %{{.*}}, %{{.*}}, %{{.*}} {rotary_dim = 64 : i64}
  // CHECK-SAME: : (tensor<?x8x?x64xf32>, tensor<?x1x?x32xf32>, tensor<?x1x?x32xf32>) -> tensor<?x8x?x64xf32>
  %y = infer.rotary_embedding %x, %c, %c {rotary_dim = 64 : i64} : (tensor<?x8x?x64xf32>, tensor<?x1x?x32xf32>, tensor<?x1x?x32xf32>) -> tensor<?x8x?x64xf32>
  // CHECK: infer.rotary_embedding %{{.*}}, %{{.*}}, %{{.*}} {rotary_dim = 32 : i64, interleaved}
  %z = infer.rotary_embedding %x, %d, %d {rotary_dim = 32 : i64, interleaved} : (tensor<?x8x?x64xf32>, tensor<?x1x?x16xf32>, tensor<?x1x?x16xf32>) -> tensor<?x8x?x64xf32>
  func.return %y, %z : tensor<?x8x?x64xf32>, tensor<?x8x?x64xf32>
}

// CHECK-LABEL: func.func @attention
func.func @attention(%q: tensor<?x8x?x64xf32>, %k: tensor<?x2x?x64xf32>, %v: tensor<?x2x?x32xf32>, %b: tensor<?x1x1x?xf32>) -> (tensor<?x8x?x32xf32>, tensor<?x8x?x32xf32>) {
  // CHECK: infer.attention %{{.*}}, %{{.*}}, %{{.*}} {scale = 1.250000e-01 : f64, causal = "bottom_right"}
  // CHECK-SAME: : (tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x32xf32>) -> tensor<?x8x?x32xf32>
  %y = infer.attention %q, %k, %v {scale = 0.125 : f64, causal = "bottom_right"} : (tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x32xf32>) -> tensor<?x8x?x32xf32>
  // CHECK: infer.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {scale = 1.000000e+00 : f64, softcap = 5.000000e+01 : f64, softmax_type = f64}
  // CHECK-SAME: : (tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x32xf32>, tensor<?x1x1x?xf32>) -> tensor<?x8x?x32xf32>
  %z = infer.attention %q, %k, %v, %b {scale = 1.0 : f64, softcap = 50.0 : f64, softmax_type = f64} : (tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x32xf32>, tensor<?x1x1x?xf32>) -> tensor<?x8x?x32xf32>
  func.return %y, %z : tensor<?x8x?x32xf32>, tensor<?x8x?x32xf32>
}
