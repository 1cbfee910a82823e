// RUN: infer-opt %s | infer-opt | filecheck %s
// Every infer op prints in its custom form and parses back.

// CHECK-LABEL: func.func @constants
func.func @constants() -> (tensor<2xi64>, tensor<64x3x7x7xf32>) {
  // CHECK: %[[D:.*]] = infer.constant dense<[1, 2]> : tensor<2xi64>
  %d = infer.constant dense<[1, 2]> : tensor<2xi64>
  // CHECK: %[[S:.*]] = infer.constant splat<2.000000e-02> : tensor<64x3x7x7xf32>
  %s = infer.constant splat<2.000000e-02> : tensor<64x3x7x7xf32>
  // CHECK: func.return %[[D]], %[[S]]
  func.return %d, %s : tensor<2xi64>, tensor<64x3x7x7xf32>
}

// CHECK-LABEL: func.func @fill
func.func @fill(%shape: tensor<4xi64>) -> tensor<?x?x?x?xf32> {
  // CHECK: infer.fill %{{.*}} {value = 0.000000e+00 : f32} : (tensor<4xi64>) -> tensor<?x?x?x?xf32>
  %f = infer.fill %shape {value = 0.0 : f32} : (tensor<4xi64>) -> tensor<?x?x?x?xf32>
  func.return %f : tensor<?x?x?x?xf32>
}

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<?x64x?x?xf32>, %b: tensor<1x64x1x1xf32>) -> tensor<?x64x?x?xf32> {
  // CHECK: %[[A:.*]] = infer.add %{{.*}}, %{{.*}} : (tensor<?x64x?x?xf32>, tensor<1x64x1x1xf32>) -> tensor<?x64x?x?xf32>
  %a = infer.add %x, %b : (tensor<?x64x?x?xf32>, tensor<1x64x1x1xf32>) -> tensor<?x64x?x?xf32>
  // CHECK: infer.relu %[[A]] : (tensor<?x64x?x?xf32>) -> tensor<?x64x?x?xf32>
  %r = infer.relu %a : (tensor<?x64x?x?xf32>) -> tensor<?x64x?x?xf32>
  // CHECK: infer.clip %{{.*}} {min = 0.000000e+00 : f64, max = 6.000000e+00 : f64}
  %c = infer.clip %r {min = 0.0 : f64, max = 6.0 : f64} : (tensor<?x64x?x?xf32>) -> tensor<?x64x?x?xf32>
  func.return %c : tensor<?x64x?x?xf32>
}

// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<?x3x?x?xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x?x?xf32> {
  // CHECK: infer.conv %{{.*}}, %{{.*}}, %{{.*}} {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>}
  %y = infer.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x?x?xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x8x?x?xf32>
  func.return %y : tensor<?x8x?x?xf32>
}

// CHECK-LABEL: func.func @one_element
func.func @one_element() -> tensor<1x1x1xf32> {
  // CHECK: infer.constant dense<5.000000e-01> : tensor<1x1x1xf32>
  %c = infer.constant dense<0.5> : tensor<1x1x1xf32>
  func.return %c : tensor<1x1x1xf32>
}
