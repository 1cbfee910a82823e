// RUN: infer-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @integer_input(%x: tensor<3xi32>) -> tensor<3xi32> {
  %y = infer.leaky_relu %x {alpha = 0.01 : f64} : (tensor<3xi32>) -> tensor<3xi32>
  func.return %y : tensor<3xi32>
}
// CHECK: infer.leaky_relu needs a floating-point tensor, got tensor<3xi32>

// -----

func.func @missing_parameter(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = infer.elu %x : (tensor<3xf32>) -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
// CHECK: property 'alpha' expected in operation 'infer.elu'

// -----

func.func @gelu_approximation(%x: tensor<3xf32>) -> tensor<3xf32> {
  %y = infer.gelu %x {approximate = "erf"} : (tensor<3xf32>) -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
// CHECK: infer.gelu approximate must be one of ('none', 'tanh'), got 'erf'

// -----

func.func @result_type(%x: tensor<3xf32>) -> tensor<3xf64> {
  %y = infer.silu %x : (tensor<3xf32>) -> tensor<3xf64>
  func.return %y : tensor<3xf64>
}
// CHECK: infer.silu result #0 has type tensor<3xf64>, but its shape rule gives tensor<3xf32>

// -----

func.func @prelu_rank(%x: tensor<2x3xf32>, %slope: tensor<3xf32>) -> tensor<2x3xf32> {
  %y = infer.prelu %x, %slope : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK: infer.prelu slope must have the input's rank 2 (insert infer.unsqueeze), got 1

// -----

func.func @prelu_slope_stretches_input(%x: tensor<2x1xf32>, %slope: tensor<1x3xf32>) -> tensor<2x1xf32> {
  %y = infer.prelu %x, %slope : (tensor<2x1xf32>, tensor<1x3xf32>) -> tensor<2x1xf32>
  func.return %y : tensor<2x1xf32>
}
// CHECK: infer.prelu slope dim 1 is 3, it must be 1 or the input's 1

// -----

func.func @prelu_types(%x: tensor<2x3xf32>, %slope: tensor<1x3xf64>) -> tensor<2x3xf32> {
  %y = infer.prelu %x, %slope : (tensor<2x3xf32>, tensor<1x3xf64>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK: infer.prelu input and slope must have one element type
