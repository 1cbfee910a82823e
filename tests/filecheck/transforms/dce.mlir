// RUN: infer-opt %s --split-input-file --dce | filecheck %s

// Every infer op is Pure: a chain whose value is never used goes, constants included.
// CHECK-LABEL: func.func @dead_chain
// CHECK-NEXT: %[[R:.*]] = infer.relu
// CHECK-NEXT: func.return %[[R]]
func.func @dead_chain(%x: tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32> {
  %w = infer.constant splat<0.02> : tensor<4x3x3x3xf32>
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  %r = infer.relu %x : (tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  %s = infer.softmax %c {axes = array<i64: 1>} : (tensor<?x4x6x6xf32>) -> tensor<?x4x6x6xf32>
  %p:2 = infer.split %s {axis = 1 : i64, sizes = array<i64: 1, 3>} : (tensor<?x4x6x6xf32>) -> (tensor<?x1x6x6xf32>, tensor<?x3x6x6xf32>)
  func.return %r : tensor<?x3x8x8xf32>
}

// -----

// Live values stay, and so does a multi-result op with one live result.
// CHECK-LABEL: func.func @live
// CHECK: infer.constant
// CHECK: infer.conv
// CHECK: infer.split
// CHECK: func.return
func.func @live(%x: tensor<?x3x8x8xf32>) -> tensor<?x1x6x6xf32> {
  %w = infer.constant splat<0.02> : tensor<4x3x3x3xf32>
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  %p:2 = infer.split %c {axis = 1 : i64, sizes = array<i64: 1, 3>} : (tensor<?x4x6x6xf32>) -> (tensor<?x1x6x6xf32>, tensor<?x3x6x6xf32>)
  func.return %p#0 : tensor<?x1x6x6xf32>
}
