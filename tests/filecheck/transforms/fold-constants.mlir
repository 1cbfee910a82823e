// RUN: infer-opt %s --split-input-file --fold-constants | filecheck %s
// RUN: infer-opt %s --split-input-file -p 'fold-constants{max-elements=4}' | filecheck %s --check-prefix=CAP
// RUN: infer-opt %s --split-input-file --fold-constants --print-debuginfo | filecheck %s --check-prefix=LOC

// A shape subgraph on static dims folds to the constant shape; the reshape stays.
// CHECK-LABEL: func.func @shape_chain
// CHECK-NOT: infer.shape_of
// CHECK-NOT: infer.gather
// CHECK-NOT: infer.concat
// CHECK: %[[S:.*]] = infer.constant dense<[1, -1]> : tensor<2xi64>
// CHECK: infer.reshape %{{.*}}, %[[S]]
// LOC-LABEL: func.func @shape_chain
// LOC: infer.constant dense<[1, -1]> : tensor<2xi64> loc("shape_concat")
func.func @shape_chain(%x: tensor<1x64x7x7xf32>) -> tensor<1x3136xf32> {
  %s = infer.shape_of %x {start = 0 : i64, end = 4 : i64} : (tensor<1x64x7x7xf32>) -> tensor<4xi64> loc("shape")
  %i = infer.constant dense<0> : tensor<1xi64>
  %g = infer.gather %s, %i {axis = 0 : i64} : (tensor<4xi64>, tensor<1xi64>) -> tensor<1xi64> loc("shape_gather")
  %m = infer.constant dense<-1> : tensor<1xi64>
  %c = infer.concat %g, %m {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64> loc("shape_concat")
  %r = infer.reshape %x, %c : (tensor<1x64x7x7xf32>, tensor<2xi64>) -> tensor<1x3136xf32>
  func.return %r : tensor<1x3136xf32>
}

// -----

// Static dims of a partly dynamic value fold; the dynamic ones do not.
// CHECK-LABEL: func.func @shape_of_dynamic
// CHECK: %[[HW:.*]] = infer.constant dense<8> : tensor<2xi64>
// CHECK: %[[N:.*]] = infer.shape_of %{{.*}} {start = 0 : i64, end = 1 : i64}
// CHECK: func.return %[[HW]], %[[N]]
func.func @shape_of_dynamic(%x: tensor<?x3x8x8xf32>) -> (tensor<2xi64>, tensor<1xi64>) {
  %hw = infer.shape_of %x {start = 2 : i64, end = 4 : i64} : (tensor<?x3x8x8xf32>) -> tensor<2xi64>
  %n = infer.shape_of %x {start = 0 : i64, end = 1 : i64} : (tensor<?x3x8x8xf32>) -> tensor<1xi64>
  func.return %hw, %n : tensor<2xi64>, tensor<1xi64>
}

// -----

// A fill of a constant shape is a splat: its 4M elements are never materialized,
// and the transpose, exp and cast of that splat stay splats (not capped).
// CHECK-LABEL: func.func @fill_chain
// CHECK-NOT: infer.fill
// CHECK-NOT: infer.transpose
// CHECK-NOT: infer.exp
// CHECK: %[[F:.*]] = infer.constant splat<7.390625> : tensor<4096x1000xf32>
// CHECK: infer.add %{{.*}}, %[[F]]
// CAP-LABEL: func.func @fill_chain
// CAP: infer.constant splat<7.390625> : tensor<4096x1000xf32>
func.func @fill_chain(%x: tensor<4096x1000xf32>) -> tensor<4096x1000xf32> {
  %s = infer.constant dense<[1000, 4096]> : tensor<2xi64>
  %f = infer.fill %s {value = 2.0 : f32} : (tensor<2xi64>) -> tensor<1000x4096xf32>
  %t = infer.transpose %f {perm = array<i64: 1, 0>} : (tensor<1000x4096xf32>) -> tensor<4096x1000xf32>
  %e = infer.exp %t : (tensor<4096x1000xf32>) -> tensor<4096x1000xf32>
  %h = infer.cast %e : (tensor<4096x1000xf32>) -> tensor<4096x1000xf16>
  %d = infer.cast %h : (tensor<4096x1000xf16>) -> tensor<4096x1000xf32>
  %y = infer.add %x, %d : (tensor<4096x1000xf32>, tensor<4096x1000xf32>) -> tensor<4096x1000xf32>
  func.return %y : tensor<4096x1000xf32>
}

// -----

// A fill whose shape is only known at run time stays.
// CHECK-LABEL: func.func @fill_dynamic
// CHECK: infer.fill
func.func @fill_dynamic(%s: tensor<2xi64>) -> tensor<?x?xf32> {
  %f = infer.fill %s {value = 0.0 : f32} : (tensor<2xi64>) -> tensor<?x?xf32>
  func.return %f : tensor<?x?xf32>
}

// -----

// Data movement of a splat gives a splat of the result shape.
// CHECK-LABEL: func.func @splat_movement
// CHECK-DAG: infer.constant splat<5.000000e-01> : tensor<8x4x3xf32>
// CHECK-DAG: infer.constant splat<5.000000e-01> : tensor<2x3x4x8xf32>
// CHECK-DAG: infer.constant splat<5.000000e-01> : tensor<3x8x2x2xf32>
// CHECK-DAG: infer.constant splat<5.000000e-01> : tensor<3x8x4xf32>
// CHECK-DAG: infer.constant splat<5.000000e-01> : tensor<6x4x12xf32>
// CHECK-DAG: infer.constant splat<5.000000e-01> : tensor<3x6x4xf32>
// CHECK-NOT: infer.reshape
// CHECK-NOT: infer.broadcast_to
// CHECK-NOT: infer.transpose
// CHECK-NOT: infer.tile
// CHECK-NOT: infer.concat
// CHECK-NOT: infer.gather
func.func @splat_movement() -> (tensor<8x4x3xf32>, tensor<2x3x4x8xf32>, tensor<3x8x2x2xf32>, tensor<3x8x4xf32>, tensor<6x4x12xf32>, tensor<3x6x4xf32>) {
  %w = infer.constant splat<0.5> : tensor<3x4x8xf32>
  %t = infer.transpose %w {perm = array<i64: 2, 1, 0>} : (tensor<3x4x8xf32>) -> tensor<8x4x3xf32>
  %s = infer.constant dense<[2, 1, 1, 1]> : tensor<4xi64>
  %u = infer.unsqueeze %w {axes = array<i64: 0>} : (tensor<3x4x8xf32>) -> tensor<1x3x4x8xf32>
  %b = infer.broadcast_to %u, %s : (tensor<1x3x4x8xf32>, tensor<4xi64>) -> tensor<2x3x4x8xf32>
  %r = infer.reshape %w : (tensor<3x4x8xf32>) -> tensor<3x8x2x2xf32>
  %c = infer.concat %w, %w {axis = 1 : i64} : (tensor<3x4x8xf32>, tensor<3x4x8xf32>) -> tensor<3x8x8xf32>
  %l = infer.slice %c {starts = array<i64: 0, 0, 1>, ends = array<i64: 3, 8, 8>, steps = array<i64: 1, 1, 2>} : (tensor<3x8x8xf32>) -> tensor<3x8x4xf32>
  %p = infer.tile %w {repeats = array<i64: 2, 1, 1>} : (tensor<3x4x8xf32>) -> tensor<6x4x8xf32>
  %q = infer.pad %p {pads = array<i64: 0, 0, 2, 0, 0, 2>, mode = "edge"} : (tensor<6x4x8xf32>) -> tensor<6x4x12xf32>
  %i = infer.constant dense<[0, 1, 2, -1, 0, 1]> : tensor<6xi64>
  %g = infer.gather %w, %i {axis = 1 : i64} : (tensor<3x4x8xf32>, tensor<6xi64>) -> tensor<3x6x8xf32>
  %k = infer.slice %g {starts = array<i64: 0, 0, 0>, ends = array<i64: 3, 6, 4>, steps = array<i64: 1, 1, 1>} : (tensor<3x6x8xf32>) -> tensor<3x6x4xf32>
  func.return %t, %b, %r, %l, %q, %k : tensor<8x4x3xf32>, tensor<2x3x4x8xf32>, tensor<3x8x2x2xf32>, tensor<3x8x4xf32>, tensor<6x4x12xf32>, tensor<3x6x4xf32>
}

// -----

// Elementwise ops on splats are computed on one element; an integer cast truncates.
// CHECK-LABEL: func.func @splat_elementwise
// CHECK-DAG: infer.constant splat<3.500000e+00> : tensor<64x64xf32>
// CHECK-DAG: infer.constant splat<1> : tensor<64x64xi32>
// CHECK-DAG: infer.constant splat<true> : tensor<64x64xi1>
// CHECK-NOT: infer.mul
// CHECK-NOT: infer.cast
// CHECK-NOT: infer.less
func.func @splat_elementwise() -> (tensor<64x64xf32>, tensor<64x64xi32>, tensor<64x64xi1>) {
  %a = infer.constant splat<1.75> : tensor<64x64xf32>
  %two = infer.constant dense<2.0> : tensor<1x1xf32>
  %m = infer.mul %a, %two : (tensor<64x64xf32>, tensor<1x1xf32>) -> tensor<64x64xf32>
  %i = infer.cast %a : (tensor<64x64xf32>) -> tensor<64x64xi32>
  %x = infer.constant splat<4.0> : tensor<64x64xf32>
  %l = infer.less %m, %x : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xi1>
  func.return %m, %i, %l : tensor<64x64xf32>, tensor<64x64xi32>, tensor<64x64xi1>
}

// -----

// Dense constants fold through the reference semantics (a result whose elements
// are all equal is stored as a splat); results above max-elements stay.
// CHECK-LABEL: func.func @dense
// CHECK-DAG: infer.constant dense<{{\[}}[1.100000e+01, 2.200000e+01, 3.300000e+01], [4.400000e+01, 5.500000e+01, 6.600000e+01]]> : tensor<2x3xf32>
// CHECK-DAG: infer.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: infer.constant splat<8.000000e+00> : tensor<3x4xf32>
// CHECK-NOT: infer.add
// CHECK-NOT: infer.transpose
// CHECK-NOT: infer.matmul
// CAP-LABEL: func.func @dense
// CAP: infer.add
// CAP: infer.transpose
// CAP: infer.add
// CAP: infer.matmul
func.func @dense() -> (tensor<2x3xf32>, tensor<3x2xf32>, tensor<3x4xf32>) {
  %a = infer.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = infer.constant dense<[[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]]> : tensor<2x3xf32>
  %s = infer.add %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %t = infer.transpose %a {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %o = infer.constant dense<[[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]]> : tensor<2x4xf32>
  %p = infer.constant dense<[[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]> : tensor<3x2xf32>
  %q = infer.constant dense<[[3.0, 2.0, 1.0, 0.0], [3.0, 2.0, 1.0, 0.0]]> : tensor<2x4xf32>
  %r = infer.add %o, %q : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %m = infer.matmul %p, %r : (tensor<3x2xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
  func.return %s, %t, %m : tensor<2x3xf32>, tensor<3x2xf32>, tensor<3x4xf32>
}

// -----

// A folded value whose declared shape was dynamic takes the constant's static
// type, and its users' types are refined by their shape rules.
// CHECK-LABEL: func.func @refine
// CHECK-NOT: infer.range
// CHECK: %[[R:.*]] = infer.constant dense<[0, -1, -2, -3, -4]> : tensor<5xi64>
// CHECK: infer.add %{{.*}}, %[[R]] : (tensor<5xi64>, tensor<5xi64>) -> tensor<5xi64>
func.func @refine(%x: tensor<5xi64>) -> tensor<5xi64> {
  %a = infer.constant dense<0> : tensor<i64>
  %b = infer.constant dense<5> : tensor<i64>
  %c = infer.constant dense<1> : tensor<i64>
  %r = infer.range %a, %b, %c : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %n = infer.neg %r : (tensor<?xi64>) -> tensor<?xi64>
  %y = infer.add %x, %n : (tensor<5xi64>, tensor<?xi64>) -> tensor<5xi64>
  func.return %y : tensor<5xi64>
}

// -----

// No fold where the static type would reach the function's dynamic result type.
// CHECK-LABEL: func.func @refine_to_return
// CHECK: infer.range
func.func @refine_to_return() -> tensor<?xi64> {
  %a = infer.constant dense<0> : tensor<i64>
  %b = infer.constant dense<5> : tensor<i64>
  %c = infer.constant dense<1> : tensor<i64>
  %r = infer.range %a, %b, %c : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  func.return %r : tensor<?xi64>
}

// -----

// An op whose evaluation fails stays, to fail at run time.
// CHECK-LABEL: func.func @failing
// CHECK: infer.gather
func.func @failing() -> tensor<1xi64> {
  %s = infer.constant dense<[1, 2]> : tensor<2xi64>
  %i = infer.constant dense<[5]> : tensor<1xi64>
  %g = infer.gather %s, %i {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<1xi64>
  func.return %g : tensor<1xi64>
}

// -----

// An op with an operand known only at run time stays.
// CHECK-LABEL: func.func @not_constant
// CHECK: infer.add
func.func @not_constant(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = infer.constant splat<1.0> : tensor<4xf32>
  %y = infer.add %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

// Padding a splat with another value is not a splat: it folds densely, within the cap.
// CHECK-LABEL: func.func @pad_other_value
// CHECK: infer.constant dense<[0.000000e+00, 1.000000e+00, 1.000000e+00, 0.000000e+00]> : tensor<4xf32>
// CAP-LABEL: func.func @pad_other_value
// CAP: infer.constant dense<[0.000000e+00, 1.000000e+00, 1.000000e+00, 0.000000e+00]> : tensor<4xf32>
func.func @pad_other_value() -> tensor<4xf32> {
  %c = infer.constant splat<1.0> : tensor<2xf32>
  %p = infer.pad %c {pads = array<i64: 1, 1>} : (tensor<2xf32>) -> tensor<4xf32>
  func.return %p : tensor<4xf32>
}

// -----

// Entries picked from the shape of a partly dynamic value fold where they are
// static dims; a pick that includes the dynamic dim stays.
// CHECK-LABEL: func.func @static_entries
// CHECK: %[[S:.*]] = infer.shape_of
// CHECK: %[[C:.*]] = infer.constant dense<[-1, 192]> : tensor<2xi64>
// CHECK: infer.reshape %{{.*}}, %[[C]]
// CHECK: %[[J:.*]] = infer.constant dense<[0, 3]> : tensor<2xi64>
// CHECK: infer.gather %[[S]], %[[J]]
func.func @static_entries(%x: tensor<?x3x8x8xf32>) -> (tensor<?x192xf32>, tensor<2xi64>) {
  %s = infer.shape_of %x {start = 0 : i64, end = 4 : i64} : (tensor<?x3x8x8xf32>) -> tensor<4xi64>
  %l = infer.slice %s {starts = array<i64: 1>, ends = array<i64: 4>, steps = array<i64: 1>} : (tensor<4xi64>) -> tensor<3xi64>
  %p = infer.reduce_prod %l {axes = array<i64: 0>, keepdims} : (tensor<3xi64>) -> tensor<1xi64>
  %m = infer.constant dense<-1> : tensor<1xi64>
  %c = infer.concat %m, %p {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %r = infer.reshape %x, %c : (tensor<?x3x8x8xf32>, tensor<2xi64>) -> tensor<?x192xf32>
  %j = infer.constant dense<[0, 3]> : tensor<2xi64>
  %k = infer.gather %s, %j {axis = 0 : i64} : (tensor<4xi64>, tensor<2xi64>) -> tensor<2xi64>
  func.return %r, %k : tensor<?x192xf32>, tensor<2xi64>
}
