// RUN: infer-opt %s --split-input-file --conv1x1-to-matmul | filecheck %s

// nchw, static: the input as [N, C, H*W], the weight as [1, O, C] (a constant, reshaped
// at compile time), the bias as [1, O, 1], the result reshaped back.
// CHECK-LABEL: func.func @nchw_static
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4x5xf32>)
// CHECK-DAG: %[[R:.*]] = infer.reshape %[[X]] : (tensor<2x3x4x5xf32>) -> tensor<2x3x20xf32>
// CHECK-DAG: %[[W:.*]] = infer.constant dense<{{\[}}{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]]> : tensor<1x2x3xf32>
// CHECK: %[[M:.*]] = infer.matmul %[[W]], %[[R]] : (tensor<1x2x3xf32>, tensor<2x3x20xf32>) -> tensor<2x2x20xf32>
// CHECK: %[[B:.*]] = infer.constant dense<{{\[}}{{\[}}[5.000000e-01], [-1.000000e+00]]]> : tensor<1x2x1xf32>
// CHECK: %[[A:.*]] = infer.add %[[M]], %[[B]] : (tensor<2x2x20xf32>, tensor<1x2x1xf32>) -> tensor<2x2x20xf32>
// CHECK: %[[Y:.*]] = infer.reshape %[[A]] : (tensor<2x2x20xf32>) -> tensor<2x2x4x5xf32>
// CHECK-NOT: infer.conv
// CHECK: func.return %[[Y]]
func.func @nchw_static(%x: tensor<2x3x4x5xf32>) -> tensor<2x2x4x5xf32> {
  %w = infer.constant dense<[[[[1.0]], [[2.0]], [[3.0]]], [[[4.0]], [[5.0]], [[6.0]]]]> : tensor<2x3x1x1xf32>
  %b = infer.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %y = infer.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<2x3x4x5xf32>, tensor<2x3x1x1xf32>, tensor<2xf32>) -> tensor<2x2x4x5xf32>
  func.return %y : tensor<2x2x4x5xf32>
}

// -----

// nchw with a dynamic batch and dynamic spatial dims: both reshapes take their shape at
// run time; a splat weight stays a splat; dilations do not matter for a 1x1 kernel.
// CHECK-LABEL: func.func @nchw_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x8x?x?xf32>)
// CHECK-DAG: %[[N:.*]] = infer.shape_of %[[X]] {start = 0 : i64, end = 1 : i64}
// CHECK-DAG: %[[CM:.*]] = infer.constant dense<[8, -1]> : tensor<2xi64>
// CHECK: %[[S:.*]] = infer.concat %[[N]], %[[CM]] {axis = 0 : i64}
// CHECK: %[[R:.*]] = infer.reshape %[[X]], %[[S]] : (tensor<?x8x?x?xf32>, tensor<3xi64>) -> tensor<?x8x?xf32>
// CHECK: %[[W:.*]] = infer.constant splat<2.500000e-01> : tensor<1x16x8xf32>
// CHECK: %[[M:.*]] = infer.matmul %[[W]], %[[R]] : (tensor<1x16x8xf32>, tensor<?x8x?xf32>) -> tensor<?x16x?xf32>
// CHECK-DAG: %[[O:.*]] = infer.constant dense<16> : tensor<1xi64>
// CHECK-DAG: %[[HW:.*]] = infer.shape_of %[[X]] {start = 2 : i64, end = 4 : i64}
// CHECK: %[[T:.*]] = infer.concat %[[N]], %[[O]], %[[HW]] {axis = 0 : i64}
// CHECK: %[[Y:.*]] = infer.reshape %[[M]], %[[T]] : (tensor<?x16x?xf32>, tensor<4xi64>) -> tensor<?x16x?x?xf32>
// CHECK: func.return %[[Y]]
func.func @nchw_dynamic(%x: tensor<?x8x?x?xf32>) -> tensor<?x16x?x?xf32> {
  %w = infer.constant splat<0.25> : tensor<16x8x1x1xf32>
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 2, 3>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x?x?xf32>, tensor<16x8x1x1xf32>) -> tensor<?x16x?x?xf32>
  func.return %y : tensor<?x16x?x?xf32>
}

// -----

// nchw with only the batch dynamic: static reshapes (one dynamic dim each).
// CHECK-LABEL: func.func @nchw_dynamic_batch
// CHECK-NOT: infer.shape_of
// CHECK: infer.reshape %{{.*}} : (tensor<?x8x7x7xf32>) -> tensor<?x8x49xf32>
// CHECK: infer.matmul
// CHECK: infer.reshape %{{.*}} : (tensor<?x4x49xf32>) -> tensor<?x4x7x7xf32>
func.func @nchw_dynamic_batch(%x: tensor<?x8x7x7xf32>) -> tensor<?x4x7x7xf32> {
  %w = infer.constant splat<0.25> : tensor<4x8x1x1xf32>
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x7x7xf32>, tensor<4x8x1x1xf32>) -> tensor<?x4x7x7xf32>
  func.return %y : tensor<?x4x7x7xf32>
}

// -----

// 1-d nchw: the input already is [N, C, L]; a weight and a bias that are not constants
// are reshaped by ops.
// CHECK-LABEL: func.func @nchw_1d
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x?xf32>, %[[W:.*]]: tensor<5x3x1xf32>, %[[B:.*]]: tensor<5xf32>)
// CHECK: %[[WM:.*]] = infer.reshape %[[W]] : (tensor<5x3x1xf32>) -> tensor<1x5x3xf32>
// CHECK: %[[M:.*]] = infer.matmul %[[WM]], %[[X]] : (tensor<1x5x3xf32>, tensor<?x3x?xf32>) -> tensor<?x5x?xf32>
// CHECK: %[[BU:.*]] = infer.unsqueeze %[[B]] {axes = array<i64: 0, 2>} : (tensor<5xf32>) -> tensor<1x5x1xf32>
// CHECK: %[[Y:.*]] = infer.add %[[M]], %[[BU]]
// CHECK: func.return %[[Y]]
func.func @nchw_1d(%x: tensor<?x3x?xf32>, %w: tensor<5x3x1xf32>, %b: tensor<5xf32>) -> tensor<?x5x?xf32> {
  %y = infer.conv %x, %w, %b {strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 0, 0>} : (tensor<?x3x?xf32>, tensor<5x3x1xf32>, tensor<5xf32>) -> tensor<?x5x?xf32>
  func.return %y : tensor<?x5x?xf32>
}

// -----

// nhwc: [N*H*W, C] x [C, O] (the constant weight transposed at compile time).
// CHECK-LABEL: func.func @nhwc
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x4x3xf32>)
// CHECK-DAG: %[[F:.*]] = infer.flatten %[[X]] {axis = 3 : i64} : (tensor<?x4x4x3xf32>) -> tensor<?x3xf32>
// CHECK-DAG: %[[W:.*]] = infer.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK: %[[M:.*]] = infer.matmul %[[F]], %[[W]] : (tensor<?x3xf32>, tensor<3x2xf32>) -> tensor<?x2xf32>
// CHECK: %[[Y:.*]] = infer.reshape %[[M]] : (tensor<?x2xf32>) -> tensor<?x4x4x2xf32>
// CHECK: func.return %[[Y]]
func.func @nhwc(%x: tensor<?x4x4x3xf32>) -> tensor<?x4x4x2xf32> {
  %w = infer.constant dense<[[[[1.0]], [[2.0]], [[3.0]]], [[[4.0]], [[5.0]], [[6.0]]]]> : tensor<2x3x1x1xf32>
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, layout = "nhwc"} : (tensor<?x4x4x3xf32>, tensor<2x3x1x1xf32>) -> tensor<?x4x4x2xf32>
  func.return %y : tensor<?x4x4x2xf32>
}

// -----

// nhwc with dynamic dims and a bias: the result shape comes from the input's dims.
// CHECK-LABEL: func.func @nhwc_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x?x3xf32>, %[[W:.*]]: tensor<2x3x1x1xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK: %[[F:.*]] = infer.flatten %[[X]] {axis = 3 : i64}
// CHECK: %[[WR:.*]] = infer.reshape %[[W]] : (tensor<2x3x1x1xf32>) -> tensor<2x3xf32>
// CHECK: %[[WT:.*]] = infer.transpose %[[WR]] {perm = array<i64: 1, 0>}
// CHECK: %[[M:.*]] = infer.matmul %[[F]], %[[WT]]
// CHECK: %[[BU:.*]] = infer.unsqueeze %[[B]] {axes = array<i64: 0>} : (tensor<2xf32>) -> tensor<1x2xf32>
// CHECK: %[[A:.*]] = infer.add %[[M]], %[[BU]]
// CHECK: %[[NHW:.*]] = infer.shape_of %[[X]] {start = 0 : i64, end = 3 : i64}
// CHECK: %[[O:.*]] = infer.constant dense<2> : tensor<1xi64>
// CHECK: %[[S:.*]] = infer.concat %[[NHW]], %[[O]] {axis = 0 : i64}
// CHECK: %[[Y:.*]] = infer.reshape %[[A]], %[[S]] : (tensor<?x2xf32>, tensor<4xi64>) -> tensor<?x?x?x2xf32>
// CHECK: func.return %[[Y]]
func.func @nhwc_dynamic(%x: tensor<?x?x?x3xf32>, %w: tensor<2x3x1x1xf32>, %b: tensor<2xf32>) -> tensor<?x?x?x2xf32> {
  %y = infer.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, layout = "nhwc"} : (tensor<?x?x?x3xf32>, tensor<2x3x1x1xf32>, tensor<2xf32>) -> tensor<?x?x?x2xf32>
  func.return %y : tensor<?x?x?x2xf32>
}

// -----

// Not pointwise: a 3x3 kernel, a stride, pads, groups, an activation epilogue.
// CHECK-LABEL: func.func @not_pointwise
// CHECK-NOT: infer.matmul
// CHECK-COUNT-5: infer.conv
// CHECK-NOT: infer.matmul
func.func @not_pointwise(%x: tensor<1x4x8x8xf32>, %k: tensor<4x4x3x3xf32>, %w: tensor<4x4x1x1xf32>, %g: tensor<4x2x1x1xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x4x4x4xf32>, tensor<1x4x10x10xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) {
  %a = infer.conv %x, %k {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %b = infer.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x10x10xf32>
  %d = infer.conv %x, %g {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, groups = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x8x8xf32>
  %e = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, activation = "relu"} : (tensor<1x4x8x8xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  func.return %a, %b, %c, %d, %e : tensor<1x4x6x6xf32>, tensor<1x4x4x4xf32>, tensor<1x4x10x10xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
}
