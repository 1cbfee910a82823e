// RUN: infer-opt %s --split-input-file --mark-depthwise | filecheck %s
// RUN: infer-opt %s --split-input-file --mark-depthwise --mark-depthwise | filecheck %s

// groups == input channels, channel multiplier 1.
// CHECK-LABEL: func.func @depthwise
// CHECK: infer.conv %{{.*}}, %{{.*}} {infer.depthwise, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, groups = 8 : i64}
func.func @depthwise(%x: tensor<?x8x?x?xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<?x8x?x?xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, groups = 8 : i64} : (tensor<?x8x?x?xf32>, tensor<8x1x3x3xf32>) -> tensor<?x8x?x?xf32>
  func.return %y : tensor<?x8x?x?xf32>
}

// -----

// Channel multiplier 2, nhwc, strided, channels dynamic in the input's type.
// CHECK-LABEL: func.func @depthwise_multiplier
// CHECK: infer.conv %{{.*}}, %{{.*}} {infer.depthwise, strides = array<i64: 2>, dilations = array<i64: 1>, pads = array<i64: 0, 0>, groups = 4 : i64, layout = "nhwc"}
func.func @depthwise_multiplier(%x: tensor<1x9x?xf32>, %w: tensor<8x1x3xf32>) -> tensor<1x4x8xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 2>, dilations = array<i64: 1>, pads = array<i64: 0, 0>, groups = 4 : i64, layout = "nhwc"} : (tensor<1x9x?xf32>, tensor<8x1x3xf32>) -> tensor<1x4x8xf32>
  func.return %y : tensor<1x4x8xf32>
}

// -----

// Not depthwise: an ordinary conv, a grouped conv with 2 channels per group, a conv of one
// channel; a stale mark is removed.
// CHECK-LABEL: func.func @not_depthwise
// CHECK-NOT: infer.depthwise
// CHECK: func.return
func.func @not_depthwise(%x: tensor<1x8x5x5xf32>, %w: tensor<4x8x3x3xf32>, %g: tensor<8x2x3x3xf32>, %o: tensor<1x1x5x5xf32>, %k: tensor<4x1x3x3xf32>) -> (tensor<1x4x3x3xf32>, tensor<1x8x3x3xf32>, tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>) {
  %a = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x5x5xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x3x3xf32>
  %b = infer.conv %x, %g {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, groups = 4 : i64} : (tensor<1x8x5x5xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x3x3xf32>
  %c = infer.conv %o, %k {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x5x5xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x3x3xf32>
  %d = infer.conv %x, %w {infer.depthwise, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x5x5xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x3x3xf32>
  func.return %a, %b, %c, %d : tensor<1x4x3x3xf32>, tensor<1x8x3x3xf32>, tensor<1x4x3x3xf32>, tensor<1x4x3x3xf32>
}
