// RUN: infer-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @conv_residual_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %r: tensor<1x4x5x6xf32>) -> tensor<1x4x5x6xf32> {
  %y = infer.conv %x, %w residual %r {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x5x6xf32>
  func.return %y : tensor<1x4x5x6xf32>
}
// CHECK: infer.conv residual must have the result's type tensor<1x4x6x6xf32>, got tensor<1x4x5x6xf32>

// -----

func.func @conv_residual_element(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %r: tensor<1x4x6x6xf16>) -> tensor<1x4x6x6xf16> {
  %y = infer.conv %x, %w residual %r {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf16>
  func.return %y : tensor<1x4x6x6xf16>
}
// CHECK: infer.conv residual must have the result's type tensor<1x4x6x6xf32>, got tensor<1x4x6x6xf16>

// -----

func.func @gemm_residual_shape(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %r: tensor<3x1xf32>) -> tensor<3x1xf32> {
  %y = infer.gemm %a, %b residual %r : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x1xf32>
  func.return %y : tensor<3x1xf32>
}
// CHECK: infer.gemm residual must have the result's type tensor<3x5xf32>, got tensor<3x1xf32>
