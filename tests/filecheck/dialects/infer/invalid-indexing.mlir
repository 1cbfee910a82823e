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
