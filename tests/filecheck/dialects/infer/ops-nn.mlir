// RUN: infer-opt %s | infer-opt | filecheck %s
// The nn ops print in their custom form and parse back.

// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<?x8x?x?xf32>, %w: tensor<16x2x3x3xf32>, %b: tensor<16xf32>, %v: tensor<1x7x9x8xf32>, %d: tensor<8x1x3x3xf32>) -> (tensor<?x16x?x?xf32>, tensor<1x3x4x8xf32>) {
  // CHECK: %[[G:.*]] = infer.conv %{{.*}}, %{{.*}}, %{{.*}} {strides = array<i64: 2, 2>, dilations = array<i64: 1, 2>, pads = array<i64: 1, 2, 1, 2>, groups = 4 : i64}
  // CHECK-SAME: : (tensor<?x8x?x?xf32>, tensor<16x2x3x3xf32>, tensor<16xf32>) -> tensor<?x16x?x?xf32>
  %g = infer.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 2>, pads = array<i64: 1, 2, 1, 2>, groups = 4 : i64} : (tensor<?x8x?x?xf32>, tensor<16x2x3x3xf32>, tensor<16xf32>) -> tensor<?x16x?x?xf32>
  // CHECK: %[[N:.*]] = infer.conv %{{.*}}, %{{.*}} {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, groups = 8 : i64, layout = "nhwc"}
  // CHECK-SAME: -> tensor<1x3x4x8xf32>
  %n = infer.conv %v, %d {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, groups = 8 : i64, layout = "nhwc"} : (tensor<1x7x9x8xf32>, tensor<8x1x3x3xf32>) -> tensor<1x3x4x8xf32>
  // CHECK: func.return %[[G]], %[[N]]
  func.return %g, %n : tensor<?x16x?x?xf32>, tensor<1x3x4x8xf32>
}

// CHECK-LABEL: func.func @conv_transpose
func.func @conv_transpose(%x: tensor<?x64x8x8xf32>, %w: tensor<64x16x3x3xf32>, %b: tensor<32xf32>, %y: tensor<1x5x2xf32>, %v: tensor<2x3x4xf32>) -> (tensor<?x32x16x16xf32>, tensor<1x16x3xf32>) {
  // CHECK: %[[T:.*]] = infer.conv_transpose %{{.*}}, %{{.*}}, %{{.*}} {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>, groups = 2 : i64}
  // CHECK-SAME: : (tensor<?x64x8x8xf32>, tensor<64x16x3x3xf32>, tensor<32xf32>) -> tensor<?x32x16x16xf32>
  %t = infer.conv_transpose %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>, groups = 2 : i64} : (tensor<?x64x8x8xf32>, tensor<64x16x3x3xf32>, tensor<32xf32>) -> tensor<?x32x16x16xf32>
  // Negative pads: output positions no input reaches.
  // CHECK: %[[L:.*]] = infer.conv_transpose %{{.*}}, %{{.*}} {strides = array<i64: 2>, dilations = array<i64: 2>, pads = array<i64: -1, 0>, output_padding = array<i64: 0>, layout = "nhwc"}
  // CHECK-SAME: -> tensor<1x16x3xf32>
  %l = infer.conv_transpose %y, %v {strides = array<i64: 2>, dilations = array<i64: 2>, pads = array<i64: -1, 0>, output_padding = array<i64: 0>, layout = "nhwc"} : (tensor<1x5x2xf32>, tensor<2x3x4xf32>) -> tensor<1x16x3xf32>
  // CHECK: func.return %[[T]], %[[L]]
  func.return %t, %l : tensor<?x32x16x16xf32>, tensor<1x16x3xf32>
}

// CHECK-LABEL: func.func @pools
func.func @pools(%x: tensor<?x64x112x112xf32>, %n: tensor<1x8x8x16xf32>, %i: tensor<1x2x7xi8>) -> (tensor<?x64x57x57xf32>, tensor<1x4x4x16xf32>, tensor<1x2x3xi8>) {
  // CHECK: %[[M:.*]] = infer.max_pool %{{.*}} {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, ceil_mode}
  // CHECK-SAME: : (tensor<?x64x112x112xf32>) -> tensor<?x64x57x57xf32>
  %m = infer.max_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, ceil_mode} : (tensor<?x64x112x112xf32>) -> tensor<?x64x57x57xf32>
  // CHECK: %[[A:.*]] = infer.avg_pool %{{.*}} {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, count_include_pad, layout = "nhwc"}
  // CHECK-SAME: -> tensor<1x4x4x16xf32>
  %a = infer.avg_pool %n {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, count_include_pad, layout = "nhwc"} : (tensor<1x8x8x16xf32>) -> tensor<1x4x4x16xf32>
  // CHECK: %[[I:.*]] = infer.max_pool %{{.*}} {kernel = array<i64: 2>, strides = array<i64: 2>, dilations = array<i64: 2>, pads = array<i64: 1, 0>}
  // CHECK-SAME: : (tensor<1x2x7xi8>) -> tensor<1x2x3xi8>
  %i2 = infer.max_pool %i {kernel = array<i64: 2>, strides = array<i64: 2>, dilations = array<i64: 2>, pads = array<i64: 1, 0>} : (tensor<1x2x7xi8>) -> tensor<1x2x3xi8>
  // CHECK: func.return %[[M]], %[[A]], %[[I]]
  func.return %m, %a, %i2 : tensor<?x64x57x57xf32>, tensor<1x4x4x16xf32>, tensor<1x2x3xi8>
}

// CHECK-LABEL: func.func @lp_pool
func.func @lp_pool(%x: tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32> {
  // CHECK: %[[P:.*]] = infer.lp_pool %{{.*}} {p = 3.000000e+00 : f64, kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode}
  // CHECK-SAME: : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
  %p = infer.lp_pool %x {p = 3.000000e+00 : f64, kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode} : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
  // CHECK: func.return %[[P]]
  func.return %p : tensor<?x8x?x?xf32>
}

// CHECK-LABEL: func.func @lrn
func.func @lrn(%x: tensor<?x96x55x55xf32>, %n: tensor<2x5x5x8xf16>) -> (tensor<?x96x55x55xf32>, tensor<2x5x5x8xf16>) {
  // CHECK: %[[L:.*]] = infer.lrn %{{.*}} {size = 5 : i64, alpha = 1.000000e-04 : f64, beta = 7.500000e-01 : f64, bias = 1.000000e+00 : f64}
  // CHECK-SAME: : (tensor<?x96x55x55xf32>) -> tensor<?x96x55x55xf32>
  %l = infer.lrn %x {size = 5 : i64, alpha = 1.000000e-04 : f64, beta = 7.500000e-01 : f64, bias = 1.000000e+00 : f64} : (tensor<?x96x55x55xf32>) -> tensor<?x96x55x55xf32>
  // CHECK: %[[H:.*]] = infer.lrn %{{.*}} {size = 2 : i64, alpha = 5.000000e-01 : f64, beta = 1.000000e+00 : f64, bias = 2.000000e+00 : f64, layout = "nhwc"}
  %h = infer.lrn %n {size = 2 : i64, alpha = 5.000000e-01 : f64, beta = 1.000000e+00 : f64, bias = 2.000000e+00 : f64, layout = "nhwc"} : (tensor<2x5x5x8xf16>) -> tensor<2x5x5x8xf16>
  // CHECK: func.return %[[L]], %[[H]]
  func.return %l, %h : tensor<?x96x55x55xf32>, tensor<2x5x5x8xf16>
}

// Epilogues: an activation applied after the bias.
// CHECK-LABEL: func.func @conv_epilogue
func.func @conv_epilogue(%x: tensor<?x8x?x?xf32>, %w: tensor<16x8x3x3xf32>, %b: tensor<16xf32>, %t: tensor<1x16x4x4xf32>, %v: tensor<16x8x2x2xf32>) -> (tensor<?x16x?x?xf32>, tensor<?x16x?x?xf32>, tensor<1x8x8x8xf32>) {
  // CHECK: %[[R6:.*]] = infer.conv %{{.*}}, %{{.*}}, %{{.*}} {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = "clip", activation_params = array<f64: 0.000000e+00, 6.000000e+00>}
  // CHECK-SAME: -> tensor<?x16x?x?xf32>
  %r6 = infer.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = "clip", activation_params = array<f64: 0.0, 6.0>} : (tensor<?x8x?x?xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>) -> tensor<?x16x?x?xf32>
  // CHECK: %[[S:.*]] = infer.conv %{{.*}}, %{{.*}} {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = "silu"}
  %s = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = "silu"} : (tensor<?x8x?x?xf32>, tensor<16x8x3x3xf32>) -> tensor<?x16x?x?xf32>
  // CHECK: %[[T:.*]] = infer.conv_transpose %{{.*}}, %{{.*}} {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, activation = "leaky_relu", activation_params = array<f64: 1.000000e-01>}
  // CHECK-SAME: -> tensor<1x8x8x8xf32>
  %u = infer.conv_transpose %t, %v {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>, activation = "leaky_relu", activation_params = array<f64: 0.1>} : (tensor<1x16x4x4xf32>, tensor<16x8x2x2xf32>) -> tensor<1x8x8x8xf32>
  // CHECK: func.return %[[R6]], %[[S]], %[[T]]
  func.return %r6, %s, %u : tensor<?x16x?x?xf32>, tensor<?x16x?x?xf32>, tensor<1x8x8x8xf32>
}

// CHECK-LABEL: func.func @pool_indices_unpool
func.func @pool_indices_unpool(%x: tensor<?x4x?x?xf32>, %p: tensor<2x3x4x4xf32>, %i: tensor<2x3x4x4xi64>) -> (tensor<?x4x?x?xf32>, tensor<?x4x?x?xi64>, tensor<2x3x8x8xf32>, tensor<2x3x9x10xf32>) {
  // CHECK: %[[V:.*]], %[[I:.*]] = infer.max_pool_with_indices %{{.*}} {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, ceil_mode, column_major}
  // CHECK-SAME: : (tensor<?x4x?x?xf32>) -> (tensor<?x4x?x?xf32>, tensor<?x4x?x?xi64>)
  %v, %w = infer.max_pool_with_indices %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, ceil_mode, column_major} : (tensor<?x4x?x?xf32>) -> (tensor<?x4x?x?xf32>, tensor<?x4x?x?xi64>)
  // CHECK: %[[U:.*]] = infer.max_unpool %{{.*}}, %{{.*}} {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>}
  // CHECK-SAME: : (tensor<2x3x4x4xf32>, tensor<2x3x4x4xi64>) -> tensor<2x3x8x8xf32>
  %u = infer.max_unpool %p, %i {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<2x3x4x4xf32>, tensor<2x3x4x4xi64>) -> tensor<2x3x8x8xf32>
  // CHECK: %[[O:.*]] = infer.max_unpool %{{.*}}, %{{.*}} {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, output_spatial = array<i64: 9, 10>}
  %o = infer.max_unpool %p, %i {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, output_spatial = array<i64: 9, 10>} : (tensor<2x3x4x4xf32>, tensor<2x3x4x4xi64>) -> tensor<2x3x9x10xf32>
  // CHECK: func.return %[[V]], %[[I]], %[[U]], %[[O]]
  func.return %v, %w, %u, %o : tensor<?x4x?x?xf32>, tensor<?x4x?x?xi64>, tensor<2x3x8x8xf32>, tensor<2x3x9x10xf32>
}
