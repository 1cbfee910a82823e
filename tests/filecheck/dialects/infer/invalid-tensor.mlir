// RUN: infer-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @squeeze_not_one(%x: tensor<2x3xf32>) -> tensor<3xf32> {
  %y = infer.squeeze %x {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
// CHECK: infer.squeeze axis 0 has size 2, not 1

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) -> tensor<4x2xf32> {
  %y = infer.reshape %x : (tensor<2x3xf32>) -> tensor<4x2xf32>
  func.return %y : tensor<4x2xf32>
}
// CHECK: infer.reshape cannot change 6 elements into 8

// -----

func.func @reshape_two_dynamic(%x: tensor<?x3xf32>) -> tensor<?x?xf32> {
  %y = infer.reshape %x : (tensor<?x3xf32>) -> tensor<?x?xf32>
  func.return %y : tensor<?x?xf32>
}
// CHECK: infer.reshape without a shape operand allows one dynamic result dim

// -----

func.func @reshape_shape_type(%x: tensor<2x3xf32>, %s: tensor<2xi32>) -> tensor<?x?xf32> {
  %y = infer.reshape %x, %s : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<?x?xf32>
  func.return %y : tensor<?x?xf32>
}
// CHECK: infer.reshape shape must be a 1-D i64 tensor

// -----

func.func @reshape_rank(%x: tensor<2x3xf32>, %s: tensor<2xi64>) -> tensor<?xf32> {
  %y = infer.reshape %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?xf32>
  func.return %y : tensor<?xf32>
}
// CHECK: infer.reshape result #0 has type tensor<?xf32>, but its shape rule gives tensor<?x?xf32>

// -----

func.func @flatten_axis(%x: tensor<2x3xf32>) -> tensor<6x1xf32> {
  %y = infer.flatten %x {axis = 3 : i64} : (tensor<2x3xf32>) -> tensor<6x1xf32>
  func.return %y : tensor<6x1xf32>
}
// CHECK: infer.flatten axis 3 is out of range [0, 2]

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) -> tensor<3x3xf32> {
  %y = infer.transpose %x {perm = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<3x3xf32>
  func.return %y : tensor<3x3xf32>
}
// CHECK: infer.transpose perm [1, 1] is not a permutation of 2 dims

// -----

func.func @concat_dims(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) -> tensor<?x6xf32> {
  %y = infer.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<?x6xf32>
  func.return %y : tensor<?x6xf32>
}
// CHECK: infer.concat operands (dim 0) have different dims 2 and 4

// -----

func.func @concat_types(%a: tensor<2xf32>, %b: tensor<2xi64>) -> tensor<4xf32> {
  %y = infer.concat %a, %b {axis = 0 : i64} : (tensor<2xf32>, tensor<2xi64>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
// CHECK: infer.concat operands must have one element type

// -----

func.func @split_sizes(%x: tensor<2x8xf32>) -> (tensor<2x3xf32>, tensor<2x4xf32>) {
  %y:2 = infer.split %x {axis = 1 : i64, sizes = array<i64: 3, 4>} : (tensor<2x8xf32>) -> (tensor<2x3xf32>, tensor<2x4xf32>)
  func.return %y#0, %y#1 : tensor<2x3xf32>, tensor<2x4xf32>
}
// CHECK: infer.split sizes [3, 4] do not add up to dim 1 of size 8

// -----

func.func @split_both(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %y = infer.split %x {axis = 1 : i64, sizes = array<i64: 8>, num_outputs = 1 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  func.return %y : tensor<2x8xf32>
}
// CHECK: infer.split needs exactly one of sizes and num_outputs

// -----

func.func @slice_entries(%x: tensor<5x4xf32>) -> tensor<2x4xf32> {
  %y = infer.slice %x {starts = array<i64: 1>, ends = array<i64: 3>, steps = array<i64: 1>} : (tensor<5x4xf32>) -> tensor<2x4xf32>
  func.return %y : tensor<2x4xf32>
}
// CHECK: infer.slice needs 2 starts, ends and steps (one per dim)

// -----

func.func @slice_step(%x: tensor<5xf32>) -> tensor<0xf32> {
  %y = infer.slice %x {starts = array<i64: 1>, ends = array<i64: 3>, steps = array<i64: 0>} : (tensor<5xf32>) -> tensor<0xf32>
  func.return %y : tensor<0xf32>
}
// CHECK: infer.slice steps must not be 0

// -----

func.func @slice_result(%x: tensor<5xf32>) -> tensor<2xf32> {
  %y = infer.slice %x {starts = array<i64: -1>, ends = array<i64: -9223372036854775808>, steps = array<i64: -2>} : (tensor<5xf32>) -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}
// CHECK: infer.slice result #0 has type tensor<2xf32>, but its shape rule gives tensor<3xf32>

// -----

func.func @dynamic_slice_starts(%x: tensor<5x4xf32>, %s: tensor<1xi64>) -> tensor<?x?xf32> {
  %y = infer.dynamic_slice %x, %s, %s {steps = array<i64: 1, 1>} : (tensor<5x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  func.return %y : tensor<?x?xf32>
}
// CHECK: infer.dynamic_slice needs 2 starts (one per dim)

// -----

func.func @gather_indices(%x: tensor<5x4xf32>, %i: tensor<3xf32>) -> tensor<3x4xf32> {
  %y = infer.gather %x, %i {axis = 0 : i64} : (tensor<5x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  func.return %y : tensor<3x4xf32>
}
// CHECK: infer.gather indices must be integers

// -----

func.func @gather_elements_rank(%x: tensor<5x4xf32>, %i: tensor<3xi64>) -> tensor<3xf32> {
  %y = infer.gather_elements %x, %i {axis = 0 : i64} : (tensor<5x4xf32>, tensor<3xi64>) -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
// CHECK: infer.gather_elements data and indices must have one rank, got 2 and 1

// -----

func.func @pad_count(%x: tensor<5x4xf32>) -> tensor<7x4xf32> {
  %y = infer.pad %x {pads = array<i64: 1, 1>} : (tensor<5x4xf32>) -> tensor<7x4xf32>
  func.return %y : tensor<7x4xf32>
}
// CHECK: infer.pad needs 4 pads (begins then ends), got 2

// -----

func.func @pad_mode(%x: tensor<5xf32>) -> tensor<7xf32> {
  %y = infer.pad %x {pads = array<i64: 1, 1>, mode = "symmetric"} : (tensor<5xf32>) -> tensor<7xf32>
  func.return %y : tensor<7xf32>
}
// CHECK: infer.pad mode must be one of constant, reflect, edge, wrap, got 'symmetric'

// -----

func.func @pad_crop(%x: tensor<5xf32>) -> tensor<0xf32> {
  %y = infer.pad %x {pads = array<i64: -3, -3>} : (tensor<5xf32>) -> tensor<0xf32>
  func.return %y : tensor<0xf32>
}
// CHECK: infer.pad pads -3, -3 remove more than dim 0 of size 5

// -----

func.func @resize_nothing(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32> {
  %y = infer.resize %x {mode = "linear"} : (tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32>
  func.return %y : tensor<1x1x8x8xf32>
}
// CHECK: infer.resize needs scales or sizes

// -----

func.func @resize_mode(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32> {
  %y = infer.resize %x {mode = "area", scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32>
  func.return %y : tensor<1x1x8x8xf32>
}
// CHECK: infer.resize mode must be one of nearest, linear, cubic, got 'area'

// -----

func.func @resize_roi(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32> {
  %y = infer.resize %x {coordinate_mode = "tf_crop_and_resize", sizes = array<i64: 1, 1, 8, 8>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32>
  func.return %y : tensor<1x1x8x8xf32>
}
// CHECK: infer.resize coordinate_mode tf_crop_and_resize needs a roi

// -----

func.func @resize_floor(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x8x8xf32> {
  %y = infer.resize %x {scales = array<f64: 1.0, 1.0, 1.5, 1.5>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x8x8xf32>
  func.return %y : tensor<1x1x8x8xf32>
}
// CHECK: infer.resize result #0 has type tensor<1x1x8x8xf32>, but its shape rule gives tensor<1x1x7x7xf32>

// -----

func.func @shape_of_range(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  %y = infer.shape_of %x {start = 1 : i64, end = 3 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>
  func.return %y : tensor<2xi64>
}
// CHECK: infer.shape_of needs 0 <= start <= end <= 2, got 1 and 3

// -----

func.func @broadcast_rank(%x: tensor<3xf32>, %s: tensor<2xi64>) -> tensor<?x3xf32> {
  %y = infer.broadcast_to %x, %s : (tensor<3xf32>, tensor<2xi64>) -> tensor<?x3xf32>
  func.return %y : tensor<?x3xf32>
}
// CHECK: infer.broadcast_to shape has 2 entries, the input has rank 1

// -----

func.func @broadcast_dim(%x: tensor<3xf32>, %s: tensor<1xi64>) -> tensor<4xf32> {
  %y = infer.broadcast_to %x, %s : (tensor<3xf32>, tensor<1xi64>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
// CHECK: infer.broadcast_to result #0 has type tensor<4xf32>, but its shape rule gives tensor<3xf32>

// -----

func.func @tile_repeats(%x: tensor<3xf32>) -> tensor<6xf32> {
  %y = infer.tile %x {repeats = array<i64: 2, 1>} : (tensor<3xf32>) -> tensor<6xf32>
  func.return %y : tensor<6xf32>
}
// CHECK: infer.tile needs 1 non-negative repeats, got [2, 1]

// -----

func.func @range_scalars(%a: tensor<1xi64>, %b: tensor<i64>) -> tensor<?xi64> {
  %y = infer.range %a, %b, %b : (tensor<1xi64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  func.return %y : tensor<?xi64>
}
// CHECK: infer.range operands must be scalars (rank 0) of one element type
