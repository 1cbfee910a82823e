// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-infer | filecheck %s

// A constant axis becomes a normalized property.
// CHECK-LABEL: func.func @cumsum
// CHECK: infer.cumsum %{{.*}} {axis = 1 : i64, exclusive, reverse} : (tensor<?x8xf32>) -> tensor<?x8xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 14 : i64}} {
  func.func @cumsum(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
    %a = onnx.Constant() {value = dense<-1> : tensor<i64>} : () -> tensor<i64>
    %y = onnx.CumSum(%x, %a) {exclusive = 1 : i64, reverse = 1 : i64} : (tensor<?x8xf32>, tensor<i64>) -> tensor<?x8xf32>
    func.return %y : tensor<?x8xf32>
  }
}

// -----

// An axis computed at run time stays an operand.
// CHECK-LABEL: func.func @cumprod_run_time_axis
// CHECK: infer.cumprod %{{.*}}, %{{.*}} : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 26 : i64}} {
  func.func @cumprod_run_time_axis(%x: tensor<2x3xi32>, %a: tensor<i32>) -> tensor<2x3xi32> {
    %y = onnx.CumProd(%x, %a) : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
    func.return %y : tensor<2x3xi32>
  }
}

// -----

// CHECK: CumSum, opset 14: axis 3 is out of range for rank 2
builtin.module attributes {onnx.opset_import = {ai.onnx = 14 : i64}} {
  func.func @cumsum_bad_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
    %a = onnx.Constant() {value = dense<3> : tensor<i64>} : () -> tensor<i64>
    %y = onnx.CumSum(%x, %a) : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
    func.return %y : tensor<2x3xf32>
  }
}
