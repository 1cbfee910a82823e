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

// -----

// Trilu on static dims: a constant mask and a select.
// CHECK-LABEL: func.func @trilu_static
// CHECK: %[[M:.*]] = infer.constant {{.*}} : tensor<1x3x4xi1>
// CHECK: infer.select %[[M]], %{{.*}}, %{{.*}} : (tensor<1x3x4xi1>, tensor<2x3x4xf32>, tensor<1x1x1xf32>) -> tensor<2x3x4xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 14 : i64}} {
  func.func @trilu_static(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
    %k = onnx.Constant() {value = dense<1> : tensor<i64>} : () -> tensor<i64>
    %y = onnx.Trilu(%x, %k) {upper = 0 : i64} : (tensor<2x3x4xf32>, tensor<i64>) -> tensor<2x3x4xf32>
    func.return %y : tensor<2x3x4xf32>
  }
}

// -----

// Trilu on dynamic dims with k at run time: the mask compares column - row with k.
// CHECK-LABEL: func.func @trilu_dynamic
// CHECK: infer.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
// CHECK: %[[D:.*]] = infer.sub %{{.*}}, %{{.*}} : (tensor<1x?xi64>, tensor<?x1xi64>) -> tensor<?x?xi64>
// CHECK: %[[M:.*]] = infer.greater_equal %[[D]], %{{.*}} : (tensor<?x?xi64>, tensor<1x1xi64>) -> tensor<?x?xi1>
// CHECK: infer.select %[[M]], %{{.*}}, %{{.*}} : (tensor<?x?xi1>, tensor<?x?xf32>, tensor<1x1xf32>) -> tensor<?x?xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 14 : i64}} {
  func.func @trilu_dynamic(%x: tensor<?x?xf32>, %k: tensor<i64>) -> tensor<?x?xf32> {
    %y = onnx.Trilu(%x, %k) : (tensor<?x?xf32>, tensor<i64>) -> tensor<?x?xf32>
    func.return %y : tensor<?x?xf32>
  }
}

// -----

// OneHot: the indices (negative ones counted from the end) compared with the positions along the new axis.
// CHECK-LABEL: func.func @one_hot
// CHECK: %[[P:.*]] = infer.constant {{.*}} : tensor<1x5x1xi64>
// CHECK: %[[I:.*]] = infer.unsqueeze %{{.*}} {axes = array<i64: 1>} : (tensor<?x3xi64>) -> tensor<?x1x3xi64>
// CHECK: %[[H:.*]] = infer.equal %[[I]], %[[P]] : (tensor<?x1x3xi64>, tensor<1x5x1xi64>) -> tensor<?x5x3xi1>
// CHECK: infer.select %[[H]], %{{.*}}, %{{.*}} : (tensor<?x5x3xi1>, tensor<1x1x1xf32>, tensor<1x1x1xf32>) -> tensor<?x5x3xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 11 : i64}} {
  func.func @one_hot(%i: tensor<?x3xi64>) -> tensor<?x5x3xf32> {
    %d = onnx.Constant() {value = dense<5> : tensor<i64>} : () -> tensor<i64>
    %v = onnx.Constant() {value = dense<[0.0, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
    %y = onnx.OneHot(%i, %d, %v) {axis = 1 : i64} : (tensor<?x3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<?x5x3xf32>
    func.return %y : tensor<?x5x3xf32>
  }
}

// -----

// CHECK: OneHot, opset 11: depth 0 must be at least 1
builtin.module attributes {onnx.opset_import = {ai.onnx = 11 : i64}} {
  func.func @one_hot_depth(%i: tensor<3xi64>) -> tensor<3x0xf32> {
    %d = onnx.Constant() {value = dense<0> : tensor<i64>} : () -> tensor<i64>
    %v = onnx.Constant() {value = dense<[0.0, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
    %y = onnx.OneHot(%i, %d, %v) : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<3x0xf32>
    func.return %y : tensor<3x0xf32>
  }
}

// -----

// EyeLike on dynamic dims: column - row == k, cast to the element type.
// CHECK-LABEL: func.func @eye_like_dynamic
// CHECK: %[[M:.*]] = infer.equal %{{.*}}, %{{.*}} : (tensor<?x?xi64>, tensor<1x1xi64>) -> tensor<?x?xi1>
// CHECK: infer.cast %[[M]] : (tensor<?x?xi1>) -> tensor<?x?xi32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 22 : i64}} {
  func.func @eye_like_dynamic(%x: tensor<?x?xf32>) -> tensor<?x?xi32> {
    %y = onnx.EyeLike(%x) {k = 1 : i64, dtype = 6 : i64} : (tensor<?x?xf32>) -> tensor<?x?xi32>
    func.return %y : tensor<?x?xi32>
  }
}

// -----

// CHECK-LABEL: func.func @gather_scatter
// CHECK: infer.gather_nd %{{.*}}, %{{.*}} {batch_dims = 1 : i64} : (tensor<?x5x4xf32>, tensor<?x3x1xi64>) -> tensor<?x3x4xf32>
// CHECK: infer.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} {reduction = "mul"} : (tensor<5x4xf32>, tensor<3x1xi64>, tensor<3x4xf32>) -> tensor<5x4xf32>
// CHECK: infer.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<5x4xf32>, tensor<3x1xi64>, tensor<3x1xf32>) -> tensor<5x4xf32>
// CHECK: infer.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64, reduction = "min"}
builtin.module attributes {onnx.opset_import = {ai.onnx = 18 : i64}} {
  func.func @gather_scatter(%d: tensor<?x5x4xf32>, %i: tensor<?x3x1xi64>, %m: tensor<5x4xf32>, %j: tensor<3x1xi64>, %u: tensor<3x4xf32>, %v: tensor<3x1xf32>) -> (tensor<?x3x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>) {
    %g = onnx.GatherND(%d, %i) {batch_dims = 1 : i64} : (tensor<?x5x4xf32>, tensor<?x3x1xi64>) -> tensor<?x3x4xf32>
    %n = onnx.ScatterND(%m, %j, %u) {reduction = "mul"} : (tensor<5x4xf32>, tensor<3x1xi64>, tensor<3x4xf32>) -> tensor<5x4xf32>
    %e = onnx.ScatterElements(%m, %j, %v) {axis = -1 : i64} : (tensor<5x4xf32>, tensor<3x1xi64>, tensor<3x1xf32>) -> tensor<5x4xf32>
    %f = onnx.ScatterElements(%m, %j, %v) {reduction = "min"} : (tensor<5x4xf32>, tensor<3x1xi64>, tensor<3x1xf32>) -> tensor<5x4xf32>
    func.return %g, %n, %e, %f : tensor<?x3x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>, tensor<5x4xf32>
  }
}

// -----

// The legacy Scatter is ScatterElements without reduction.
// CHECK-LABEL: func.func @scatter_legacy
// CHECK: infer.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} :
builtin.module attributes {onnx.opset_import = {ai.onnx = 9 : i64}} {
  func.func @scatter_legacy(%m: tensor<5x4xf32>, %j: tensor<3x1xi64>, %v: tensor<3x1xf32>) -> tensor<5x4xf32> {
    %e = onnx.Scatter(%m, %j, %v) {axis = 1 : i64} : (tensor<5x4xf32>, tensor<3x1xi64>, tensor<3x1xf32>) -> tensor<5x4xf32>
    func.return %e : tensor<5x4xf32>
  }
}

// -----

// CHECK: GatherND, opset 13: index tuples of length 3 do not fit data of rank 3 with 1 batch dims
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @gather_nd_depth(%d: tensor<2x5x4xf32>, %i: tensor<2x3xi64>) -> tensor<2xf32> {
    %g = onnx.GatherND(%d, %i) {batch_dims = 1 : i64} : (tensor<2x5x4xf32>, tensor<2x3xi64>) -> tensor<2xf32>
    func.return %g : tensor<2xf32>
  }
}

// -----

// A constant K makes the result dim static; largest = 0 drops the unit attribute.
// CHECK-LABEL: func.func @top_k
// CHECK: %[[K:.*]] = infer.constant dense<3> : tensor<1xi64>
// CHECK: infer.top_k %{{.*}}, %[[K]] {axis = 0 : i64} : (tensor<5x?xf32>, tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
builtin.module attributes {onnx.opset_import = {ai.onnx = 11 : i64}} {
  func.func @top_k(%x: tensor<5x?xf32>) -> (tensor<3x?xf32>, tensor<3x?xi64>) {
    %k = onnx.Constant() {value = dense<3> : tensor<1xi64>} : () -> tensor<1xi64>
    %v, %i = onnx.TopK(%x, %k) {axis = 0 : i64, largest = 0 : i64} : (tensor<5x?xf32>, tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
    func.return %v, %i : tensor<3x?xf32>, tensor<3x?xi64>
  }
}

// -----

// CHECK: TopK, opset 11: k = 6 is outside [0, 5] (the size of axis 0)
builtin.module attributes {onnx.opset_import = {ai.onnx = 11 : i64}} {
  func.func @top_k_too_large(%x: tensor<5x?xf32>) -> (tensor<6x?xf32>, tensor<6x?xi64>) {
    %k = onnx.Constant() {value = dense<6> : tensor<1xi64>} : () -> tensor<1xi64>
    %v, %i = onnx.TopK(%x, %k) {axis = 0 : i64} : (tensor<5x?xf32>, tensor<1xi64>) -> (tensor<6x?xf32>, tensor<6x?xi64>)
    func.return %v, %i : tensor<6x?xf32>, tensor<6x?xi64>
  }
}

// -----

// DepthToSpace is reshape, transpose, reshape; on static dims the reshapes need no shape operand.
// CHECK-LABEL: func.func @depth_to_space
// CHECK: %[[R:.*]] = infer.reshape %{{.*}} : (tensor<?x8x3x4xf32>) -> tensor<?x2x2x2x3x4xf32>
// CHECK: %[[T:.*]] = infer.transpose %[[R]] {perm = array<i64: 0, 3, 4, 1, 5, 2>} : (tensor<?x2x2x2x3x4xf32>) -> tensor<?x2x3x2x4x2xf32>
// CHECK: infer.reshape %[[T]] : (tensor<?x2x3x2x4x2xf32>) -> tensor<?x2x6x8xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @depth_to_space(%x: tensor<?x8x3x4xf32>) -> tensor<?x2x6x8xf32> {
    %y = onnx.DepthToSpace(%x) {blocksize = 2 : i64} : (tensor<?x8x3x4xf32>) -> tensor<?x2x6x8xf32>
    func.return %y : tensor<?x2x6x8xf32>
  }
}

// -----

// Several dynamic dims: the target shapes are computed from the input's dims at run time.
// CHECK-LABEL: func.func @space_to_depth_dynamic
// CHECK: infer.shape_of %{{.*}} {start = 2 : i64, end = 3 : i64}
// CHECK: infer.div %{{.*}}, %{{.*}} : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
// CHECK: %[[S:.*]] = infer.concat
// CHECK: %[[R:.*]] = infer.reshape %{{.*}}, %[[S]] : (tensor<?x3x?x?xf32>, tensor<6xi64>) -> tensor<?x3x?x2x?x2xf32>
// CHECK: infer.transpose %[[R]] {perm = array<i64: 0, 1, 3, 5, 2, 4>}
// CHECK: -> tensor<?x12x?x?xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 28 : i64}} {
  func.func @space_to_depth_dynamic(%x: tensor<?x3x?x?xf32>) -> tensor<?x12x?x?xf32> {
    %y = onnx.SpaceToDepth(%x) {blocksize = 2 : i64, mode = "CRD"} : (tensor<?x3x?x?xf32>) -> tensor<?x12x?x?xf32>
    func.return %y : tensor<?x12x?x?xf32>
  }
}

// -----

// CHECK: DepthToSpace, opset 13: attribute 'mode' = 'XYZ' is not supported; supported: DCR, CRD
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @depth_to_space_mode(%x: tensor<1x8x3x4xf32>) -> tensor<1x2x6x8xf32> {
    %y = onnx.DepthToSpace(%x) {blocksize = 2 : i64, mode = "XYZ"} : (tensor<1x8x3x4xf32>) -> tensor<1x2x6x8xf32>
    func.return %y : tensor<1x2x6x8xf32>
  }
}
