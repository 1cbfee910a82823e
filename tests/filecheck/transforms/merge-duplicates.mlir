// RUN: infer-opt %s --split-input-file --merge-duplicates | filecheck %s
// RUN: infer-opt %s --split-input-file --merge-duplicates --print-debuginfo | filecheck %s --check-prefix=LOC

// Constants with the same type and bytes are one; the first survives, with its location.
// CHECK-LABEL: func.func @same_bytes
// CHECK: %[[A:.*]] = infer.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NOT: infer.constant
// CHECK: infer.add %{{.*}}, %[[A]]
// CHECK: infer.mul %{{.*}}, %[[A]]
// LOC-LABEL: func.func @same_bytes
// LOC: infer.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32> loc("first")
func.func @same_bytes(%x: tensor<2xf32>) -> tensor<2xf32> {
  %a = infer.constant dense<[1.0, 2.0]> : tensor<2xf32> loc("first")
  %y = infer.add %x, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %b = infer.constant dense<[1.0, 2.0]> : tensor<2xf32> loc("second")
  %z = infer.mul %y, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return %z : tensor<2xf32>
}

// -----

// Splats compare by value: one per type; a dense constant of equal elements is
// that splat too, and the survivor keeps the splat storage.
// CHECK-LABEL: func.func @splats
// CHECK-DAG: %[[S:.*]] = infer.constant splat<2.000000e-02> : tensor<64x3xf32>
// CHECK-DAG: %[[T:.*]] = infer.constant splat<2.000000e-02> : tensor<3x64xf32>
// CHECK-DAG: %[[U:.*]] = infer.constant splat<5.000000e-01> : tensor<4xf32>
// CHECK-NOT: infer.constant
// CHECK: func.return %[[S]], %[[S]], %[[T]], %[[U]], %[[U]]
func.func @splats() -> (tensor<64x3xf32>, tensor<64x3xf32>, tensor<3x64xf32>, tensor<4xf32>, tensor<4xf32>) {
  %a = infer.constant splat<0.02> : tensor<64x3xf32>
  %b = infer.constant splat<0.02> : tensor<64x3xf32>
  %c = infer.constant splat<0.02> : tensor<3x64xf32>
  %d = infer.constant dense<[0.5, 0.5, 0.5, 0.5]> : tensor<4xf32>
  %e = infer.constant splat<0.5> : tensor<4xf32>
  func.return %a, %b, %c, %d, %e : tensor<64x3xf32>, tensor<64x3xf32>, tensor<3x64xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Different bytes stay apart: 0.0 and -0.0, other element types, other attributes.
// CHECK-LABEL: func.func @different
// CHECK: infer.constant splat<0.000000e+00> : tensor<4xf32>
// CHECK: infer.constant splat<-0.000000e+00> : tensor<4xf32>
// CHECK: infer.constant splat<0.000000e+00> : tensor<4xf64>
// CHECK: infer.constant splat<1.000000e+00> : tensor<4xf32>
// CHECK: infer.constant splat<1.000000e+00> : tensor<4xf32> {quant.scale = 1 : i64}
func.func @different() -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf64>, tensor<4xf32>, tensor<4xf32>) {
  %a = infer.constant splat<0.0> : tensor<4xf32>
  %b = infer.constant splat<-0.0> : tensor<4xf32>
  %c = infer.constant splat<0.0> : tensor<4xf64>
  %d = infer.constant splat<1.0> : tensor<4xf32>
  %e = infer.constant splat<1.0> : tensor<4xf32> {quant.scale = 1 : i64}
  func.return %a, %b, %c, %d, %e : tensor<4xf32>, tensor<4xf32>, tensor<4xf64>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Two convs of one input with byte-identical weights are one conv once their
// weights are one constant.
// CHECK-LABEL: func.func @convs
// CHECK: %[[W:.*]] = infer.constant dense<{{.*}}> : tensor<2x1x1x1xf32>
// CHECK-NOT: infer.constant
// CHECK: %[[C:.*]] = infer.conv %{{.*}}, %[[W]]
// CHECK-NOT: infer.conv
// CHECK: infer.add %[[C]], %[[C]]
func.func @convs(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w1 = infer.constant dense<[[[[1.5]]], [[[-2.0]]]]> : tensor<2x1x1x1xf32>
  %c1 = infer.conv %x, %w1 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %w2 = infer.constant dense<[[[[1.5]]], [[[-2.0]]]]> : tensor<2x1x1x1xf32>
  %c2 = infer.conv %x, %w2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = infer.add %c1, %c2 : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  func.return %y : tensor<1x2x4x4xf32>
}

// -----

// Ops with different properties are not merged.
// CHECK-LABEL: func.func @different_properties
// CHECK: infer.conv %{{.*}}, %[[W:.*]] {strides = array<i64: 1, 1>
// CHECK: infer.conv %{{.*}}, %[[W]] {strides = array<i64: 2, 2>
func.func @different_properties(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>) {
  %w = infer.constant splat<1.5> : tensor<2x1x1x1xf32>
  %c1 = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %c2 = infer.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  func.return %c1, %c2 : tensor<1x2x4x4xf32>, tensor<1x2x2x2xf32>
}

// -----

// Constants of different functions stay in their functions.
// CHECK-LABEL: func.func @first
// CHECK: infer.constant splat<3.000000e+00> : tensor<4xf32>
// CHECK-LABEL: func.func @second
// CHECK: infer.constant splat<3.000000e+00> : tensor<4xf32>
func.func @first() -> tensor<4xf32> {
  %a = infer.constant splat<3.0> : tensor<4xf32>
  func.return %a : tensor<4xf32>
}
func.func @second() -> tensor<4xf32> {
  %a = infer.constant splat<3.0> : tensor<4xf32>
  func.return %a : tensor<4xf32>
}

// -----

// Copies in sibling blocks: the survivor moves to the entry block, which dominates both.
// CHECK-LABEL: func.func @blocks
// CHECK-NEXT: %[[C:.*]] = infer.constant splat<7.000000e+00> : tensor<4xf32>
// CHECK-NEXT: cf.cond_br
// CHECK: ^{{.*}}:
// CHECK-NEXT: infer.add %{{.*}}, %[[C]]
// CHECK: ^{{.*}}:
// CHECK-NEXT: infer.mul %{{.*}}, %[[C]]
// CHECK-NOT: infer.constant
func.func @blocks(%p: i1, %x: tensor<4xf32>) -> tensor<4xf32> {
  cf.cond_br %p, ^bb1, ^bb2
^bb1:
  %a = infer.constant splat<7.0> : tensor<4xf32>
  %y = infer.add %x, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
^bb2:
  %b = infer.constant splat<7.0> : tensor<4xf32>
  %z = infer.mul %x, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %z : tensor<4xf32>
}
