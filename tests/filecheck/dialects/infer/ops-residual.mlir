// RUN: infer-opt %s | infer-opt | filecheck %s
// RUN: infer-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// A conv or gemm with a residual prints `residual %r` after its other operands; the
// residual has the result's type, which the functional type does not repeat.

// CHECK-LABEL: func.func @conv
// GENERIC-LABEL: "func.func"() <{sym_name = "conv"
func.func @conv(%x: tensor<?x8x6x6xf32>, %w: tensor<8x8x3x3xf32>, %b: tensor<8xf32>, %r: tensor<?x8x6x6xf32>) -> (tensor<?x8x6x6xf32>, tensor<?x8x6x6xf32>) {
  // CHECK: %[[Y:.*]] = infer.conv %{{.*}}, %{{.*}}, %{{.*}} residual %{{.*}} {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = "relu"}
  // CHECK-SAME: : (tensor<?x8x6x6xf32>, tensor<8x8x3x3xf32>, tensor<8xf32>) -> tensor<?x8x6x6xf32>
  // GENERIC: "infer.conv"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{{{.*}}operandSegmentSizes = array<i32: 1, 1, 1, 1>
  %y = infer.conv %x, %w, %b residual %r {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = "relu"} : (tensor<?x8x6x6xf32>, tensor<8x8x3x3xf32>, tensor<8xf32>) -> tensor<?x8x6x6xf32>
  // CHECK: %[[Z:.*]] = infer.conv %{{.*}}, %{{.*}} residual %[[Y]] {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>}
  // CHECK-SAME: : (tensor<?x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<?x8x6x6xf32>
  // GENERIC: "infer.conv"(%{{.*}}, %{{.*}}, %{{.*}}) <{{{.*}}operandSegmentSizes = array<i32: 1, 1, 0, 1>
  %z = infer.conv %x, %w residual %y {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<?x8x6x6xf32>
  // CHECK: func.return %[[Y]], %[[Z]]
  func.return %y, %z : tensor<?x8x6x6xf32>, tensor<?x8x6x6xf32>
}

// CHECK-LABEL: func.func @gemm
func.func @gemm(%x: tensor<?x16xf32>, %w: tensor<8x16xf32>, %c: tensor<1x8xf32>, %r: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // CHECK: %[[G:.*]] = infer.gemm %{{.*}}, %{{.*}}, %{{.*}} residual %{{.*}} {trans_b, activation = "tanh"} : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<1x8xf32>) -> tensor<?x8xf32>
  %g = infer.gemm %x, %w, %c residual %r {trans_b, activation = "tanh"} : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<1x8xf32>) -> tensor<?x8xf32>
  // CHECK: infer.gemm %{{.*}}, %{{.*}} residual %[[G]] {trans_b} : (tensor<?x16xf32>, tensor<8x16xf32>) -> tensor<?x8xf32>
  %h = infer.gemm %x, %w residual %g {trans_b} : (tensor<?x16xf32>, tensor<8x16xf32>) -> tensor<?x8xf32>
  func.return %h : tensor<?x8xf32>
}
