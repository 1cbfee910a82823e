// RUN: infer-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @and_float(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = infer.bitwise_and %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
// CHECK: infer.bitwise_and needs integer operands wider than one bit, got f32

// -----

func.func @or_bool(%x: tensor<4xi1>) -> tensor<4xi1> {
  %y = infer.bitwise_or %x, %x : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  func.return %y : tensor<4xi1>
}
// CHECK: infer.bitwise_or needs integer operands wider than one bit, got i1

// -----

func.func @shift_types(%x: tensor<4xui8>, %s: tensor<4xi8>) -> tensor<4xui8> {
  %y = infer.shift_left %x, %s : (tensor<4xui8>, tensor<4xi8>) -> tensor<4xui8>
  func.return %y : tensor<4xui8>
}
// CHECK: infer.shift_left operands must have one element type

// -----

func.func @shift_rank(%x: tensor<2x4xi32>, %s: tensor<4xi32>) -> tensor<2x4xi32> {
  %y = infer.shift_right %x, %s : (tensor<2x4xi32>, tensor<4xi32>) -> tensor<2x4xi32>
  func.return %y : tensor<2x4xi32>
}
// CHECK: infer.shift_right operands must have the same rank

// -----

func.func @not_float(%x: tensor<4xf16>) -> tensor<4xf16> {
  %y = infer.bitwise_not %x : (tensor<4xf16>) -> tensor<4xf16>
  func.return %y : tensor<4xf16>
}
// CHECK: infer.bitwise_not needs integer operands wider than one bit, got f16
