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
