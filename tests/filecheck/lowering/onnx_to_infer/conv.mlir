// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-infer | filecheck %s

// CHECK-LABEL: func.func @same_upper
// CHECK: infer.conv %{{.*}}, %{{.*}} {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 1, 0, 1>}
// CHECK-SAME: -> tensor<1x4x4x3xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @same_upper(%x: tensor<1x3x8x5xf32>, %w: tensor<4x3x2x3xf32>) -> tensor<1x4x4x3xf32> {
    %none = onnx.NoValue
    %y = onnx.Conv(%x, %w, %none) {auto_pad = "SAME_UPPER", strides = array<i64: 2, 2>} : (tensor<1x3x8x5xf32>, tensor<4x3x2x3xf32>, none) -> tensor<1x4x4x3xf32>
    func.return %y : tensor<1x4x4x3xf32>
  }
}

// -----


// CHECK: Conv, opset 13: auto_pad SAME_LOWER with stride 2 on a dynamic spatial dim is not supported
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @dynamic_stride_same(%x: tensor<1x3x?x?xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x?x?xf32> {
    %none = onnx.NoValue
    %y = onnx.Conv(%x, %w, %none) {auto_pad = "SAME_LOWER", strides = array<i64: 2, 2>} : (tensor<1x3x?x?xf32>, tensor<4x3x3x3xf32>, none) -> tensor<1x4x?x?xf32>
    func.return %y : tensor<1x4x?x?xf32>
  }
}

// -----

// SAME_LOWER puts the odd pad first; groups and a bias pass through.
// CHECK-LABEL: func.func @same_lower_groups
// CHECK: infer.conv %{{.*}}, %{{.*}}, %{{.*}} {strides = array<i64: 2, 3>, dilations = array<i64: 1, 1>, pads = array<i64: 2, 0, 1, 0>, groups = 2 : i64}
// CHECK-SAME: -> tensor<1x6x4x3xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 11 : i64}} {
  func.func @same_lower_groups(%x: tensor<1x4x7x9xf32>, %w: tensor<6x2x4x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x4x3xf32> {
    %y = onnx.Conv(%x, %w, %b) {auto_pad = "SAME_LOWER", group = 2 : i64, strides = array<i64: 2, 3>} : (tensor<1x4x7x9xf32>, tensor<6x2x4x3xf32>, tensor<6xf32>) -> tensor<1x6x4x3xf32>
    func.return %y : tensor<1x6x4x3xf32>
  }
}

// -----

// SAME pads use the dilated kernel extent (here 5 and 3); with stride 1 they
// do not depend on the (dynamic) input size.
// CHECK-LABEL: func.func @same_dilated_dynamic
// CHECK: infer.conv %{{.*}}, %{{.*}} {strides = array<i64: 1, 1>, dilations = array<i64: 2, 1>, pads = array<i64: 2, 1, 2, 1>}
// CHECK-SAME: -> tensor<?x4x?x?xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 22 : i64}} {
  func.func @same_dilated_dynamic(%x: tensor<?x3x?x?xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x?x?xf32> {
    %none = onnx.NoValue
    %y = onnx.Conv(%x, %w, %none) {auto_pad = "SAME_UPPER", dilations = array<i64: 2, 1>} : (tensor<?x3x?x?xf32>, tensor<4x3x3x3xf32>, none) -> tensor<?x4x?x?xf32>
    func.return %y : tensor<?x4x?x?xf32>
  }
}

// -----

// VALID is no padding; a 1-D depthwise convolution keeps its rank.
// CHECK-LABEL: func.func @valid_depthwise_1d
// CHECK: infer.conv %{{.*}}, %{{.*}} {strides = array<i64: 2>, dilations = array<i64: 1>, pads = array<i64: 0, 0>, groups = 8 : i64}
// CHECK-SAME: : (tensor<2x8x11xf32>, tensor<8x1x3xf32>) -> tensor<2x8x5xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 7 : i64}} {
  func.func @valid_depthwise_1d(%x: tensor<2x8x11xf32>, %w: tensor<8x1x3xf32>) -> tensor<2x8x5xf32> {
    %none = onnx.NoValue
    %y = onnx.Conv(%x, %w, %none) {auto_pad = "VALID", group = 8 : i64, strides = array<i64: 2>, kernel_shape = array<i64: 3>} : (tensor<2x8x11xf32>, tensor<8x1x3xf32>, none) -> tensor<2x8x5xf32>
    func.return %y : tensor<2x8x5xf32>
  }
}

// -----

// CHECK: Conv, opset 13: kernel_shape [2, 2] does not match the weight shape [4, 3, 3, 3]
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @kernel_shape_mismatch(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x7x7xf32> {
    %none = onnx.NoValue
    %y = onnx.Conv(%x, %w, %none) {kernel_shape = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, none) -> tensor<1x4x7x7xf32>
    func.return %y : tensor<1x4x7x7xf32>
  }
}

// -----

// CHECK-LABEL: func.func @conv_transpose_output_padding
// CHECK: infer.conv_transpose %{{.*}}, %{{.*}}, %{{.*}} {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 1, 1>, output_padding = array<i64: 1, 0>, groups = 2 : i64}
// CHECK-SAME: : (tensor<?x4x5x5xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>) -> tensor<?x6x10x10xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 11 : i64}} {
  func.func @conv_transpose_output_padding(%x: tensor<?x4x5x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<6xf32>) -> tensor<?x6x10x10xf32> {
    %y = onnx.ConvTranspose(%x, %w, %b) {group = 2 : i64, strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 1, 1>, output_padding = array<i64: 1, 0>} : (tensor<?x4x5x5xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>) -> tensor<?x6x10x10xf32>
    func.return %y : tensor<?x6x10x10xf32>
  }
}

// -----

// output_shape [16, 15] from a full size of 17: total pads 1 and 2; the larger
// half goes first (NOTSET), and `pads` is ignored.
// CHECK-LABEL: func.func @conv_transpose_output_shape
// CHECK: infer.conv_transpose %{{.*}}, %{{.*}} {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 1>, output_padding = array<i64: 0, 0>}
// CHECK-SAME: -> tensor<1x2x16x15xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 22 : i64}} {
  func.func @conv_transpose_output_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x2x16x15xf32> {
    %none = onnx.NoValue
    %y = onnx.ConvTranspose(%x, %w, %none) {output_shape = array<i64: 16, 15>, pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<3x2x3x3xf32>, none) -> tensor<1x2x16x15xf32>
    func.return %y : tensor<1x2x16x15xf32>
  }
}

// -----

// SAME_UPPER aims at size * stride, the odd pad at the end; it works on dynamic dims.
// CHECK-LABEL: func.func @conv_transpose_same_upper
// CHECK: infer.conv_transpose %{{.*}}, %{{.*}} {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 1, 1, 1>, output_padding = array<i64: 0, 0>}
// CHECK-SAME: : (tensor<?x3x?x?xf32>, tensor<3x2x3x4xf32>) -> tensor<?x2x?x?xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 7 : i64}} {
  func.func @conv_transpose_same_upper(%x: tensor<?x3x?x?xf32>, %w: tensor<3x2x3x4xf32>) -> tensor<?x2x?x?xf32> {
    %none = onnx.NoValue
    %y = onnx.ConvTranspose(%x, %w, %none) {auto_pad = "SAME_UPPER", strides = array<i64: 2, 2>} : (tensor<?x3x?x?xf32>, tensor<3x2x3x4xf32>, none) -> tensor<?x2x?x?xf32>
    func.return %y : tensor<?x2x?x?xf32>
  }
}

// -----

// CHECK: ConvTranspose, opset 22: output_shape with dynamic spatial input dims is not supported
builtin.module attributes {onnx.opset_import = {ai.onnx = 22 : i64}} {
  func.func @conv_transpose_output_shape_dynamic(%x: tensor<1x3x?x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x2x16x15xf32> {
    %none = onnx.NoValue
    %y = onnx.ConvTranspose(%x, %w, %none) {output_shape = array<i64: 16, 15>, strides = array<i64: 2, 2>} : (tensor<1x3x?x8xf32>, tensor<3x2x3x3xf32>, none) -> tensor<1x2x16x15xf32>
    func.return %y : tensor<1x2x16x15xf32>
  }
}
