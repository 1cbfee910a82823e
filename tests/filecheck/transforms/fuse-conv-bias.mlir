// RUN: infer-opt %s --split-input-file --fuse-conv-bias | filecheck %s
// RUN: infer-opt %s --split-input-file --fuse-conv-bias --print-debuginfo | filecheck %s --check-prefix=LOC

// CHECK-LABEL: func.func @conv_add
// CHECK: %[[B:.*]] = infer.constant dense<[1.500000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = infer.conv %{{.*}}, %{{.*}}, %[[B]]
// CHECK-NOT: infer.add
// CHECK: func.return %[[Y]]
// LOC-LABEL: func.func @conv_add
// LOC: infer.conv {{.*}} loc(fused["conv", "add"])
func.func @conv_add(%x: tensor<?x1x?x?xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<?x2x?x?xf32> {
  %b = infer.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %c = infer.constant dense<[[[[1.0]], [[2.0]]]]> : tensor<1x2x1x1xf32>
  %y = infer.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x1x?x?xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<?x2x?x?xf32> loc("conv")
  %z = infer.add %c, %y : (tensor<1x2x1x1xf32>, tensor<?x2x?x?xf32>) -> tensor<?x2x?x?xf32> loc("add")
  func.return %z : tensor<?x2x?x?xf32>
}

// -----

// No bias yet: the constant becomes the bias. A value for all channels ([1, 1, 1, 1]) stays a splat.
// The weights need not be constants.
// CHECK-LABEL: func.func @conv_add_no_bias
// CHECK-SAME: (%[[X:[^:]*]]: {{.*}}, %[[W:[^:]*]]: {{.*}})
// CHECK: %[[B:.*]] = infer.constant splat<2.500000e-01> : tensor<2xf32>
// CHECK: %[[Y:.*]] = infer.conv %[[X]], %[[W]], %[[B]]
// CHECK: func.return %[[Y]]
func.func @conv_add_no_bias(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x2x2xf32> {
  %c = infer.constant splat<0.25> : tensor<1x1x1x1xf32>
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x2x2xf32>
  %z = infer.add %y, %c : (tensor<1x2x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  func.return %z : tensor<1x2x2x2xf32>
}

// -----

// A subtracted constant is added negated; nhwc keeps the channel last; conv_transpose too.
// CHECK-LABEL: func.func @conv_transpose_sub_nhwc
// CHECK: %[[B:.*]] = infer.constant dense<[-1.000000e+00, -2.000000e+00, -3.000000e+00]> : tensor<3xf32>
// CHECK: %[[Y:.*]] = infer.conv_transpose %{{.*}}, %{{.*}}, %[[B]] {{{.*}}layout = "nhwc"}
// CHECK-NOT: infer.sub
// CHECK: func.return %[[Y]]
func.func @conv_transpose_sub_nhwc(%x: tensor<1x4x4x2xf32>, %w: tensor<2x3x2x2xf32>) -> tensor<1x8x8x3xf32> {
  %c = infer.constant dense<[[[[1.0, 2.0, 3.0]]]]> : tensor<1x1x1x3xf32>
  %y = infer.conv_transpose %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, layout = "nhwc"} : (tensor<1x4x4x2xf32>, tensor<2x3x2x2xf32>) -> tensor<1x8x8x3xf32>
  %z = infer.sub %y, %c : (tensor<1x8x8x3xf32>, tensor<1x1x1x3xf32>) -> tensor<1x8x8x3xf32>
  func.return %z : tensor<1x8x8x3xf32>
}

// -----

// A constant minus the conv is not a bias.
// CHECK-LABEL: func.func @constant_sub_conv
// CHECK: infer.conv
// CHECK: infer.sub
func.func @constant_sub_conv(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x2x2xf32> {
  %c = infer.constant splat<0.25> : tensor<1x2x1x1xf32>
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x2x2xf32>
  %z = infer.sub %c, %y : (tensor<1x2x1x1xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  func.return %z : tensor<1x2x2x2xf32>
}

// -----

// An addend along the wrong axis (channels last for an nchw conv), a run-time addend,
// a bias known only at run time, and a conv whose result is used twice: no fold.
// CHECK-LABEL: func.func @not_a_bias
// CHECK-COUNT-4: infer.add
func.func @not_a_bias(%x: tensor<1x2x2x2xf32>, %w: tensor<2x2x1x1xf32>, %r: tensor<1x2x1x1xf32>, %b: tensor<2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) {
  %c = infer.constant dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>
  %d = infer.constant splat<1.0> : tensor<1x2x1x1xf32>
  %y1 = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %z1 = infer.add %y1, %c : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x2xf32>
  %y2 = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %z2 = infer.add %y2, %r : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %y3 = infer.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %z3 = infer.add %y3, %d : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %y4 = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  %z4 = infer.add %y4, %d : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  func.return %z1, %z2, %z3, %z4, %y4 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>
}

// -----

// A conv with an epilogue applies its activation first: no fold.
// CHECK-LABEL: func.func @conv_epilogue_add
// CHECK: infer.conv {{.*}}activation = "relu"
// CHECK: infer.add
func.func @conv_epilogue_add(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x2x2xf32> {
  %c = infer.constant splat<0.25> : tensor<1x2x1x1xf32>
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, activation = "relu"} : (tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x2x2xf32>
  %z = infer.add %y, %c : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x2x2xf32>
  func.return %z : tensor<1x2x2x2xf32>
}
