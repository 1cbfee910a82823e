// RUN: infer-opt %s | infer-opt | filecheck %s
// The reduction ops print in their custom form and parse back.

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<?x64x?x?xf32>, %i: tensor<?x10xi32>, %p: tensor<4x10xi1>)
    -> (tensor<?x64x1x1xf32>, tensor<?x64xf32>, tensor<?xi32>, tensor<?xi32>, tensor<64xf32>, tensor<4xi1>) {
  // CHECK: %[[S:.*]] = infer.reduce_sum %{{.*}} {axes = array<i64: 2, 3>, keepdims} : (tensor<?x64x?x?xf32>) -> tensor<?x64x1x1xf32>
  %s = infer.reduce_sum %x {axes = array<i64: 2, 3>, keepdims} : (tensor<?x64x?x?xf32>) -> tensor<?x64x1x1xf32>
  // CHECK: %[[M:.*]] = infer.reduce_mean %{{.*}} {axes = array<i64: 2, 3>} : (tensor<?x64x?x?xf32>) -> tensor<?x64xf32>
  %m = infer.reduce_mean %x {axes = array<i64: 2, 3>} : (tensor<?x64x?x?xf32>) -> tensor<?x64xf32>
  // CHECK: %[[A:.*]] = infer.reduce_max %{{.*}} {axes = array<i64: 1>} : (tensor<?x10xi32>) -> tensor<?xi32>
  %a = infer.reduce_max %i {axes = array<i64: 1>} : (tensor<?x10xi32>) -> tensor<?xi32>
  // CHECK: %[[B:.*]] = infer.reduce_prod %{{.*}} {axes = array<i64: 1>} : (tensor<?x10xi32>) -> tensor<?xi32>
  %b = infer.reduce_prod %i {axes = array<i64: 1>} : (tensor<?x10xi32>) -> tensor<?xi32>
  // CHECK: %[[E:.*]] = infer.reduce_log_sum_exp %{{.*}} {axes = array<i64: 0, 2, 3>} : (tensor<?x64x?x?xf32>) -> tensor<64xf32>
  %e = infer.reduce_log_sum_exp %x {axes = array<i64: 0, 2, 3>} : (tensor<?x64x?x?xf32>) -> tensor<64xf32>
  // CHECK: %[[N:.*]] = infer.reduce_min %{{.*}} {axes = array<i64: 1>} : (tensor<4x10xi1>) -> tensor<4xi1>
  %n = infer.reduce_min %p {axes = array<i64: 1>} : (tensor<4x10xi1>) -> tensor<4xi1>
  // CHECK: func.return %[[S]], %[[M]], %[[A]], %[[B]], %[[E]], %[[N]]
  func.return %s, %m, %a, %b, %e, %n : tensor<?x64x1x1xf32>, tensor<?x64xf32>, tensor<?xi32>, tensor<?xi32>, tensor<64xf32>, tensor<4xi1>
}

// CHECK-LABEL: func.func @arg_reductions
func.func @arg_reductions(%x: tensor<4x?xf32>) -> (tensor<4x1xi64>, tensor<?xi64>) {
  // CHECK: infer.arg_max %{{.*}} {axis = 1 : i64, keepdims, select_last_index} : (tensor<4x?xf32>) -> tensor<4x1xi64>
  %a = infer.arg_max %x {axis = 1 : i64, keepdims, select_last_index} : (tensor<4x?xf32>) -> tensor<4x1xi64>
  // CHECK: infer.arg_min %{{.*}} {axis = 0 : i64} : (tensor<4x?xf32>) -> tensor<?xi64>
  %b = infer.arg_min %x {axis = 0 : i64} : (tensor<4x?xf32>) -> tensor<?xi64>
  func.return %a, %b : tensor<4x1xi64>, tensor<?xi64>
}

// CHECK-LABEL: func.func @softmax_family
func.func @softmax_family(%x: tensor<?x10x3xf32>) -> (tensor<?x10x3xf32>, tensor<?x10x3xf32>, tensor<?x10x3xf32>) {
  // CHECK: infer.softmax %{{.*}} {axes = array<i64: 1, 2>} : (tensor<?x10x3xf32>) -> tensor<?x10x3xf32>
  %p = infer.softmax %x {axes = array<i64: 1, 2>} : (tensor<?x10x3xf32>) -> tensor<?x10x3xf32>
  // CHECK: infer.log_softmax %{{.*}} {axes = array<i64: 2>} : (tensor<?x10x3xf32>) -> tensor<?x10x3xf32>
  %q = infer.log_softmax %x {axes = array<i64: 2>} : (tensor<?x10x3xf32>) -> tensor<?x10x3xf32>
  // CHECK: infer.hardmax %{{.*}} {axes = array<i64: 1>} : (tensor<?x10x3xf32>) -> tensor<?x10x3xf32>
  %h = infer.hardmax %x {axes = array<i64: 1>} : (tensor<?x10x3xf32>) -> tensor<?x10x3xf32>
  func.return %p, %q, %h : tensor<?x10x3xf32>, tensor<?x10x3xf32>, tensor<?x10x3xf32>
}
