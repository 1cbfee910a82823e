// RUN: infer-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @conv_negative_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: -1, 0, 1, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return %y : tensor<1x4x6x6xf32>
}
// CHECK: infer.conv: pads must be non-negative, got [-1, 0, 1, 0]

// -----

func.func @conv_groups(%x: tensor<1x6x8x8xf32>, %w: tensor<5x3x3x3xf32>) -> tensor<1x5x6x6xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, groups = 2 : i64} : (tensor<1x6x8x8xf32>, tensor<5x3x3x3xf32>) -> tensor<1x5x6x6xf32>
  func.return %y : tensor<1x5x6x6xf32>
}
// CHECK: infer.conv: groups (2) must divide the output channels (5)

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x4x6x6xf32> {
  %y = infer.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  func.return %y : tensor<1x4x6x6xf32>
}
// CHECK: infer.conv: bias must have shape [4], got [3]

// -----

func.func @conv_dynamic_weight(%x: tensor<1x3x8x8xf32>, %w: tensor<?x3x3x3xf32>) -> tensor<1x?x6x6xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<?x3x3x3xf32>) -> tensor<1x?x6x6xf32>
  func.return %y : tensor<1x?x6x6xf32>
}
// CHECK: infer.conv weight must have a static shape

// -----

func.func @conv_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return %y : tensor<1x4x6x6xf32>
}
// CHECK: infer.conv: strides, dilations and pads must have 2, 2 and 4 entries, got 1, 2 and 4

// -----

func.func @conv_transpose_channels(%x: tensor<1x4x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x2x7x7xf32> {
  %y = infer.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>} : (tensor<1x4x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  func.return %y : tensor<1x2x7x7xf32>
}
// CHECK: infer.conv_transpose: input has 4 channels, weight expects 3

// -----

func.func @conv_transpose_groups(%x: tensor<1x3x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x4x7x7xf32> {
  %y = infer.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, groups = 2 : i64} : (tensor<1x3x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x4x7x7xf32>
  func.return %y : tensor<1x4x7x7xf32>
}
// CHECK: infer.conv_transpose: groups (2) must divide the weight's input channels (3)

// -----

func.func @conv_transpose_empty(%x: tensor<1x3x2x2xf32>, %w: tensor<3x2x1x1xf32>) -> tensor<1x2x1x1xf32> {
  %y = infer.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 1, 0>, output_padding = array<i64: 0, 0>} : (tensor<1x3x2x2xf32>, tensor<3x2x1x1xf32>) -> tensor<1x2x1x1xf32>
  func.return %y : tensor<1x2x1x1xf32>
}
// CHECK: infer.conv_transpose: transposed convolution of an input of size 2 has an output of size 0

// -----

func.func @conv_transpose_output_padding(%x: tensor<1x3x2x2xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x2x5x5xf32> {
  %y = infer.conv_transpose %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: -1, 0>} : (tensor<1x3x2x2xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  func.return %y : tensor<1x2x5x5xf32>
}
// CHECK: infer.conv_transpose: output_padding must have 2 non-negative entries, got [-1, 0]

// -----

func.func @max_pool_window(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x1x1xf32> {
  %y = infer.max_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 2, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x1x1xf32>
  func.return %y : tensor<1x3x1x1xf32>
}
// CHECK: infer.max_pool: window of extent 5 does not fit input of size 4 with pads 0, 0

// -----

func.func @max_pool_kernel_rank(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x3x3xf32> {
  %y = infer.max_pool %x {kernel = array<i64: 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x3x3xf32>
  func.return %y : tensor<1x3x3x3xf32>
}
// CHECK: infer.max_pool: kernel has 1 spatial dims, input has 2

// -----

func.func @max_pool_rank(%x: tensor<3x4xf32>) -> tensor<3x3xf32> {
  %y = infer.max_pool %x {kernel = array<i64: 2>, strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 0, 0>} : (tensor<3x4xf32>) -> tensor<3x3xf32>
  func.return %y : tensor<3x3xf32>
}
// CHECK: infer.max_pool needs an input of rank >= 3, got rank 2

// -----

// The ceil-mode window that would start in the end padding is dropped: 3, not 4.
func.func @max_pool_ceil(%x: tensor<1x1x5xf32>) -> tensor<1x1x4xf32> {
  %y = infer.max_pool %x {kernel = array<i64: 2>, strides = array<i64: 2>, dilations = array<i64: 1>, pads = array<i64: 1, 1>, ceil_mode} : (tensor<1x1x5xf32>) -> tensor<1x1x4xf32>
  func.return %y : tensor<1x1x4xf32>
}
// CHECK: infer.max_pool result #0 has type tensor<1x1x4xf32>, but its shape rule gives tensor<1x1x3xf32>

// -----

func.func @avg_pool_integers(%x: tensor<1x3x4x4xi32>) -> tensor<1x3x3x3xi32> {
  %y = infer.avg_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xi32>) -> tensor<1x3x3x3xi32>
  func.return %y : tensor<1x3x3x3xi32>
}
// CHECK: infer.avg_pool needs a floating-point tensor, got tensor<1x3x4x4xi32>

// -----

func.func @avg_pool_layout(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x3x3xf32> {
  %y = infer.avg_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, layout = "chwn"} : (tensor<1x3x4x4xf32>) -> tensor<1x3x3x3xf32>
  func.return %y : tensor<1x3x3x3xf32>
}
// CHECK: infer.avg_pool: layout must be one of ('nchw', 'nhwc'), got 'chwn'

// -----

func.func @lp_pool_p(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x3x3xf32> {
  %y = infer.lp_pool %x {p = 0.000000e+00 : f64, kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x3x3xf32>
  func.return %y : tensor<1x3x3x3xf32>
}
// CHECK: infer.lp_pool p must be positive, got 0.0

// -----

func.func @lrn_size(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %y = infer.lrn %x {size = 0 : i64, alpha = 1.000000e-04 : f64, beta = 7.500000e-01 : f64, bias = 1.000000e+00 : f64} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  func.return %y : tensor<1x3x4x4xf32>
}
// CHECK: infer.lrn size must be positive, got 0

// -----

func.func @lrn_integers(%x: tensor<1x3x4x4xi8>) -> tensor<1x3x4x4xi8> {
  %y = infer.lrn %x {size = 3 : i64, alpha = 1.000000e-04 : f64, beta = 7.500000e-01 : f64, bias = 1.000000e+00 : f64} : (tensor<1x3x4x4xi8>) -> tensor<1x3x4x4xi8>
  func.return %y : tensor<1x3x4x4xi8>
}
// CHECK: infer.lrn needs a floating-point tensor, got tensor<1x3x4x4xi8>

// -----

func.func @conv_unknown_activation(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, activation = "swish2"} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return %y : tensor<1x4x6x6xf32>
}
// CHECK: infer.conv: unknown activation 'swish2', expected one of relu, clip, leaky_relu, sigmoid, hard_sigmoid, hard_swish, silu, tanh, gelu, gelu_tanh

// -----

func.func @conv_activation_params(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, activation = "clip", activation_params = array<f64: 6.0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return %y : tensor<1x4x6x6xf32>
}
// CHECK: infer.conv: activation 'clip' takes 2 (min, max) activation_params, got 1

// -----

func.func @conv_activation_no_params(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, activation = "relu", activation_params = array<f64: 0.0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return %y : tensor<1x4x6x6xf32>
}
// CHECK: infer.conv: activation 'relu' takes none activation_params, got 1

// -----

func.func @conv_params_without_activation(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, activation_params = array<f64: 0.0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return %y : tensor<1x4x6x6xf32>
}
// CHECK: infer.conv: activation_params given without an activation

// -----

func.func @conv_activation_param_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, activation = "leaky_relu", activation_params = array<i64: 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return %y : tensor<1x4x6x6xf32>
}
// CHECK: infer.conv: activation_params must be an array<f64: ...>, got array<i64: 1>

// -----

func.func @conv_transpose_activation_params(%x: tensor<1x3x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x2x7x7xf32> {
  %y = infer.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, activation = "hard_sigmoid", activation_params = array<f64: 0.2>} : (tensor<1x3x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  func.return %y : tensor<1x2x7x7xf32>
}
// CHECK: infer.conv_transpose: activation 'hard_sigmoid' takes 2 (alpha, beta) activation_params, got 1

// -----

func.func @max_pool_indices_not_i64(%x: tensor<1x3x8x8xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xi32>) {
  %v, %i = infer.max_pool_with_indices %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xi32>)
  func.return %v, %i : tensor<1x3x4x4xf32>, tensor<1x3x4x4xi32>
}
// CHECK: infer.max_pool_with_indices result #1 has type tensor<1x3x4x4xi32>, but its shape rule gives tensor<1x3x4x4xi64>

// -----

func.func @max_unpool_indices_shape(%x: tensor<1x3x4x4xf32>, %i: tensor<1x3x4x5xi64>) -> tensor<1x3x8x8xf32> {
  %u = infer.max_unpool %x, %i {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<1x3x4x5xi64>) -> tensor<1x3x8x8xf32>
  func.return %u : tensor<1x3x8x8xf32>
}
// CHECK: infer.max_unpool indices must be i64 of the input's shape, got tensor<1x3x4x5xi64> for tensor<1x3x4x4xf32>

// -----

func.func @max_unpool_result(%x: tensor<1x3x4x4xf32>, %i: tensor<1x3x4x4xi64>) -> tensor<1x3x9x8xf32> {
  %u = infer.max_unpool %x, %i {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xi64>) -> tensor<1x3x9x8xf32>
  func.return %u : tensor<1x3x9x8xf32>
}
// CHECK: infer.max_unpool result #0 has type tensor<1x3x9x8xf32>, but its shape rule gives tensor<1x3x8x8xf32>
