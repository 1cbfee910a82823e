// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-infer | filecheck %s

// Broadcasting made explicit: the operand of lower rank is unsqueezed.
// CHECK-LABEL: func.func @bitwise_and
// CHECK: %[[B:.*]] = infer.unsqueeze %{{.*}} {axes = array<i64: 0>} : (tensor<4xui16>) -> tensor<1x4xui16>
// CHECK: infer.bitwise_and %{{.*}}, %[[B]] : (tensor<?x4xui16>, tensor<1x4xui16>) -> tensor<?x4xui16>
builtin.module attributes {onnx.opset_import = {ai.onnx = 18 : i64}} {
  func.func @bitwise_and(%a: tensor<?x4xui16>, %b: tensor<4xui16>) -> tensor<?x4xui16> {
    %y = onnx.BitwiseAnd(%a, %b) : (tensor<?x4xui16>, tensor<4xui16>) -> tensor<?x4xui16>
    func.return %y : tensor<?x4xui16>
  }
}

// -----

// CHECK-LABEL: func.func @bitwise_not
// CHECK: infer.bitwise_not %{{.*}} : (tensor<3xi64>) -> tensor<3xi64>
builtin.module attributes {onnx.opset_import = {ai.onnx = 18 : i64}} {
  func.func @bitwise_not(%x: tensor<3xi64>) -> tensor<3xi64> {
    %y = onnx.BitwiseNot(%x) : (tensor<3xi64>) -> tensor<3xi64>
    func.return %y : tensor<3xi64>
  }
}

// -----

// CHECK-LABEL: func.func @bit_shift
// CHECK: infer.shift_left %{{.*}}, %{{.*}} : (tensor<2x3xui8>, tensor<2x3xui8>) -> tensor<2x3xui8>
// CHECK: infer.shift_right %{{.*}}, %{{.*}} : (tensor<2x3xi32>, tensor<1x1xi32>) -> tensor<2x3xi32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 28 : i64}} {
  func.func @bit_shift(%x: tensor<2x3xui8>, %i: tensor<2x3xi32>, %s: tensor<i32>) -> (tensor<2x3xui8>, tensor<2x3xi32>) {
    %l = onnx.BitShift(%x, %x) {direction = "LEFT"} : (tensor<2x3xui8>, tensor<2x3xui8>) -> tensor<2x3xui8>
    %r = onnx.BitShift(%i, %s) {direction = "RIGHT"} : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
    func.return %l, %r : tensor<2x3xui8>, tensor<2x3xi32>
  }
}

// -----

// CHECK: BitShift, opset 11: attribute 'direction' = 'UP' is not supported; supported: LEFT or RIGHT
builtin.module attributes {onnx.opset_import = {ai.onnx = 11 : i64}} {
  func.func @bit_shift_direction(%x: tensor<3xui8>) -> tensor<3xui8> {
    %y = onnx.BitShift(%x, %x) {direction = "UP"} : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
    func.return %y : tensor<3xui8>
  }
}
