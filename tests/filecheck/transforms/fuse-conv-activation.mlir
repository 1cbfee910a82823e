// RUN: infer-opt %s --split-input-file --fuse-conv-activation | filecheck %s
// RUN: infer-opt %s --split-input-file --fuse-conv-activation --print-debuginfo | filecheck %s --check-prefix=LOC
// RUN: infer-opt %s --split-input-file -p 'fuse-conv-activation{only=relu}' | filecheck %s --check-prefix=ONLY

// CHECK-LABEL: func.func @conv_relu
// CHECK: %[[Y:.*]] = infer.conv %{{.*}}, %{{.*}}, %{{.*}} {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = "relu"} : (tensor<?x3x?x?xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x8x?x?xf32>
// CHECK-NOT: infer.relu
// CHECK: func.return %[[Y]]
// LOC-LABEL: func.func @conv_relu
// LOC: infer.conv {{.*}} loc(fused["conv", "relu"])
// ONLY-LABEL: func.func @conv_relu
// ONLY: infer.conv {{.*}}activation = "relu"
func.func @conv_relu(%x: tensor<?x3x?x?xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x?x?xf32> {
  %y = infer.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x?x?xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x8x?x?xf32> loc("conv")
  %r = infer.relu %y : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32> loc("relu")
  func.return %r : tensor<?x8x?x?xf32>
}

// -----

// relu6: a clip with both bounds. A clip with only min = 0 is a relu.
// CHECK-LABEL: func.func @conv_clips
// CHECK: %[[A:.*]] = infer.conv {{.*}}activation = "clip", activation_params = array<f64: 0.000000e+00, 6.000000e+00>}
// CHECK: %[[B:.*]] = infer.conv {{.*}}activation = "relu"}
// CHECK-NOT: infer.clip
// CHECK: func.return %[[A]], %[[B]]
// ONLY-LABEL: func.func @conv_clips
// ONLY: infer.clip
// ONLY: infer.conv {{.*}}activation = "relu"
func.func @conv_clips(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x1x1xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %r = infer.clip %y {min = 0.0 : f64, max = 6.0 : f64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %z = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %s = infer.clip %z {min = 0.0 : f64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  func.return %r, %s : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>
}

// -----

// A clip with one bound other than relu has no epilogue form.
// CHECK-LABEL: func.func @conv_clip_max_only
// CHECK: infer.conv
// CHECK-NOT: activation
// CHECK: infer.clip
func.func @conv_clip_max_only(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %r = infer.clip %y {max = 6.0 : f64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  func.return %r : tensor<1x8x4x4xf32>
}

// -----

// The parametrized activations carry their parameters.
// CHECK-LABEL: func.func @conv_parametrized
// CHECK: infer.conv {{.*}}activation = "leaky_relu", activation_params = array<f64: 1.000000e-01>}
// CHECK: infer.conv {{.*}}activation = "hard_sigmoid", activation_params = array<f64: 2.000000e-01, 5.000000e-01>}
// CHECK: infer.conv_transpose {{.*}}activation = "hard_swish"}
// CHECK: infer.conv {{.*}}activation = "sigmoid"}
// CHECK: infer.conv {{.*}}activation = "silu"}
// CHECK: infer.conv {{.*}}activation = "tanh"}
// CHECK: infer.conv {{.*}}activation = "gelu_tanh"}
// CHECK-NOT: infer.leaky_relu
// CHECK-NOT: infer.hard_
// CHECK-NOT: infer.sigmoid
// CHECK-NOT: infer.silu
func.func @conv_parametrized(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x1x1xf32>, %t: tensor<3x8x1x1xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) {
  %y1 = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %a1 = infer.leaky_relu %y1 {alpha = 0.1 : f64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %y2 = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %a2 = infer.hard_sigmoid %y2 {alpha = 0.2 : f64, beta = 0.5 : f64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %y3 = infer.conv_transpose %x, %t {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>} : (tensor<1x3x4x4xf32>, tensor<3x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %a3 = infer.hard_swish %y3 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %y4 = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %a4 = infer.sigmoid %y4 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %y5 = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %a5 = infer.silu %y5 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %y6 = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %a6 = infer.tanh %y6 : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %y7 = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %a7 = infer.gelu %y7 {approximate = "tanh"} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  func.return %a1, %a2, %a3, %a4, %a5, %a6, %a7 : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>
}

// -----

// x * sigmoid(x) not recomposed into infer.silu, either operand order.
// CHECK-LABEL: func.func @conv_swish
// CHECK: %[[A:.*]] = infer.conv {{.*}}activation = "silu"}
// CHECK: %[[B:.*]] = infer.conv {{.*}}activation = "silu"}
// CHECK-NOT: infer.sigmoid
// CHECK-NOT: infer.mul
// CHECK: func.return %[[A]], %[[B]]
// LOC-LABEL: func.func @conv_swish
// LOC: infer.conv {{.*}} loc(fused["conv", "sig", "mul"])
func.func @conv_swish(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x1x1xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32> loc("conv")
  %s = infer.sigmoid %y : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> loc("sig")
  %m = infer.mul %y, %s : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> loc("mul")
  %z = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %t = infer.sigmoid %z : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %n = infer.mul %t, %z : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  func.return %m, %n : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>
}

// -----

// The sigmoid is used elsewhere too: it is not a SiLU's.
// CHECK-LABEL: func.func @conv_swish_sigmoid_used
// CHECK: infer.conv
// CHECK-NOT: activation
// CHECK: infer.sigmoid
// CHECK: infer.mul
func.func @conv_swish_sigmoid_used(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x1x1xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %s = infer.sigmoid %y : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %m = infer.mul %y, %s : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  func.return %m, %s : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>
}

// -----

// One activation per conv: the second stays separate.
// CHECK-LABEL: func.func @conv_two_activations
// CHECK: %[[Y:.*]] = infer.conv {{.*}}activation = "relu"}
// CHECK: %[[S:.*]] = infer.sigmoid %[[Y]]
// CHECK: func.return %[[S]]
func.func @conv_two_activations(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %r = infer.relu %y : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %s = infer.sigmoid %r : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  func.return %s : tensor<1x8x4x4xf32>
}

// -----

// The conv's pre-activation value is used too: no fusion.
// CHECK-LABEL: func.func @conv_relu_two_uses
// CHECK: infer.conv
// CHECK-NOT: activation
// CHECK: infer.relu
func.func @conv_relu_two_uses(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x1x1xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %r = infer.relu %y : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  func.return %r, %y : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>
}

// -----

// Activations with no epilogue form (elu, prelu) stay separate.
// CHECK-LABEL: func.func @conv_elu
// CHECK: infer.conv
// CHECK-NOT: activation
// CHECK: infer.elu
func.func @conv_elu(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %r = infer.elu %y {alpha = 1.0 : f64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  func.return %r : tensor<1x8x4x4xf32>
}

// -----

// Discardable marks (mark-depthwise's) stay on the fused op.
// CHECK-LABEL: func.func @depthwise_mark
// CHECK: infer.conv %{{.*}}, %{{.*}} {infer.depthwise, {{.*}}groups = 4 : i64, activation = "relu"}
func.func @depthwise_mark(%x: tensor<1x4x4x4xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, groups = 4 : i64, infer.depthwise} : (tensor<1x4x4x4xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32>
  %r = infer.relu %y : (tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  func.return %r : tensor<1x4x2x2xf32>
}
