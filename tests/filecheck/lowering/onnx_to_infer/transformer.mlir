// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-infer | filecheck %s

// A 4-D input with position ids: the caches are gathered and broadcast over the heads.
// CHECK-LABEL: func.func @rotary_4d
// CHECK: %[[C:.*]] = infer.gather %cos, %pos {axis = 0 : i64} : (tensor<64x16xf32>, tensor<?x?xi64>) -> tensor<?x?x16xf32>
// CHECK: %[[S:.*]] = infer.gather %sin, %pos {axis = 0 : i64}
// CHECK: %[[CU:.*]] = infer.unsqueeze %[[C]] {axes = array<i64: 1>} : (tensor<?x?x16xf32>) -> tensor<?x1x?x16xf32>
// CHECK: %[[SU:.*]] = infer.unsqueeze %[[S]] {axes = array<i64: 1>}
// CHECK: infer.rotary_embedding %x, %[[CU]], %[[SU]] {rotary_dim = 32 : i64, interleaved} : (tensor<?x4x?x32xf32>, tensor<?x1x?x16xf32>, tensor<?x1x?x16xf32>) -> tensor<?x4x?x32xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 23 : i64}} {
  func.func @rotary_4d(%x: tensor<?x4x?x32xf32>, %cos: tensor<64x16xf32>, %sin: tensor<64x16xf32>, %pos: tensor<?x?xi64>) -> tensor<?x4x?x32xf32> {
    %y = onnx.RotaryEmbedding(%x, %cos, %sin, %pos) {interleaved = 1 : i64} : (tensor<?x4x?x32xf32>, tensor<64x16xf32>, tensor<64x16xf32>, tensor<?x?xi64>) -> tensor<?x4x?x32xf32>
    func.return %y : tensor<?x4x?x32xf32>
  }
}

// -----

// A 3-D input: split into heads (a shape built at run time for the dynamic batch and
// sequence), rotated on the first 16 entries of each head, then merged back.
// CHECK-LABEL: func.func @rotary_3d
// CHECK: %[[X:.*]] = infer.reshape %x, %{{.*}} : (tensor<?x?x128xf32>, tensor<4xi64>) -> tensor<?x?x4x32xf32>
// CHECK: infer.unsqueeze %cos {axes = array<i64: 2>} : (tensor<?x?x8xf32>) -> tensor<?x?x1x8xf32>
// CHECK: %[[R:.*]] = infer.rotary_embedding %[[X]], %{{.*}}, %{{.*}} {rotary_dim = 16 : i64} : (tensor<?x?x4x32xf32>, tensor<?x?x1x8xf32>, tensor<?x?x1x8xf32>) -> tensor<?x?x4x32xf32>
// CHECK: infer.reshape %[[R]], %{{.*}} : (tensor<?x?x4x32xf32>, tensor<3xi64>) -> tensor<?x?x128xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 23 : i64}} {
  func.func @rotary_3d(%x: tensor<?x?x128xf32>, %cos: tensor<?x?x8xf32>, %sin: tensor<?x?x8xf32>) -> tensor<?x?x128xf32> {
    %none = onnx.NoValue
    %y = onnx.RotaryEmbedding(%x, %cos, %sin, %none) {num_heads = 4 : i64, rotary_embedding_dim = 16 : i64} : (tensor<?x?x128xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, none) -> tensor<?x?x128xf32>
    func.return %y : tensor<?x?x128xf32>
  }
}

// -----

// CHECK: RotaryEmbedding, opset 23: attribute 'num_heads' = 0 is not supported; supported: the number of heads (> 0) for a 3-D input
builtin.module attributes {onnx.opset_import = {ai.onnx = 23 : i64}} {
  func.func @rotary_3d_no_heads(%x: tensor<?x?x128xf32>, %cos: tensor<?x?x64xf32>) -> tensor<?x?x128xf32> {
    %none = onnx.NoValue
    %y = onnx.RotaryEmbedding(%x, %cos, %cos, %none) : (tensor<?x?x128xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>, none) -> tensor<?x?x128xf32>
    func.return %y : tensor<?x?x128xf32>
  }
}
