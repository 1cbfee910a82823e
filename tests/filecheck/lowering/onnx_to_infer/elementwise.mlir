// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-infer | filecheck %s

// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK: %[[U:.*]] = infer.unsqueeze %[[B]] {axes = array<i64: 0, 1>} : (tensor<4xf32>) -> tensor<1x1x4xf32>
// CHECK: infer.add %[[X]], %[[U]] : (tensor<?x3x4xf32>, tensor<1x1x4xf32>) -> tensor<?x3x4xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 14 : i64}} {
  func.func @add_broadcast(%x: tensor<?x3x4xf32>, %b: tensor<4xf32>) -> tensor<?x3x4xf32> {
    %y = onnx.Add(%x, %b) : (tensor<?x3x4xf32>, tensor<4xf32>) -> tensor<?x3x4xf32>
    func.return %y : tensor<?x3x4xf32>
  }
}

// -----

// A constant operand is reshaped, not unsqueezed.
// CHECK-LABEL: func.func @mul_constant
// CHECK: %[[C:.*]] = infer.constant dense<2.500000e+00> : tensor<1x1xf32>
// CHECK-NOT: infer.unsqueeze
// CHECK: infer.mul %{{.*}}, %[[C]] : (tensor<2x3xf32>, tensor<1x1xf32>) -> tensor<2x3xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @mul_constant(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
    %c = onnx.Constant() {value = dense<2.5> : tensor<f32>} : () -> tensor<f32>
    %y = onnx.Mul(%x, %c) : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
    func.return %y : tensor<2x3xf32>
  }
}

// -----

// Variadic ops become chains of binary ops; Mean divides by the count.
// CHECK-LABEL: func.func @mean
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>, %[[C:.*]]: tensor<2x1xf32>)
// CHECK: %[[BU:.*]] = infer.unsqueeze %[[B]] {axes = array<i64: 0>}
// CHECK: %[[S1:.*]] = infer.add %[[A]], %[[BU]]
// CHECK: %[[S2:.*]] = infer.add %[[S1]], %[[C]]
// CHECK: %[[N:.*]] = infer.constant dense<3.000000e+00> : tensor<1x1xf32>
// CHECK: infer.div %[[S2]], %[[N]]
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @mean(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x1xf32>) -> tensor<2x3xf32> {
    %y = onnx.Mean(%a, %b, %c) : (tensor<2x3xf32>, tensor<3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
    func.return %y : tensor<2x3xf32>
  }
}

// -----

// CHECK-LABEL: func.func @max_single_input
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xi32>)
// CHECK-NOT: infer.max
// CHECK: func.return %[[A]]
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @max_single_input(%a: tensor<2x3xi32>) -> tensor<2x3xi32> {
    %y = onnx.Max(%a) : (tensor<2x3xi32>) -> tensor<2x3xi32>
    func.return %y : tensor<2x3xi32>
  }
}

// -----

// Pow-12+: a constant exponent of another type is converted at compile time.
// CHECK-LABEL: func.func @pow_constant_exponent
// CHECK: %[[E:.*]] = infer.constant dense<2.000000e+00> : tensor<1x1xf32>
// CHECK-NOT: infer.cast
// CHECK: infer.pow %{{.*}}, %[[E]] : (tensor<2x3xf32>, tensor<1x1xf32>) -> tensor<2x3xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 15 : i64}} {
  func.func @pow_constant_exponent(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
    %e = onnx.Constant() {value = dense<2> : tensor<i64>} : () -> tensor<i64>
    %y = onnx.Pow(%x, %e) : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
    func.return %y : tensor<2x3xf32>
  }
}

// -----

// An integer base with a float exponent is computed in f64 and truncated back.
// CHECK-LABEL: func.func @pow_int_base_float_exponent
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>, %[[E:.*]]: tensor<4xf32>)
// CHECK: %[[XF:.*]] = infer.cast %[[X]] : (tensor<4xi32>) -> tensor<4xf64>
// CHECK: %[[EF:.*]] = infer.cast %[[E]] : (tensor<4xf32>) -> tensor<4xf64>
// CHECK: %[[P:.*]] = infer.pow %[[XF]], %[[EF]] : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
// CHECK: infer.cast %[[P]] : (tensor<4xf64>) -> tensor<4xi32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 15 : i64}} {
  func.func @pow_int_base_float_exponent(%x: tensor<4xi32>, %e: tensor<4xf32>) -> tensor<4xi32> {
    %y = onnx.Pow(%x, %e) : (tensor<4xi32>, tensor<4xf32>) -> tensor<4xi32>
    func.return %y : tensor<4xi32>
  }
}

// -----

// CHECK-LABEL: func.func @fmod
// CHECK: infer.mod %{{.*}}, %{{.*}} {fmod} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @fmod(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
    %y = onnx.Mod(%a, %b) {fmod = 1 : i64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    func.return %y : tensor<4xf32>
  }
}

// -----

// CHECK: Mod, opset 13: fmod = 0 on floating-point inputs is invalid before Mod-28; set fmod = 1
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @float_floor_mod(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
    %y = onnx.Mod(%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    func.return %y : tensor<4xf32>
  }
}

// -----

// CHECK-LABEL: func.func @where
// CHECK-SAME: (%[[C:.*]]: tensor<?x1xi1>, %[[A:.*]]: tensor<4xi64>, %[[B:.*]]: tensor<?x4xi64>)
// CHECK: %[[AU:.*]] = infer.unsqueeze %[[A]] {axes = array<i64: 0>}
// CHECK: infer.select %[[C]], %[[AU]], %[[B]] : (tensor<?x1xi1>, tensor<1x4xi64>, tensor<?x4xi64>) -> tensor<?x4xi64>
builtin.module attributes {onnx.opset_import = {ai.onnx = 16 : i64}} {
  func.func @where(%c: tensor<?x1xi1>, %a: tensor<4xi64>, %b: tensor<?x4xi64>) -> tensor<?x4xi64> {
    %y = onnx.Where(%c, %a, %b) : (tensor<?x1xi1>, tensor<4xi64>, tensor<?x4xi64>) -> tensor<?x4xi64>
    func.return %y : tensor<?x4xi64>
  }
}

// -----

// Clip-6: the attribute defaults (+-FLT_MAX) are bounds too.
// CHECK-LABEL: func.func @clip_attributes
// CHECK: infer.clip %{{.*}} {min = 0.000000e+00 : f64, max = 3.4028234663852886e+38 : f64}
builtin.module attributes {onnx.opset_import = {ai.onnx = 7 : i64}} {
  func.func @clip_attributes(%x: tensor<4xf32>) -> tensor<4xf32> {
    %none = onnx.NoValue
    %y = onnx.Clip(%x, %none, %none) {min = 0.0 : f32} : (tensor<4xf32>, none, none) -> tensor<4xf32>
    func.return %y : tensor<4xf32>
  }
}

// -----

// CHECK-LABEL: func.func @clip_constant_bounds
// CHECK: infer.clip %{{.*}} {min = 0.000000e+00 : f64, max = 6.000000e+00 : f64} : (tensor<?x4xf32>) -> tensor<?x4xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @clip_constant_bounds(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %lo = onnx.Constant() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
    %hi = onnx.Constant() {value = dense<6.0> : tensor<f32>} : () -> tensor<f32>
    %y = onnx.Clip(%x, %lo, %hi) : (tensor<?x4xf32>, tensor<f32>, tensor<f32>) -> tensor<?x4xf32>
    func.return %y : tensor<?x4xf32>
  }
}

// -----

// A bound computed at run time: max(x, min) first; an absent float bound is numeric_limits.
// CHECK-LABEL: func.func @clip_runtime_min
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf32>, %[[LO:.*]]: tensor<f32>)
// CHECK: %[[LU:.*]] = infer.unsqueeze %[[LO]] {axes = array<i64: 0, 1>}
// CHECK: %[[M:.*]] = infer.max %[[X]], %[[LU]]
// CHECK: infer.clip %[[M]] {max = 3.4028234663852886e+38 : f64}
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @clip_runtime_min(%x: tensor<2x4xf32>, %lo: tensor<f32>) -> tensor<2x4xf32> {
    %none = onnx.NoValue
    %y = onnx.Clip(%x, %lo, %none) : (tensor<2x4xf32>, tensor<f32>, none) -> tensor<2x4xf32>
    func.return %y : tensor<2x4xf32>
  }
}

// -----

// CHECK-LABEL: func.func @clip_integers
// CHECK: infer.clip %{{.*}} {min = -5 : i64} : (tensor<4xi8>) -> tensor<4xi8>
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @clip_integers(%x: tensor<4xi8>) -> tensor<4xi8> {
    %lo = onnx.Constant() {value = dense<-5> : tensor<i8>} : () -> tensor<i8>
    %none = onnx.NoValue
    %y = onnx.Clip(%x, %lo, %none) : (tensor<4xi8>, tensor<i8>, none) -> tensor<4xi8>
    func.return %y : tensor<4xi8>
  }
}

// -----

// CHECK-LABEL: func.func @cast
// CHECK: infer.cast %{{.*}} : (tensor<?x3xf32>) -> tensor<?x3xi64>
builtin.module attributes {onnx.opset_import = {ai.onnx = 19 : i64}} {
  func.func @cast(%x: tensor<?x3xf32>) -> tensor<?x3xi64> {
    %y = onnx.Cast(%x) {to = 7 : i64} : (tensor<?x3xf32>) -> tensor<?x3xi64>
    func.return %y : tensor<?x3xi64>
  }
}

// -----

// Casts to float8 saturate by default (saturate = 1); saturate = 0 drops the
// unit attribute; float8e8m0 takes its round_mode (default "up"); a constant folds.
// CHECK-LABEL: func.func @cast_narrow
// CHECK: infer.cast %{{.*}} {saturate} : (tensor<?x3xf32>) -> tensor<?x3xf8E4M3FN>
// CHECK: infer.cast %{{.*}} : (tensor<?x3xf16>) -> tensor<?x3xf8E5M2>
// CHECK: infer.cast %{{.*}} {saturate, round_mode = "up"} : (tensor<?x3xf32>) -> tensor<?x3xf8E8M0FNU>
// CHECK: infer.cast %{{.*}} {saturate, round_mode = "nearest"} : (tensor<?x3xf32>) -> tensor<?x3xf8E8M0FNU>
// CHECK: infer.cast %{{.*}} : (tensor<?x3xf32>) -> tensor<?x3xbf16>
// CHECK: infer.cast %{{.*}} : (tensor<?x3xf32>) -> tensor<?x3xi4>
// CHECK: infer.constant dense<"0x7E"> : tensor<1xf8E4M3FN>
builtin.module attributes {onnx.opset_import = {ai.onnx = 25 : i64}} {
  func.func @cast_narrow(%x: tensor<?x3xf32>, %h: tensor<?x3xf16>) -> (tensor<?x3xf8E4M3FN>, tensor<?x3xf8E5M2>, tensor<?x3xf8E8M0FNU>, tensor<?x3xf8E8M0FNU>, tensor<?x3xbf16>, tensor<?x3xi4>, tensor<1xf8E4M3FN>) {
    %a = onnx.Cast(%x) {to = 17 : i64} : (tensor<?x3xf32>) -> tensor<?x3xf8E4M3FN>
    %b = onnx.Cast(%h) {to = 19 : i64, saturate = 0 : i64} : (tensor<?x3xf16>) -> tensor<?x3xf8E5M2>
    %c = onnx.Cast(%x) {to = 24 : i64} : (tensor<?x3xf32>) -> tensor<?x3xf8E8M0FNU>
    %d = onnx.Cast(%x) {to = 24 : i64, round_mode = "nearest"} : (tensor<?x3xf32>) -> tensor<?x3xf8E8M0FNU>
    %e = onnx.Cast(%x) {to = 16 : i64} : (tensor<?x3xf32>) -> tensor<?x3xbf16>
    %f = onnx.Cast(%x) {to = 22 : i64} : (tensor<?x3xf32>) -> tensor<?x3xi4>
    %k = onnx.Constant() {value = dense<1000.0> : tensor<1xf32>} : () -> tensor<1xf32>
    %g = onnx.Cast(%k) {to = 17 : i64} : (tensor<1xf32>) -> tensor<1xf8E4M3FN>
    func.return %a, %b, %c, %d, %e, %f, %g : tensor<?x3xf8E4M3FN>, tensor<?x3xf8E5M2>, tensor<?x3xf8E8M0FNU>, tensor<?x3xf8E8M0FNU>, tensor<?x3xbf16>, tensor<?x3xi4>, tensor<1xf8E4M3FN>
  }
}

// -----

// CHECK: Cast, opset 25: attribute 'round_mode' = 'sideways' is not supported; supported: "up", "down", "nearest"
builtin.module attributes {onnx.opset_import = {ai.onnx = 25 : i64}} {
  func.func @cast_round_mode(%x: tensor<3xf32>) -> tensor<3xf8E8M0FNU> {
    %y = onnx.Cast(%x) {to = 24 : i64, round_mode = "sideways"} : (tensor<3xf32>) -> tensor<3xf8E8M0FNU>
    func.return %y : tensor<3xf8E8M0FNU>
  }
}

// -----

// CHECK: Cast, opset 13: Cast to STRING is not supported
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @cast_string(%x: tensor<3xf32>) -> tensor<3x!onnx.string> {
    %y = onnx.Cast(%x) {to = 8 : i64} : (tensor<3xf32>) -> tensor<3x!onnx.string>
    func.return %y : tensor<3x!onnx.string>
  }
}

// -----

// CHECK-LABEL: func.func @identity
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xi1>)
// CHECK-NEXT: func.return %[[X]]
builtin.module attributes {onnx.opset_import = {ai.onnx = 21 : i64}} {
  func.func @identity(%x: tensor<?x3xi1>) -> tensor<?x3xi1> {
    %y = onnx.Identity(%x) : (tensor<?x3xi1>) -> tensor<?x3xi1>
    func.return %y : tensor<?x3xi1>
  }
}

// -----

// Dropout in inference: the data itself, and an all-true mask of its (dynamic) shape.
// CHECK-LABEL: func.func @dropout_mask
// CHECK-SAME: (%[[X:.*]]: tensor<?x3xf32>)
// CHECK: %[[S:.*]] = infer.shape_of %[[X]]
// CHECK: %[[M:.*]] = infer.fill %[[S]] {value = true} : (tensor<2xi64>) -> tensor<?x3xi1>
// CHECK: func.return %[[X]], %[[M]]
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @dropout_mask(%x: tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xi1>) {
    %none = onnx.NoValue
    %y, %mask = onnx.Dropout(%x, %none, %none) : (tensor<?x3xf32>, none, none) -> (tensor<?x3xf32>, tensor<?x3xi1>)
    func.return %y, %mask : tensor<?x3xf32>, tensor<?x3xi1>
  }
}

// -----

// CHECK: Dropout, opset 13: training_mode = true is not supported; infer compiles for inference only
builtin.module attributes {onnx.opset_import = {ai.onnx = 13 : i64}} {
  func.func @dropout_training(%x: tensor<3xf32>) -> tensor<3xf32> {
    %none = onnx.NoValue
    %t = onnx.Constant() {value = dense<true> : tensor<i1>} : () -> tensor<i1>
    %y, %mask = onnx.Dropout(%x, %none, %t) : (tensor<3xf32>, none, tensor<i1>) -> (tensor<3xf32>, none)
    func.return %y : tensor<3xf32>
  }
}
