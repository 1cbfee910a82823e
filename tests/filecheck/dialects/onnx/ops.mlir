// RUN: infer-opt %s --split-input-file --print-constants | filecheck %s
// RUN: infer-opt %s --split-input-file --print-constants | infer-opt --split-input-file --print-constants | filecheck %s

// An absent optional input is a `none` operand; attributes keep their ONNX names.

// CHECK-LABEL: func.func @conv_with_none
// CHECK:       %[[NONE:.*]] = onnx.NoValue
// CHECK-NEXT:  %{{.*}} = onnx.Conv(%{{.*}}, %{{.*}}, %[[NONE]]) {auto_pad = "SAME_UPPER", kernel_shape = array<i64: 3, 3>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, none) -> tensor<1x4x8x8xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @conv_with_none(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
    %none = onnx.NoValue
    %y = onnx.Conv(%x, %w, %none) {auto_pad = "SAME_UPPER", kernel_shape = array<i64: 3, 3>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, none) -> tensor<1x4x8x8xf32>
    func.return %y : tensor<1x4x8x8xf32>
  }
}

// -----

// Every ONNX attribute kind: float, floats, ints, strings, tensor (a NaN and
// -0.0 survive as hex), int, string.

// CHECK-LABEL: func.func @attribute_kinds
// CHECK:      onnx.LeakyRelu(%{{.*}}) {alpha = 1.000000e-01 : f32}
// CHECK:      onnx.Constant() {value_floats = array<f32: 1.500000e+00, -2.000000e+00>} : () -> tensor<2xf32>
// CHECK:      onnx.Constant() {value_ints = array<i64: 1, 2, 3>} : () -> tensor<3xi64>
// CHECK:      onnx.Constant() {value_strings = ["a", "b"]} : () -> tensor<2x!onnx.string>
// CHECK:      onnx.Constant() {value = dense<"0x0000803F0000004001C0FF7F00000080"> : tensor<2x2xf32>}
// CHECK:      onnx.Constant() {value_int = 7 : i64} : () -> tensor<i64>
// CHECK:      onnx.Constant() {value_string = "text"} : () -> tensor<!onnx.string>
builtin.module attributes {onnx.opset_import = {ai.onnx = 17 : i64}} {
  func.func @attribute_kinds(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2xf32>, tensor<3xi64>, tensor<2x!onnx.string>, tensor<2x2xf32>, tensor<i64>, tensor<!onnx.string>) {
    %a = onnx.LeakyRelu(%x) {alpha = 1.000000e-01 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %b = onnx.Constant() {value_floats = array<f32: 1.5, -2.0>} : () -> tensor<2xf32>
    %c = onnx.Constant() {value_ints = array<i64: 1, 2, 3>} : () -> tensor<3xi64>
    %d = onnx.Constant() {value_strings = ["a", "b"]} : () -> tensor<2x!onnx.string>
    %e = onnx.Constant() {value = dense<"0x0000803F0000004001C0FF7F00000080"> : tensor<2x2xf32>} : () -> tensor<2x2xf32>
    %f = onnx.Constant() {value_int = 7 : i64} : () -> tensor<i64>
    %g = onnx.Constant() {value_string = "text"} : () -> tensor<!onnx.string>
    func.return %a, %b, %c, %d, %e, %f, %g : tensor<2x3xf32>, tensor<2xf32>, tensor<3xi64>, tensor<2x!onnx.string>, tensor<2x2xf32>, tensor<i64>, tensor<!onnx.string>
  }
}

// -----

// String tensors keep their bytes, UTF-8 or not.

// CHECK-LABEL: func.func @string_tensor
// CHECK: onnx.Constant() {value = #onnx.strings<["hello", "\FF\00", ""] : tensor<3x!onnx.string>>} : () -> tensor<3x!onnx.string>
builtin.module attributes {onnx.opset_import = {ai.onnx = 17 : i64}} {
  func.func @string_tensor() -> tensor<3x!onnx.string> {
    %s = onnx.Constant() {value = #onnx.strings<["hello", "\FF\00", ""] : tensor<3x!onnx.string>>} : () -> tensor<3x!onnx.string>
    func.return %s : tensor<3x!onnx.string>
  }
}

// -----

// Graph attributes are regions, ended by onnx.Yield; bodies use outer values.

// CHECK-LABEL: func.func @if_regions
// CHECK-SAME:  (%[[C:.*]]: tensor<i1>, %[[X:.*]]: tensor<2xf32>)
// CHECK:       onnx.If(%[[C]]) ({
// CHECK-NEXT:    %[[T:.*]] = onnx.Relu(%[[X]])
// CHECK-NEXT:    onnx.Yield %[[T]] : tensor<2xf32>
// CHECK-NEXT:  }, {
// CHECK-NEXT:    %[[F:.*]] = onnx.Neg(%[[X]])
// CHECK-NEXT:    onnx.Yield %[[F]] : tensor<2xf32>
// CHECK-NEXT:  }) : (tensor<i1>) -> tensor<2xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 16 : i64}} {
  func.func @if_regions(%c: tensor<i1>, %x: tensor<2xf32>) -> tensor<2xf32> {
    %r = onnx.If(%c) ({
      %t = onnx.Relu(%x) : (tensor<2xf32>) -> tensor<2xf32>
      onnx.Yield %t : tensor<2xf32>
    }, {
      %f = onnx.Neg(%x) : (tensor<2xf32>) -> tensor<2xf32>
      onnx.Yield %f : tensor<2xf32>
    }) : (tensor<i1>) -> tensor<2xf32>
    func.return %r : tensor<2xf32>
  }
}

// -----

// CHECK-LABEL: func.func @loop_outer_scope
// CHECK-SAME:  (%[[N:.*]]: tensor<i64>, %[[X:.*]]: tensor<2xf32>)
// CHECK:       %[[NONE:.*]] = onnx.NoValue
// CHECK:       onnx.Loop(%[[N]], %[[NONE]], %[[X]]) ({
// CHECK-NEXT:  ^{{.*}}(%{{.*}}: tensor<i64>, %[[COND:.*]]: tensor<i1>, %[[V:.*]]: tensor<2xf32>):
// CHECK-NEXT:    %[[NEXT:.*]] = onnx.Add(%[[V]], %[[X]])
// CHECK-NEXT:    onnx.Yield %[[COND]], %[[NEXT]], %[[NEXT]] : tensor<i1>, tensor<2xf32>, tensor<2xf32>
// CHECK-NEXT:  }) : (tensor<i64>, none, tensor<2xf32>) -> (tensor<2xf32>, tensor<?x2xf32>)
builtin.module attributes {onnx.opset_import = {ai.onnx = 16 : i64}} {
  func.func @loop_outer_scope(%n: tensor<i64>, %x: tensor<2xf32>) -> (tensor<2xf32>, tensor<?x2xf32>) {
    %none = onnx.NoValue
    %acc, %scan = onnx.Loop(%n, %none, %x) ({
    ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %v: tensor<2xf32>):
      %next = onnx.Add(%v, %x) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      onnx.Yield %cond, %next, %next : tensor<i1>, tensor<2xf32>, tensor<2xf32>
    }) : (tensor<i64>, none, tensor<2xf32>) -> (tensor<2xf32>, tensor<?x2xf32>)
    func.return %acc, %scan : tensor<2xf32>, tensor<?x2xf32>
  }
}

// -----

// CHECK-LABEL: func.func @scan_body
// CHECK:       onnx.Scan(%{{.*}}, %{{.*}}) ({
// CHECK-NEXT:  ^{{.*}}(%[[S:.*]]: tensor<2xf32>, %[[E:.*]]: tensor<2xf32>):
// CHECK-NEXT:    %[[SUM:.*]] = onnx.Add(%[[S]], %[[E]])
// CHECK-NEXT:    onnx.Yield %[[SUM]], %[[SUM]] : tensor<2xf32>, tensor<2xf32>
// CHECK-NEXT:  }) {num_scan_inputs = 1 : i64} : (tensor<2xf32>, tensor<5x2xf32>) -> (tensor<2xf32>, tensor<5x2xf32>)
builtin.module attributes {onnx.opset_import = {ai.onnx = 16 : i64}} {
  func.func @scan_body(%init: tensor<2xf32>, %xs: tensor<5x2xf32>) -> (tensor<2xf32>, tensor<5x2xf32>) {
    %last, %all = onnx.Scan(%init, %xs) ({
    ^bb0(%s: tensor<2xf32>, %e: tensor<2xf32>):
      %sum = onnx.Add(%s, %e) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      onnx.Yield %sum, %sum : tensor<2xf32>, tensor<2xf32>
    }) {num_scan_inputs = 1 : i64} : (tensor<2xf32>, tensor<5x2xf32>) -> (tensor<2xf32>, tensor<5x2xf32>)
    func.return %last, %all : tensor<2xf32>, tensor<5x2xf32>
  }
}

// -----

// Sequences and optionals have types of their own; a TYPE_PROTO attribute is a type.

// CHECK-LABEL: func.func @sequence_and_optional
// CHECK:       onnx.SequenceConstruct(%{{.*}}, %{{.*}}) : (tensor<2xf32>, tensor<3xf32>) -> !onnx.seq<tensor<?xf32>>
// CHECK:       onnx.Optional(%{{.*}}) : (tensor<2xf32>) -> !onnx.opt<tensor<2xf32>>
// CHECK:       %[[EMPTY:.*]] = onnx.Optional(%{{.*}}) {type = !onnx.seq<tensor<?xf32>>} : (none) -> !onnx.opt<!onnx.seq<tensor<?xf32>>>
// CHECK:       onnx.OptionalHasElement(%[[EMPTY]]) : (!onnx.opt<!onnx.seq<tensor<?xf32>>>) -> tensor<i1>
builtin.module attributes {onnx.opset_import = {ai.onnx = 18 : i64}} {
  func.func @sequence_and_optional(%x: tensor<2xf32>, %y: tensor<3xf32>) -> (!onnx.seq<tensor<?xf32>>, !onnx.opt<tensor<2xf32>>, !onnx.opt<!onnx.seq<tensor<?xf32>>>, tensor<i1>) {
    %s = onnx.SequenceConstruct(%x, %y) : (tensor<2xf32>, tensor<3xf32>) -> !onnx.seq<tensor<?xf32>>
    %o = onnx.Optional(%x) : (tensor<2xf32>) -> !onnx.opt<tensor<2xf32>>
    %none = onnx.NoValue
    %e = onnx.Optional(%none) {type = !onnx.seq<tensor<?xf32>>} : (none) -> !onnx.opt<!onnx.seq<tensor<?xf32>>>
    %h = onnx.OptionalHasElement(%e) : (!onnx.opt<!onnx.seq<tensor<?xf32>>>) -> tensor<i1>
    func.return %s, %o, %e, %h : !onnx.seq<tensor<?xf32>>, !onnx.opt<tensor<2xf32>>, !onnx.opt<!onnx.seq<tensor<?xf32>>>, tensor<i1>
  }
}

// -----

// ai.onnx.ml ops are onnx.ml.*; maps are !onnx.map<key, value>.

// CHECK-LABEL: func.func @ml_map
// CHECK: onnx.ml.ZipMap(%{{.*}}) {classlabels_strings = ["a", "b", "c"]} : (tensor<1x3xf32>) -> !onnx.seq<!onnx.map<!onnx.string, tensor<f32>>>
builtin.module attributes {onnx.opset_import = {ai.onnx = 17 : i64, ai.onnx.ml = 3 : i64}} {
  func.func @ml_map(%x: tensor<1x3xf32>) -> !onnx.seq<!onnx.map<!onnx.string, tensor<f32>>> {
    %m = onnx.ml.ZipMap(%x) {classlabels_strings = ["a", "b", "c"]} : (tensor<1x3xf32>) -> !onnx.seq<!onnx.map<!onnx.string, tensor<f32>>>
    func.return %m : !onnx.seq<!onnx.map<!onnx.string, tensor<f32>>>
  }
}

// -----

// Variadic inputs and outputs; a result ONNX shape inference could not type.

// CHECK-LABEL: func.func @variadic
// CHECK: onnx.Concat(%{{.*}}, %{{.*}}, %{{.*}}) {axis = 0 : i64} : (tensor<1xf32>, tensor<2xf32>, tensor<3xf32>) -> tensor<6xf32>
// CHECK: onnx.Split(%{{.*}}, %{{.*}}) {num_outputs = 3 : i64} : (tensor<6xf32>, none) -> (tensor<2xf32>, tensor<2xf32>, !onnx.unknown)
builtin.module attributes {onnx.opset_import = {ai.onnx = 18 : i64}} {
  func.func @variadic(%a: tensor<1xf32>, %b: tensor<2xf32>, %c: tensor<3xf32>) -> !onnx.unknown {
    %none = onnx.NoValue
    %cat = onnx.Concat(%a, %b, %c) {axis = 0 : i64} : (tensor<1xf32>, tensor<2xf32>, tensor<3xf32>) -> tensor<6xf32>
    %p, %q, %r = onnx.Split(%cat, %none) {num_outputs = 3 : i64} : (tensor<6xf32>, none) -> (tensor<2xf32>, tensor<2xf32>, !onnx.unknown)
    func.return %r : !onnx.unknown
  }
}

// -----

// Training ops of ai.onnx.preview.training; an initializer of a type the
// Constant of an old opset cannot produce is marked as such.

// CHECK-LABEL: func.func @preview_and_initializer
// CHECK: onnx.Constant() {value = dense<[1, 2]> : tensor<2xi64>, onnx.initializer} : () -> tensor<2xi64>
// CHECK: onnx.preview.training.Momentum(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) {alpha = 9.000000e-01 : f32, beta = 1.000000e-01 : f32, mode = "standard", norm_coefficient = 0.000000e+00 : f32}
builtin.module attributes {onnx.opset_import = {ai.onnx = 8 : i64, ai.onnx.preview.training = 1 : i64}} {
  func.func @preview_and_initializer(%r: tensor<f32>, %t: tensor<i64>, %x: tensor<2xf32>, %g: tensor<2xf32>, %v: tensor<2xf32>) -> (tensor<2xi64>, tensor<2xf32>, tensor<2xf32>) {
    %k = onnx.Constant() {value = dense<[1, 2]> : tensor<2xi64>, onnx.initializer} : () -> tensor<2xi64>
    %x2, %v2 = onnx.preview.training.Momentum(%r, %t, %x, %g, %v) {alpha = 9.000000e-01 : f32, beta = 1.000000e-01 : f32, mode = "standard", norm_coefficient = 0.000000e+00 : f32} : (tensor<f32>, tensor<i64>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>)
    func.return %k, %x2, %v2 : tensor<2xi64>, tensor<2xf32>, tensor<2xf32>
  }
}
