// RUN: infer-opt %s --split-input-file --batch-norm-to-scale-shift | filecheck %s

// factor = scale / sqrt(var + eps) = [0.5, 1], shift = bias - mean * factor = [-0.5, -1],
// shaped [1, C, 1, 1] for nchw.
// CHECK-LABEL: func.func @nchw
// CHECK-SAME: (%[[X:.*]]: tensor<?x2x?x?xf32>)
// CHECK-DAG: %[[F:.*]] = infer.constant dense<{{\[}}{{\[}}{{\[}}[5.000000e-01]], {{\[}}[1.000000e+00]]]]> : tensor<1x2x1x1xf32>
// CHECK-DAG: %[[M:.*]] = infer.mul %[[X]], %[[F]] : (tensor<?x2x?x?xf32>, tensor<1x2x1x1xf32>) -> tensor<?x2x?x?xf32>
// CHECK-DAG: %[[S:.*]] = infer.constant dense<{{\[}}{{\[}}{{\[}}[-5.000000e-01]], {{\[}}[-1.000000e+00]]]]> : tensor<1x2x1x1xf32>
// CHECK: %[[Y:.*]] = infer.add %[[M]], %[[S]] : (tensor<?x2x?x?xf32>, tensor<1x2x1x1xf32>) -> tensor<?x2x?x?xf32>
// CHECK-NOT: infer.batch_norm
// CHECK: func.return %[[Y]]
func.func @nchw(%x: tensor<?x2x?x?xf32>) -> tensor<?x2x?x?xf32> {
  %scale = infer.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %bias = infer.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %mean = infer.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = infer.constant dense<[15.0, 8.0]> : tensor<2xf32>
  %y = infer.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0 : f64} : (tensor<?x2x?x?xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x?x?xf32>
  func.return %y : tensor<?x2x?x?xf32>
}

// -----

// nhwc, rank 3: [1, 1, C]; splat parameters give splat constants.
// CHECK-LABEL: func.func @nhwc_splat
// CHECK-DAG: %[[F:.*]] = infer.constant splat<5.000000e-01> : tensor<1x1x4xf32>
// CHECK-DAG: %[[M:.*]] = infer.mul %{{.*}}, %[[F]] : (tensor<1x?x4xf32>, tensor<1x1x4xf32>) -> tensor<1x?x4xf32>
// CHECK-DAG: %[[S:.*]] = infer.constant splat<7.500000e-01> : tensor<1x1x4xf32>
// CHECK: %[[Y:.*]] = infer.add %[[M]], %[[S]]
// CHECK: func.return %[[Y]]
func.func @nhwc_splat(%x: tensor<1x?x4xf32>) -> tensor<1x?x4xf32> {
  %scale = infer.constant splat<1.0> : tensor<4xf32>
  %bias = infer.constant splat<1.0> : tensor<4xf32>
  %mean = infer.constant splat<0.5> : tensor<4xf32>
  %var = infer.constant splat<3.0> : tensor<4xf32>
  %y = infer.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0 : f64, layout = "nhwc"} : (tensor<1x?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x?x4xf32>
  func.return %y : tensor<1x?x4xf32>
}

// -----

// A factor of ones needs no mul; a batch norm that changes nothing is its input.
// CHECK-LABEL: func.func @trivial
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: infer.mul
// CHECK: %[[Y:.*]] = infer.add %[[X]], %{{.*}} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
// CHECK-NOT: infer.batch_norm
// CHECK: func.return %[[Y]], %[[X]]
func.func @trivial(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %one = infer.constant splat<1.0> : tensor<3xf32>
  %zero = infer.constant splat<0.0> : tensor<3xf32>
  %bias = infer.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %y = infer.batch_norm %x, %one, %bias, %zero, %one {epsilon = 0.0 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %z = infer.batch_norm %x, %one, %zero, %zero, %one {epsilon = 0.0 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  func.return %y, %z : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Not rewritten: a parameter that is not a constant; a dynamic channel dim.
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-2: infer.batch_norm
// CHECK-NOT: infer.mul
func.func @kept(%x: tensor<1x3x4x4xf32>, %v: tensor<3xf32>, %d: tensor<1x?x4x4xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x?x4x4xf32>) {
  %p = infer.constant splat<1.0> : tensor<3xf32>
  %y = infer.batch_norm %x, %p, %p, %p, %v {epsilon = 1.0e-05 : f64} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  %z = infer.batch_norm %d, %p, %p, %p, %p {epsilon = 1.0e-05 : f64} : (tensor<1x?x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x?x4x4xf32>
  func.return %y, %z : tensor<1x3x4x4xf32>, tensor<1x?x4x4xf32>
}

// -----

// A per-channel mul and add by constants after the batch norm (Caffe's Scale layer) fold
// into its factor and shift: factor [0.5, 1] * [2, 3], shift [-0.5, -1] * [2, 3] + 1.
// CHECK-LABEL: func.func @absorb_scale_layer
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x3x3xf32>)
// CHECK-DAG: %[[F:.*]] = infer.constant dense<{{\[}}{{\[}}{{\[}}[1.000000e+00]], {{\[}}[3.000000e+00]]]]> : tensor<1x2x1x1xf32>
// CHECK-DAG: %[[M:.*]] = infer.mul %[[X]], %[[F]]
// CHECK-DAG: %[[S:.*]] = infer.constant dense<{{\[}}{{\[}}{{\[}}[0.000000e+00]], {{\[}}[-2.000000e+00]]]]> : tensor<1x2x1x1xf32>
// CHECK: %[[Y:.*]] = infer.add %[[M]], %[[S]]
// CHECK-NOT: infer.mul
// CHECK-NOT: infer.add
// CHECK: %[[R:.*]] = infer.relu %[[Y]]
// CHECK: func.return %[[R]]
func.func @absorb_scale_layer(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %scale = infer.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %bias = infer.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %mean = infer.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = infer.constant dense<[15.0, 8.0]> : tensor<2xf32>
  %bn = infer.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0 : f64} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %g = infer.constant dense<[[[[2.0]], [[3.0]]]]> : tensor<1x2x1x1xf32>
  %m = infer.mul %bn, %g : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %h = infer.constant splat<1.0> : tensor<1x2x1x1xf32>
  %a = infer.add %h, %m : (tensor<1x2x1x1xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %r = infer.relu %a : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  func.return %r : tensor<1x2x3x3xf32>
}

// -----

// Not folded: a mul by a constant that varies along a spatial dim, an add whose
// operand is not a constant.
// CHECK-LABEL: func.func @not_per_channel
// CHECK: %[[M:.*]] = infer.mul %{{.*}}, %{{.*}} : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>)
// CHECK: %[[A:.*]] = infer.add %[[M]], %{{.*}} : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>)
// CHECK: %[[S:.*]] = infer.mul %[[A]], %{{.*}} : (tensor<1x2x3x3xf32>, tensor<1x1x3x1xf32>)
// CHECK: infer.add %[[S]], %{{.*}} : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>)
func.func @not_per_channel(%x: tensor<1x2x3x3xf32>, %z: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %scale = infer.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %bias = infer.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %mean = infer.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = infer.constant dense<[15.0, 8.0]> : tensor<2xf32>
  %bn = infer.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0 : f64} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %g = infer.constant dense<[[[[2.0], [3.0], [4.0]]]]> : tensor<1x1x3x1xf32>
  %m = infer.mul %bn, %g : (tensor<1x2x3x3xf32>, tensor<1x1x3x1xf32>) -> tensor<1x2x3x3xf32>
  %a = infer.add %m, %z : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  func.return %a : tensor<1x2x3x3xf32>
}
