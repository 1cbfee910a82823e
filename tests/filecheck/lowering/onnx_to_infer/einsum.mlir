// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-infer | filecheck %s

// A batched matrix product is one infer.matmul.
// CHECK-LABEL: func.func @einsum_bmm
// CHECK-NEXT: %y = infer.matmul %a, %b : (tensor<?x8x4xf32>, tensor<?x4x5xf32>) -> tensor<?x8x5xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 12 : i64}} {
  func.func @einsum_bmm(%a: tensor<?x8x4xf32>, %b: tensor<?x4x5xf32>) -> tensor<?x8x5xf32> {
    %y = onnx.Einsum(%a, %b) {equation = "bij,bjk->bik"} : (tensor<?x8x4xf32>, tensor<?x4x5xf32>) -> tensor<?x8x5xf32>
    func.return %y : tensor<?x8x5xf32>
  }
}

// -----

// Attention scores: the key operand is transposed, then multiplied.
// CHECK-LABEL: func.func @einsum_scores
// CHECK: %[[T:.*]] = infer.transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<?x2x?x16xf32>) -> tensor<?x2x16x?xf32>
// CHECK-NEXT: infer.matmul %q, %[[T]] : (tensor<?x2x?x16xf32>, tensor<?x2x16x?xf32>) -> tensor<?x2x?x?xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 12 : i64}} {
  func.func @einsum_scores(%q: tensor<?x2x?x16xf32>, %k: tensor<?x2x?x16xf32>) -> tensor<?x2x?x?xf32> {
    %y = onnx.Einsum(%q, %k) {equation = "bhqd,bhkd->bhqk"} : (tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>) -> tensor<?x2x?x?xf32>
    func.return %y : tensor<?x2x?x?xf32>
  }
}

// -----

// Several contracted dims are merged by a reshape; an index of one operand only is summed.
// CHECK-LABEL: func.func @einsum_merge
// CHECK: infer.reduce_sum %a {axes = array<i64: 0>} : (tensor<7x3x4x5xf32>) -> tensor<3x4x5xf32>
// CHECK: infer.reshape %{{.*}} : (tensor<3x4x5xf32>) -> tensor<3x20xf32>
// CHECK: infer.reshape %b : (tensor<4x5x6xf32>) -> tensor<20x6xf32>
// CHECK: infer.matmul %{{.*}}, %{{.*}} : (tensor<3x20xf32>, tensor<20x6xf32>) -> tensor<3x6xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 12 : i64}} {
  func.func @einsum_merge(%a: tensor<7x3x4x5xf32>, %b: tensor<4x5x6xf32>) -> tensor<3x6xf32> {
    %y = onnx.Einsum(%a, %b) {equation = "zicd,cdk->ik"} : (tensor<7x3x4x5xf32>, tensor<4x5x6xf32>) -> tensor<3x6xf32>
    func.return %y : tensor<3x6xf32>
  }
}

// -----

// A diagonal: a multiply by an identity mask and a sum over the repeated index.
// CHECK-LABEL: func.func @einsum_diagonal
// CHECK: infer.mul %x, %{{.*}} : (tensor<?x5x5xf32>, tensor<1x5x5xf32>) -> tensor<?x5x5xf32>
// CHECK: infer.reduce_sum %{{.*}} {axes = array<i64: 2>} : (tensor<?x5x5xf32>) -> tensor<?x5xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 12 : i64}} {
  func.func @einsum_diagonal(%x: tensor<?x5x5xf32>) -> tensor<?x5xf32> {
    %y = onnx.Einsum(%x) {equation = "...ii->...i"} : (tensor<?x5x5xf32>) -> tensor<?x5xf32>
    func.return %y : tensor<?x5xf32>
  }
}

// -----

// CHECK: Einsum, opset 12: the diagonal over index 'i' needs static dims of one size, got dynamic dims
builtin.module attributes {onnx.opset_import = {ai.onnx = 12 : i64}} {
  func.func @einsum_dynamic_diagonal(%x: tensor<?x?xf32>) -> tensor<?xf32> {
    %y = onnx.Einsum(%x) {equation = "ii->i"} : (tensor<?x?xf32>) -> tensor<?xf32>
    func.return %y : tensor<?xf32>
  }
}
