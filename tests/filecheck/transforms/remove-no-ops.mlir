// RUN: infer-opt %s --split-input-file --remove-no-ops | filecheck %s

// CHECK-LABEL: func.func @identity_and_cast
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK-NOT: infer.identity
// CHECK: %[[C:.*]] = infer.cast %[[X]] : (tensor<?x3xf32>) -> tensor<?x3xf16>
// CHECK: func.return %[[X]], %[[C]]
func.func @identity_and_cast(%x: tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf16>) {
  %a = infer.identity %x : (tensor<?x3xf32>) -> tensor<?x3xf32>
  %b = infer.cast %a : (tensor<?x3xf32>) -> tensor<?x3xf32>
  %c = infer.cast %b : (tensor<?x3xf32>) -> tensor<?x3xf16>
  func.return %b, %c : tensor<?x3xf32>, tensor<?x3xf16>
}

// -----

// A reshape to the input's shape: from its type, from a constant shape with -1 at
// the one dynamic dim, or from the input's own shape.
// CHECK-LABEL: func.func @reshape_same
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x4xf32>, %[[Y:.*]]: tensor<?x?xf32>)
// CHECK-NOT: infer.reshape
// CHECK: func.return %[[X]], %[[X]], %[[Y]]
func.func @reshape_same(%x: tensor<?x3x4xf32>, %y: tensor<?x?xf32>) -> (tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x?xf32>) {
  %a = infer.reshape %x : (tensor<?x3x4xf32>) -> tensor<?x3x4xf32>
  %s = infer.constant dense<[-1, 3, 4]> : tensor<3xi64>
  %b = infer.reshape %a, %s : (tensor<?x3x4xf32>, tensor<3xi64>) -> tensor<?x3x4xf32>
  %t = infer.shape_of %y {start = 0 : i64, end = 2 : i64} : (tensor<?x?xf32>) -> tensor<2xi64>
  %c = infer.reshape %y, %t : (tensor<?x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  func.return %a, %b, %c : tensor<?x3x4xf32>, tensor<?x3x4xf32>, tensor<?x?xf32>
}

// -----

// The shape operand exporters build from the input's own dims, piece by piece.
// CHECK-LABEL: func.func @reshape_pieces
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x?x1xf32>, %[[Y:.*]]: tensor<?x3x?x1xf32>)
// CHECK-NOT: infer.broadcast_to
// CHECK: %[[R:.*]] = infer.reshape %[[X]], %{{.*}}
// CHECK-NOT: infer.reshape
// CHECK: func.return %[[X]], %[[R]]
func.func @reshape_pieces(%x: tensor<?x3x?x1xf32>, %y: tensor<?x3x?x1xf32>) -> (tensor<?x3x?x1xf32>, tensor<?x3x?x1xf32>) {
  %s = infer.shape_of %x {start = 0 : i64, end = 4 : i64} : (tensor<?x3x?x1xf32>) -> tensor<4xi64>
  %n = infer.shape_of %x {start = 0 : i64, end = 1 : i64} : (tensor<?x3x?x1xf32>) -> tensor<1xi64>
  %c = infer.constant dense<3> : tensor<1xi64>
  %h = infer.shape_of %x {start = 2 : i64, end = 3 : i64} : (tensor<?x3x?x1xf32>) -> tensor<1xi64>
  %o = infer.constant dense<1> : tensor<1xi64>
  %p = infer.concat %n, %c, %h, %o {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4xi64>
  %a = infer.reshape %x, %p : (tensor<?x3x?x1xf32>, tensor<4xi64>) -> tensor<?x3x?x1xf32>
  %b = infer.broadcast_to %a, %s : (tensor<?x3x?x1xf32>, tensor<4xi64>) -> tensor<?x3x?x1xf32>
  %t = infer.shape_of %y {start = 0 : i64, end = 4 : i64} : (tensor<?x3x?x1xf32>) -> tensor<4xi64>
  %r = infer.reshape %x, %t : (tensor<?x3x?x1xf32>, tensor<4xi64>) -> tensor<?x3x?x1xf32>
  func.return %b, %r : tensor<?x3x?x1xf32>, tensor<?x3x?x1xf32>
}

// -----

// A constant shape that differs from the input's dims is a real reshape, even
// when the types agree.
// CHECK-LABEL: func.func @reshape_other
// CHECK: infer.reshape
// CHECK: infer.reshape
func.func @reshape_other(%y: tensor<?x?xf32>, %z: tensor<?x3x4xf32>) -> (tensor<?x?xf32>, tensor<?x3x4xf32>) {
  %s = infer.constant dense<[-1, 6]> : tensor<2xi64>
  %a = infer.reshape %y, %s : (tensor<?x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %t = infer.constant dense<[2, 3, -1]> : tensor<3xi64>
  %b = infer.reshape %z, %t : (tensor<?x3x4xf32>, tensor<3xi64>) -> tensor<?x3x4xf32>
  func.return %a, %b : tensor<?x?xf32>, tensor<?x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @flatten_squeeze_unsqueeze
// CHECK-SAME: (%[[X:.*]]: tensor<?x5xf32>)
// CHECK-NOT: infer.flatten
// CHECK-NOT: infer.squeeze
// CHECK-NOT: infer.unsqueeze
// CHECK: func.return %[[X]]
func.func @flatten_squeeze_unsqueeze(%x: tensor<?x5xf32>) -> tensor<?x5xf32> {
  %a = infer.flatten %x {axis = 1 : i64} : (tensor<?x5xf32>) -> tensor<?x5xf32>
  %b = infer.squeeze %a {axes = array<i64>} : (tensor<?x5xf32>) -> tensor<?x5xf32>
  %c = infer.unsqueeze %b {axes = array<i64>} : (tensor<?x5xf32>) -> tensor<?x5xf32>
  func.return %c : tensor<?x5xf32>
}

// -----

// A transpose that keeps the dims not known to be 1 in order is a no-op.
// CHECK-LABEL: func.func @transpose_same
// CHECK-SAME: (%[[X:.*]]: tensor<?x1x1x8xf32>)
// CHECK-NOT: infer.transpose
// CHECK: func.return %[[X]], %[[X]]
func.func @transpose_same(%x: tensor<?x1x1x8xf32>) -> (tensor<?x1x1x8xf32>, tensor<?x1x1x8xf32>) {
  %a = infer.transpose %x {perm = array<i64: 0, 1, 2, 3>} : (tensor<?x1x1x8xf32>) -> tensor<?x1x1x8xf32>
  %b = infer.transpose %a {perm = array<i64: 0, 2, 1, 3>} : (tensor<?x1x1x8xf32>) -> tensor<?x1x1x8xf32>
  func.return %a, %b : tensor<?x1x1x8xf32>, tensor<?x1x1x8xf32>
}

// -----

// Swapping two dims of one size, or two dynamic dims, moves data.
// CHECK-LABEL: func.func @transpose_moves
// CHECK: infer.transpose
// CHECK: infer.transpose
func.func @transpose_moves(%x: tensor<4x4xf32>, %y: tensor<?x?xf32>) -> (tensor<4x4xf32>, tensor<?x?xf32>) {
  %a = infer.transpose %x {perm = array<i64: 1, 0>} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  %b = infer.transpose %y {perm = array<i64: 1, 0>} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  func.return %a, %b : tensor<4x4xf32>, tensor<?x?xf32>
}

// -----

// Slices of every element: 0:INT64_MAX:1 on a dynamic dim, covering bounds on a
// static one, any direction on a dim of 1; also with constant dynamic bounds.
// CHECK-LABEL: func.func @slice_whole
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x1xf32>)
// CHECK-NOT: infer.slice
// CHECK-NOT: infer.dynamic_slice
// CHECK: func.return %[[X]], %[[X]]
func.func @slice_whole(%x: tensor<?x4x1xf32>) -> (tensor<?x4x1xf32>, tensor<?x4x1xf32>) {
  %a = infer.slice %x {starts = array<i64: 0, -4, 0>, ends = array<i64: 9223372036854775807, 100, -9223372036854775808>, steps = array<i64: 1, 1, -1>} : (tensor<?x4x1xf32>) -> tensor<?x4x1xf32>
  %s = infer.constant dense<[0, 0, 0]> : tensor<3xi64>
  %e = infer.constant dense<[9223372036854775807, 4, 1]> : tensor<3xi64>
  %b = infer.dynamic_slice %a, %s, %e {steps = array<i64: 1, 1, 1>} : (tensor<?x4x1xf32>, tensor<3xi64>, tensor<3xi64>) -> tensor<?x4x1xf32>
  func.return %a, %b : tensor<?x4x1xf32>, tensor<?x4x1xf32>
}

// -----

// Not every element: INT32_MAX may be less than a dynamic dim; a reversal.
// CHECK-LABEL: func.func @slice_part
// CHECK: infer.slice
// CHECK: infer.slice
func.func @slice_part(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %a = infer.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 2147483647, 4>, steps = array<i64: 1, 1>} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %b = infer.slice %x {starts = array<i64: 0, -1>, ends = array<i64: 9223372036854775807, -9223372036854775808>, steps = array<i64: 1, -1>} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  func.return %a, %b : tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @pad_concat_split_tile
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK-NOT: infer.pad
// CHECK-NOT: infer.concat
// CHECK-NOT: infer.split
// CHECK-NOT: infer.tile
// CHECK: func.return %[[X]]
func.func @pad_concat_split_tile(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %a = infer.pad %x {pads = array<i64: 0, 0, 0, 0>, mode = "reflect"} : (tensor<?x3xf32>) -> tensor<?x3xf32>
  %b = infer.concat %a {axis = 1 : i64} : (tensor<?x3xf32>) -> tensor<?x3xf32>
  %c = infer.split %b {axis = 1 : i64, num_outputs = 1 : i64} : (tensor<?x3xf32>) -> tensor<?x3xf32>
  %d = infer.tile %c {repeats = array<i64: 1, 1>} : (tensor<?x3xf32>) -> tensor<?x3xf32>
  func.return %d : tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func.func @pad_crop_tile_two
// CHECK: infer.pad
// CHECK: infer.tile
func.func @pad_crop_tile_two(%x: tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<4x6xf32>) {
  %a = infer.pad %x {pads = array<i64: 1, 0, -1, 0>} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %b = infer.tile %x {repeats = array<i64: 1, 2>} : (tensor<4x3xf32>) -> tensor<4x6xf32>
  func.return %a, %b : tensor<4x3xf32>, tensor<4x6xf32>
}

// -----

// A broadcast that keeps every dim: entries of 1 or the static dims, or the
// input's own shape.
// CHECK-LABEL: func.func @broadcast_same
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>, %[[Y:.*]]: tensor<?x1xf32>)
// CHECK-NOT: infer.broadcast_to
// CHECK: func.return %[[X]], %[[Y]]
func.func @broadcast_same(%x: tensor<?x3xf32>, %y: tensor<?x1xf32>) -> (tensor<?x3xf32>, tensor<?x1xf32>) {
  %s = infer.constant dense<[1, 3]> : tensor<2xi64>
  %a = infer.broadcast_to %x, %s : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<?x3xf32>
  %t = infer.shape_of %y {start = 0 : i64, end = 2 : i64} : (tensor<?x1xf32>) -> tensor<2xi64>
  %b = infer.broadcast_to %y, %t : (tensor<?x1xf32>, tensor<2xi64>) -> tensor<?x1xf32>
  func.return %a, %b : tensor<?x3xf32>, tensor<?x1xf32>
}

// -----

// Stretching a dim of 1 (or an unknown one) is a real broadcast.
// CHECK-LABEL: func.func @broadcast_stretches
// CHECK: infer.broadcast_to
func.func @broadcast_stretches(%x: tensor<?x1xf32>) -> tensor<?x?xf32> {
  %s = infer.constant dense<[1, 5]> : tensor<2xi64>
  %a = infer.broadcast_to %x, %s : (tensor<?x1xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  func.return %a : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @gather_all
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK: %[[G:.*]] = infer.gather %[[X]], %{{.*}} {axis = 1 : i64}
// CHECK: func.return %[[X]], %[[G]]
func.func @gather_all(%x: tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %i = infer.constant dense<[0, 1, 2]> : tensor<3xi64>
  %a = infer.gather %x, %i {axis = 1 : i64} : (tensor<?x3xf32>, tensor<3xi64>) -> tensor<?x3xf32>
  %j = infer.constant dense<[0, 2, 1]> : tensor<3xi64>
  %b = infer.gather %x, %j {axis = 1 : i64} : (tensor<?x3xf32>, tensor<3xi64>) -> tensor<?x3xf32>
  func.return %a, %b : tensor<?x3xf32>, tensor<?x3xf32>
}

// -----

// Resizes that keep every dim at scale 1 (not for int64 through float64).
// CHECK-LABEL: func.func @resize
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x8x8xf32>, %[[I:.*]]: tensor<1x3x8x8xi64>)
// CHECK: %[[R:.*]] = infer.resize %[[I]] {mode = "linear"
// CHECK: %[[S:.*]] = infer.resize %[[X]] {scales = array<f64: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>
// CHECK: func.return %[[X]], %[[X]], %[[R]], %[[S]]
func.func @resize(%x: tensor<?x3x8x8xf32>, %i: tensor<1x3x8x8xi64>) -> (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>, tensor<1x3x8x8xi64>, tensor<?x3x16x16xf32>) {
  %a = infer.resize %x {mode = "linear", coordinate_mode = "half_pixel", scales = array<f64: 1.0, 1.0, 1.0, 1.0>} : (tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  %b = infer.resize %a {mode = "cubic", coordinate_mode = "align_corners", sizes = array<i64: -1, 3, 8, 8>} : (tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  %c = infer.resize %i {mode = "linear", sizes = array<i64: 1, 3, 8, 8>} : (tensor<1x3x8x8xi64>) -> tensor<1x3x8x8xi64>
  %d = infer.resize %x {mode = "nearest", scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : (tensor<?x3x8x8xf32>) -> tensor<?x3x16x16xf32>
  func.return %a, %b, %c, %d : tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>, tensor<1x3x8x8xi64>, tensor<?x3x16x16xf32>
}

// -----

// Clips without bounds any value lies beyond; a real bound stays.
// CHECK-LABEL: func.func @clip
// CHECK-SAME: (%[[X:.*]]: tensor<?xf32>, %[[I:.*]]: tensor<?xi8>)
// CHECK: %[[C:.*]] = infer.clip %[[X]] {max = 6.000000e+00 : f64}
// CHECK: func.return %[[X]], %[[X]], %[[I]], %[[C]]
func.func @clip(%x: tensor<?xf32>, %i: tensor<?xi8>) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xi8>, tensor<?xf32>) {
  %a = infer.clip %x : (tensor<?xf32>) -> tensor<?xf32>
  %b = infer.clip %x {min = 0xFFF0000000000000 : f64, max = 0x7FF0000000000000 : f64} : (tensor<?xf32>) -> tensor<?xf32>
  %c = infer.clip %i {min = -128 : i64, max = 300 : i64} : (tensor<?xi8>) -> tensor<?xi8>
  %d = infer.clip %x {max = 6.0 : f64} : (tensor<?xf32>) -> tensor<?xf32>
  func.return %a, %b, %c, %d : tensor<?xf32>, tensor<?xf32>, tensor<?xi8>, tensor<?xf32>
}

// -----

// Pools of 1-wide windows; reductions over dims of 1, kept (not sum or mean).
// CHECK-LABEL: func.func @pool_reduce
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x1x1xf32>)
// CHECK-NOT: infer.max_pool
// CHECK-NOT: infer.avg_pool
// CHECK-NOT: infer.reduce_max
// CHECK: %[[S:.*]] = infer.reduce_sum %[[X]]
// CHECK: func.return %[[X]], %[[X]], %[[S]]
func.func @pool_reduce(%x: tensor<?x3x1x1xf32>) -> (tensor<?x3x1x1xf32>, tensor<?x3x1x1xf32>, tensor<?x3x1x1xf32>) {
  %a = infer.max_pool %x {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x3x1x1xf32>) -> tensor<?x3x1x1xf32>
  %b = infer.avg_pool %a {kernel = array<i64: 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x3x1x1xf32>) -> tensor<?x3x1x1xf32>
  %c = infer.reduce_max %b {axes = array<i64: 2, 3>, keepdims} : (tensor<?x3x1x1xf32>) -> tensor<?x3x1x1xf32>
  %d = infer.reduce_sum %x {axes = array<i64: 2, 3>, keepdims} : (tensor<?x3x1x1xf32>) -> tensor<?x3x1x1xf32>
  func.return %b, %c, %d : tensor<?x3x1x1xf32>, tensor<?x3x1x1xf32>, tensor<?x3x1x1xf32>
}
