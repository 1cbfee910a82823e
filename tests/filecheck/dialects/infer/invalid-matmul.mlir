// RUN: infer-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @matmul_inner(%a: tensor<3x4xf32>, %b: tensor<5x6xf32>) -> tensor<3x6xf32> {
  %y = infer.matmul %a, %b : (tensor<3x4xf32>, tensor<5x6xf32>) -> tensor<3x6xf32>
  func.return %y : tensor<3x6xf32>
}
// CHECK: infer.matmul contracts dims of different sizes 4 and 5

// -----

func.func @matmul_rank(%a: tensor<2x3x4xf32>, %b: tensor<4x6xf32>) -> tensor<2x3x6xf32> {
  %y = infer.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x6xf32>) -> tensor<2x3x6xf32>
  func.return %y : tensor<2x3x6xf32>
}
// CHECK: infer.matmul needs operands of equal rank >= 2, got ranks 3 and 2

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x6xf32>) -> tensor<2x3x6xf32> {
  %y = infer.matmul %a, %b : (tensor<2x3x4xf32>, tensor<3x4x6xf32>) -> tensor<2x3x6xf32>
  func.return %y : tensor<2x3x6xf32>
}
// CHECK: infer.matmul batch dims have incompatible dims 2 and 3

// -----

func.func @matmul_bool(%a: tensor<3x4xi1>, %b: tensor<4x6xi1>) -> tensor<3x6xi1> {
  %y = infer.matmul %a, %b : (tensor<3x4xi1>, tensor<4x6xi1>) -> tensor<3x6xi1>
  func.return %y : tensor<3x6xi1>
}
// CHECK: infer.matmul needs numeric operands, got tensor<3x4xi1>

// -----

func.func @gemm_trans(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x4xf32> {
  %y = infer.gemm %a, %b {trans_b} : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x4xf32>
  func.return %y : tensor<3x4xf32>
}
// CHECK: infer.gemm contracts dims of different sizes 4 and 5

// -----

func.func @gemm_c(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %c: tensor<5xf32>) -> tensor<3x5xf32> {
  %y = infer.gemm %a, %b, %c : (tensor<3x4xf32>, tensor<4x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  func.return %y : tensor<3x5xf32>
}
// CHECK: infer.gemm c must have rank 2 (insert infer.unsqueeze), got rank 1

// -----

func.func @gemm_c_shape(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %c: tensor<2x5xf32>) -> tensor<3x5xf32> {
  %y = infer.gemm %a, %b, %c : (tensor<3x4xf32>, tensor<4x5xf32>, tensor<2x5xf32>) -> tensor<3x5xf32>
  func.return %y : tensor<3x5xf32>
}
// CHECK: infer.gemm c of shape [2, 5] does not broadcast to [3, 5]

// -----

func.func @gemm_int_alpha(%a: tensor<3x4xi32>, %b: tensor<4x5xi32>) -> tensor<3x5xi32> {
  %y = infer.gemm %a, %b {alpha = 0.5 : f64} : (tensor<3x4xi32>, tensor<4x5xi32>) -> tensor<3x5xi32>
  func.return %y : tensor<3x5xi32>
}
// CHECK: infer.gemm on integers needs an integral alpha, got 0.5

// -----

func.func @gemm_unknown_activation(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  %y = infer.gemm %a, %b {activation = "softmax"} : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  func.return %y : tensor<3x5xf32>
}
// CHECK: infer.gemm: unknown activation 'softmax', expected one of relu, clip, leaky_relu, sigmoid, hard_sigmoid, hard_swish, silu, tanh, gelu, gelu_tanh

// -----

func.func @gemm_activation_params(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  %y = infer.gemm %a, %b {activation = "leaky_relu", activation_params = array<f64: 0.1, 0.2>} : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  func.return %y : tensor<3x5xf32>
}
// CHECK: infer.gemm: activation 'leaky_relu' takes 1 (alpha) activation_params, got 2

// -----

func.func @gemm_integer_activation(%a: tensor<3x4xi32>, %b: tensor<4x5xi32>) -> tensor<3x5xi32> {
  %y = infer.gemm %a, %b {activation = "sigmoid"} : (tensor<3x4xi32>, tensor<4x5xi32>) -> tensor<3x5xi32>
  func.return %y : tensor<3x5xi32>
}
// CHECK: infer.gemm: activation 'sigmoid' is not defined on i32 results

// -----

func.func @gemm_integer_clip(%a: tensor<3x4xi32>, %b: tensor<4x5xi32>) -> tensor<3x5xi32> {
  %y = infer.gemm %a, %b {activation = "clip", activation_params = array<f64: 0.5, 6.0>} : (tensor<3x4xi32>, tensor<4x5xi32>) -> tensor<3x5xi32>
  func.return %y : tensor<3x5xi32>
}
// CHECK: infer.gemm: activation 'clip' on i32 results needs integral params, got [0.5, 6.0]
