// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-infer | filecheck %s

// Axes from a constant input are normalized and sorted.
// CHECK-LABEL: func.func @reduce_sum_axes_input
// CHECK: infer.reduce_sum %{{.*}} {axes = array<i64: 0, 2>} : (tensor<?x3x4xf32>) -> tensor<3xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @reduce_sum_axes_input(%x: tensor<?x3x4xf32>) -> tensor<3xf32> {
    %axes = onnx.Constant() {value = dense<[-1, 0]> : tensor<2xi64>} : () -> tensor<2xi64>
    %y = onnx.ReduceSum(%x, %axes) {keepdims = 0 : i64} : (tensor<?x3x4xf32>, tensor<2xi64>) -> tensor<3xf32>
    func.return %y : tensor<3xf32>
  }
}

// -----

// Before version 18 axes are an attribute; keepdims defaults to 1; no axes is all axes.
// CHECK-LABEL: func.func @reduce_mean_attribute
// CHECK: infer.reduce_mean %{{.*}} {axes = array<i64: 1>, keepdims} : (tensor<?x3x4xf32>) -> tensor<?x1x4xf32>
// CHECK: infer.reduce_max %{{.*}} {axes = array<i64: 0, 1, 2>} : (tensor<?x3x4xf32>) -> tensor<f32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @reduce_mean_attribute(%x: tensor<?x3x4xf32>) -> (tensor<?x1x4xf32>, tensor<f32>) {
    %none = onnx.NoValue
    %y = onnx.ReduceMean(%x, %none) {axes = array<i64: -2>} : (tensor<?x3x4xf32>, none) -> tensor<?x1x4xf32>
    %z = onnx.ReduceMax(%x, %none) {keepdims = 0 : i64} : (tensor<?x3x4xf32>, none) -> tensor<f32>
    func.return %y, %z : tensor<?x1x4xf32>, tensor<f32>
  }
}

// -----

// ReduceL2 is sqrt(reduce_sum(x * x)); with noop_with_empty_axes and no axes, only |x| is left.
// CHECK-LABEL: func.func @reduce_l2
// CHECK: %[[SQ:.*]] = infer.mul %[[X:.*]], %[[X]]
// CHECK: %[[S:.*]] = infer.reduce_sum %[[SQ]] {axes = array<i64: 1>}
// CHECK: infer.sqrt %[[S]] : (tensor<2xf32>) -> tensor<2xf32>
// CHECK: %[[SQ2:.*]] = infer.mul
// CHECK-NOT: infer.reduce_sum
// CHECK: infer.sqrt %[[SQ2]] : (tensor<2x3xf32>) -> tensor<2x3xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 18 : i64}} {
  func.func @reduce_l2(%x: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<2x3xf32>) {
    %axes = onnx.Constant() {value = dense<1> : tensor<1xi64>} : () -> tensor<1xi64>
    %none = onnx.NoValue
    %y = onnx.ReduceL2(%x, %axes) {keepdims = 0 : i64} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<2xf32>
    %z = onnx.ReduceL2(%x, %none) {noop_with_empty_axes = 1 : i64} : (tensor<2x3xf32>, none) -> tensor<2x3xf32>
    func.return %y, %z : tensor<2xf32>, tensor<2x3xf32>
  }
}

// -----

// CHECK-LABEL: func.func @log_sum_exp
// CHECK: infer.reduce_log_sum_exp %{{.*}} {axes = array<i64: 1>, keepdims} : (tensor<?x5xf32>) -> tensor<?x1xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 11 : i64}} {
  func.func @log_sum_exp(%x: tensor<?x5xf32>) -> tensor<?x1xf32> {
    %none = onnx.NoValue
    %y = onnx.ReduceLogSumExp(%x, %none) {axes = array<i64: 1>} : (tensor<?x5xf32>, none) -> tensor<?x1xf32>
    func.return %y : tensor<?x1xf32>
  }
}

// -----

// CHECK: ReduceSum, opset 13: input 'axes' must be a constant
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @dynamic_axes(%x: tensor<2x3xf32>, %axes: tensor<1xi64>) -> tensor<?x?xf32> {
    %y = onnx.ReduceSum(%x, %axes) : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?x?xf32>
    func.return %y : tensor<?x?xf32>
  }
}

// -----

// CHECK-LABEL: func.func @arg_max
// CHECK: infer.arg_max %{{.*}} {axis = 2 : i64, select_last_index} : (tensor<?x3x4xf32>) -> tensor<?x3xi64>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @arg_max(%x: tensor<?x3x4xf32>) -> tensor<?x3xi64> {
    %y = onnx.ArgMax(%x) {axis = -1 : i64, keepdims = 0 : i64, select_last_index = 1 : i64} : (tensor<?x3x4xf32>) -> tensor<?x3xi64>
    func.return %y : tensor<?x3xi64>
  }
}

// -----

// Global pooling reduces the spatial dims, dynamic or not, keeping them.
// CHECK-LABEL: func.func @global_pools
// CHECK: infer.reduce_mean %{{.*}} {axes = array<i64: 2, 3>, keepdims} : (tensor<?x64x?x?xf32>) -> tensor<?x64x1x1xf32>
// CHECK: infer.reduce_max %{{.*}} {axes = array<i64: 2, 3>, keepdims} : (tensor<?x64x?x?xf32>) -> tensor<?x64x1x1xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 9 : i64}} {
  func.func @global_pools(%x: tensor<?x64x?x?xf32>) -> (tensor<?x64x1x1xf32>, tensor<?x64x1x1xf32>) {
    %y = onnx.GlobalAveragePool(%x) : (tensor<?x64x?x?xf32>) -> tensor<?x64x1x1xf32>
    %z = onnx.GlobalMaxPool(%x) : (tensor<?x64x?x?xf32>) -> tensor<?x64x1x1xf32>
    func.return %y, %z : tensor<?x64x1x1xf32>, tensor<?x64x1x1xf32>
  }
}

// -----

// Before version 13 softmax normalizes over the flattened dims [axis, rank).
// CHECK-LABEL: func.func @softmax_11
// CHECK: infer.softmax %{{.*}} {axes = array<i64: 1, 2>} : (tensor<?x10x3xf32>) -> tensor<?x10x3xf32>
// CHECK: infer.log_softmax %{{.*}} {axes = array<i64: 2>} : (tensor<?x10x3xf32>) -> tensor<?x10x3xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 11 : i64}} {
  func.func @softmax_11(%x: tensor<?x10x3xf32>) -> (tensor<?x10x3xf32>, tensor<?x10x3xf32>) {
    %y = onnx.Softmax(%x) : (tensor<?x10x3xf32>) -> tensor<?x10x3xf32>
    %z = onnx.LogSoftmax(%x) {axis = -1 : i64} : (tensor<?x10x3xf32>) -> tensor<?x10x3xf32>
    func.return %y, %z : tensor<?x10x3xf32>, tensor<?x10x3xf32>
  }
}

// -----

// From version 13 softmax normalizes over the one dim `axis` (default -1).
// CHECK-LABEL: func.func @softmax_13
// CHECK: infer.softmax %{{.*}} {axes = array<i64: 2>} : (tensor<?x10x3xf32>) -> tensor<?x10x3xf32>
// CHECK: infer.hardmax %{{.*}} {axes = array<i64: 1>} : (tensor<?x10x3xf32>) -> tensor<?x10x3xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @softmax_13(%x: tensor<?x10x3xf32>) -> (tensor<?x10x3xf32>, tensor<?x10x3xf32>) {
    %y = onnx.Softmax(%x) : (tensor<?x10x3xf32>) -> tensor<?x10x3xf32>
    %z = onnx.Hardmax(%x) {axis = 1 : i64} : (tensor<?x10x3xf32>) -> tensor<?x10x3xf32>
    func.return %y, %z : tensor<?x10x3xf32>, tensor<?x10x3xf32>
  }
}
