// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-infer | filecheck %s

// MaxPool-1 (opset 7): no ceil mode, no dilations.
// CHECK-LABEL: func.func @max_pool_v1
// CHECK: %[[Y:.*]] = infer.max_pool %{{.*}} {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>}
// CHECK-SAME: : (tensor<?x64x112x112xf32>) -> tensor<?x64x56x56xf32>
// CHECK: func.return %[[Y]]
builtin.module attributes {onnx.opset_import = {ai.onnx = 7 : i64}} {
  func.func @max_pool_v1(%x: tensor<?x64x112x112xf32>) -> tensor<?x64x56x56xf32> {
    %y, %i = onnx.MaxPool(%x) {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x64x112x112xf32>) -> (tensor<?x64x56x56xf32>, none)
    func.return %y : tensor<?x64x56x56xf32>
  }
}

// -----

// SAME_UPPER with ceil mode: pads from the spec, then the ceil-mode size rule.
// CHECK-LABEL: func.func @max_pool_same_ceil
// CHECK: infer.max_pool %{{.*}} {kernel = array<i64: 3, 2>, strides = array<i64: 2, 3>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 1, 0>, ceil_mode}
// CHECK-SAME: -> tensor<1x3x5x3xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 12 : i64}} {
  func.func @max_pool_same_ceil(%x: tensor<1x3x9x8xf32>) -> tensor<1x3x5x3xf32> {
    %y, %i = onnx.MaxPool(%x) {auto_pad = "SAME_UPPER", ceil_mode = 1 : i64, kernel_shape = array<i64: 3, 2>, strides = array<i64: 2, 3>} : (tensor<1x3x9x8xf32>) -> (tensor<1x3x5x3xf32>, none)
    func.return %y : tensor<1x3x5x3xf32>
  }
}

// -----

// The ONNX-declared type (ONNX shape inference keeps the last ceil-mode window)
// yields to infer's rule, which drops a window that starts in the end padding.
// CHECK-LABEL: func.func @max_pool_ceil_drops_window
// CHECK: infer.max_pool %{{.*}} {kernel = array<i64: 2>, strides = array<i64: 2>, dilations = array<i64: 1>, pads = array<i64: 1, 1>, ceil_mode}
// CHECK-SAME: : (tensor<2x4x5xi8>) -> tensor<2x4x3xi8>
// CHECK: func.return %{{.*}} : tensor<2x4x3xi8>
builtin.module attributes {onnx.opset_import = {ai.onnx = 22 : i64}} {
  func.func @max_pool_ceil_drops_window(%x: tensor<2x4x5xi8>) -> tensor<2x4x4xi8> {
    %y, %i = onnx.MaxPool(%x) {ceil_mode = 1 : i64, kernel_shape = array<i64: 2>, pads = array<i64: 1, 1>, strides = array<i64: 2>} : (tensor<2x4x5xi8>) -> (tensor<2x4x4xi8>, none)
    func.return %y : tensor<2x4x4xi8>
  }
}

// -----

// MaxPool-12 with its Indices output (row-major by default).
// CHECK-LABEL: func.func @max_pool_indices_row_major
// CHECK: %[[Y:.*]], %[[I:.*]] = infer.max_pool_with_indices %{{.*}} {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>}
// CHECK-NOT: column_major
// CHECK: func.return %[[Y]], %[[I]]
builtin.module attributes {onnx.opset_import = {ai.onnx = 12 : i64}} {
  func.func @max_pool_indices_row_major(%x: tensor<1x3x8x8xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xi64>) {
    %y, %i = onnx.MaxPool(%x) {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xi64>)
    func.return %y, %i : tensor<1x3x4x4xf32>, tensor<1x3x4x4xi64>
  }
}

// -----

// count_include_pad (since 7) and ceil_mode (since 10) become unit attributes.
// CHECK-LABEL: func.func @average_pool
// CHECK: infer.avg_pool %{{.*}} {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, ceil_mode, count_include_pad}
// CHECK-SAME: : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 11 : i64}} {
  func.func @average_pool(%x: tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32> {
    %y = onnx.AveragePool(%x) {ceil_mode = 1 : i64, count_include_pad = 1 : i64, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
    func.return %y : tensor<?x8x?x?xf32>
  }
}

// -----

// Dilations (since AveragePool-19) widen the SAME pads; SAME_LOWER puts the odd one first.
// CHECK-LABEL: func.func @average_pool_same_dilated
// CHECK: infer.avg_pool %{{.*}} {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 3, 1>, pads = array<i64: 2, 1, 1, 0>}
// CHECK-SAME: -> tensor<1x2x6x5xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 19 : i64}} {
  func.func @average_pool_same_dilated(%x: tensor<1x2x6x5xf32>) -> tensor<1x2x6x5xf32> {
    %y = onnx.AveragePool(%x) {auto_pad = "SAME_LOWER", dilations = array<i64: 3, 1>, kernel_shape = array<i64: 2, 2>} : (tensor<1x2x6x5xf32>) -> tensor<1x2x6x5xf32>
    func.return %y : tensor<1x2x6x5xf32>
  }
}

// -----

// CHECK: AveragePool, opset 19: window of extent 7 does not fit input of size 6 with pads 0, 0
builtin.module attributes {onnx.opset_import = {ai.onnx = 19 : i64}} {
  func.func @average_pool_too_large(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x1x1xf32> {
    %y = onnx.AveragePool(%x) {kernel_shape = array<i64: 4, 2>, dilations = array<i64: 2, 1>} : (tensor<1x2x6x6xf32>) -> tensor<1x2x1x1xf32>
    func.return %y : tensor<1x2x1x1xf32>
  }
}

// -----

// LpPool-2 takes an integer p; pads add nothing to the norm.
// CHECK-LABEL: func.func @lp_pool
// CHECK: infer.lp_pool %{{.*}} {p = 3.000000e+00 : f64, kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>}
// CHECK-SAME: : (tensor<?x4x7x7xf32>) -> tensor<?x4x4x4xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 11 : i64}} {
  func.func @lp_pool(%x: tensor<?x4x7x7xf32>) -> tensor<?x4x4x4xf32> {
    %y = onnx.LpPool(%x) {auto_pad = "SAME_UPPER", kernel_shape = array<i64: 2, 2>, p = 3 : i64, strides = array<i64: 2, 2>} : (tensor<?x4x7x7xf32>) -> tensor<?x4x4x4xf32>
    func.return %y : tensor<?x4x4x4xf32>
  }
}

// -----

// GlobalLpPool is |x|^p summed over the spatial dims (kept), then the p-th root.
// CHECK-LABEL: func.func @global_lp_pool
// CHECK: %[[A:.*]] = infer.abs %{{.*}}
// CHECK: %[[P:.*]] = infer.pow %[[A]], %{{.*}}
// CHECK: %[[S:.*]] = infer.reduce_sum %[[P]] {axes = array<i64: 2, 3>, keepdims} : (tensor<?x4x?x?xf32>) -> tensor<?x4x1x1xf32>
// CHECK: infer.pow %[[S]], %{{.*}} : (tensor<?x4x1x1xf32>, tensor<1x1x1x1xf32>) -> tensor<?x4x1x1xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @global_lp_pool(%x: tensor<?x4x?x?xf32>) -> tensor<?x4x1x1xf32> {
    %y = onnx.GlobalLpPool(%x) {p = 3 : i64} : (tensor<?x4x?x?xf32>) -> tensor<?x4x1x1xf32>
    func.return %y : tensor<?x4x1x1xf32>
  }
}

// -----

// LRN keeps its parameters (schema defaults filled in) as a composite.
// CHECK-LABEL: func.func @lrn
// CHECK: infer.lrn %{{.*}} {size = 5 : i64, alpha = 9.9999997473787516e-05 : f64, beta = 7.500000e-01 : f64, bias = 2.000000e+00 : f64}
// CHECK-SAME: : (tensor<?x96x55x55xf32>) -> tensor<?x96x55x55xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @lrn(%x: tensor<?x96x55x55xf32>) -> tensor<?x96x55x55xf32> {
    %y = onnx.LRN(%x) {size = 5 : i64, bias = 2.0 : f32} : (tensor<?x96x55x55xf32>) -> tensor<?x96x55x55xf32>
    func.return %y : tensor<?x96x55x55xf32>
  }
}

// -----

// MaxPool's Indices output (storage_order = 1: column-major spatial index).
// CHECK-LABEL: func.func @max_pool_indices
// CHECK: %[[V:.*]], %[[I:.*]] = infer.max_pool_with_indices %{{.*}} {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, column_major}
// CHECK-SAME: : (tensor<?x3x8x8xf32>) -> (tensor<?x3x4x4xf32>, tensor<?x3x4x4xi64>)
// CHECK: %[[U:.*]] = infer.max_unpool %[[V]], %[[I]] {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, output_spatial = array<i64: 9, 9>}
// CHECK-SAME: -> tensor<?x3x9x9xf32>
// CHECK: func.return %[[U]], %[[I]]
builtin.module attributes {onnx.opset_import = {ai.onnx = 22 : i64}} {
  func.func @max_pool_indices(%x: tensor<?x3x8x8xf32>) -> (tensor<?x3x9x9xf32>, tensor<?x3x4x4xi64>) {
    %y, %i = onnx.MaxPool(%x) {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, storage_order = 1 : i64} : (tensor<?x3x8x8xf32>) -> (tensor<?x3x4x4xf32>, tensor<?x3x4x4xi64>)
    %shape = onnx.Constant() {value = dense<[1, 3, 9, 9]> : tensor<4xi64>} : () -> tensor<4xi64>
    %u = onnx.MaxUnpool(%y, %i, %shape) {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x3x4x4xf32>, tensor<?x3x4x4xi64>, tensor<4xi64>) -> tensor<?x3x9x9xf32>
    func.return %u, %i : tensor<?x3x9x9xf32>, tensor<?x3x4x4xi64>
  }
}

// -----

// CHECK: MaxUnpool, opset 22: output_shape [1, 3, 9] must have 4 entries (the output's rank)
builtin.module attributes {onnx.opset_import = {ai.onnx = 22 : i64}} {
  func.func @max_unpool_short_shape(%x: tensor<1x3x4x4xf32>, %i: tensor<1x3x4x4xi64>) -> tensor<1x3x9x9xf32> {
    %shape = onnx.Constant() {value = dense<[1, 3, 9]> : tensor<3xi64>} : () -> tensor<3xi64>
    %u = onnx.MaxUnpool(%x, %i, %shape) {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xi64>, tensor<3xi64>) -> tensor<1x3x9x9xf32>
    func.return %u : tensor<1x3x9x9xf32>
  }
}
