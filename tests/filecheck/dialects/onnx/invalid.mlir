// RUN: infer-opt %s --split-input-file --verify-diagnostics | filecheck %s

// Each op is checked against onnx.defs.get_schema(name, opset) at the opset
// the module imports.

// CHECK: Relu at opset 14: unknown attribute 'alpha'
builtin.module attributes {onnx.opset_import = {ai.onnx = 14 : i64}} {
  func.func @unknown_attribute(%x: tensor<2xf32>) -> tensor<2xf32> {
    %y = onnx.Relu(%x) {alpha = 1.000000e-01 : f32} : (tensor<2xf32>) -> tensor<2xf32>
    func.return %y : tensor<2xf32>
  }
}

// -----

// CHECK: Softmax at opset 13: attribute 'axis' must be an int (`3 : i64`), got 1.000000e+00 : f32
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @wrong_attribute_type(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
    %y = onnx.Softmax(%x) {axis = 1.0 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
    func.return %y : tensor<2x3xf32>
  }
}

// -----

// CHECK: Conv at opset 13: attribute 'kernel_shape' must be ints (`array<i64: 1, 2>`), got array<i32: 3, 3>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @wrong_array_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
    %none = onnx.NoValue
    %y = onnx.Conv(%x, %w, %none) {kernel_shape = array<i32: 3, 3>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, none) -> tensor<1x4x6x6xf32>
    func.return %y : tensor<1x4x6x6xf32>
  }
}

// -----

// CHECK: Gemm at opset 13: required input 'B' (#1) is missing
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @missing_input(%a: tensor<2x3xf32>) -> tensor<2x4xf32> {
    %none = onnx.NoValue
    %y = onnx.Gemm(%a, %none, %none) : (tensor<2x3xf32>, none, none) -> tensor<2x4xf32>
    func.return %y : tensor<2x4xf32>
  }
}

// -----

// Clip-6 takes min and max as attributes; the inputs came with opset 11.

// CHECK: Clip at opset 6: takes at most 1 inputs, but input #1 is given
builtin.module attributes {onnx.opset_import = {ai.onnx = 6 : i64}} {
  func.func @too_many_inputs(%x: tensor<2xf32>, %lo: tensor<f32>) -> tensor<2xf32> {
    %none = onnx.NoValue
    %y = onnx.Clip(%x, %lo, %none) : (tensor<2xf32>, tensor<f32>, none) -> tensor<2xf32>
    func.return %y : tensor<2xf32>
  }
}

// -----

// CHECK: Relu at opset 13: 'X' has type tensor(int32), not one of T: tensor(bfloat16), tensor(double), tensor(float), tensor(float16)
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @type_constraint(%x: tensor<2xi32>) -> tensor<2xi32> {
    %y = onnx.Relu(%x) : (tensor<2xi32>) -> tensor<2xi32>
    func.return %y : tensor<2xi32>
  }
}

// -----

// CHECK: Add at opset 14: 'B' has type tensor(double) but T is already tensor(float)
builtin.module attributes {onnx.opset_import = {ai.onnx = 14 : i64}} {
  func.func @homogeneous_constraint(%a: tensor<2xf32>, %b: tensor<2xf64>) -> tensor<2xf32> {
    %y = onnx.Add(%a, %b) : (tensor<2xf32>, tensor<2xf64>) -> tensor<2xf32>
    func.return %y : tensor<2xf32>
  }
}

// -----

// Split's num_outputs came with opset 18.

// CHECK: Split at opset 13: unknown attribute 'num_outputs' (Split has it at opsets 18+)
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @attribute_of_another_opset(%x: tensor<4xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
    %none = onnx.NoValue
    %a, %b = onnx.Split(%x, %none) {num_outputs = 2 : i64} : (tensor<4xf32>, none) -> (tensor<2xf32>, tensor<2xf32>)
    func.return %a, %b : tensor<2xf32>, tensor<2xf32>
  }
}

// -----

// CHECK: Gelu at opset 17: the operator does not exist at this opset of 'ai.onnx'; it exists from opset 20
builtin.module attributes {onnx.opset_import = {ai.onnx = 17 : i64}} {
  func.func @op_of_a_later_opset(%x: tensor<2xf32>) -> tensor<2xf32> {
    %y = onnx.Gelu(%x) : (tensor<2xf32>) -> tensor<2xf32>
    func.return %y : tensor<2xf32>
  }
}

// -----

// CHECK: Cast at opset 13: required attribute 'to' is missing
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @missing_attribute(%x: tensor<2xf32>) -> tensor<2xi64> {
    %y = onnx.Cast(%x) : (tensor<2xf32>) -> tensor<2xi64>
    func.return %y : tensor<2xi64>
  }
}

// -----

// CHECK: If at opset 16: required graph attribute 'else_branch' (a region) is missing
builtin.module attributes {onnx.opset_import = {ai.onnx = 16 : i64}} {
  func.func @missing_region(%c: tensor<i1>, %x: tensor<2xf32>) -> tensor<2xf32> {
    %r = onnx.If(%c) ({
      onnx.Yield %x : tensor<2xf32>
    }, {
    }) : (tensor<i1>) -> tensor<2xf32>
    func.return %r : tensor<2xf32>
  }
}

// -----

// CHECK: ZipMap: the module imports no opset of domain 'ai.onnx.ml'
builtin.module attributes {onnx.opset_import = {ai.onnx = 17 : i64}} {
  func.func @domain_not_imported(%x: tensor<1x3xf32>) -> !onnx.seq<!onnx.map<i64, tensor<f32>>> {
    %m = onnx.ml.ZipMap(%x) {classlabels_int64s = array<i64: 1, 2, 3>} : (tensor<1x3xf32>) -> !onnx.seq<!onnx.map<i64, tensor<f32>>>
    func.return %m : !onnx.seq<!onnx.map<i64, tensor<f32>>>
  }
}

// -----

// CHECK: #onnx.strings has 1 values but its type tensor<2x!onnx.string> needs 2
builtin.module attributes {onnx.opset_import = {ai.onnx = 17 : i64}} {
  func.func @string_count() -> tensor<2x!onnx.string> {
    %s = onnx.Constant() {value = #onnx.strings<["a"] : tensor<2x!onnx.string>>} : () -> tensor<2x!onnx.string>
    func.return %s : tensor<2x!onnx.string>
  }
}
