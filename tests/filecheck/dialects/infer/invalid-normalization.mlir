// RUN: infer-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @bn_channels(%x: tensor<2x3x4xf32>, %p: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %y = infer.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f64} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  func.return %y : tensor<2x3x4xf32>
}
// CHECK: infer.batch_norm parameters must have shape [3] (the channel dim), got [4]

// -----

func.func @bn_layout(%x: tensor<2x3x4xf32>, %p: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %y = infer.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f64, layout = "ncw"} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  func.return %y : tensor<2x3x4xf32>
}
// CHECK: infer.batch_norm layout must be one of ('nchw', 'nhwc'), got 'ncw'

// -----

func.func @bn_types(%x: tensor<2x3xf16>, %p: tensor<3xf32>) -> tensor<2x3xf16> {
  %y = infer.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-5 : f64} : (tensor<2x3xf16>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf16>
  func.return %y : tensor<2x3xf16>
}
// CHECK: infer.batch_norm operands must have one element type

// -----

func.func @in_rank(%x: tensor<2x3xf32>, %p: tensor<3xf32>) -> tensor<2x3xf32> {
  %y = infer.instance_norm %x, %p, %p {epsilon = 1.0e-5 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK: infer.instance_norm needs an input of rank >= 3, got rank 2

// -----

func.func @in_int(%x: tensor<2x3x4xi32>, %p: tensor<3xi32>) -> tensor<2x3x4xi32> {
  %y = infer.instance_norm %x, %p, %p {epsilon = 1.0e-5 : f64} : (tensor<2x3x4xi32>, tensor<3xi32>, tensor<3xi32>) -> tensor<2x3x4xi32>
  func.return %y : tensor<2x3x4xi32>
}
// CHECK: infer.instance_norm needs a floating-point input, got tensor<2x3x4xi32>

// -----

func.func @ln_axis(%x: tensor<2x3xf32>, %s: tensor<1x3xf32>) -> tensor<2x3xf32> {
  %y = infer.layer_norm %x, %s {axis = -1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK: infer.layer_norm axis -1 must be in [0, 2) (normalized by the lowering)

// -----

func.func @ln_scale_rank(%x: tensor<2x3xf32>, %s: tensor<3xf32>) -> tensor<2x3xf32> {
  %y = infer.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK: infer.layer_norm scale and bias must have the input's rank 2, got [3]

// -----

func.func @ln_scale_shape(%x: tensor<2x3xf32>, %s: tensor<1x3xf32>, %b: tensor<1x4xf32>) -> tensor<2x3xf32> {
  %y = infer.layer_norm %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-5 : f64} : (tensor<2x3xf32>, tensor<1x3xf32>, tensor<1x4xf32>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK: infer.layer_norm scale and bias of shape [1, 4] do not broadcast to [2, 3]
