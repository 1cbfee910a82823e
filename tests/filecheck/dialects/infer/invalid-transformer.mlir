// RUN: infer-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @rms_axis(%x: tensor<2x3xf32>, %s: tensor<1x3xf32>) -> tensor<2x3xf32> {
  %y = infer.rms_norm %x, %s {axis = -1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK: infer.rms_norm axis -1 must be in [0, 2) (normalized by the lowering)

// -----

func.func @rms_scale_rank(%x: tensor<2x3xf32>, %s: tensor<3xf32>) -> tensor<2x3xf32> {
  %y = infer.rms_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK: infer.rms_norm scale must have the input's rank 2, got [3]

// -----

func.func @rms_scale_dims(%x: tensor<2x3xf32>, %s: tensor<1x4xf32>) -> tensor<2x3xf32> {
  %y = infer.rms_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x3xf32>, tensor<1x4xf32>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK: infer.rms_norm scale of shape [1, 4] does not broadcast to [2, 3]

// -----

func.func @rms_ints(%x: tensor<2x3xi32>, %s: tensor<1x3xi32>) -> tensor<2x3xi32> {
  %y = infer.rms_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x3xi32>, tensor<1x3xi32>) -> tensor<2x3xi32>
  func.return %y : tensor<2x3xi32>
}
// CHECK: infer.rms_norm needs a floating-point input

// -----

func.func @gn_groups(%x: tensor<2x6x4xf32>, %p: tensor<6xf32>) -> tensor<2x6x4xf32> {
  %y = infer.group_norm %x, %p, %p {num_groups = 4 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x6x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x4xf32>
  func.return %y : tensor<2x6x4xf32>
}
// CHECK: infer.group_norm num_groups 4 must be positive and divide the 6 channels

// -----

func.func @gn_dynamic_channels(%x: tensor<2x?x4xf32>, %p: tensor<6xf32>) -> tensor<2x?x4xf32> {
  %y = infer.group_norm %x, %p, %p {num_groups = 2 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x?x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x?x4xf32>
  func.return %y : tensor<2x?x4xf32>
}
// CHECK: infer.group_norm needs a static channel dim

// -----

func.func @gn_params(%x: tensor<2x6x4xf32>, %p: tensor<3xf32>) -> tensor<2x6x4xf32> {
  %y = infer.group_norm %x, %p, %p {num_groups = 3 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x6x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x6x4xf32>
  func.return %y : tensor<2x6x4xf32>
}
// CHECK: infer.group_norm scale and bias must have shape [6], got [3]

// -----

func.func @rope_dynamic_head(%x: tensor<2x4x?xf32>, %c: tensor<1x4x4xf32>) -> tensor<2x4x?xf32> {
  %y = infer.rotary_embedding %x, %c, %c {rotary_dim = 8 : i64} : (tensor<2x4x?xf32>, tensor<1x4x4xf32>, tensor<1x4x4xf32>) -> tensor<2x4x?xf32>
  func.return %y : tensor<2x4x?xf32>
}
// CHECK: infer.rotary_embedding needs an input whose last dim is static

// -----

func.func @rope_odd(%x: tensor<2x4x8xf32>, %c: tensor<1x4x4xf32>) -> tensor<2x4x8xf32> {
  %y = infer.rotary_embedding %x, %c, %c {rotary_dim = 7 : i64} : (tensor<2x4x8xf32>, tensor<1x4x4xf32>, tensor<1x4x4xf32>) -> tensor<2x4x8xf32>
  func.return %y : tensor<2x4x8xf32>
}
// CHECK: infer.rotary_embedding rotary_dim 7 must be even, positive and at most 8

// -----

func.func @rope_cache(%x: tensor<2x4x8xf32>, %c: tensor<1x4x3xf32>) -> tensor<2x4x8xf32> {
  %y = infer.rotary_embedding %x, %c, %c {rotary_dim = 8 : i64} : (tensor<2x4x8xf32>, tensor<1x4x3xf32>, tensor<1x4x3xf32>) -> tensor<2x4x8xf32>
  func.return %y : tensor<2x4x8xf32>
}
// CHECK: infer.rotary_embedding cos and sin must have rank 3 and last dim 4, got [1, 4, 3]

// -----

func.func @rope_broadcast(%x: tensor<2x4x8xf32>, %c: tensor<1x5x4xf32>) -> tensor<2x4x8xf32> {
  %y = infer.rotary_embedding %x, %c, %c {rotary_dim = 8 : i64} : (tensor<2x4x8xf32>, tensor<1x5x4xf32>, tensor<1x5x4xf32>) -> tensor<2x4x8xf32>
  func.return %y : tensor<2x4x8xf32>
}
// CHECK: infer.rotary_embedding cos and sin of shape [1, 5, 4] do not broadcast to [2, 4, 8]

// -----

func.func @attention_heads(%q: tensor<1x6x4x8xf32>, %k: tensor<1x4x4x8xf32>) -> tensor<1x6x4x8xf32> {
  %y = infer.attention %q, %k, %k {scale = 1.0 : f64} : (tensor<1x6x4x8xf32>, tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x6x4x8xf32>
  func.return %y : tensor<1x6x4x8xf32>
}
// CHECK: infer.attention query heads 6 must be a multiple of the key/value heads 4

// -----

func.func @attention_head_size(%q: tensor<1x2x4x8xf32>, %k: tensor<1x2x4x16xf32>) -> tensor<1x2x4x16xf32> {
  %y = infer.attention %q, %k, %k {scale = 1.0 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x16xf32>, tensor<1x2x4x16xf32>) -> tensor<1x2x4x16xf32>
  func.return %y : tensor<1x2x4x16xf32>
}
// CHECK: infer.attention q, k and v disagree on the head size: 8 and 16

// -----

func.func @attention_rank(%q: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %y = infer.attention %q, %q, %q {scale = 1.0 : f64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  func.return %y : tensor<2x4x8xf32>
}
// CHECK: infer.attention needs q, k and v of rank 4 ([B, H, S, D]), got [3, 3, 3]

// -----

func.func @attention_bias(%q: tensor<1x2x4x8xf32>, %b: tensor<1x1x4x5xf32>) -> tensor<1x2x4x8xf32> {
  %y = infer.attention %q, %q, %q, %b {scale = 1.0 : f64} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x1x4x5xf32>) -> tensor<1x2x4x8xf32>
  func.return %y : tensor<1x2x4x8xf32>
}
// CHECK: infer.attention bias of shape [1, 1, 4, 5] does not broadcast to [1, 2, 4, 4]

// -----

func.func @attention_causal(%q: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %y = infer.attention %q, %q, %q {scale = 1.0 : f64, causal = "upper"} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  func.return %y : tensor<1x2x4x8xf32>
}
// CHECK: infer.attention causal must be one of ('none', 'top_left', 'bottom_right'), got 'upper'
