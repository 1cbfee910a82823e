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
