// RUN: infer-opt %s --split-input-file --verify-diagnostics | filecheck %s

func.func @empty_axes(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = infer.reduce_sum %x {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK: infer.reduce_sum needs at least one axis

// -----

func.func @negative_axis(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %y = infer.reduce_mean %x {axes = array<i64: -1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}
// CHECK: infer.reduce_mean axes [-1] must be in [0, 2) (normalized by the lowering)

// -----

func.func @unsorted_axes(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  %y = infer.reduce_max %x {axes = array<i64: 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}
// CHECK: infer.reduce_max axes [2, 0] must be sorted and distinct

// -----

func.func @keepdims_result(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %y = infer.reduce_sum %x {axes = array<i64: 1>, keepdims} : (tensor<2x3xf32>) -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}
// CHECK: infer.reduce_sum result #0 has type tensor<2xf32>, but its shape rule gives tensor<2x1xf32>

// -----

func.func @bool_sum(%x: tensor<2x3xi1>) -> tensor<2xi1> {
  %y = infer.reduce_sum %x {axes = array<i64: 1>} : (tensor<2x3xi1>) -> tensor<2xi1>
  func.return %y : tensor<2xi1>
}
// CHECK: infer.reduce_sum needs a floating-point or integer tensor, got tensor<2x3xi1>

// -----

func.func @int_log_sum_exp(%x: tensor<2x3xi32>) -> tensor<2xi32> {
  %y = infer.reduce_log_sum_exp %x {axes = array<i64: 1>} : (tensor<2x3xi32>) -> tensor<2xi32>
  func.return %y : tensor<2xi32>
}
// CHECK: infer.reduce_log_sum_exp needs a floating-point tensor, got tensor<2x3xi32>

// -----

func.func @arg_max_type(%x: tensor<2x3xf32>) -> tensor<2xi32> {
  %y = infer.arg_max %x {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xi32>
  func.return %y : tensor<2xi32>
}
// CHECK: infer.arg_max result #0 has type tensor<2xi32>, but its shape rule gives tensor<2xi64>

// -----

func.func @arg_min_axis(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  %y = infer.arg_min %x {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>
  func.return %y : tensor<2xi64>
}
// CHECK: infer.arg_min axes [2] must be in [0, 2)

// -----

func.func @softmax_int(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %y = infer.softmax %x {axes = array<i64: 1>} : (tensor<2x3xi32>) -> tensor<2x3xi32>
  func.return %y : tensor<2x3xi32>
}
// CHECK: infer.softmax needs a floating-point tensor, got tensor<2x3xi32>

// -----

func.func @log_softmax_repeat(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = infer.log_softmax %x {axes = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
// CHECK: infer.log_softmax axes [1, 1] must be sorted and distinct
