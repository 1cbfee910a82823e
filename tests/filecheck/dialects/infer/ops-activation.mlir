// RUN: infer-opt %s | infer-opt | filecheck %s
// Every composite activation prints in its custom form and parses back.

// CHECK-LABEL: func.func @parameterized
func.func @parameterized(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // CHECK: %[[LR:.*]] = infer.leaky_relu %{{.*}} {alpha = 1.000000e-02 : f64} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  %lr = infer.leaky_relu %x {alpha = 0.01 : f64} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  // CHECK: %[[ELU:.*]] = infer.elu %[[LR]] {alpha = 5.000000e-01 : f64}
  %elu = infer.elu %lr {alpha = 0.5 : f64} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  // CHECK: infer.selu %[[ELU]] {alpha = 1.6732632000000001 : f64, gamma = 1.0507010000000001 : f64}
  %selu = infer.selu %elu {alpha = 1.6732632 : f64, gamma = 1.050701 : f64} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  // CHECK: infer.celu %{{.*}} {alpha = 2.000000e+00 : f64}
  %celu = infer.celu %selu {alpha = 2.0 : f64} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  // CHECK: infer.thresholded_relu %{{.*}} {alpha = 1.000000e+00 : f64}
  %tr = infer.thresholded_relu %celu {alpha = 1.0 : f64} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  // CHECK: infer.hard_sigmoid %{{.*}} {alpha = 2.000000e-01 : f64, beta = 5.000000e-01 : f64}
  %hs = infer.hard_sigmoid %tr {alpha = 0.2 : f64, beta = 0.5 : f64} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  // CHECK: %[[SH:.*]] = infer.shrink %{{.*}} {bias = 0.000000e+00 : f64, lambd = 5.000000e-01 : f64}
  %sh = infer.shrink %hs {bias = 0.0 : f64, lambd = 0.5 : f64} : (tensor<?x64xf32>) -> tensor<?x64xf32>
  // CHECK: func.return %[[SH]]
  func.return %sh : tensor<?x64xf32>
}

// CHECK-LABEL: func.func @plain
func.func @plain(%x: tensor<?x768xf32>) -> tensor<?x768xf32> {
  // CHECK: %[[GELU:.*]] = infer.gelu %{{.*}} : (tensor<?x768xf32>) -> tensor<?x768xf32>
  %gelu = infer.gelu %x : (tensor<?x768xf32>) -> tensor<?x768xf32>
  // CHECK: infer.gelu %[[GELU]] {approximate = "tanh"} : (tensor<?x768xf32>) -> tensor<?x768xf32>
  %gelu_tanh = infer.gelu %gelu {approximate = "tanh"} : (tensor<?x768xf32>) -> tensor<?x768xf32>
  // CHECK: infer.hard_swish
  %hsw = infer.hard_swish %gelu_tanh : (tensor<?x768xf32>) -> tensor<?x768xf32>
  // CHECK: infer.softplus
  %sp = infer.softplus %hsw : (tensor<?x768xf32>) -> tensor<?x768xf32>
  // CHECK: infer.softsign
  %ss = infer.softsign %sp : (tensor<?x768xf32>) -> tensor<?x768xf32>
  // CHECK: infer.mish
  %mish = infer.mish %ss : (tensor<?x768xf32>) -> tensor<?x768xf32>
  // CHECK: %[[SILU:.*]] = infer.silu
  %silu = infer.silu %mish : (tensor<?x768xf32>) -> tensor<?x768xf32>
  // CHECK: func.return %[[SILU]]
  func.return %silu : tensor<?x768xf32>
}

// CHECK-LABEL: func.func @prelu
func.func @prelu(%x: tensor<?x64x?x?xf32>, %slope: tensor<1x64x1x1xf32>, %i: tensor<4x3xi64>, %islope: tensor<1x3xi64>) -> (tensor<?x64x?x?xf32>, tensor<4x3xi64>) {
  // CHECK: %[[P:.*]] = infer.prelu %{{.*}}, %{{.*}} : (tensor<?x64x?x?xf32>, tensor<1x64x1x1xf32>) -> tensor<?x64x?x?xf32>
  %p = infer.prelu %x, %slope : (tensor<?x64x?x?xf32>, tensor<1x64x1x1xf32>) -> tensor<?x64x?x?xf32>
  // CHECK: %[[Q:.*]] = infer.prelu %{{.*}}, %{{.*}} : (tensor<4x3xi64>, tensor<1x3xi64>) -> tensor<4x3xi64>
  %q = infer.prelu %i, %islope : (tensor<4x3xi64>, tensor<1x3xi64>) -> tensor<4x3xi64>
  // CHECK: func.return %[[P]], %[[Q]]
  func.return %p, %q : tensor<?x64x?x?xf32>, tensor<4x3xi64>
}
