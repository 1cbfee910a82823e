// RUN: infer-opt %s --split-input-file --fuse-conv-bn --print-debuginfo | filecheck %s

// factor = scale / sqrt(var + eps) = 3 / 2, shift = bias - mean * factor = 1 - 2 * 1.5 = -2:
// w' = 2 * 1.5 = 3, b' = 4 * 1.5 - 2 = 4. Splats stay splats.
// CHECK-LABEL: func.func @conv_bn
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x?x?xf32>
func.func @conv_bn(%x: tensor<?x3x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %w = infer.constant splat<2.0> : tensor<4x3x3x3xf32>
  %b = infer.constant splat<4.0> : tensor<4xf32>
  %scale = infer.constant splat<3.0> : tensor<4xf32>
  %shift = infer.constant splat<1.0> : tensor<4xf32>
  %mean = infer.constant splat<2.0> : tensor<4xf32>
  %var = infer.constant splat<4.0> : tensor<4xf32>
  // The new constants stand for no node: their locations are derived from the fused op's.
  // CHECK-DAG: %[[W:.*]] = infer.constant splat<3.000000e+00> : tensor<4x3x3x3xf32> loc("bn#constant0"(fused["conv", "bn"]))
  // CHECK-DAG: %[[B:.*]] = infer.constant splat<4.000000e+00> : tensor<4xf32> loc("bn#constant1"(fused["conv", "bn"]))
  // CHECK: %[[Y:.*]] = infer.conv %[[X]], %[[W]], %[[B]] {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>}
  // CHECK-SAME: loc(fused["conv", "bn"])
  // CHECK-NOT: infer.batch_norm
  // CHECK: func.return %[[Y]]
  %c = infer.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x?x?xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<?x4x?x?xf32> loc("conv")
  %y = infer.batch_norm %c, %scale, %shift, %mean, %var {epsilon = 0.0 : f64} : (tensor<?x4x?x?xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x?x?xf32> loc("bn")
  func.return %y : tensor<?x4x?x?xf32>
}

// -----

// A conv without bias gets one: the shift, per channel.
// CHECK-LABEL: func.func @conv_bn_no_bias
func.func @conv_bn_no_bias(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x5x5xf32> {
  %w = infer.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %scale = infer.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %shift = infer.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %mean = infer.constant splat<0.0> : tensor<2xf32>
  %var = infer.constant splat<1.0> : tensor<2xf32>
  // CHECK-DAG: %[[W:.*]] = infer.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}2.000000e+00]]], {{\[\[\[}}6.000000e+00]], {{\[\[}}8.000000e+00]]]]> : tensor<2x2x1x1xf32>
  // CHECK-DAG: %[[B:.*]] = infer.constant dense<[5.000000e-01, -5.000000e-01]> : tensor<2xf32>
  // CHECK: infer.conv %{{.*}}, %[[W]], %[[B]]
  // CHECK-NOT: infer.batch_norm
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x5x5xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x5x5xf32>
  %y = infer.batch_norm %c, %scale, %shift, %mean, %var {epsilon = 0.0 : f64} : (tensor<1x2x5x5xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x5x5xf32>
  func.return %y : tensor<1x2x5x5xf32>
}

// -----

// conv_transpose with 2 groups: weight [C_in = 2, O/groups = 2, k]; output channel
// 2 * g + j is column j of group g's row: factors [1, 2, 3, 4] scale w[0, :] by [1, 2]
// and w[1, :] by [3, 4]. The shift is zero: no bias is added.
// CHECK-LABEL: func.func @conv_transpose_bn_groups
func.func @conv_transpose_bn_groups(%x: tensor<1x2x3xf32>) -> tensor<1x4x3xf32> {
  %w = infer.constant splat<1.0> : tensor<2x2x1xf32>
  %scale = infer.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %shift = infer.constant splat<0.0> : tensor<4xf32>
  %mean = infer.constant splat<0.0> : tensor<4xf32>
  %var = infer.constant splat<1.0> : tensor<4xf32>
  // CHECK: %[[W:.*]] = infer.constant dense<{{\[\[\[}}1.000000e+00], [2.000000e+00]], {{\[\[}}3.000000e+00], [4.000000e+00]]]> : tensor<2x2x1xf32>
  // CHECK: infer.conv_transpose %{{.*}}, %[[W]] {{{.*}}groups = 2 : i64}
  // CHECK-NOT: infer.batch_norm
  %c = infer.conv_transpose %x, %w {strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 0, 0>, output_padding = array<i64: 0>, groups = 2 : i64} : (tensor<1x2x3xf32>, tensor<2x2x1xf32>) -> tensor<1x4x3xf32>
  %y = infer.batch_norm %c, %scale, %shift, %mean, %var {epsilon = 0.0 : f64} : (tensor<1x4x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x3xf32>
  func.return %y : tensor<1x4x3xf32>
}

// -----

// gemm: b [N, K] (trans_b) scaled per row; c' = beta * c * factor + shift, beta dropped.
// CHECK-LABEL: func.func @gemm_bn
func.func @gemm_bn(%a: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = infer.constant splat<1.0> : tensor<2x3xf32>
  %c = infer.constant splat<1.0> : tensor<1x2xf32>
  %scale = infer.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %shift = infer.constant splat<1.0> : tensor<2xf32>
  %mean = infer.constant splat<0.0> : tensor<2xf32>
  %var = infer.constant splat<1.0> : tensor<2xf32>
  // CHECK-DAG: %[[W:.*]] = infer.constant dense<{{\[\[}}2.000000e+00, 2.000000e+00, 2.000000e+00], [3.000000e+00, 3.000000e+00, 3.000000e+00]]> : tensor<2x3xf32>
  // CHECK-DAG: %[[C:.*]] = infer.constant dense<{{\[\[}}5.000000e+00, 7.000000e+00]]> : tensor<1x2xf32>
  // CHECK: infer.gemm %{{.*}}, %[[W]], %[[C]] {alpha = 5.000000e-01 : f64, trans_b}
  // CHECK-NOT: infer.batch_norm
  %g = infer.gemm %a, %w, %c {alpha = 0.5 : f64, beta = 2.0 : f64, trans_b} : (tensor<?x3xf32>, tensor<2x3xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
  %y = infer.batch_norm %g, %scale, %shift, %mean, %var {epsilon = 0.0 : f64} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  func.return %y : tensor<?x2xf32>
}

// -----

// A rank-2 matmul with constant weights becomes a gemm whose c is the shift.
// CHECK-LABEL: func.func @matmul_bn
func.func @matmul_bn(%a: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = infer.constant splat<1.0> : tensor<3x2xf32>
  %scale = infer.constant splat<2.0> : tensor<2xf32>
  %shift = infer.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %mean = infer.constant splat<0.0> : tensor<2xf32>
  %var = infer.constant splat<1.0> : tensor<2xf32>
  // CHECK-DAG: %[[W:.*]] = infer.constant splat<2.000000e+00> : tensor<3x2xf32>
  // CHECK-DAG: %[[C:.*]] = infer.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00]]> : tensor<1x2xf32>
  // CHECK: infer.gemm %{{.*}}, %[[W]], %[[C]] :
  // CHECK-NOT: infer.matmul
  // CHECK-NOT: infer.batch_norm
  %m = infer.matmul %a, %w : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
  %y = infer.batch_norm %m, %scale, %shift, %mean, %var {epsilon = 0.0 : f64} : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  func.return %y : tensor<?x2xf32>
}

// -----

// A batched matmul, with a channels-last batch norm over its columns: matmul + add.
// CHECK-LABEL: func.func @batched_matmul_bn
func.func @batched_matmul_bn(%a: tensor<?x?x3xf32>) -> tensor<?x?x2xf32> {
  %w = infer.constant splat<1.0> : tensor<1x3x2xf32>
  %scale = infer.constant splat<2.0> : tensor<2xf32>
  %shift = infer.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %mean = infer.constant splat<0.0> : tensor<2xf32>
  %var = infer.constant splat<1.0> : tensor<2xf32>
  // CHECK-DAG: %[[W:.*]] = infer.constant splat<2.000000e+00> : tensor<1x3x2xf32>
  // CHECK-DAG: %[[S:.*]] = infer.constant dense<{{\[\[\[}}1.000000e+00, 2.000000e+00]]]> : tensor<1x1x2xf32>
  // CHECK: %[[M:.*]] = infer.matmul %{{.*}}, %[[W]]
  // CHECK: %[[Y:.*]] = infer.add %[[M]], %[[S]]
  // CHECK: func.return %[[Y]]
  %m = infer.matmul %a, %w : (tensor<?x?x3xf32>, tensor<1x3x2xf32>) -> tensor<?x?x2xf32>
  %y = infer.batch_norm %m, %scale, %shift, %mean, %var {epsilon = 0.0 : f64, layout = "nhwc"} : (tensor<?x?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x?x2xf32>
  func.return %y : tensor<?x?x2xf32>
}

// -----

// A batch norm over a batched matmul's rows (channels first) does not fold.
// CHECK-LABEL: func.func @batched_matmul_bn_rows
// CHECK: infer.matmul
// CHECK: infer.batch_norm
func.func @batched_matmul_bn_rows(%a: tensor<?x2x3xf32>) -> tensor<?x2x2xf32> {
  %w = infer.constant splat<1.0> : tensor<1x3x2xf32>
  %p = infer.constant splat<1.0> : tensor<2xf32>
  %m = infer.matmul %a, %w : (tensor<?x2x3xf32>, tensor<1x3x2xf32>) -> tensor<?x2x2xf32>
  %y = infer.batch_norm %m, %p, %p, %p, %p {epsilon = 0.0 : f64} : (tensor<?x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x2xf32>
  func.return %y : tensor<?x2x2xf32>
}

// -----

// Channels last: the weight layout is the same, the batch norm must be nhwc too.
// CHECK-LABEL: func.func @conv_bn_nhwc
// CHECK: %[[W:.*]] = infer.constant splat<6.000000e+00> : tensor<4x3x1x1xf32>
// CHECK: infer.conv %{{.*}}, %[[W]] {{{.*}}layout = "nhwc"}
// CHECK-NOT: infer.batch_norm
func.func @conv_bn_nhwc(%x: tensor<1x5x5x3xf32>) -> tensor<1x5x5x4xf32> {
  %w = infer.constant splat<2.0> : tensor<4x3x1x1xf32>
  %scale = infer.constant splat<3.0> : tensor<4xf32>
  %p = infer.constant splat<0.0> : tensor<4xf32>
  %var = infer.constant splat<1.0> : tensor<4xf32>
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, layout = "nhwc"} : (tensor<1x5x5x3xf32>, tensor<4x3x1x1xf32>) -> tensor<1x5x5x4xf32>
  %y = infer.batch_norm %c, %scale, %p, %p, %var {epsilon = 0.0 : f64, layout = "nhwc"} : (tensor<1x5x5x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x5x5x4xf32>
  func.return %y : tensor<1x5x5x4xf32>
}

// -----

// A batch norm over another axis than the conv's channels does not fold.
// CHECK-LABEL: func.func @conv_bn_layout_mismatch
// CHECK: infer.conv
// CHECK: infer.batch_norm
func.func @conv_bn_layout_mismatch(%x: tensor<1x5x5x4xf32>) -> tensor<1x5x5x4xf32> {
  %w = infer.constant splat<2.0> : tensor<4x4x1x1xf32>
  %p = infer.constant splat<1.0> : tensor<5xf32>
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, layout = "nhwc"} : (tensor<1x5x5x4xf32>, tensor<4x4x1x1xf32>) -> tensor<1x5x5x4xf32>
  %y = infer.batch_norm %c, %p, %p, %p, %p {epsilon = 0.0 : f64} : (tensor<1x5x5x4xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) -> tensor<1x5x5x4xf32>
  func.return %y : tensor<1x5x5x4xf32>
}

// -----

// The conv's result has another use: no fold.
// CHECK-LABEL: func.func @conv_bn_two_uses
// CHECK: infer.conv
// CHECK: infer.batch_norm
func.func @conv_bn_two_uses(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = infer.constant splat<2.0> : tensor<2x2x1x1xf32>
  %p = infer.constant splat<1.0> : tensor<2xf32>
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = infer.batch_norm %c, %p, %p, %p, %p {epsilon = 0.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  func.return %y, %c : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// Batch norm parameters known only at run time: no fold.
// CHECK-LABEL: func.func @conv_bn_runtime_params
// CHECK: infer.conv
// CHECK: infer.batch_norm
func.func @conv_bn_runtime_params(%x: tensor<1x2x4x4xf32>, %p: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %w = infer.constant splat<2.0> : tensor<2x2x1x1xf32>
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = infer.batch_norm %c, %p, %p, %p, %p {epsilon = 0.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  func.return %y : tensor<1x2x4x4xf32>
}

// -----

// Weights known only at run time: no fold.
// CHECK-LABEL: func.func @conv_bn_runtime_weights
// CHECK: infer.conv
// CHECK: infer.batch_norm
func.func @conv_bn_runtime_weights(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %p = infer.constant splat<1.0> : tensor<2xf32>
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = infer.batch_norm %c, %p, %p, %p, %p {epsilon = 0.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  func.return %y : tensor<1x2x4x4xf32>
}

// -----

// An activation between the conv and the batch norm (here fused as an epilogue) blocks the fold.
// CHECK-LABEL: func.func @conv_epilogue_bn
// CHECK: infer.conv {{.*}}activation = "relu"
// CHECK: infer.batch_norm
func.func @conv_epilogue_bn(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = infer.constant splat<2.0> : tensor<2x2x1x1xf32>
  %p = infer.constant splat<1.0> : tensor<2xf32>
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, activation = "relu"} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = infer.batch_norm %c, %p, %p, %p, %p {epsilon = 0.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  func.return %y : tensor<1x2x4x4xf32>
}

// -----

// A per-channel constant scale (Caffe's Scale layer) folds like a batch norm without shift.
// CHECK-LABEL: func.func @conv_channel_scale
// CHECK-DAG: %[[W:.*]] = infer.constant dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}6.000000e+00]]]]> : tensor<2x1x1x1xf32> loc("scale#constant0"(fused["conv", "scale"]))
// CHECK-DAG: %[[B:.*]] = infer.constant dense<[5.000000e-01, 3.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = infer.conv %{{.*}}, %[[W]], %[[B]]
// CHECK-NOT: infer.mul
// CHECK: func.return %[[Y]]
func.func @conv_channel_scale(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = infer.constant splat<2.0> : tensor<2x1x1x1xf32>
  %b = infer.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %s = infer.constant dense<[[[[1.0]], [[3.0]]]]> : tensor<1x2x1x1xf32>
  %c = infer.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv")
  %y = infer.mul %s, %c : (tensor<1x2x1x1xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("scale")
  func.return %y : tensor<1x2x4x4xf32>
}

// -----

// A constant that varies along a spatial dim is not a per-channel scale.
// CHECK-LABEL: func.func @conv_spatial_scale
// CHECK: infer.conv
// CHECK: infer.mul
func.func @conv_spatial_scale(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = infer.constant splat<2.0> : tensor<2x1x1x1xf32>
  %s = infer.constant dense<[[[[1.0, 2.0, 3.0, 4.0]]]]> : tensor<1x1x1x4xf32>
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = infer.mul %c, %s : (tensor<1x2x4x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x2x4x4xf32>
  func.return %y : tensor<1x2x4x4xf32>
}

// -----

// Discardable marks (mark-depthwise's) stay on the fused op.
// CHECK-LABEL: func.func @depthwise_mark
// CHECK: infer.conv %{{.*}}, %{{.*}}, %{{.*}} {infer.depthwise, {{.*}}groups = 2 : i64}
// CHECK-NOT: infer.batch_norm
func.func @depthwise_mark(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = infer.constant splat<2.0> : tensor<2x1x1x1xf32>
  %p = infer.constant splat<1.0> : tensor<2xf32>
  %b = infer.constant splat<3.0> : tensor<2xf32>
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, groups = 2 : i64, infer.depthwise} : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = infer.batch_norm %c, %p, %b, %p, %p {epsilon = 0.0 : f64} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  func.return %y : tensor<1x2x4x4xf32>
}
