// RUN: infer-opt %s --split-input-file --recompose-layer-norm | filecheck %s
// RUN: infer-opt %s --split-input-file --recompose-layer-norm --print-debuginfo | filecheck %s --check-prefix=LOC

// PyTorch's legacy export of nn.LayerNorm(8): Pow 2, Div, Mul weight, Add bias.
// CHECK-LABEL: func.func @torch_layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x8xf32>)
// CHECK-DAG: %[[W:.*]] = infer.constant {{.*}} : tensor<1x1x8xf32>
// CHECK-DAG: %[[B:.*]] = infer.constant {{.*}} : tensor<1x1x8xf32>
// CHECK: %[[Y:.*]] = infer.layer_norm %[[X]], %[[W]], %[[B]] {axis = 2 : i64, epsilon = 1.000000e-05 : f64} : (tensor<?x?x8xf32>, tensor<1x1x8xf32>, tensor<1x1x8xf32>) -> tensor<?x?x8xf32>
// The layer norm stands for the last node, and names every node it replaces.
// LOC: infer.layer_norm {{.*}} loc(fused["m", "d", "p", "v", "e", "s", "n", "w", "b"])
// CHECK-NOT: infer.reduce_mean
// CHECK-NOT: infer.sqrt
// CHECK: func.return %[[Y]]
func.func @torch_layer_norm(%x: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %m = infer.reduce_mean %x {axes = array<i64: 2>, keepdims} : (tensor<?x?x8xf32>) -> tensor<?x?x1xf32> loc("m")
  %d = infer.sub %x, %m : (tensor<?x?x8xf32>, tensor<?x?x1xf32>) -> tensor<?x?x8xf32> loc("d")
  %two = infer.constant dense<2.0> : tensor<1x1x1xf32> loc("p")
  %p = infer.pow %d, %two : (tensor<?x?x8xf32>, tensor<1x1x1xf32>) -> tensor<?x?x8xf32> loc("p")
  %v = infer.reduce_mean %p {axes = array<i64: 2>, keepdims} : (tensor<?x?x8xf32>) -> tensor<?x?x1xf32> loc("v")
  %eps = infer.constant dense<1.0e-05> : tensor<1x1x1xf32> loc("e")
  %e = infer.add %v, %eps : (tensor<?x?x1xf32>, tensor<1x1x1xf32>) -> tensor<?x?x1xf32> loc("e")
  %s = infer.sqrt %e : (tensor<?x?x1xf32>) -> tensor<?x?x1xf32> loc("s")
  %n = infer.div %d, %s : (tensor<?x?x8xf32>, tensor<?x?x1xf32>) -> tensor<?x?x8xf32> loc("n")
  %weight = infer.constant dense<[[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]]]> : tensor<1x1x8xf32> loc("w")
  %w = infer.mul %n, %weight : (tensor<?x?x8xf32>, tensor<1x1x8xf32>) -> tensor<?x?x8xf32> loc("w")
  %bias = infer.constant dense<[[[0.5, 0.5, 0.5, 0.5, 1.5, 1.5, 1.5, 1.5]]]> : tensor<1x1x8xf32> loc("b")
  %b = infer.add %bias, %w : (tensor<1x1x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32> loc("b")
  func.return %b : tensor<?x?x8xf32>
}

// -----

// Two normalized axes, the square as d * d, the division as a mul by a reciprocal,
// eps first in its add; no scale or bias: the scale is ones.
// CHECK-LABEL: func.func @reciprocal_no_affine
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[ONE:.*]] = infer.constant dense<1.000000e+00> : tensor<1x1x1xf32>
// CHECK: %[[Y:.*]] = infer.layer_norm %[[X]], %[[ONE]] {axis = 1 : i64, epsilon = 1.000000e-03 : f64} : (tensor<2x3x4xf32>, tensor<1x1x1xf32>) -> tensor<2x3x4xf32>
// CHECK: func.return %[[Y]]
func.func @reciprocal_no_affine(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %m = infer.reduce_mean %x {axes = array<i64: 1, 2>, keepdims} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %d = infer.sub %x, %m : (tensor<2x3x4xf32>, tensor<2x1x1xf32>) -> tensor<2x3x4xf32>
  %p = infer.mul %d, %d : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %v = infer.reduce_mean %p {axes = array<i64: 1, 2>, keepdims} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %eps = infer.constant dense<1.0e-03> : tensor<1x1x1xf32>
  %e = infer.add %eps, %v : (tensor<1x1x1xf32>, tensor<2x1x1xf32>) -> tensor<2x1x1xf32>
  %s = infer.sqrt %e : (tensor<2x1x1xf32>) -> tensor<2x1x1xf32>
  %r = infer.reciprocal %s : (tensor<2x1x1xf32>) -> tensor<2x1x1xf32>
  %n = infer.mul %r, %d : (tensor<2x1x1xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  func.return %n : tensor<2x3x4xf32>
}

// -----

// pow(var + eps, -0.5) times d, then a bias without a scale.
// CHECK-LABEL: func.func @rsqrt_bias
// CHECK-SAME: (%[[X:.*]]: tensor<?x6xf32>)
// CHECK-DAG: %[[B:.*]] = infer.constant {{.*}} : tensor<1x6xf32>
// CHECK-DAG: %[[ONE:.*]] = infer.constant dense<1.000000e+00> : tensor<1x1xf32>
// CHECK: %[[Y:.*]] = infer.layer_norm %[[X]], %[[ONE]], %[[B]] {axis = 1 : i64, epsilon = 1.000000e-06 : f64}
// CHECK: func.return %[[Y]]
func.func @rsqrt_bias(%x: tensor<?x6xf32>) -> tensor<?x6xf32> {
  %m = infer.reduce_mean %x {axes = array<i64: 1>, keepdims} : (tensor<?x6xf32>) -> tensor<?x1xf32>
  %d = infer.sub %x, %m : (tensor<?x6xf32>, tensor<?x1xf32>) -> tensor<?x6xf32>
  %two = infer.constant dense<2.0> : tensor<1x1xf32>
  %p = infer.pow %d, %two : (tensor<?x6xf32>, tensor<1x1xf32>) -> tensor<?x6xf32>
  %v = infer.reduce_mean %p {axes = array<i64: 1>, keepdims} : (tensor<?x6xf32>) -> tensor<?x1xf32>
  %eps = infer.constant dense<1.0e-06> : tensor<1x1xf32>
  %e = infer.add %v, %eps : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
  %half = infer.constant dense<-0.5> : tensor<1x1xf32>
  %r = infer.pow %e, %half : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
  %n = infer.mul %d, %r : (tensor<?x6xf32>, tensor<?x1xf32>) -> tensor<?x6xf32>
  %bias = infer.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]]> : tensor<1x6xf32>
  %b = infer.add %n, %bias : (tensor<?x6xf32>, tensor<1x6xf32>) -> tensor<?x6xf32>
  func.return %b : tensor<?x6xf32>
}

// -----

// A scale that varies along a dim that is not normalized stays a mul after the layer norm.
// CHECK-LABEL: func.func @scale_not_over_normalized_axes
// CHECK: %[[L:.*]] = infer.layer_norm
// CHECK: %[[Y:.*]] = infer.mul %[[L]], %{{.*}} : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
// CHECK: func.return %[[Y]]
func.func @scale_not_over_normalized_axes(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %m = infer.reduce_mean %x {axes = array<i64: 1>, keepdims} : (tensor<3x4xf32>) -> tensor<3x1xf32>
  %d = infer.sub %x, %m : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  %p = infer.mul %d, %d : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %v = infer.reduce_mean %p {axes = array<i64: 1>, keepdims} : (tensor<3x4xf32>) -> tensor<3x1xf32>
  %eps = infer.constant dense<1.0e-05> : tensor<1x1xf32>
  %e = infer.add %v, %eps : (tensor<3x1xf32>, tensor<1x1xf32>) -> tensor<3x1xf32>
  %s = infer.sqrt %e : (tensor<3x1xf32>) -> tensor<3x1xf32>
  %n = infer.div %d, %s : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  %scale = infer.constant dense<[[1.0], [2.0], [3.0]]> : tensor<3x1xf32>
  %y = infer.mul %n, %scale : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  func.return %y : tensor<3x4xf32>
}

// -----

// Not recomposed: the centered value has another use; the means are over a leading
// axis; the two means reduce different axes.
// CHECK-LABEL: func.func @not_layer_norm
// CHECK-NOT: infer.layer_norm
// CHECK: func.return
func.func @not_layer_norm(%x: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) {
  %eps = infer.constant dense<1.0e-05> : tensor<1x1xf32>
  %m = infer.reduce_mean %x {axes = array<i64: 1>, keepdims} : (tensor<3x4xf32>) -> tensor<3x1xf32>
  %d = infer.sub %x, %m : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  %p = infer.mul %d, %d : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %v = infer.reduce_mean %p {axes = array<i64: 1>, keepdims} : (tensor<3x4xf32>) -> tensor<3x1xf32>
  %e = infer.add %v, %eps : (tensor<3x1xf32>, tensor<1x1xf32>) -> tensor<3x1xf32>
  %s = infer.sqrt %e : (tensor<3x1xf32>) -> tensor<3x1xf32>
  %n = infer.div %d, %s : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  %m0 = infer.reduce_mean %x {axes = array<i64: 0>, keepdims} : (tensor<3x4xf32>) -> tensor<1x4xf32>
  %d0 = infer.sub %x, %m0 : (tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
  %p0 = infer.mul %d0, %d0 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %v0 = infer.reduce_mean %p0 {axes = array<i64: 0>, keepdims} : (tensor<3x4xf32>) -> tensor<1x4xf32>
  %e0 = infer.add %v0, %eps : (tensor<1x4xf32>, tensor<1x1xf32>) -> tensor<1x4xf32>
  %s0 = infer.sqrt %e0 : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %n0 = infer.div %d0, %s0 : (tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<3x4xf32>
  %m1 = infer.reduce_mean %x {axes = array<i64: 1>, keepdims} : (tensor<3x4xf32>) -> tensor<3x1xf32>
  %d1 = infer.sub %x, %m1 : (tensor<3x4xf32>, tensor<3x1xf32>) -> tensor<3x4xf32>
  %p1 = infer.mul %d1, %d1 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %v1 = infer.reduce_mean %p1 {axes = array<i64: 0, 1>, keepdims} : (tensor<3x4xf32>) -> tensor<1x1xf32>
  %e1 = infer.add %v1, %eps : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  %s1 = infer.sqrt %e1 : (tensor<1x1xf32>) -> tensor<1x1xf32>
  %n1 = infer.div %d1, %s1 : (tensor<3x4xf32>, tensor<1x1xf32>) -> tensor<3x4xf32>
  func.return %n, %d, %n0, %n1 : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>
}
