// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-onnx-to-infer | filecheck %s

// A float32 attribute becomes its shortest decimal (0.1, not 0.10000000149011612).
// CHECK-LABEL: func.func @leaky_relu
// CHECK: infer.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f64} : (tensor<?x8xf32>) -> tensor<?x8xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 16 : i64}} {
  func.func @leaky_relu(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
    %y = onnx.LeakyRelu(%x) {alpha = 0.1 : f32} : (tensor<?x8xf32>) -> tensor<?x8xf32>
    func.return %y : tensor<?x8xf32>
  }
}

// -----

// Schema defaults become explicit parameters.
// CHECK-LABEL: func.func @defaults
// CHECK: %[[E:.*]] = infer.elu %{{.*}} {alpha = 1.000000e+00 : f64}
// CHECK: %[[H:.*]] = infer.hard_sigmoid %[[E]] {alpha = 2.000000e-01 : f64, beta = 5.000000e-01 : f64}
// CHECK: infer.selu %[[H]] {alpha = 1.6732632000000001 : f64, gamma = 1.0507010000000001 : f64}
builtin.module attributes {onnx.opset_import = {ai.onnx = 22 : i64}} {
  func.func @defaults(%x: tensor<4xf32>) -> tensor<4xf32> {
    %e = onnx.Elu(%x) : (tensor<4xf32>) -> tensor<4xf32>
    %h = onnx.HardSigmoid(%e) : (tensor<4xf32>) -> tensor<4xf32>
    %s = onnx.Selu(%h) : (tensor<4xf32>) -> tensor<4xf32>
    func.return %s : tensor<4xf32>
  }
}

// -----

// Unidirectional broadcasting: the slope gets the input's rank.
// CHECK-LABEL: func.func @prelu
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x?x?xf32>, %[[S:.*]]: tensor<3x1x1xf32>)
// CHECK: %[[U:.*]] = infer.unsqueeze %[[S]] {axes = array<i64: 0>} : (tensor<3x1x1xf32>) -> tensor<1x3x1x1xf32>
// CHECK: infer.prelu %[[X]], %[[U]] : (tensor<?x3x?x?xf32>, tensor<1x3x1x1xf32>) -> tensor<?x3x?x?xf32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 16 : i64}} {
  func.func @prelu(%x: tensor<?x3x?x?xf32>, %s: tensor<3x1x1xf32>) -> tensor<?x3x?x?xf32> {
    %y = onnx.PRelu(%x, %s) : (tensor<?x3x?x?xf32>, tensor<3x1x1xf32>) -> tensor<?x3x?x?xf32>
    func.return %y : tensor<?x3x?x?xf32>
  }
}

// -----

// CHECK: PRelu, opset 16: slope of shape [2] does not broadcast to the input's [4, 3]
builtin.module attributes {onnx.opset_import = {ai.onnx = 16 : i64}} {
  func.func @prelu_bad_slope(%x: tensor<4x3xf32>, %s: tensor<2xf32>) -> tensor<4x3xf32> {
    %y = onnx.PRelu(%x, %s) : (tensor<4x3xf32>, tensor<2xf32>) -> tensor<4x3xf32>
    func.return %y : tensor<4x3xf32>
  }
}

// -----

// CHECK-LABEL: func.func @gelu
// CHECK: %[[G:.*]] = infer.gelu %{{.*}} : (tensor<?x768xf32>) -> tensor<?x768xf32>
// CHECK: infer.gelu %[[G]] {approximate = "tanh"}
builtin.module attributes {onnx.opset_import = {ai.onnx = 20 : i64}} {
  func.func @gelu(%x: tensor<?x768xf32>) -> tensor<?x768xf32> {
    %g = onnx.Gelu(%x) : (tensor<?x768xf32>) -> tensor<?x768xf32>
    %t = onnx.Gelu(%g) {approximate = "tanh"} : (tensor<?x768xf32>) -> tensor<?x768xf32>
    func.return %t : tensor<?x768xf32>
  }
}

// -----

// CHECK: Gelu, opset 20: attribute 'approximate' = 'erf' is not supported; supported: none, tanh
builtin.module attributes {onnx.opset_import = {ai.onnx = 20 : i64}} {
  func.func @gelu_unknown(%x: tensor<4xf32>) -> tensor<4xf32> {
    %g = onnx.Gelu(%x) {approximate = "erf"} : (tensor<4xf32>) -> tensor<4xf32>
    func.return %g : tensor<4xf32>
  }
}

// -----

// Swish with alpha 1 is silu; another alpha scales the sigmoid's argument.
// CHECK-LABEL: func.func @swish
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[S:.*]] = infer.silu %[[X]]
// CHECK: %[[A:.*]] = infer.constant dense<2.000000e+00> : tensor<1xf32>
// CHECK: %[[XA:.*]] = infer.mul %[[S]], %[[A]]
// CHECK: %[[SIG:.*]] = infer.sigmoid %[[XA]]
// CHECK: infer.mul %[[S]], %[[SIG]]
builtin.module attributes {onnx.opset_import = {ai.onnx = 24 : i64}} {
  func.func @swish(%x: tensor<4xf32>) -> tensor<4xf32> {
    %s = onnx.Swish(%x) : (tensor<4xf32>) -> tensor<4xf32>
    %t = onnx.Swish(%s) {alpha = 2.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
    func.return %t : tensor<4xf32>
  }
}

// -----

// Shrink on integers: in f64, truncated back.
// CHECK-LABEL: func.func @shrink_integers
// CHECK: %[[W:.*]] = infer.cast %{{.*}} : (tensor<4xi32>) -> tensor<4xf64>
// CHECK: %[[S:.*]] = infer.shrink %[[W]] {bias = 1.500000e+00 : f64, lambd = 1.500000e+00 : f64}
// CHECK: infer.cast %[[S]] : (tensor<4xf64>) -> tensor<4xi32>
builtin.module attributes {onnx.opset_import = {ai.onnx = 9 : i64}} {
  func.func @shrink_integers(%x: tensor<4xi32>) -> tensor<4xi32> {
    %y = onnx.Shrink(%x) {bias = 1.5 : f32, lambd = 1.5 : f32} : (tensor<4xi32>) -> tensor<4xi32>
    func.return %y : tensor<4xi32>
  }
}

// -----

// CHECK-LABEL: func.func @plain
// CHECK: %[[A:.*]] = infer.hard_swish
// CHECK: %[[B:.*]] = infer.softplus %[[A]]
// CHECK: %[[C:.*]] = infer.softsign %[[B]]
// CHECK: %[[D:.*]] = infer.mish %[[C]]
// CHECK: infer.thresholded_relu %[[D]] {alpha = 1.000000e+00 : f64}
builtin.module attributes {onnx.opset_import = {ai.onnx = 22 : i64}} {
  func.func @plain(%x: tensor<4xf32>) -> tensor<4xf32> {
    %a = onnx.HardSwish(%x) : (tensor<4xf32>) -> tensor<4xf32>
    %b = onnx.Softplus(%a) : (tensor<4xf32>) -> tensor<4xf32>
    %c = onnx.Softsign(%b) : (tensor<4xf32>) -> tensor<4xf32>
    %d = onnx.Mish(%c) : (tensor<4xf32>) -> tensor<4xf32>
    %e = onnx.ThresholdedRelu(%d) : (tensor<4xf32>) -> tensor<4xf32>
    func.return %e : tensor<4xf32>
  }
}
