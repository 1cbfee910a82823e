// RUN: infer-opt %s --split-input-file --to-nhwc | filecheck %s
// RUN: infer-opt %s --split-input-file --to-nhwc=layout=nchw | filecheck %s --check-prefix=NCHW
// RUN: infer-opt %s --split-input-file --to-nhwc --to-nhwc=layout=nchw | filecheck %s --check-prefix=BACK
// RUN: not infer-opt %s --split-input-file -p 'to-nhwc{layout=hwcn}' 2>&1 | filecheck %s --check-prefix=BAD

// BAD: to-nhwc: unknown layout 'hwcn'; choose one of nchw, nhwc

// A region of conv, relu and pool with dynamic batch and spatial dims: one
// transpose in, one out; the inverse conversion gives back the original.
// CHECK-LABEL: func.func @conv_relu_pool
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x?x?xf32>, %[[W:.*]]: tensor<8x3x3x3xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: %[[T:.*]] = infer.transpose %[[X]] {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x3x?x?xf32>) -> tensor<?x?x?x3xf32>
// CHECK: %[[C:.*]] = infer.conv %[[T]], %[[W]], %[[B]] {{{.*}}layout = "nhwc"} : (tensor<?x?x?x3xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x?x?x8xf32>
// CHECK: %[[R:.*]] = infer.relu %[[C]] : (tensor<?x?x?x8xf32>) -> tensor<?x?x?x8xf32>
// CHECK: %[[P:.*]] = infer.max_pool %[[R]] {{{.*}}layout = "nhwc"} : (tensor<?x?x?x8xf32>) -> tensor<?x?x?x8xf32>
// CHECK: %[[O:.*]] = infer.transpose %[[P]] {perm = array<i64: 0, 3, 1, 2>} : (tensor<?x?x?x8xf32>) -> tensor<?x8x?x?xf32>
// CHECK: func.return %[[O]]
// BACK-LABEL: func.func @conv_relu_pool
// BACK-NOT: infer.transpose
// BACK-NOT: layout
// BACK: func.return
// NCHW-LABEL: func.func @conv_relu_pool
// NCHW-NOT: infer.transpose
// NCHW: func.return
func.func @conv_relu_pool(%x: tensor<?x3x?x?xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x?x?xf32> {
  %c = infer.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x?x?xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x8x?x?xf32>
  %r = infer.relu %c : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
  %p = infer.max_pool %r {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
  func.return %p : tensor<?x8x?x?xf32>
}

// -----

// A per-channel bias is transposed at compile time; a splat stays a splat;
// concat along the channels joins along the new channel axis.
// CHECK-LABEL: func.func @bias_concat
// CHECK-NOT: tensor<1x2x1x1xf32>
// CHECK: %[[C:.*]] = infer.conv %{{.*}}, %{{.*}} {{{.*}}layout = "nhwc"}
// CHECK: %[[BIAS:.*]] = infer.constant dense<[{{\[\[}}[1.000000e+00, 2.000000e+00]]]]> : tensor<1x1x1x2xf32>
// CHECK: %[[A:.*]] = infer.add %[[C]], %[[BIAS]] : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
// CHECK: %[[HALF:.*]] = infer.constant splat<5.000000e-01> : tensor<1x1x1x2xf32>
// CHECK: %[[M:.*]] = infer.mul %[[C]], %[[HALF]] : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
// CHECK: %[[J:.*]] = infer.concat %[[A]], %[[M]] {axis = 3 : i64} : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x4xf32>
// CHECK: %[[Y:.*]] = infer.conv %[[J]], %{{.*}} {{{.*}}layout = "nhwc"}
// CHECK-NEXT: %[[O:.*]] = infer.transpose %[[Y]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK-NEXT: func.return %[[O]]
func.func @bias_concat(%x: tensor<1x3x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = infer.constant splat<1.000000e-01> : tensor<2x3x1x1xf32>
  %v = infer.constant splat<2.000000e-01> : tensor<2x4x1x1xf32>
  %bias = infer.constant dense<[[[[1.0]], [[2.0]]]]> : tensor<1x2x1x1xf32>
  %half = infer.constant splat<5.000000e-01> : tensor<1x2x1x1xf32>
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x4x4xf32>
  %a = infer.add %c, %bias : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %m = infer.mul %c, %half : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %j = infer.concat %a, %m {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  %y = infer.conv %j, %v {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x4xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x4x4xf32>
  func.return %y : tensor<1x2x4x4xf32>
}

// -----

// A global pool written as a reduction, then flatten: reduced over the new
// spatial axes; flatten reads the same row-major data, so no transpose.
// CHECK-LABEL: func.func @global_pool_flatten
// CHECK: %[[C:.*]] = infer.conv
// CHECK: %[[G:.*]] = infer.reduce_mean %[[C]] {axes = array<i64: 1, 2>, keepdims} : (tensor<?x5x5x6xf32>) -> tensor<?x1x1x6xf32>
// CHECK: %[[F:.*]] = infer.flatten %[[G]] {axis = 3 : i64} : (tensor<?x1x1x6xf32>) -> tensor<?x6xf32>
// CHECK: func.return %[[F]]
func.func @global_pool_flatten(%x: tensor<?x3x5x5xf32>, %w: tensor<6x3x1x1xf32>) -> tensor<?x6xf32> {
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x3x5x5xf32>, tensor<6x3x1x1xf32>) -> tensor<?x6x5x5xf32>
  %g = infer.reduce_mean %c {axes = array<i64: 2, 3>, keepdims} : (tensor<?x6x5x5xf32>) -> tensor<?x6x1x1xf32>
  %f = infer.flatten %g {axis = 1 : i64} : (tensor<?x6x1x1xf32>) -> tensor<?x6xf32>
  func.return %f : tensor<?x6xf32>
}

// -----

// Axes, pads and slice bounds follow the channel dim.
// CHECK-LABEL: func.func @axes
// CHECK: %[[C:.*]] = infer.avg_pool %{{.*}} {{{.*}}layout = "nhwc"}
// CHECK: %[[P:.*]] = infer.pad %[[C]] {pads = array<i64: 0, 1, 2, 0, 0, 3, 4, 0>, mode = "reflect"{{.*}}} : (tensor<1x6x7x5xf32>) -> tensor<1x10x13x5xf32>
// CHECK: %[[S:.*]] = infer.slice %[[P]] {starts = array<i64: 0, 1, 0, 1>, ends = array<i64: 1, 9, 13, 4>, steps = array<i64: 1, 2, 1, 1>} : (tensor<1x10x13x5xf32>) -> tensor<1x4x13x3xf32>
// CHECK: %[[M:.*]] = infer.softmax %[[S]] {axes = array<i64: 3>} : (tensor<1x4x13x3xf32>) -> tensor<1x4x13x3xf32>
// CHECK: %[[A:.*]] = infer.arg_max %[[M]] {axis = 3 : i64} : (tensor<1x4x13x3xf32>) -> tensor<1x4x13xi64>
// CHECK: %[[O:.*]] = infer.transpose %[[M]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK-NOT: infer.transpose
// CHECK: func.return %[[O]], %[[A]]
func.func @axes(%x: tensor<1x5x6x7xf32>) -> (tensor<1x3x4x13xf32>, tensor<1x4x13xi64>) {
  %c = infer.avg_pool %x {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x5x6x7xf32>) -> tensor<1x5x6x7xf32>
  %p = infer.pad %c {pads = array<i64: 0, 0, 1, 2, 0, 0, 3, 4>, mode = "reflect"} : (tensor<1x5x6x7xf32>) -> tensor<1x5x10x13xf32>
  %s = infer.slice %p {starts = array<i64: 0, 1, 1, 0>, ends = array<i64: 1, 4, 9, 13>, steps = array<i64: 1, 1, 2, 1>} : (tensor<1x5x10x13xf32>) -> tensor<1x3x4x13xf32>
  %m = infer.softmax %s {axes = array<i64: 1>} : (tensor<1x3x4x13xf32>) -> tensor<1x3x4x13xf32>
  %a = infer.arg_max %m {axis = 1 : i64} : (tensor<1x3x4x13xf32>) -> tensor<1x4x13xi64>
  func.return %m, %a : tensor<1x3x4x13xf32>, tensor<1x4x13xi64>
}

// -----

// A channel shuffle (reshape, transpose, reshape) costs one transpose in NHWC,
// as in NCHW.
// CHECK-LABEL: func.func @channel_shuffle
// CHECK: %[[C:.*]] = infer.conv
// CHECK: %[[R:.*]] = infer.reshape %[[C]] : (tensor<1x3x3x6xf32>) -> tensor<1x3x3x2x3xf32>
// CHECK: %[[T:.*]] = infer.transpose %[[R]] {perm = array<i64: 0, 1, 2, 4, 3>} : (tensor<1x3x3x2x3xf32>) -> tensor<1x3x3x3x2xf32>
// CHECK: %[[S:.*]] = infer.reshape %[[T]] : (tensor<1x3x3x3x2xf32>) -> tensor<1x3x3x6xf32>
// CHECK: %[[Y:.*]] = infer.conv %[[S]]
// CHECK-NEXT: %[[O:.*]] = infer.transpose %[[Y]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK-NEXT: func.return %[[O]]
// BACK-LABEL: func.func @channel_shuffle
// BACK: infer.reshape %{{.*}} : (tensor<1x6x3x3xf32>) -> tensor<1x2x3x3x3xf32>
// BACK: infer.transpose %{{.*}} {perm = array<i64: 0, 2, 1, 3, 4>}
// BACK-NOT: infer.transpose
// BACK: func.return
func.func @channel_shuffle(%x: tensor<1x6x3x3xf32>) -> tensor<1x6x3x3xf32> {
  %w = infer.constant splat<1.000000e-01> : tensor<6x3x1x1xf32>
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, groups = 2 : i64} : (tensor<1x6x3x3xf32>, tensor<6x3x1x1xf32>) -> tensor<1x6x3x3xf32>
  %r = infer.reshape %c : (tensor<1x6x3x3xf32>) -> tensor<1x2x3x3x3xf32>
  %t = infer.transpose %r {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x2x3x3x3xf32>) -> tensor<1x3x2x3x3xf32>
  %s = infer.reshape %t : (tensor<1x3x2x3x3xf32>) -> tensor<1x6x3x3xf32>
  %y = infer.conv %s, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, groups = 2 : i64} : (tensor<1x6x3x3xf32>, tensor<6x3x1x1xf32>) -> tensor<1x6x3x3xf32>
  func.return %y : tensor<1x6x3x3xf32>
}

// -----

// Transposes at the boundaries of two channels-last regions (as an earlier run
// leaves them) cancel when the regions meet; the inverse conversion removes
// them all.
// CHECK-LABEL: func.func @regions_meet
// CHECK: %[[T:.*]] = infer.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>}
// CHECK: %[[A:.*]] = infer.conv %[[T]]
// CHECK: %[[B:.*]] = infer.conv %[[A]]
// CHECK: %[[O:.*]] = infer.transpose %[[B]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK: func.return %[[O]]
// NCHW-LABEL: func.func @regions_meet
// NCHW-SAME: (%[[X:.*]]: tensor<1x2x4x4xf32>
// NCHW: %[[A:.*]] = infer.conv %[[X]], %{{.*}} {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
// NCHW: %[[B:.*]] = infer.conv %[[A]], %{{.*}} {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
// NCHW: func.return %[[B]]
func.func @regions_meet(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  %0 = infer.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x4x4x2xf32>
  %a = infer.conv %0, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, layout = "nhwc"} : (tensor<1x4x4x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x4x4x2xf32>
  %1 = infer.transpose %a {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x4x4xf32>
  %2 = infer.transpose %1 {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x4x4x2xf32>
  %b = infer.conv %2, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, layout = "nhwc"} : (tensor<1x4x4x2xf32>, tensor<2x2x1x1xf32>) -> tensor<1x4x4x2xf32>
  %3 = infer.transpose %b {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x4x4xf32>
  func.return %3 : tensor<1x2x4x4xf32>
}

// -----

// A reshape that mixes the channel with the spatial dims is a boundary: the
// value goes back to NCHW first.
// CHECK-LABEL: func.func @classifier
// CHECK: %[[P:.*]] = infer.max_pool
// CHECK: %[[T:.*]] = infer.transpose %[[P]] {perm = array<i64: 0, 3, 1, 2>} : (tensor<?x2x2x4xf32>) -> tensor<?x4x2x2xf32>
// CHECK: %[[R:.*]] = infer.reshape %[[T]] : (tensor<?x4x2x2xf32>) -> tensor<?x16xf32>
// CHECK: infer.gemm %[[R]]
func.func @classifier(%x: tensor<?x4x4x4xf32>, %w: tensor<10x16xf32>) -> tensor<?x10xf32> {
  %p = infer.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x4x4x4xf32>) -> tensor<?x4x2x2xf32>
  %r = infer.reshape %p : (tensor<?x4x2x2xf32>) -> tensor<?x16xf32>
  %g = infer.gemm %r, %w {trans_b} : (tensor<?x16xf32>, tensor<10x16xf32>) -> tensor<?x10xf32>
  func.return %g : tensor<?x10xf32>
}

// -----

// Nothing to convert: no layout-sensitive op of rank >= 3 in NCHW (a rank-2
// batch norm has the same channel dim in both layouts).
// CHECK-LABEL: func.func @nothing_to_convert
// CHECK-NOT: infer.transpose
// CHECK: %[[N:.*]] = infer.batch_norm %{{.*}} {epsilon = 1.000000e-05 : f64} : (tensor<?x4xf32>
// CHECK-NOT: infer.transpose
// CHECK: func.return
func.func @nothing_to_convert(%x: tensor<?x4xf32>, %s: tensor<4xf32>) -> tensor<?x4xf32> {
  %r = infer.relu %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %n = infer.batch_norm %r, %s, %s, %s, %s {epsilon = 1.000000e-05 : f64} : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  func.return %n : tensor<?x4xf32>
}

// -----

// Ops already in the target layout are left alone; to-nhwc{layout=nchw}
// converts them back.
// CHECK-LABEL: func.func @already_nhwc
// CHECK-NOT: infer.transpose
// CHECK: infer.lrn %{{.*}} {{{.*}}layout = "nhwc"} : (tensor<1x5x5x8xf32>) -> tensor<1x5x5x8xf32>
// CHECK-NOT: infer.transpose
// NCHW-LABEL: func.func @already_nhwc
// NCHW: %[[T:.*]] = infer.transpose %{{.*}} {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x5x5x8xf32>) -> tensor<1x8x5x5xf32>
// NCHW: %[[L:.*]] = infer.lrn %[[T]] {size = 3 : i64, alpha = 1.000000e-04 : f64, beta = 7.500000e-01 : f64, bias = 1.000000e+00 : f64} : (tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32>
// NCHW: %[[O:.*]] = infer.transpose %[[L]] {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x8x5x5xf32>) -> tensor<1x5x5x8xf32>
// NCHW: func.return %[[O]]
func.func @already_nhwc(%x: tensor<1x5x5x8xf32>) -> tensor<1x5x5x8xf32> {
  %l = infer.lrn %x {size = 3 : i64, alpha = 1.000000e-04 : f64, beta = 7.500000e-01 : f64, bias = 1.000000e+00 : f64, layout = "nhwc"} : (tensor<1x5x5x8xf32>) -> tensor<1x5x5x8xf32>
  func.return %l : tensor<1x5x5x8xf32>
}

// -----

// The dims of a channels-last value are read where they now are: the batch
// dim in place, channels and height (now apart) through a gather of the whole shape.
// CHECK-LABEL: func.func @shape_of
// CHECK: %[[P:.*]] = infer.max_pool
// CHECK: %[[N:.*]] = infer.shape_of %[[P]] {start = 0 : i64, end = 1 : i64} : (tensor<?x?x?x4xf32>) -> tensor<1xi64>
// CHECK: %[[S:.*]] = infer.shape_of %[[P]] {start = 0 : i64, end = 4 : i64} : (tensor<?x?x?x4xf32>) -> tensor<4xi64>
// CHECK: %[[I:.*]] = infer.constant dense<[3, 1]> : tensor<2xi64>
// CHECK: %[[CH:.*]] = infer.gather %[[S]], %[[I]] {axis = 0 : i64} : (tensor<4xi64>, tensor<2xi64>) -> tensor<2xi64>
// CHECK: func.return %[[N]], %[[CH]]
func.func @shape_of(%x: tensor<?x4x?x?xf32>) -> (tensor<1xi64>, tensor<2xi64>) {
  %p = infer.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32>
  %n = infer.shape_of %p {start = 0 : i64, end = 1 : i64} : (tensor<?x4x?x?xf32>) -> tensor<1xi64>
  %hw = infer.shape_of %p {start = 1 : i64, end = 3 : i64} : (tensor<?x4x?x?xf32>) -> tensor<2xi64>
  func.return %n, %hw : tensor<1xi64>, tensor<2xi64>
}

// -----

// split, resize and tile follow the layout: split along the new channel axis,
// scales and repeats permuted.
// CHECK-LABEL: func.func @split_resize_tile
// CHECK: %[[P:.*]] = infer.max_pool
// CHECK: %[[S0:.*]], %[[S1:.*]] = infer.split %[[P]] {axis = 3 : i64, sizes = array<i64: 2, 4>} : (tensor<?x3x5x6xf32>) -> (tensor<?x3x5x2xf32>, tensor<?x3x5x4xf32>)
// CHECK: %[[R:.*]] = infer.resize %[[S0]] {{{.*}}scales = array<f64: 1.000000e+00, 2.000000e+00, 3.000000e+00, 1.000000e+00>} : (tensor<?x3x5x2xf32>) -> tensor<?x6x15x2xf32>
// CHECK: %[[T:.*]] = infer.tile %[[S1]] {repeats = array<i64: 1, 1, 2, 3>} : (tensor<?x3x5x4xf32>) -> tensor<?x3x10x12xf32>
// CHECK: infer.transpose %[[R]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK: infer.transpose %[[T]] {perm = array<i64: 0, 3, 1, 2>}
func.func @split_resize_tile(%x: tensor<?x6x3x5xf32>) -> (tensor<?x2x6x15xf32>, tensor<?x12x3x10xf32>) {
  %p = infer.max_pool %x {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x6x3x5xf32>) -> tensor<?x6x3x5xf32>
  %s:2 = infer.split %p {axis = 1 : i64, sizes = array<i64: 2, 4>} : (tensor<?x6x3x5xf32>) -> (tensor<?x2x3x5xf32>, tensor<?x4x3x5xf32>)
  %r = infer.resize %s#0 {mode = "nearest", scales = array<f64: 1.0, 1.0, 2.0, 3.0>} : (tensor<?x2x3x5xf32>) -> tensor<?x2x6x15xf32>
  %t = infer.tile %s#1 {repeats = array<i64: 1, 3, 1, 2>} : (tensor<?x4x3x5xf32>) -> tensor<?x12x3x10xf32>
  func.return %r, %t : tensor<?x2x6x15xf32>, tensor<?x12x3x10xf32>
}

// -----

// squeeze, unsqueeze and gather: axes mapped through the layout.
// CHECK-LABEL: func.func @squeeze_unsqueeze_gather
// CHECK: %[[P:.*]] = infer.avg_pool
// CHECK: %[[M:.*]] = infer.reduce_max %[[P]] {axes = array<i64: 1>, keepdims} : (tensor<2x1x3x4xf32>) -> tensor<2x1x3x4xf32>
// CHECK: %[[Q:.*]] = infer.squeeze %[[M]] {axes = array<i64: 1>} : (tensor<2x1x3x4xf32>) -> tensor<2x3x4xf32>
// CHECK: %[[G:.*]] = infer.gather %[[Q]], %{{.*}} {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<5xi64>) -> tensor<2x3x5xf32>
// CHECK: %[[U:.*]] = infer.unsqueeze %[[G]] {axes = array<i64: 0>} : (tensor<2x3x5xf32>) -> tensor<1x2x3x5xf32>
// CHECK: %[[O:.*]] = infer.transpose %[[U]] {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x3x5xf32>) -> tensor<1x2x5x3xf32>
// CHECK: func.return %[[O]]
func.func @squeeze_unsqueeze_gather(%x: tensor<2x4x1x3xf32>, %i: tensor<5xi64>) -> tensor<1x2x5x3xf32> {
  %p = infer.avg_pool %x {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<2x4x1x3xf32>) -> tensor<2x4x1x3xf32>
  %m = infer.reduce_max %p {axes = array<i64: 2>, keepdims} : (tensor<2x4x1x3xf32>) -> tensor<2x4x1x3xf32>
  %q = infer.squeeze %m {axes = array<i64: 2>} : (tensor<2x4x1x3xf32>) -> tensor<2x4x3xf32>
  %g = infer.gather %q, %i {axis = 1 : i64} : (tensor<2x4x3xf32>, tensor<5xi64>) -> tensor<2x5x3xf32>
  %u = infer.unsqueeze %g {axes = array<i64: 0>} : (tensor<2x5x3xf32>) -> tensor<1x2x5x3xf32>
  func.return %u : tensor<1x2x5x3xf32>
}

// -----

// layer_norm over [C, H, W] stays in the region (the normalized dims are still
// the trailing ones, its scale is transposed); over W alone it is a boundary;
// so is a hardmax over channels and width (the order of its ties would change).
// CHECK-LABEL: func.func @norms_and_hardmax
// CHECK: %[[C:.*]] = infer.conv
// CHECK: %[[S:.*]] = infer.constant splat<2.000000e+00> : tensor<1x1x3x2xf32>
// CHECK: %[[L:.*]] = infer.layer_norm %[[C]], %[[S]] {axis = 1 : i64{{.*}}} : (tensor<1x4x3x2xf32>, tensor<1x1x3x2xf32>) -> tensor<1x4x3x2xf32>
// CHECK: %[[B:.*]] = infer.transpose %[[C]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK: infer.layer_norm %[[B]], %{{.*}} {axis = 3 : i64{{.*}}} : (tensor<1x2x4x3xf32>, tensor<1x1x1x3xf32>)
// CHECK: infer.hardmax %[[B]] {axes = array<i64: 1, 3>} : (tensor<1x2x4x3xf32>)
// CHECK: infer.transpose %[[L]] {perm = array<i64: 0, 3, 1, 2>}
func.func @norms_and_hardmax(%x: tensor<1x2x4x3xf32>, %w: tensor<2x2x1x1xf32>, %s: tensor<1x1x1x3xf32>) -> (tensor<1x2x4x3xf32>, tensor<1x2x4x3xf32>, tensor<1x2x4x3xf32>) {
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x3xf32>
  %two = infer.constant splat<2.000000e+00> : tensor<1x2x1x3xf32>
  %l = infer.layer_norm %c, %two {axis = 1 : i64, epsilon = 1.000000e-05 : f64} : (tensor<1x2x4x3xf32>, tensor<1x2x1x3xf32>) -> tensor<1x2x4x3xf32>
  %w3 = infer.layer_norm %c, %s {axis = 3 : i64, epsilon = 1.000000e-05 : f64} : (tensor<1x2x4x3xf32>, tensor<1x1x1x3xf32>) -> tensor<1x2x4x3xf32>
  %h = infer.hardmax %c {axes = array<i64: 1, 3>} : (tensor<1x2x4x3xf32>) -> tensor<1x2x4x3xf32>
  func.return %l, %w3, %h : tensor<1x2x4x3xf32>, tensor<1x2x4x3xf32>, tensor<1x2x4x3xf32>
}

// -----

// A reshape with a run-time shape reads a channels-last [N, 1, 1, C] value as
// it is: the row-major order of its elements is that of [N, C, 1, 1].
// CHECK-LABEL: func.func @reshape_unit_dims
// CHECK: %[[P:.*]] = infer.max_pool %{{.*}} {{{.*}}layout = "nhwc"} : (tensor<?x2x2x8xf32>) -> tensor<?x1x1x8xf32>
// CHECK-NEXT: %[[R:.*]] = infer.reshape %[[P]], %{{.*}} : (tensor<?x1x1x8xf32>, tensor<2xi64>) -> tensor<?x?xf32>
// CHECK-NEXT: func.return %[[R]]
func.func @reshape_unit_dims(%x: tensor<?x8x2x2xf32>, %shape: tensor<2xi64>) -> tensor<?x?xf32> {
  %p = infer.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x2x2xf32>) -> tensor<?x8x1x1xf32>
  %r = infer.reshape %p, %shape : (tensor<?x8x1x1xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  func.return %r : tensor<?x?xf32>
}
