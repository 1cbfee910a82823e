// RUN: infer-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @conv_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  func.return %y : tensor<1x8x6x6xf32>
}
// CHECK: infer.conv: input has 4 channels, weight expects 3 x 1 groups

// -----

func.func @add_rank(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  %z = infer.add %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  func.return %z : tensor<2x3xf32>
}
// CHECK: must have the same rank (insert infer.unsqueeze)

// -----

func.func @wrong_result(%x: tensor<2x3xf32>) -> tensor<2x4xf32> {
  %z = infer.relu %x : (tensor<2x3xf32>) -> tensor<2x4xf32>
  func.return %z : tensor<2x4xf32>
}
// CHECK: infer.relu result #0 has type tensor<2x4xf32>, but its shape rule gives tensor<2x3xf32>
