// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-infer | filecheck %s

// A 1-D lhs becomes a row of the batch, removed from the result again.
// CHECK-LABEL: func.func @vector_matrix
// CHECK: %[[A:.*]] = infer.unsqueeze %{{.*}} {axes = array<i64: 0, 1>} : (tensor<4xf32>) -> tensor<1x1x4xf32>
// CHECK: %[[M:.*]] = infer.matmul %[[A]], %{{.*}} : (tensor<1x1x4xf32>, tensor<?x4x5xf32>) -> tensor<?x1x5xf32>
// CHECK: infer.squeeze %[[M]] {axes = array<i64: 1>} : (tensor<?x1x5xf32>) -> tensor<?x5xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @vector_matrix(%a: tensor<4xf32>, %b: tensor<?x4x5xf32>) -> tensor<?x5xf32> {
    %y = onnx.MatMul(%a, %b) : (tensor<4xf32>, tensor<?x4x5xf32>) -> tensor<?x5xf32>
    func.return %y : tensor<?x5xf32>
  }
}

// -----

// A 1-D rhs becomes a column; a constant is reshaped rather than unsqueezed.
// CHECK-LABEL: func.func @matrix_vector
// CHECK: %[[B:.*]] = infer.constant {{.*}} : tensor<1x4x1xf32>
// CHECK: %[[M:.*]] = infer.matmul %{{.*}}, %[[B]] : (tensor<2x3x4xf32>, tensor<1x4x1xf32>) -> tensor<2x3x1xf32>
// CHECK: infer.squeeze %[[M]] {axes = array<i64: 2>} : (tensor<2x3x1xf32>) -> tensor<2x3xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 9 : i64}} {
  func.func @matrix_vector(%a: tensor<2x3x4xf32>) -> tensor<2x3xf32> {
    %b = onnx.Constant() {value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>} : () -> tensor<4xf32>
    %y = onnx.MatMul(%a, %b) : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3xf32>
    func.return %y : tensor<2x3xf32>
  }
}

// -----

// Batch dims: the operand of lower rank gets leading dims of size 1.
// CHECK-LABEL: func.func @batched
// CHECK: %[[B:.*]] = infer.unsqueeze %{{.*}} {axes = array<i64: 0, 1>} : (tensor<4x5xf32>) -> tensor<1x1x4x5xf32>
// CHECK: infer.matmul %{{.*}}, %[[B]] : (tensor<?x3x?x4xf32>, tensor<1x1x4x5xf32>) -> tensor<?x3x?x5xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @batched(%a: tensor<?x3x?x4xf32>, %b: tensor<4x5xf32>) -> tensor<?x3x?x5xf32> {
    %y = onnx.MatMul(%a, %b) : (tensor<?x3x?x4xf32>, tensor<4x5xf32>) -> tensor<?x3x?x5xf32>
    func.return %y : tensor<?x3x?x5xf32>
  }
}

// -----

// CHECK: MatMul, opset 13: infer.matmul contracts dims of different sizes 4 and 5
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @inner_mismatch(%a: tensor<3x4xf32>, %b: tensor<5x6xf32>) -> tensor<3x6xf32> {
    %y = onnx.MatMul(%a, %b) : (tensor<3x4xf32>, tensor<5x6xf32>) -> tensor<3x6xf32>
    func.return %y : tensor<3x6xf32>
  }
}

// -----

// C is brought to rank 2; alpha, beta and the transposes become properties.
// CHECK-LABEL: func.func @gemm
// CHECK: %[[C:.*]] = infer.unsqueeze %{{.*}} {axes = array<i64: 0>} : (tensor<1000xf32>) -> tensor<1x1000xf32>
// CHECK: infer.gemm %{{.*}}, %{{.*}}, %[[C]] {alpha = 5.000000e-01 : f64, beta = 2.000000e+00 : f64, trans_b}
// CHECK-SAME: -> tensor<?x1000xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 9 : i64}} {
  func.func @gemm(%x: tensor<?x256xf32>, %w: tensor<1000x256xf32>, %c: tensor<1000xf32>) -> tensor<?x1000xf32> {
    %y = onnx.Gemm(%x, %w, %c) {alpha = 0.5 : f32, beta = 2.0 : f32, transB = 1 : i64} : (tensor<?x256xf32>, tensor<1000x256xf32>, tensor<1000xf32>) -> tensor<?x1000xf32>
    func.return %y : tensor<?x1000xf32>
  }
}

// -----

// From version 11 C is optional; with beta = 0 it is dropped.
// CHECK-LABEL: func.func @gemm_no_c
// CHECK: infer.gemm %{{.*}}, %{{.*}} {trans_a} : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
// CHECK: infer.gemm %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @gemm_no_c(%a: tensor<4x3xf32>, %b: tensor<4x5xf32>, %d: tensor<3x4xf32>, %c: tensor<3x5xf32>) -> (tensor<3x5xf32>, tensor<3x5xf32>) {
    %none = onnx.NoValue
    %y = onnx.Gemm(%a, %b, %none) {transA = 1 : i64} : (tensor<4x3xf32>, tensor<4x5xf32>, none) -> tensor<3x5xf32>
    %z = onnx.Gemm(%d, %b, %c) {beta = 0.0 : f32} : (tensor<3x4xf32>, tensor<4x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
    func.return %y, %z : tensor<3x5xf32>, tensor<3x5xf32>
  }
}

// -----

// CHECK: Gemm, opset 13: A and B must be matrices, got ranks 3 and 2
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @gemm_rank(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
    %none = onnx.NoValue
    %y = onnx.Gemm(%a, %b, %none) : (tensor<2x3x4xf32>, tensor<4x5xf32>, none) -> tensor<3x5xf32>
    func.return %y : tensor<3x5xf32>
  }
}
