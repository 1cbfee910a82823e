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

// -----

// 4-D, grouped-query heads, a boolean mask, causal without a cache: top-left aligned.
// CHECK-LABEL: func.func @attention_4d
// CHECK: %[[B:.*]] = infer.select %m, %{{.*}}, %{{.*}} : (tensor<?x1x?x?xi1>, tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>) -> tensor<?x1x?x?xf32>
// CHECK: infer.attention %q, %k, %v, %[[B]] {scale = 1.250000e-01 : f64, causal = "top_left"}
// CHECK-SAME: : (tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x1x?x?xf32>) -> tensor<?x8x?x64xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 23 : i64}} {
  func.func @attention_4d(%q: tensor<?x8x?x64xf32>, %k: tensor<?x2x?x64xf32>, %v: tensor<?x2x?x64xf32>, %m: tensor<?x1x?x?xi1>) -> tensor<?x8x?x64xf32> {
    %none = onnx.NoValue
    %y, %pk, %pv, %qk = onnx.Attention(%q, %k, %v, %m, %none, %none, %none) {is_causal = 1 : i64} : (tensor<?x8x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x2x?x64xf32>, tensor<?x1x?x?xi1>, none, none, none) -> (tensor<?x8x?x64xf32>, none, none, none)
    func.return %y : tensor<?x8x?x64xf32>
  }
}

// -----

// 3-D with a cache: heads split and transposed, the cache concatenated (the present
// outputs), causal bottom-right aligned when the new keys are as many as the queries.
// CHECK-LABEL: func.func @attention_3d_cache
// CHECK: %[[Q:.*]] = infer.transpose %{{.*}} {perm = array<i64: 0, 2, 1, 3>} : (tensor<2x3x4x8xf32>) -> tensor<2x4x3x8xf32>
// CHECK: %[[K:.*]] = infer.concat %pk, %{{.*}} {axis = 2 : i64} : (tensor<2x4x5x8xf32>, tensor<2x4x3x8xf32>) -> tensor<2x4x8x8xf32>
// CHECK: %[[V:.*]] = infer.concat %pv, %{{.*}} {axis = 2 : i64}
// CHECK: %[[Y:.*]] = infer.attention %[[Q]], %[[K]], %[[V]] {scale = 5.000000e-01 : f64, causal = "bottom_right", softcap = 2.000000e+01 : f64}
// CHECK: %[[T:.*]] = infer.transpose %[[Y]] {perm = array<i64: 0, 2, 1, 3>} : (tensor<2x4x3x8xf32>) -> tensor<2x3x4x8xf32>
// CHECK: infer.reshape %[[T]] : (tensor<2x3x4x8xf32>) -> tensor<2x3x32xf32>
// CHECK: func.return %{{.*}}, %[[K]], %[[V]]
builtin.module attributes {onnx.opset_import = {ai.onnx = 24 : i64}} {
  func.func @attention_3d_cache(%q: tensor<2x3x32xf32>, %k: tensor<2x3x32xf32>, %v: tensor<2x3x32xf32>, %pk: tensor<2x4x5x8xf32>, %pv: tensor<2x4x5x8xf32>) -> (tensor<2x3x32xf32>, tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>) {
    %none = onnx.NoValue
    %y, %nk, %nv, %qk = onnx.Attention(%q, %k, %v, %none, %pk, %pv, %none) {is_causal = 1 : i64, q_num_heads = 4 : i64, kv_num_heads = 4 : i64, scale = 0.5 : f32, softcap = 20.0 : f32} : (tensor<2x3x32xf32>, tensor<2x3x32xf32>, tensor<2x3x32xf32>, none, tensor<2x4x5x8xf32>, tensor<2x4x5x8xf32>, none) -> (tensor<2x3x32xf32>, tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>, none)
    func.return %y, %nk, %nv : tensor<2x3x32xf32>, tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>
  }
}

// -----

// nonpad_kv_seqlen: an additive mask of the padded keys, built from key positions.
// CHECK-LABEL: func.func @attention_nonpad
// CHECK: %[[N:.*]] = infer.unsqueeze %n {axes = array<i64: 1, 2, 3>} : (tensor<2xi64>) -> tensor<2x1x1x1xi64>
// CHECK: %[[P:.*]] = infer.less %{{.*}}, %[[N]] : (tensor<1x1x1x3xi64>, tensor<2x1x1x1xi64>) -> tensor<2x1x1x3xi1>
// CHECK: %[[B:.*]] = infer.select %[[P]], %{{.*}}, %{{.*}} : (tensor<2x1x1x3xi1>, tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>) -> tensor<2x1x1x3xf32>
// CHECK: infer.attention %q, %q, %q, %[[B]]
builtin.module attributes {onnx.opset_import = {ai.onnx = 24 : i64}} {
  func.func @attention_nonpad(%q: tensor<2x2x3x8xf32>, %n: tensor<2xi64>) -> tensor<2x2x3x8xf32> {
    %none = onnx.NoValue
    %y, %nk, %nv, %qk = onnx.Attention(%q, %q, %q, %none, %none, %none, %n) : (tensor<2x2x3x8xf32>, tensor<2x2x3x8xf32>, tensor<2x2x3x8xf32>, none, none, none, tensor<2xi64>) -> (tensor<2x2x3x8xf32>, none, none, none)
    func.return %y : tensor<2x2x3x8xf32>
  }
}

// -----

// CHECK: Attention, opset 24: nonpad_kv_seqlen cannot be combined with past_key and past_value
builtin.module attributes {onnx.opset_import = {ai.onnx = 24 : i64}} {
  func.func @attention_nonpad_cache(%q: tensor<2x2x3x8xf32>, %p: tensor<2x2x4x8xf32>, %n: tensor<2xi64>) -> tensor<2x2x3x8xf32> {
    %none = onnx.NoValue
    %y, %nk, %nv, %qk = onnx.Attention(%q, %q, %q, %none, %p, %p, %n) : (tensor<2x2x3x8xf32>, tensor<2x2x3x8xf32>, tensor<2x2x3x8xf32>, none, tensor<2x2x4x8xf32>, tensor<2x2x4x8xf32>, tensor<2xi64>) -> (tensor<2x2x3x8xf32>, none, none, none)
    func.return %y : tensor<2x2x3x8xf32>
  }
}
