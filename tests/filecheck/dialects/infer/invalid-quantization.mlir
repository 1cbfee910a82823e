// RUN: infer-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @quantize_to_float(%x: tensor<4xf32>, %s: tensor<1xf32>) -> tensor<4xf16> {
  %y = infer.quantize_linear %x, %s : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf16>
  func.return %y : tensor<4xf16>
}
// CHECK: infer.quantize_linear result must be an integer of 8, 16 or 32 bits, got f16

// -----

func.func @quantize_scale_type(%x: tensor<4xf32>, %s: tensor<1xf16>) -> tensor<4xi8> {
  %y = infer.quantize_linear %x, %s : (tensor<4xf32>, tensor<1xf16>) -> tensor<4xi8>
  func.return %y : tensor<4xi8>
}
// CHECK: infer.quantize_linear needs a float input and a scale of its type, got f32 and f16

// -----

func.func @quantize_zero_point_type(%x: tensor<4xf32>, %s: tensor<1xf32>, %z: tensor<1xi8>) -> tensor<4xui8> {
  %y = infer.quantize_linear %x, %s, %z : (tensor<4xf32>, tensor<1xf32>, tensor<1xi8>) -> tensor<4xui8>
  func.return %y : tensor<4xui8>
}
// CHECK: infer.quantize_linear zero point must have the result's type ui8, got i8

// -----

func.func @quantize_rank(%x: tensor<2x4xf32>, %s: tensor<4xf32>) -> tensor<2x4xi8> {
  %y = infer.quantize_linear %x, %s : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xi8>
  func.return %y : tensor<2x4xi8>
}
// CHECK: infer.quantize_linear scale and zero point must have the input's rank 2, got [4]

// -----

func.func @quantize_broadcast(%x: tensor<2x4xf32>, %s: tensor<1x3xf32>) -> tensor<2x4xi8> {
  %y = infer.quantize_linear %x, %s : (tensor<2x4xf32>, tensor<1x3xf32>) -> tensor<2x4xi8>
  func.return %y : tensor<2x4xi8>
}
// CHECK: infer.quantize_linear parameters of shape [1, 3] do not broadcast to [2, 4]

// -----

func.func @quantize_blocks(%x: tensor<2x64xf32>, %s: tensor<2x3xf32>) -> tensor<2x64xi8> {
  %y = infer.quantize_linear %x, %s {axis = 1 : i64, block_size = 32 : i64} : (tensor<2x64xf32>, tensor<2x3xf32>) -> tensor<2x64xi8>
  func.return %y : tensor<2x64xi8>
}
// CHECK: infer.quantize_linear blocked dim 1 of size 64 needs ceil(64 / 32) parameters, got 3

// -----

func.func @quantize_block_axis(%x: tensor<2x64xf32>, %s: tensor<2x2xf32>) -> tensor<2x64xi8> {
  %y = infer.quantize_linear %x, %s {axis = 2 : i64, block_size = 32 : i64} : (tensor<2x64xf32>, tensor<2x2xf32>) -> tensor<2x64xi8>
  func.return %y : tensor<2x64xi8>
}
// CHECK: infer.quantize_linear blocked quantization needs an axis in [0, 2), got 2

// -----

func.func @dequantize_float_input(%x: tensor<4xf32>, %s: tensor<1xf32>) -> tensor<4xf32> {
  %y = infer.dequantize_linear %x, %s : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
// CHECK: infer.dequantize_linear needs an integer input of 8, 16 or 32 bits, got f32

// -----

func.func @dequantize_int_result(%x: tensor<4xi8>, %s: tensor<1xf32>) -> tensor<4xi32> {
  %y = infer.dequantize_linear %x, %s : (tensor<4xi8>, tensor<1xf32>) -> tensor<4xi32>
  func.return %y : tensor<4xi32>
}
// CHECK: infer.dequantize_linear needs a float scale and result, got f32 and i32

// -----

func.func @dequantize_zero_point(%x: tensor<4xi8>, %s: tensor<1xf32>, %z: tensor<1xui8>) -> tensor<4xf32> {
  %y = infer.dequantize_linear %x, %s, %z : (tensor<4xi8>, tensor<1xf32>, tensor<1xui8>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
// CHECK: infer.dequantize_linear zero point must have the input's type i8, got ui8

// -----

func.func @dequantize_shape(%x: tensor<4xi8>, %s: tensor<1xf32>) -> tensor<5xf32> {
  %y = infer.dequantize_linear %x, %s : (tensor<4xi8>, tensor<1xf32>) -> tensor<5xf32>
  func.return %y : tensor<5xf32>
}
// CHECK: infer.dequantize_linear result #0 has type tensor<5xf32>, but its shape rule gives tensor<4xf32>
