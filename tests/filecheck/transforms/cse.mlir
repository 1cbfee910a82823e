// RUN: infer-opt %s --split-input-file --cse | filecheck %s

// Every infer op is Pure: two convs of one input and one weight are one.
// CHECK-LABEL: func.func @duplicate_convs
// CHECK: %[[C:.*]] = infer.conv
// CHECK-NOT: infer.conv
// CHECK: %[[R:.*]] = infer.relu %[[C]]
// CHECK-NOT: infer.relu
// CHECK: infer.add %[[R]], %[[R]]
func.func @duplicate_convs(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32> {
  %a = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  %ra = infer.relu %a : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  %b = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  %rb = infer.relu %b : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  %y = infer.add %ra, %rb : (tensor<?x4x6x6xf32>, tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  func.return %y : tensor<?x4x6x6xf32>
}

// -----

// Identical constants are one.
// CHECK-LABEL: func.func @duplicate_constants
// CHECK: %[[C:.*]] = infer.constant splat<2.000000e-02> : tensor<4xf32>
// CHECK-NOT: infer.constant
// CHECK: func.return %[[C]], %[[C]]
func.func @duplicate_constants() -> (tensor<4xf32>, tensor<4xf32>) {
  %a = infer.constant splat<0.02> : tensor<4xf32>
  %b = infer.constant splat<0.02> : tensor<4xf32>
  func.return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

// Ops with different properties, operands or result types stay apart.
// CHECK-LABEL: func.func @different
// CHECK: infer.conv %{{.*}} {strides = array<i64: 1, 1>
// CHECK: infer.conv %{{.*}} {strides = array<i64: 2, 2>
// CHECK: infer.relu %[[X:[^ ]*]]
// CHECK: infer.relu %[[Y:[^ ]*]]
// CHECK: infer.cast %{{.*}} : (tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf16>
// CHECK: infer.cast %{{.*}} : (tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xi32>
func.func @different(%x: tensor<?x3x8x8xf32>, %y: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> (tensor<?x4x6x6xf32>, tensor<?x4x3x3xf32>, tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>, tensor<?x3x8x8xf16>, tensor<?x3x8x8xi32>) {
  %a = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  %b = infer.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x3x3xf32>
  %c = infer.relu %x : (tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  %d = infer.relu %y : (tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  %e = infer.cast %x : (tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf16>
  %f = infer.cast %x : (tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xi32>
  func.return %a, %b, %c, %d, %e, %f : tensor<?x4x6x6xf32>, tensor<?x4x3x3xf32>, tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>, tensor<?x3x8x8xf16>, tensor<?x3x8x8xi32>
}
