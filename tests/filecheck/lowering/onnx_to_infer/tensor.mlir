// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-infer | filecheck %s

// A 0 copies the dynamic batch and -1 is inferred from the other dims.
// CHECK-LABEL: func.func @reshape_copy_batch
// CHECK: %[[Y:.*]] = infer.reshape %[[X:.*]] : (tensor<?x3x4xf32>) -> tensor<?x12xf32>
// CHECK: func.return %[[Y]]
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @reshape_copy_batch(%x: tensor<?x3x4xf32>) -> tensor<?x12xf32> {
    %shape = onnx.Constant() {value = dense<[0, -1]> : tensor<2xi64>} : () -> tensor<2xi64>
    %y = onnx.Reshape(%x, %shape) : (tensor<?x3x4xf32>, tensor<2xi64>) -> tensor<?x12xf32>
    func.return %y : tensor<?x12xf32>
  }
}

// -----

// Two dynamic result dims: the shape is built at run time from the input's dims.
// CHECK-LABEL: func.func @reshape_two_dynamic
// CHECK: %[[N:.*]] = infer.shape_of %[[X:.*]] {start = 0 : i64, end = 1 : i64}
// CHECK: %[[S:.*]] = infer.concat %[[N]], %{{.*}} {axis = 0 : i64} : (tensor<1xi64>, tensor<2xi64>) -> tensor<3xi64>
// CHECK: infer.reshape %[[X]], %[[S]] : (tensor<?x3x?xf32>, tensor<3xi64>) -> tensor<?x3x?xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @reshape_two_dynamic(%x: tensor<?x3x?xf32>) -> tensor<?x3x?xf32> {
    %shape = onnx.Constant() {value = dense<[0, 3, -1]> : tensor<3xi64>} : () -> tensor<3xi64>
    %y = onnx.Reshape(%x, %shape) : (tensor<?x3x?xf32>, tensor<3xi64>) -> tensor<?x3x?xf32>
    func.return %y : tensor<?x3x?xf32>
  }
}

// -----

// A shape computed at run time: ONNX's 0-copy rule becomes explicit.
// CHECK-LABEL: func.func @reshape_run_time
// CHECK: %[[COPY:.*]] = infer.shape_of %[[X:.*]] {start = 0 : i64, end = 2 : i64}
// CHECK: %[[ZERO:.*]] = infer.equal %[[S:.*]], %{{.*}}
// CHECK: %[[T:.*]] = infer.select %[[ZERO]], %[[COPY]], %[[S]]
// CHECK: infer.reshape %[[X]], %[[T]] : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 14 : i64}} {
  func.func @reshape_run_time(%x: tensor<2x3x4xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
    %y = onnx.Reshape(%x, %s) : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
    func.return %y : tensor<?x?xf32>
  }
}

// -----

// CHECK-LABEL: func.func @squeeze_unsqueeze
// CHECK: infer.squeeze %{{.*}} {axes = array<i64: 1, 3>} : (tensor<?x1x5x1xf32>) -> tensor<?x5xf32>
// CHECK: infer.unsqueeze %{{.*}} {axes = array<i64: 0, 3>} : (tensor<?x5xf32>) -> tensor<1x?x5x1xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @squeeze_unsqueeze(%x: tensor<?x1x5x1xf32>) -> tensor<1x?x5x1xf32> {
    %axes = onnx.Constant() {value = dense<[-1, 1]> : tensor<2xi64>} : () -> tensor<2xi64>
    %s = onnx.Squeeze(%x, %axes) : (tensor<?x1x5x1xf32>, tensor<2xi64>) -> tensor<?x5xf32>
    %axes2 = onnx.Constant() {value = dense<[-1, 0]> : tensor<2xi64>} : () -> tensor<2xi64>
    %u = onnx.Unsqueeze(%s, %axes2) : (tensor<?x5xf32>, tensor<2xi64>) -> tensor<1x?x5x1xf32>
    func.return %u : tensor<1x?x5x1xf32>
  }
}

// -----

// Slice: unlisted axes take everything; negative steps and INT64_MIN ends stay as numpy clamps them.
// CHECK-LABEL: func.func @slice_negative_step
// CHECK: infer.slice %{{.*}} {starts = array<i64: 0, -1>, ends = array<i64: 9223372036854775807, -9223372036854775808>, steps = array<i64: 1, -2>} : (tensor<?x7xf32>) -> tensor<?x4xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @slice_negative_step(%x: tensor<?x7xf32>) -> tensor<?x4xf32> {
    %starts = onnx.Constant() {value = dense<[-1]> : tensor<1xi64>} : () -> tensor<1xi64>
    %ends = onnx.Constant() {value = dense<[-9223372036854775808]> : tensor<1xi64>} : () -> tensor<1xi64>
    %axes = onnx.Constant() {value = dense<[-1]> : tensor<1xi64>} : () -> tensor<1xi64>
    %steps = onnx.Constant() {value = dense<[-2]> : tensor<1xi64>} : () -> tensor<1xi64>
    %y = onnx.Slice(%x, %starts, %ends, %axes, %steps) : (tensor<?x7xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x4xf32>
    func.return %y : tensor<?x4xf32>
  }
}

// -----

// Bounds computed at run time: per-dim starts and ends are assembled around the given axes.
// CHECK-LABEL: func.func @slice_run_time
// CHECK: %[[B:.*]] = infer.slice %[[S:.*]] {starts = array<i64: 0>, ends = array<i64: 1>, steps = array<i64: 1>} : (tensor<1xi64>) -> tensor<1xi64>
// CHECK: %[[STARTS:.*]] = infer.concat %{{.*}}, %[[B]] {axis = 0 : i64}
// CHECK: infer.dynamic_slice %{{.*}}, %[[STARTS]], %{{.*}} {steps = array<i64: 1, 1>} : (tensor<?x5xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @slice_run_time(%x: tensor<?x5xf32>, %starts: tensor<1xi64>) -> tensor<?x?xf32> {
    %ends = onnx.Constant() {value = dense<[4]> : tensor<1xi64>} : () -> tensor<1xi64>
    %axes = onnx.Constant() {value = dense<[-1]> : tensor<1xi64>} : () -> tensor<1xi64>
    %none = onnx.NoValue
    %y = onnx.Slice(%x, %starts, %ends, %axes, %none) : (tensor<?x5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<?x?xf32>
    func.return %y : tensor<?x?xf32>
  }
}

// -----

// CHECK: Slice, opset 13: input 'axes' must be a constant (computed at run time is not supported)
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @slice_axes_run_time(%x: tensor<5xf32>, %axes: tensor<1xi64>) -> tensor<?xf32> {
    %starts = onnx.Constant() {value = dense<[1]> : tensor<1xi64>} : () -> tensor<1xi64>
    %ends = onnx.Constant() {value = dense<[4]> : tensor<1xi64>} : () -> tensor<1xi64>
    %none = onnx.NoValue
    %y = onnx.Slice(%x, %starts, %ends, %axes, %none) : (tensor<5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, none) -> tensor<?xf32>
    func.return %y : tensor<?xf32>
  }
}

// -----

// CHECK-LABEL: func.func @split_num_outputs
// CHECK: infer.split %{{.*}} {axis = 1 : i64, sizes = array<i64: 3, 3, 1>} : (tensor<?x7xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x1xf32>)
builtin.module attributes {onnx.opset_import = {ai.onnx = 18 : i64}} {
  func.func @split_num_outputs(%x: tensor<?x7xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x1xf32>) {
    %none = onnx.NoValue
    %a, %b, %c = onnx.Split(%x, %none) {axis = -1 : i64, num_outputs = 3 : i64} : (tensor<?x7xf32>, none) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x1xf32>)
    func.return %a, %b, %c : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x1xf32>
  }
}

// -----

// Pad 18 with axes: pads become per dim, begins then ends.
// CHECK-LABEL: func.func @pad_axes
// CHECK: infer.pad %{{.*}} {pads = array<i64: 0, 0, 0, 1, 0, 0, 0, 2>, mode = "reflect"} : (tensor<?x3x4x5xf32>) -> tensor<?x3x4x8xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 18 : i64}} {
  func.func @pad_axes(%x: tensor<?x3x4x5xf32>) -> tensor<?x3x4x8xf32> {
    %pads = onnx.Constant() {value = dense<[1, 2]> : tensor<2xi64>} : () -> tensor<2xi64>
    %none = onnx.NoValue
    %axes = onnx.Constant() {value = dense<[-1]> : tensor<1xi64>} : () -> tensor<1xi64>
    %y = onnx.Pad(%x, %pads, %none, %axes) {mode = "reflect"} : (tensor<?x3x4x5xf32>, tensor<2xi64>, none, tensor<1xi64>) -> tensor<?x3x4x8xf32>
    func.return %y : tensor<?x3x4x8xf32>
  }
}

// -----

// Upsample-9 rounds down (asymmetric coordinates) when enlarging.
// CHECK-LABEL: func.func @upsample
// CHECK: infer.resize %{{.*}} {coordinate_mode = "asymmetric", nearest_mode = "floor", scales = array<f64: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>} : (tensor<?x3x4x4xf32>) -> tensor<?x3x8x8xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 9 : i64}} {
  func.func @upsample(%x: tensor<?x3x4x4xf32>) -> tensor<?x3x8x8xf32> {
    %scales = onnx.Constant() {value = dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>} : () -> tensor<4xf32>
    %y = onnx.Upsample(%x, %scales) : (tensor<?x3x4x4xf32>, tensor<4xf32>) -> tensor<?x3x8x8xf32>
    func.return %y : tensor<?x3x8x8xf32>
  }
}

// -----

// Resize-18 sizes on some axes: the others keep their (dynamic) dims.
// CHECK-LABEL: func.func @resize_axes
// CHECK: infer.resize %{{.*}} {mode = "linear", coordinate_mode = "align_corners", sizes = array<i64: -1, 3, 7, 9>} : (tensor<?x3x4x4xf32>) -> tensor<?x3x7x9xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 19 : i64}} {
  func.func @resize_axes(%x: tensor<?x3x4x4xf32>) -> tensor<?x3x7x9xf32> {
    %none = onnx.NoValue
    %sizes = onnx.Constant() {value = dense<[9, 7]> : tensor<2xi64>} : () -> tensor<2xi64>
    %y = onnx.Resize(%x, %none, %none, %sizes) {axes = array<i64: 3, 2>, mode = "linear", coordinate_transformation_mode = "align_corners"} : (tensor<?x3x4x4xf32>, none, none, tensor<2xi64>) -> tensor<?x3x7x9xf32>
    func.return %y : tensor<?x3x7x9xf32>
  }
}

// -----

// CHECK: Resize, opset 19: attribute 'antialias' = 1 is not supported
builtin.module attributes {onnx.opset_import = {ai.onnx = 19 : i64}} {
  func.func @resize_antialias(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x4x4xf32> {
    %none = onnx.NoValue
    %scales = onnx.Constant() {value = dense<[1.0, 1.0, 0.5, 0.5]> : tensor<4xf32>} : () -> tensor<4xf32>
    %y = onnx.Resize(%x, %none, %scales, %none) {antialias = 1 : i64, mode = "linear"} : (tensor<1x1x8x8xf32>, none, tensor<4xf32>, none) -> tensor<1x1x4x4xf32>
    func.return %y : tensor<1x1x4x4xf32>
  }
}

// -----

// Shape of static dims is a constant; of dynamic ones, infer.shape_of.
// CHECK-LABEL: func.func @shapes
// CHECK-DAG: infer.constant dense<[3, 4]> : tensor<2xi64>
// CHECK-DAG: infer.shape_of %{{.*}} {start = 0 : i64, end = 2 : i64} : (tensor<?x3x4xf32>) -> tensor<2xi64>
builtin.module attributes {onnx.opset_import = {ai.onnx = 15 : i64}} {
  func.func @shapes(%x: tensor<?x3x4xf32>) -> (tensor<2xi64>, tensor<2xi64>) {
    %a = onnx.Shape(%x) {start = -2 : i64} : (tensor<?x3x4xf32>) -> tensor<2xi64>
    %b = onnx.Shape(%x) {end = -1 : i64} : (tensor<?x3x4xf32>) -> tensor<2xi64>
    func.return %a, %b : tensor<2xi64>, tensor<2xi64>
  }
}

// -----

// Expand is bidirectional: the input is first brought to the shape's rank.
// CHECK-LABEL: func.func @expand
// CHECK: %[[U:.*]] = infer.unsqueeze %{{.*}} {axes = array<i64: 0>} : (tensor<?x1xf32>) -> tensor<1x?x1xf32>
// CHECK: infer.broadcast_to %[[U]], %{{.*}} : (tensor<1x?x1xf32>, tensor<3xi64>) -> tensor<2x?x4xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @expand(%x: tensor<?x1xf32>) -> tensor<2x?x4xf32> {
    %shape = onnx.Constant() {value = dense<[2, 1, 4]> : tensor<3xi64>} : () -> tensor<3xi64>
    %y = onnx.Expand(%x, %shape) : (tensor<?x1xf32>, tensor<3xi64>) -> tensor<2x?x4xf32>
    func.return %y : tensor<2x?x4xf32>
  }
}
