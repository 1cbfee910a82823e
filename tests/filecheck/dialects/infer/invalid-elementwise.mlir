// RUN: infer-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @rank_mismatch(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  %z = infer.mul %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  func.return %z : tensor<2x3xf32>
}
// CHECK: infer.mul operands must have the same rank (insert infer.unsqueeze), got [2, 1]

// -----

func.func @incompatible_dims(%x: tensor<2x3xf32>, %y: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %z = infer.add %x, %y : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<2x3xf32>
  func.return %z : tensor<2x3xf32>
}
// CHECK: infer.add operands have incompatible dims 3 and 4

// -----

func.func @mixed_types(%x: tensor<3xf32>, %y: tensor<3xf64>) -> tensor<3xf32> {
  %z = infer.pow %x, %y : (tensor<3xf32>, tensor<3xf64>) -> tensor<3xf32>
  func.return %z : tensor<3xf32>
}
// CHECK: infer.pow operands must have one element type, got tensor<3xf32> and tensor<3xf64>

// -----

func.func @arithmetic_on_i1(%x: tensor<3xi1>) -> tensor<3xi1> {
  %z = infer.sub %x, %x : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  func.return %z : tensor<3xi1>
}
// CHECK: infer.sub needs integer or floating-point operands, got i1

// -----

func.func @float_math_on_ints(%x: tensor<3xi32>) -> tensor<3xi32> {
  %z = infer.exp %x : (tensor<3xi32>) -> tensor<3xi32>
  func.return %z : tensor<3xi32>
}
// CHECK: infer.exp needs a floating-point tensor, got tensor<3xi32>

// -----

func.func @neg_on_i1(%x: tensor<3xi1>) -> tensor<3xi1> {
  %z = infer.neg %x : (tensor<3xi1>) -> tensor<3xi1>
  func.return %z : tensor<3xi1>
}
// CHECK: infer.neg needs an integer or floating-point tensor, got tensor<3xi1>

// -----

func.func @comparison_result(%x: tensor<3xf32>) -> tensor<3xf32> {
  %z = infer.less %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %z : tensor<3xf32>
}
// CHECK: infer.less result #0 has type tensor<3xf32>, but its shape rule gives tensor<3xi1>

// -----

func.func @logic_on_floats(%x: tensor<3xf32>) -> tensor<3xf32> {
  %z = infer.and %x, %x : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %z : tensor<3xf32>
}
// CHECK: infer.and needs i1 operands, got f32

// -----

func.func @not_on_ints(%x: tensor<3xi8>) -> tensor<3xi8> {
  %z = infer.not %x : (tensor<3xi8>) -> tensor<3xi8>
  func.return %z : tensor<3xi8>
}
// CHECK: infer.not needs an i1 tensor, got tensor<3xi8>

// -----

func.func @is_nan_on_ints(%x: tensor<3xi32>) -> tensor<3xi1> {
  %z = infer.is_nan %x : (tensor<3xi32>) -> tensor<3xi1>
  func.return %z : tensor<3xi1>
}
// CHECK: infer.is_nan needs a floating-point tensor, got tensor<3xi32>

// -----

func.func @select_condition(%c: tensor<3xf32>, %x: tensor<3xf32>) -> tensor<3xf32> {
  %z = infer.select %c, %x, %x : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %z : tensor<3xf32>
}
// CHECK: infer.select condition must be i1, got tensor<3xf32>

// -----

func.func @select_values(%c: tensor<3xi1>, %x: tensor<3xf32>, %y: tensor<3xi32>) -> tensor<3xf32> {
  %z = infer.select %c, %x, %y : (tensor<3xi1>, tensor<3xf32>, tensor<3xi32>) -> tensor<3xf32>
  func.return %z : tensor<3xf32>
}
// CHECK: infer.select values must have one element type, got tensor<3xf32> and tensor<3xi32>

// -----

func.func @clip_integer_bound_on_floats(%x: tensor<3xf32>) -> tensor<3xf32> {
  %z = infer.clip %x {min = 0 : i64} : (tensor<3xf32>) -> tensor<3xf32>
  func.return %z : tensor<3xf32>
}
// CHECK: infer.clip bound 'min' must be a float for tensor<3xf32>, got 0 : i64

// -----

func.func @clip_float_bound_on_ints(%x: tensor<3xi32>) -> tensor<3xi32> {
  %z = infer.clip %x {max = 6.0 : f64} : (tensor<3xi32>) -> tensor<3xi32>
  func.return %z : tensor<3xi32>
}
// CHECK: infer.clip bound 'max' must be an integer for tensor<3xi32>

// -----

func.func @cast_shape(%x: tensor<3x4xf32>) -> tensor<4x3xi32> {
  %z = infer.cast %x : (tensor<3x4xf32>) -> tensor<4x3xi32>
  func.return %z : tensor<4x3xi32>
}
// CHECK: infer.cast result #0 has type tensor<4x3xi32>, but its shape rule gives tensor<3x4xi32>

// -----

func.func @cast_saturate_to_f16(%x: tensor<3xf32>) -> tensor<3xf16> {
  %z = infer.cast %x {saturate} : (tensor<3xf32>) -> tensor<3xf16>
  func.return %z : tensor<3xf16>
}
// CHECK: infer.cast: saturate applies to float8 targets only, not to f16

// -----

func.func @cast_round_mode_to_f8(%x: tensor<3xf32>) -> tensor<3xf8E4M3FN> {
  %z = infer.cast %x {round_mode = "up"} : (tensor<3xf32>) -> tensor<3xf8E4M3FN>
  func.return %z : tensor<3xf8E4M3FN>
}
// CHECK: infer.cast: round_mode applies to f8E8M0FNU targets only, not to f8E4M3FN

// -----

func.func @cast_round_mode_unknown(%x: tensor<3xf32>) -> tensor<3xf8E8M0FNU> {
  %z = infer.cast %x {round_mode = "sideways"} : (tensor<3xf32>) -> tensor<3xf8E8M0FNU>
  func.return %z : tensor<3xf8E8M0FNU>
}
// CHECK: infer.cast: round_mode must be one of up, down, nearest
