// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-infer | filecheck %s

// CHECK-LABEL: func.func @batch_norm
// CHECK: infer.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64}
// CHECK-SAME: -> tensor<?x64x?x?xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 15 : i64}} {
  func.func @batch_norm(%x: tensor<?x64x?x?xf32>, %s: tensor<64xf32>, %b: tensor<64xf32>, %m: tensor<64xf32>, %v: tensor<64xf32>) -> tensor<?x64x?x?xf32> {
    %y, %rm, %rv, %sm, %sv = onnx.BatchNormalization(%x, %s, %b, %m, %v) {epsilon = 1.0e-3 : f32} : (tensor<?x64x?x?xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<?x64x?x?xf32>, none, none, none, none)
    func.return %y : tensor<?x64x?x?xf32>
  }
}

// -----

// BatchNormalization-15 may take parameters of another type: they are cast to the input's.
// CHECK-LABEL: func.func @batch_norm_mixed
// CHECK: %[[S:.*]] = infer.cast %{{.*}} : (tensor<8xf32>) -> tensor<8xf16>
// CHECK: infer.batch_norm %{{.*}}, %[[S]], {{.*}} : (tensor<2x8xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>) -> tensor<2x8xf16>
builtin.module attributes {onnx.opset_import = {ai.onnx = 15 : i64}} {
  func.func @batch_norm_mixed(%x: tensor<2x8xf16>, %s: tensor<8xf32>, %b: tensor<8xf32>, %m: tensor<8xf32>, %v: tensor<8xf32>) -> tensor<2x8xf16> {
    %y, %rm, %rv, %sm, %sv = onnx.BatchNormalization(%x, %s, %b, %m, %v) : (tensor<2x8xf16>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x8xf16>, none, none, none, none)
    func.return %y : tensor<2x8xf16>
  }
}

// -----

// spatial = 0 (before version 9): one parameter per activation, as broadcast elementwise ops.
// CHECK-LABEL: func.func @batch_norm_per_activation
// CHECK-NOT: infer.batch_norm
// CHECK: infer.sqrt
// CHECK: infer.div
// CHECK: infer.mul
// CHECK: infer.add %{{.*}}, %{{.*}} : (tensor<?x3x4xf32>, tensor<1x3x4xf32>) -> tensor<?x3x4xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 7 : i64}} {
  func.func @batch_norm_per_activation(%x: tensor<?x3x4xf32>, %p: tensor<3x4xf32>) -> tensor<?x3x4xf32> {
    %y, %rm, %rv, %sm, %sv = onnx.BatchNormalization(%x, %p, %p, %p, %p) {spatial = 0 : i64} : (tensor<?x3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) -> (tensor<?x3x4xf32>, none, none, none, none)
    func.return %y : tensor<?x3x4xf32>
  }
}

// -----

// CHECK: BatchNormalization, opset 15: training mode (training_mode = 1) is not supported
builtin.module attributes {onnx.opset_import = {ai.onnx = 15 : i64}} {
  func.func @batch_norm_training(%x: tensor<2x3xf32>, %p: tensor<3xf32>) -> tensor<2x3xf32> {
    %y, %rm, %rv, %sm, %sv = onnx.BatchNormalization(%x, %p, %p, %p, %p) {training_mode = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3xf32>, none, none, none, none)
    func.return %y : tensor<2x3xf32>
  }
}

// -----

// CHECK-LABEL: func.func @instance_norm
// CHECK: infer.instance_norm %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64}
// CHECK-SAME: : (tensor<?x3x?xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x?xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 6 : i64}} {
  func.func @instance_norm(%x: tensor<?x3x?xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<?x3x?xf32> {
    %y = onnx.InstanceNormalization(%x, %s, %b) : (tensor<?x3x?xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x?xf32>
    func.return %y : tensor<?x3x?xf32>
  }
}

// -----

// Scale and bias get the input's rank; the axis is normalized.
// CHECK-LABEL: func.func @layer_norm
// CHECK: %[[S:.*]] = infer.unsqueeze %{{.*}} {axes = array<i64: 0, 1>} : (tensor<768xf32>) -> tensor<1x1x768xf32>
// CHECK: infer.layer_norm %{{.*}}, %[[S]] {axis = 2 : i64, epsilon = 1.000000e-05 : f64}
// CHECK-SAME: : (tensor<?x?x768xf32>, tensor<1x1x768xf32>) -> tensor<?x?x768xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 17 : i64}} {
  func.func @layer_norm(%x: tensor<?x?x768xf32>, %s: tensor<768xf32>) -> tensor<?x?x768xf32> {
    %none = onnx.NoValue
    %y, %mean, %inv = onnx.LayerNormalization(%x, %s, %none) : (tensor<?x?x768xf32>, tensor<768xf32>, none) -> (tensor<?x?x768xf32>, none, none)
    func.return %y : tensor<?x?x768xf32>
  }
}

// -----

// Mean and InvStdDev, when used, are computed in float32 beside the composite.
// CHECK-LABEL: func.func @layer_norm_statistics
// CHECK: infer.layer_norm
// CHECK: %[[X:.*]] = infer.cast %{{.*}} : (tensor<2x3xf16>) -> tensor<2x3xf32>
// CHECK: %[[MEAN:.*]] = infer.reduce_mean %[[X]] {axes = array<i64: 1>, keepdims} : (tensor<2x3xf32>) -> tensor<2x1xf32>
// CHECK: %[[INV:.*]] = infer.reciprocal %{{.*}} : (tensor<2x1xf32>) -> tensor<2x1xf32>
// CHECK: func.return %{{.*}}, %[[MEAN]], %[[INV]]
builtin.module attributes {onnx.opset_import = {ai.onnx = 17 : i64}} {
  func.func @layer_norm_statistics(%x: tensor<2x3xf16>, %s: tensor<3xf16>) -> (tensor<2x3xf16>, tensor<2x1xf32>, tensor<2x1xf32>) {
    %none = onnx.NoValue
    %y, %mean, %inv = onnx.LayerNormalization(%x, %s, %none) : (tensor<2x3xf16>, tensor<3xf16>, none) -> (tensor<2x3xf16>, tensor<2x1xf32>, tensor<2x1xf32>)
    func.return %y, %mean, %inv : tensor<2x3xf16>, tensor<2x1xf32>, tensor<2x1xf32>
  }
}

// -----

// CHECK: LayerNormalization, opset 17: attribute 'stash_type' = 11 is not supported
builtin.module attributes {onnx.opset_import = {ai.onnx = 17 : i64}} {
  func.func @layer_norm_stash_type(%x: tensor<2x3xf32>, %s: tensor<3xf32>) -> tensor<2x3xf32> {
    %none = onnx.NoValue
    %y, %mean, %inv = onnx.LayerNormalization(%x, %s, %none) {stash_type = 11 : i64} : (tensor<2x3xf32>, tensor<3xf32>, none) -> (tensor<2x3xf32>, none, none)
    func.return %y : tensor<2x3xf32>
  }
}

// -----

// CHECK-LABEL: func.func @rms_norm
// CHECK: %[[S:.*]] = infer.unsqueeze %s {axes = array<i64: 0>} : (tensor<8x16xf32>) -> tensor<1x8x16xf32>
// CHECK: infer.rms_norm %x, %[[S]] {axis = 1 : i64, epsilon = 1.000000e-05 : f64} : (tensor<?x8x16xf32>, tensor<1x8x16xf32>) -> tensor<?x8x16xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 23 : i64}} {
  func.func @rms_norm(%x: tensor<?x8x16xf32>, %s: tensor<8x16xf32>) -> tensor<?x8x16xf32> {
    %y = onnx.RMSNormalization(%x, %s) {axis = -2 : i64} : (tensor<?x8x16xf32>, tensor<8x16xf32>) -> tensor<?x8x16xf32>
    func.return %y : tensor<?x8x16xf32>
  }
}

// -----

// CHECK: RMSNormalization, opset 23: attribute 'stash_type' = 0 is not supported; supported: 1 (statistics in float32)
builtin.module attributes {onnx.opset_import = {ai.onnx = 23 : i64}} {
  func.func @rms_norm_stash(%x: tensor<?x16xf32>, %s: tensor<16xf32>) -> tensor<?x16xf32> {
    %y = onnx.RMSNormalization(%x, %s) {stash_type = 0 : i64} : (tensor<?x16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
    func.return %y : tensor<?x16xf32>
  }
}

// -----

// GroupNormalization-21: per-channel parameters.
// CHECK-LABEL: func.func @group_norm_21
// CHECK: infer.group_norm %x, %s, %b {num_groups = 2 : i64, epsilon = 1.000000e-05 : f64} : (tensor<?x6x?xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<?x6x?xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 21 : i64}} {
  func.func @group_norm_21(%x: tensor<?x6x?xf32>, %s: tensor<6xf32>, %b: tensor<6xf32>) -> tensor<?x6x?xf32> {
    %y = onnx.GroupNormalization(%x, %s, %b) {num_groups = 2 : i64} : (tensor<?x6x?xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<?x6x?xf32>
    func.return %y : tensor<?x6x?xf32>
  }
}

// -----

// GroupNormalization-18: per-group parameters, repeated per channel.
// CHECK-LABEL: func.func @group_norm_18
// CHECK: %[[S:.*]] = infer.gather %s, %{{.*}} {axis = 0 : i64} : (tensor<2xf32>, tensor<6xi64>) -> tensor<6xf32>
// CHECK: %[[B:.*]] = infer.gather %b, %{{.*}} {axis = 0 : i64} : (tensor<2xf32>, tensor<6xi64>) -> tensor<6xf32>
// CHECK: infer.group_norm %x, %[[S]], %[[B]] {num_groups = 2 : i64, epsilon = 1.000000e-03 : f64}
builtin.module attributes {onnx.opset_import = {ai.onnx = 18 : i64}} {
  func.func @group_norm_18(%x: tensor<?x6x?xf32>, %s: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<?x6x?xf32> {
    %y = onnx.GroupNormalization(%x, %s, %b) {num_groups = 2 : i64, epsilon = 1.0e-3 : f32} : (tensor<?x6x?xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x6x?xf32>
    func.return %y : tensor<?x6x?xf32>
  }
}

// -----

// CHECK: GroupNormalization, opset 21: attribute 'num_groups' = 4 is not supported; supported: a positive divisor of the 6 channels
builtin.module attributes {onnx.opset_import = {ai.onnx = 21 : i64}} {
  func.func @group_norm_groups(%x: tensor<?x6x?xf32>, %s: tensor<6xf32>, %b: tensor<6xf32>) -> tensor<?x6x?xf32> {
    %y = onnx.GroupNormalization(%x, %s, %b) {num_groups = 4 : i64} : (tensor<?x6x?xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<?x6x?xf32>
    func.return %y : tensor<?x6x?xf32>
  }
}

// -----

// CHECK-LABEL: func.func @lp_norm
// CHECK: %[[N:.*]] = infer.reduce_sum %{{.*}} {axes = array<i64: 1>, keepdims} : (tensor<?x8xf32>) -> tensor<?x1xf32>
// CHECK: infer.sqrt %[[N]]
// CHECK: infer.select
// CHECK: infer.div %x, %{{.*}} : (tensor<?x8xf32>, tensor<?x1xf32>) -> tensor<?x8xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 22 : i64}} {
  func.func @lp_norm(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
    %y = onnx.LpNormalization(%x) : (tensor<?x8xf32>) -> tensor<?x8xf32>
    func.return %y : tensor<?x8xf32>
  }
}

// -----

// CHECK: LpNormalization, opset 22: attribute 'p' = 3 is not supported; supported: 1 or 2
builtin.module attributes {onnx.opset_import = {ai.onnx = 22 : i64}} {
  func.func @lp_norm_p3(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
    %y = onnx.LpNormalization(%x) {p = 3 : i64} : (tensor<?x8xf32>) -> tensor<?x8xf32>
    func.return %y : tensor<?x8xf32>
  }
}

// -----

// CHECK-LABEL: func.func @mvn
// CHECK: infer.reduce_mean %x {axes = array<i64: 0, 2, 3>, keepdims} : (tensor<?x3x?x?xf32>) -> tensor<1x3x1x1xf32>
// CHECK: infer.div
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @mvn(%x: tensor<?x3x?x?xf32>) -> tensor<?x3x?x?xf32> {
    %y = onnx.MeanVarianceNormalization(%x) : (tensor<?x3x?x?xf32>) -> tensor<?x3x?x?xf32>
    func.return %y : tensor<?x3x?x?xf32>
  }
}
