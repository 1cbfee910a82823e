// RUN: infer-opt %s | infer-opt | filecheck %s
// The matrix-product ops print in their custom form and parse back.

// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<?x8x16xf32>, %b: tensor<1x16x4xf32>, %i: tensor<3x4xi32>, %j: tensor<4x5xi32>) -> (tensor<?x8x4xf32>, tensor<3x5xi32>) {
  // CHECK: %[[Y:.*]] = infer.matmul %{{.*}}, %{{.*}} : (tensor<?x8x16xf32>, tensor<1x16x4xf32>) -> tensor<?x8x4xf32>
  %y = infer.matmul %a, %b : (tensor<?x8x16xf32>, tensor<1x16x4xf32>) -> tensor<?x8x4xf32>
  // CHECK: %[[Z:.*]] = infer.matmul %{{.*}}, %{{.*}} : (tensor<3x4xi32>, tensor<4x5xi32>) -> tensor<3x5xi32>
  %z = infer.matmul %i, %j : (tensor<3x4xi32>, tensor<4x5xi32>) -> tensor<3x5xi32>
  // CHECK: func.return %[[Y]], %[[Z]]
  func.return %y, %z : tensor<?x8x4xf32>, tensor<3x5xi32>
}

// CHECK-LABEL: func.func @gemm
func.func @gemm(%x: tensor<?x256xf32>, %w: tensor<1000x256xf32>, %c: tensor<1x1000xf32>) -> (tensor<?x1000xf32>, tensor<256x256xf32>) {
  // CHECK: infer.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f64, beta = 2.000000e+00 : f64, trans_b}
  // CHECK-SAME: : (tensor<?x256xf32>, tensor<1000x256xf32>, tensor<1x1000xf32>) -> tensor<?x1000xf32>
  %g = infer.gemm %x, %w, %c {alpha = 0.5 : f64, beta = 2.0 : f64, trans_b} : (tensor<?x256xf32>, tensor<1000x256xf32>, tensor<1x1000xf32>) -> tensor<?x1000xf32>
  // CHECK: infer.gemm %{{.*}}, %{{.*}} {trans_a} : (tensor<1000x256xf32>, tensor<1000x256xf32>) -> tensor<256x256xf32>
  %h = infer.gemm %w, %w {trans_a} : (tensor<1000x256xf32>, tensor<1000x256xf32>) -> tensor<256x256xf32>
  func.return %g, %h : tensor<?x1000xf32>, tensor<256x256xf32>
}

// Epilogues: an activation applied last.
// CHECK-LABEL: func.func @gemm_epilogue
func.func @gemm_epilogue(%x: tensor<?x256xf32>, %w: tensor<256x64xf32>, %c: tensor<1x64xf32>, %i: tensor<3x4xi32>, %j: tensor<4x5xi32>) -> (tensor<?x64xf32>, tensor<?x64xf32>, tensor<3x5xi32>) {
  // CHECK: %[[G:.*]] = infer.gemm %{{.*}}, %{{.*}}, %{{.*}} {activation = "hard_sigmoid", activation_params = array<f64: 2.000000e-01, 5.000000e-01>}
  %g = infer.gemm %x, %w, %c {activation = "hard_sigmoid", activation_params = array<f64: 0.2, 0.5>} : (tensor<?x256xf32>, tensor<256x64xf32>, tensor<1x64xf32>) -> tensor<?x64xf32>
  // CHECK: %[[H:.*]] = infer.gemm %{{.*}}, %{{.*}} {activation = "gelu_tanh"}
  %h = infer.gemm %x, %w {activation = "gelu_tanh"} : (tensor<?x256xf32>, tensor<256x64xf32>) -> tensor<?x64xf32>
  // Integer results take relu and clip with integral bounds.
  // CHECK: %[[K:.*]] = infer.gemm %{{.*}}, %{{.*}} {activation = "clip", activation_params = array<f64: -1.000000e+01, 1.000000e+01>}
  %k = infer.gemm %i, %j {activation = "clip", activation_params = array<f64: -10.0, 10.0>} : (tensor<3x4xi32>, tensor<4x5xi32>) -> tensor<3x5xi32>
  // CHECK: func.return %[[G]], %[[H]], %[[K]]
  func.return %g, %h, %k : tensor<?x64xf32>, tensor<?x64xf32>, tensor<3x5xi32>
}
