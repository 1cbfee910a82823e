// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-infer | filecheck %s

// Per tensor: the scalar parameters get the input's rank.
// CHECK-LABEL: func.func @quantize_per_tensor
// CHECK: %[[S:.*]] = infer.unsqueeze %{{.*}} {axes = array<i64: 0, 1>} : (tensor<f32>) -> tensor<1x1xf32>
// CHECK: %[[Z:.*]] = infer.unsqueeze %{{.*}} {axes = array<i64: 0, 1>} : (tensor<ui8>) -> tensor<1x1xui8>
// CHECK: infer.quantize_linear %{{.*}}, %[[S]], %[[Z]] : (tensor<?x3xf32>, tensor<1x1xf32>, tensor<1x1xui8>) -> tensor<?x3xui8>
builtin.module attributes {onnx.opset_import = {ai.onnx = 10 : i64}} {
  func.func @quantize_per_tensor(%x: tensor<?x3xf32>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<?x3xui8> {
    %y = onnx.QuantizeLinear(%x, %s, %z) : (tensor<?x3xf32>, tensor<f32>, tensor<ui8>) -> tensor<?x3xui8>
    func.return %y : tensor<?x3xui8>
  }
}

// -----

// Per axis (a negative axis): the 1-D parameters land on that axis.
// CHECK-LABEL: func.func @dequantize_per_axis
// CHECK: %[[S:.*]] = infer.unsqueeze %{{.*}} {axes = array<i64: 0, 2>} : (tensor<3xf32>) -> tensor<1x3x1xf32>
// CHECK: %[[Z:.*]] = infer.unsqueeze %{{.*}} {axes = array<i64: 0, 2>} : (tensor<3xi8>) -> tensor<1x3x1xi8>
// CHECK: infer.dequantize_linear %{{.*}}, %[[S]], %[[Z]] : (tensor<?x3x?xi8>, tensor<1x3x1xf32>, tensor<1x3x1xi8>) -> tensor<?x3x?xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @dequantize_per_axis(%x: tensor<?x3x?xi8>, %s: tensor<3xf32>, %z: tensor<3xi8>) -> tensor<?x3x?xf32> {
    %y = onnx.DequantizeLinear(%x, %s, %z) {axis = -2 : i64} : (tensor<?x3x?xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<?x3x?xf32>
    func.return %y : tensor<?x3x?xf32>
  }
}

// -----

// Blocked, without a zero point, to the type output_dtype names (int16).
// CHECK-LABEL: func.func @quantize_blocked
// CHECK: infer.quantize_linear %{{.*}}, %{{.*}} {axis = 1 : i64, block_size = 4 : i64} : (tensor<2x10xf32>, tensor<2x3xf32>) -> tensor<2x10xi16>
builtin.module attributes {onnx.opset_import = {ai.onnx = 21 : i64}} {
  func.func @quantize_blocked(%x: tensor<2x10xf32>, %s: tensor<2x3xf32>) -> tensor<2x10xi16> {
    %none = onnx.NoValue
    %y = onnx.QuantizeLinear(%x, %s, %none) {axis = 1 : i64, block_size = 4 : i64, output_dtype = 5 : i64} : (tensor<2x10xf32>, tensor<2x3xf32>, none) -> tensor<2x10xi16>
    func.return %y : tensor<2x10xi16>
  }
}

// -----

// The division runs in the wider type: the f16 input is cast to the f32 scale's type.
// CHECK-LABEL: func.func @quantize_mixed
// CHECK: %[[X:.*]] = infer.cast %{{.*}} : (tensor<4xf16>) -> tensor<4xf32>
// CHECK: infer.quantize_linear %[[X]], %{{.*}} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xui8>
builtin.module attributes {onnx.opset_import = {ai.onnx = 23 : i64}} {
  func.func @quantize_mixed(%x: tensor<4xf16>, %s: tensor<f32>) -> tensor<4xui8> {
    %none = onnx.NoValue
    %y = onnx.QuantizeLinear(%x, %s, %none) : (tensor<4xf16>, tensor<f32>, none) -> tensor<4xui8>
    func.return %y : tensor<4xui8>
  }
}

// -----

// CHECK: QuantizeLinear, opset 21: quantization to a tensor of type int4 is not supported; supported types: int8, uint8, int16, uint16
builtin.module attributes {onnx.opset_import = {ai.onnx = 21 : i64}} {
  func.func @quantize_int4(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<i4>) -> tensor<4xi4> {
    %y = onnx.QuantizeLinear(%x, %s, %z) : (tensor<4xf32>, tensor<f32>, tensor<i4>) -> tensor<4xi4>
    func.return %y : tensor<4xi4>
  }
}

// -----

// CHECK: DequantizeLinear, opset 19: dequantization of a tensor of type float8e4m3fn is not supported; supported types: int8, uint8, int16, uint16, int32
builtin.module attributes {onnx.opset_import = {ai.onnx = 19 : i64}} {
  func.func @dequantize_float8(%x: tensor<4xf8E4M3FN>, %s: tensor<f32>) -> tensor<4xf32> {
    %none = onnx.NoValue
    %y = onnx.DequantizeLinear(%x, %s, %none) : (tensor<4xf8E4M3FN>, tensor<f32>, none) -> tensor<4xf32>
    func.return %y : tensor<4xf32>
  }
}

// -----

// CHECK: QuantizeLinear, opset 13: axis 2 is out of range for an input of rank 2
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @quantize_axis(%x: tensor<2x3xf32>, %s: tensor<3xf32>, %z: tensor<3xui8>) -> tensor<2x3xui8> {
    %y = onnx.QuantizeLinear(%x, %s, %z) {axis = 2 : i64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xui8>) -> tensor<2x3xui8>
    func.return %y : tensor<2x3xui8>
  }
}

// -----

// DynamicQuantizeLinear: the range widened to include 0, the scale and zero point
// from it, then a quantize_linear; the scale and zero point are returned as scalars.
// CHECK-LABEL: func.func @dynamic_quantize
// CHECK: infer.reduce_max %{{.*}} {axes = array<i64: 0, 1>, keepdims}
// CHECK: infer.reduce_min %{{.*}} {axes = array<i64: 0, 1>, keepdims}
// CHECK: %[[S:.*]] = infer.div %{{.*}}, %{{.*}} : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
// CHECK: infer.clip %{{.*}} {min = 0.000000e+00 : f64, max = 2.550000e+02 : f64}
// CHECK: %[[Z:.*]] = infer.cast %{{.*}} : (tensor<1x1xf32>) -> tensor<1x1xui8>
// CHECK: %[[Y:.*]] = infer.quantize_linear %{{.*}}, %[[S]], %[[Z]] : (tensor<?x4xf32>, tensor<1x1xf32>, tensor<1x1xui8>) -> tensor<?x4xui8>
// CHECK: infer.reshape %[[S]] : (tensor<1x1xf32>) -> tensor<f32>
// CHECK: infer.reshape %[[Z]] : (tensor<1x1xui8>) -> tensor<ui8>
builtin.module attributes {onnx.opset_import = {ai.onnx = 11 : i64}} {
  func.func @dynamic_quantize(%x: tensor<?x4xf32>) -> (tensor<?x4xui8>, tensor<f32>, tensor<ui8>) {
    %y, %s, %z = onnx.DynamicQuantizeLinear(%x) : (tensor<?x4xf32>) -> (tensor<?x4xui8>, tensor<f32>, tensor<ui8>)
    func.return %y, %s, %z : tensor<?x4xui8>, tensor<f32>, tensor<ui8>
  }
}

// -----

// MatMulInteger: zero points subtracted in i32 (b's per column), then an i32 matmul.
// CHECK-LABEL: func.func @matmul_integer
// CHECK: %[[BZ:.*]] = infer.unsqueeze %{{.*}} {axes = array<i64: 0>} : (tensor<3xi8>) -> tensor<1x3xi8>
// CHECK: %[[A:.*]] = infer.cast %{{.*}} : (tensor<?x5xui8>) -> tensor<?x5xi32>
// CHECK: %[[AC:.*]] = infer.sub %[[A]], %{{.*}} : (tensor<?x5xi32>, tensor<1x1xi32>) -> tensor<?x5xi32>
// CHECK: %[[B:.*]] = infer.cast %{{.*}} : (tensor<5x3xi8>) -> tensor<5x3xi32>
// CHECK: %[[BC:.*]] = infer.sub %[[B]], %{{.*}} : (tensor<5x3xi32>, tensor<1x3xi32>) -> tensor<5x3xi32>
// CHECK: infer.matmul %[[AC]], %[[BC]] : (tensor<?x5xi32>, tensor<5x3xi32>) -> tensor<?x3xi32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 10 : i64}} {
  func.func @matmul_integer(%a: tensor<?x5xui8>, %b: tensor<5x3xi8>, %az: tensor<ui8>, %bz: tensor<3xi8>) -> tensor<?x3xi32> {
    %y = onnx.MatMulInteger(%a, %b, %az, %bz) : (tensor<?x5xui8>, tensor<5x3xi8>, tensor<ui8>, tensor<3xi8>) -> tensor<?x3xi32>
    func.return %y : tensor<?x3xi32>
  }
}

// -----

// QLinearMatMul: the i32 product times a_scale * b_scale / y_scale, rounded, plus the zero point, saturated.
// CHECK-LABEL: func.func @qlinear_matmul
// CHECK: %[[P:.*]] = infer.matmul %{{.*}}, %{{.*}} : (tensor<2x?x5xi32>, tensor<1x5x3xi32>) -> tensor<2x?x3xi32>
// CHECK: %[[M:.*]] = infer.div %{{.*}}, %{{.*}} : (tensor<1x1x1xf32>, tensor<1x1x1xf32>) -> tensor<1x1x1xf32>
// CHECK: %[[F:.*]] = infer.cast %[[P]] : (tensor<2x?x3xi32>) -> tensor<2x?x3xf32>
// CHECK: %[[S:.*]] = infer.mul %[[F]], %[[M]]
// CHECK: %[[R:.*]] = infer.round %[[S]]
// CHECK: %[[Y:.*]] = infer.add %[[R]], %{{.*}} : (tensor<2x?x3xf32>, tensor<1x1x1xf32>) -> tensor<2x?x3xf32>
// CHECK: infer.cast %[[Y]] : (tensor<2x?x3xf32>) -> tensor<2x?x3xi8>
builtin.module attributes {onnx.opset_import = {ai.onnx = 10 : i64}} {
  func.func @qlinear_matmul(%a: tensor<2x?x5xi8>, %as: tensor<f32>, %az: tensor<i8>, %b: tensor<5x3xi8>, %bs: tensor<f32>, %bz: tensor<i8>, %ys: tensor<f32>, %yz: tensor<i8>) -> tensor<2x?x3xi8> {
    %y = onnx.QLinearMatMul(%a, %as, %az, %b, %bs, %bz, %ys, %yz) : (tensor<2x?x5xi8>, tensor<f32>, tensor<i8>, tensor<5x3xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<2x?x3xi8>
    func.return %y : tensor<2x?x3xi8>
  }
}

// -----

// ConvInteger: x - x_zero_point is padded with zeros (onnxruntime pads x with its zero point).
// CHECK-LABEL: func.func @conv_integer
// CHECK: %[[X:.*]] = infer.sub %{{.*}}, %{{.*}} : (tensor<?x3x?x?xi32>, tensor<1x1x1x1xi32>) -> tensor<?x3x?x?xi32>
// CHECK: infer.conv %[[X]], %{{.*}} {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x?x?xi32>, tensor<4x3x3x3xi32>) -> tensor<?x4x?x?xi32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 10 : i64}} {
  func.func @conv_integer(%x: tensor<?x3x?x?xui8>, %w: tensor<4x3x3x3xui8>, %xz: tensor<ui8>) -> tensor<?x4x?x?xi32> {
    %none = onnx.NoValue
    %y = onnx.ConvInteger(%x, %w, %xz, %none) {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x?x?xui8>, tensor<4x3x3x3xui8>, tensor<ui8>, none) -> tensor<?x4x?x?xi32>
    func.return %y : tensor<?x4x?x?xi32>
  }
}

// -----

// QLinearConv: per-channel weight zero points and scales; the i32 bias joins the conv.
// CHECK-LABEL: func.func @qlinear_conv
// CHECK: infer.sub %{{.*}}, %{{.*}} : (tensor<4x3x3x3xi32>, tensor<4x1x1x1xi32>) -> tensor<4x3x3x3xi32>
// CHECK: %[[C:.*]] = infer.conv %{{.*}}, %{{.*}}, %{{.*}} {{.*}} : (tensor<?x3x?x?xi32>, tensor<4x3x3x3xi32>, tensor<4xi32>) -> tensor<?x4x?x?xi32>
// CHECK: infer.reshape %{{.*}} : (tensor<4x1x1x1xf32>) -> tensor<1x4x1x1xf32>
// CHECK: %[[M:.*]] = infer.div %{{.*}}, %{{.*}} : (tensor<1x4x1x1xf32>, tensor<1x1x1x1xf32>) -> tensor<1x4x1x1xf32>
// CHECK: %[[F:.*]] = infer.cast %[[C]] : (tensor<?x4x?x?xi32>) -> tensor<?x4x?x?xf32>
// CHECK: infer.mul %[[F]], %[[M]] : (tensor<?x4x?x?xf32>, tensor<1x4x1x1xf32>) -> tensor<?x4x?x?xf32>
// CHECK: infer.cast %{{.*}} : (tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xui8>
builtin.module attributes {onnx.opset_import = {ai.onnx = 10 : i64}} {
  func.func @qlinear_conv(%x: tensor<?x3x?x?xui8>, %xs: tensor<f32>, %xz: tensor<ui8>, %w: tensor<4x3x3x3xi8>, %ws: tensor<4xf32>, %wz: tensor<4xi8>, %ys: tensor<f32>, %yz: tensor<ui8>, %b: tensor<4xi32>) -> tensor<?x4x?x?xui8> {
    %y = onnx.QLinearConv(%x, %xs, %xz, %w, %ws, %wz, %ys, %yz, %b) {pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x?x?xui8>, tensor<f32>, tensor<ui8>, tensor<4x3x3x3xi8>, tensor<4xf32>, tensor<4xi8>, tensor<f32>, tensor<ui8>, tensor<4xi32>) -> tensor<?x4x?x?xui8>
    func.return %y : tensor<?x4x?x?xui8>
  }
}

// -----

// CHECK: ConvInteger, opset 10: x_zero_point must be a scalar (per tensor), got shape [3]
builtin.module attributes {onnx.opset_import = {ai.onnx = 10 : i64}} {
  func.func @conv_integer_x_zero(%x: tensor<1x3x4x4xui8>, %w: tensor<2x3x1x1xui8>, %xz: tensor<3xui8>) -> tensor<1x2x4x4xi32> {
    %none = onnx.NoValue
    %y = onnx.ConvInteger(%x, %w, %xz, %none) : (tensor<1x3x4x4xui8>, tensor<2x3x1x1xui8>, tensor<3xui8>, none) -> tensor<1x2x4x4xi32>
    func.return %y : tensor<1x2x4x4xi32>
  }
}
