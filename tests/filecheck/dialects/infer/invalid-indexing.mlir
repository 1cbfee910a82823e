// RUN: infer-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @cumsum_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = infer.cumsum %x {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK: infer.cumsum axis 2 must be in [0, 2) (normalized by the lowering)

// -----

func.func @cumsum_two_axes(%x: tensor<2x3xf32>, %a: tensor<i64>) -> tensor<2x3xf32> {
  %y = infer.cumsum %x, %a {axis = 0 : i64} : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK: infer.cumsum takes its axis as a property or as an operand, not both

// -----

func.func @cumsum_no_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = infer.cumsum %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK: infer.cumsum needs an axis (a property or an operand)

// -----

func.func @cumprod_axis_operand(%x: tensor<2x3xf32>, %a: tensor<2xi64>) -> tensor<2x3xf32> {
  %y = infer.cumprod %x, %a : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK: infer.cumprod axis must be a scalar or have shape [1]

// -----

func.func @cumsum_bool(%x: tensor<3xi1>) -> tensor<3xi1> {
  %y = infer.cumsum %x {axis = 0 : i64} : (tensor<3xi1>) -> tensor<3xi1>
  func.return %y : tensor<3xi1>
}
// CHECK: infer.cumsum needs a numeric (not i1) tensor

// -----

func.func @gather_nd_depth(%d: tensor<2x3xf32>, %i: tensor<4x3xi64>) -> tensor<4xf32> {
  %y = infer.gather_nd %d, %i : (tensor<2x3xf32>, tensor<4x3xi64>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
// CHECK: infer.gather_nd index tuples of length 3 do not fit data of rank 2 with 0 batch dims

// -----

func.func @gather_nd_batch(%d: tensor<2x3xf32>, %i: tensor<3x1xi64>) -> tensor<3xf32> {
  %y = infer.gather_nd %d, %i {batch_dims = 1 : i64} : (tensor<2x3xf32>, tensor<3x1xi64>) -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
// CHECK: infer.gather_nd batch dims of data and indices differ: [2] and [3]

// -----

func.func @scatter_nd_updates(%d: tensor<5x4xf32>, %i: tensor<3x1xi64>, %u: tensor<3x5xf32>) -> tensor<5x4xf32> {
  %y = infer.scatter_nd %d, %i, %u : (tensor<5x4xf32>, tensor<3x1xi64>, tensor<3x5xf32>) -> tensor<5x4xf32>
  func.return %y : tensor<5x4xf32>
}
// CHECK: infer.scatter_nd updates must have shape indices[:-1] + data[k:]: [3, 5] and [3, 4]

// -----

func.func @scatter_reduction(%d: tensor<5x4xf32>, %i: tensor<5x2xi64>, %u: tensor<5x2xf32>) -> tensor<5x4xf32> {
  %y = infer.scatter_elements %d, %i, %u {axis = 1 : i64, reduction = "sub"} : (tensor<5x4xf32>, tensor<5x2xi64>, tensor<5x2xf32>) -> tensor<5x4xf32>
  func.return %y : tensor<5x4xf32>
}
// CHECK: infer.scatter_elements reduction must be one of none, add, mul, max, min, got 'sub'

// -----

func.func @scatter_elements_shapes(%d: tensor<5x4xf32>, %i: tensor<5x2xi64>, %u: tensor<5x3xf32>) -> tensor<5x4xf32> {
  %y = infer.scatter_elements %d, %i, %u {axis = 0 : i64} : (tensor<5x4xf32>, tensor<5x2xi64>, tensor<5x3xf32>) -> tensor<5x4xf32>
  func.return %y : tensor<5x4xf32>
}
// CHECK: infer.scatter_elements indices and updates must have one shape: [5, 2] and [5, 3]

// -----

func.func @scatter_float_indices(%d: tensor<5x4xf32>, %i: tensor<5x2xf32>, %u: tensor<5x2xf32>) -> tensor<5x4xf32> {
  %y = infer.scatter_elements %d, %i, %u {axis = 0 : i64} : (tensor<5x4xf32>, tensor<5x2xf32>, tensor<5x2xf32>) -> tensor<5x4xf32>
  func.return %y : tensor<5x4xf32>
}
// CHECK: infer.scatter_elements indices must be integers

// -----

func.func @top_k_k(%x: tensor<4x10xf32>, %k: tensor<2xi64>) -> (tensor<4x?xf32>, tensor<4x?xi64>) {
  %v, %i = infer.top_k %x, %k {axis = 1 : i64} : (tensor<4x10xf32>, tensor<2xi64>) -> (tensor<4x?xf32>, tensor<4x?xi64>)
  func.return %v, %i : tensor<4x?xf32>, tensor<4x?xi64>
}
// CHECK: infer.top_k k must be an i64 scalar or have shape [1]

// -----

func.func @top_k_indices(%x: tensor<4x10xf32>, %k: tensor<1xi64>) -> (tensor<4x?xf32>, tensor<4x?xi32>) {
  %v, %i = infer.top_k %x, %k {axis = 1 : i64} : (tensor<4x10xf32>, tensor<1xi64>) -> (tensor<4x?xf32>, tensor<4x?xi32>)
  func.return %v, %i : tensor<4x?xf32>, tensor<4x?xi32>
}
// CHECK: infer.top_k result #1 has type tensor<4x?xi32>, but its shape rule gives tensor<4x?xi64>
