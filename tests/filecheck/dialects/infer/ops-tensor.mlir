// RUN: infer-opt %s | infer-opt | filecheck %s

// CHECK-LABEL: func.func @reshapes
// CHECK: infer.unsqueeze %{{.*}} {axes = array<i64: 0, 2, 3>} : (tensor<64xf32>) -> tensor<1x64x1x1xf32>
// CHECK: infer.squeeze %{{.*}} {axes = array<i64: 0, 2, 3>} : (tensor<1x64x1x1xf32>) -> tensor<64xf32>
// CHECK: infer.reshape %[[X:.*]] : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
// CHECK: infer.reshape %[[X]], %[[S:.*]] : (tensor<?x64x7x7xf32>, tensor<3xi64>) -> tensor<?x64x?xf32>
// CHECK: infer.flatten %[[X]] {axis = 2 : i64} : (tensor<?x64x7x7xf32>) -> tensor<?x49xf32>
// CHECK: infer.transpose %[[X]] {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x64x7x7xf32>) -> tensor<?x7x7x64xf32>
func.func @reshapes(%b: tensor<64xf32>, %x: tensor<?x64x7x7xf32>, %s: tensor<3xi64>) -> (tensor<64xf32>, tensor<?x3136xf32>, tensor<?x64x?xf32>, tensor<?x49xf32>, tensor<?x7x7x64xf32>) {
  %u = infer.unsqueeze %b {axes = array<i64: 0, 2, 3>} : (tensor<64xf32>) -> tensor<1x64x1x1xf32>
  %q = infer.squeeze %u {axes = array<i64: 0, 2, 3>} : (tensor<1x64x1x1xf32>) -> tensor<64xf32>
  %r = infer.reshape %x : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
  %d = infer.reshape %x, %s : (tensor<?x64x7x7xf32>, tensor<3xi64>) -> tensor<?x64x?xf32>
  %f = infer.flatten %x {axis = 2 : i64} : (tensor<?x64x7x7xf32>) -> tensor<?x49xf32>
  %t = infer.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x64x7x7xf32>) -> tensor<?x7x7x64xf32>
  func.return %q, %r, %d, %f, %t : tensor<64xf32>, tensor<?x3136xf32>, tensor<?x64x?xf32>, tensor<?x49xf32>, tensor<?x7x7x64xf32>
}

// CHECK-LABEL: func.func @concat_split_slice
// CHECK: %[[C:.*]] = infer.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<?x3xf32>, tensor<?x5xf32>) -> tensor<?x8xf32>
// CHECK: infer.split %[[C]] {axis = 1 : i64, sizes = array<i64: 2, 6>} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x6xf32>)
// CHECK: infer.split %[[C]] {axis = 1 : i64, num_outputs = 3 : i64} : (tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x2xf32>)
// CHECK: infer.slice %[[C]] {starts = array<i64: 0, 7>, ends = array<i64: 9223372036854775807, -9223372036854775808>, steps = array<i64: 1, -2>} : (tensor<?x8xf32>) -> tensor<?x4xf32>
func.func @concat_split_slice(%a: tensor<?x3xf32>, %b: tensor<?x5xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x4xf32>) {
  %c = infer.concat %a, %b {axis = 1 : i64} : (tensor<?x3xf32>, tensor<?x5xf32>) -> tensor<?x8xf32>
  %p:2 = infer.split %c {axis = 1 : i64, sizes = array<i64: 2, 6>} : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x6xf32>)
  %n:3 = infer.split %c {axis = 1 : i64, num_outputs = 3 : i64} : (tensor<?x8xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x2xf32>)
  %l = infer.slice %c {starts = array<i64: 0, 7>, ends = array<i64: 9223372036854775807, -9223372036854775808>, steps = array<i64: 1, -2>} : (tensor<?x8xf32>) -> tensor<?x4xf32>
  func.return %p#0, %n#2, %l : tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x4xf32>
}

// CHECK-LABEL: func.func @dynamic_slice
// CHECK: infer.dynamic_slice %{{.*}}, %[[S:.*]], %[[S]] {steps = array<i64: 1, -1>} : (tensor<?x8xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x3xf32>
func.func @dynamic_slice(%x: tensor<?x8xf32>, %s: tensor<2xi64>) -> tensor<?x3xf32> {
  %y = infer.dynamic_slice %x, %s, %s {steps = array<i64: 1, -1>} : (tensor<?x8xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x3xf32>
  func.return %y : tensor<?x3xf32>
}

// CHECK-LABEL: func.func @gathers
// CHECK: infer.gather %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<100x16xf32>, tensor<?x4xi64>) -> tensor<?x4x16xf32>
// CHECK: infer.gather_elements %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x8xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
func.func @gathers(%w: tensor<100x16xf32>, %i: tensor<?x4xi64>, %x: tensor<2x8xf32>, %j: tensor<2x3xi64>) -> (tensor<?x4x16xf32>, tensor<2x3xf32>) {
  %g = infer.gather %w, %i {axis = 0 : i64} : (tensor<100x16xf32>, tensor<?x4xi64>) -> tensor<?x4x16xf32>
  %e = infer.gather_elements %x, %j {axis = 1 : i64} : (tensor<2x8xf32>, tensor<2x3xi64>) -> tensor<2x3xf32>
  func.return %g, %e : tensor<?x4x16xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: func.func @pad_resize
// CHECK: infer.pad %{{.*}} {pads = array<i64: 0, 0, 1, -1, 0, 0, 2, 1>, mode = "reflect"} : (tensor<?x3x8x8xf32>) -> tensor<?x3x11x8xf32>
// CHECK: infer.pad %{{.*}} {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 1.500000e+00 : f64}
// CHECK: infer.resize %{{.*}} {mode = "linear", scales = array<f64: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>} : (tensor<?x3x8x8xf32>) -> tensor<?x3x16x16xf32>
// CHECK: infer.resize %{{.*}} {mode = "cubic", coordinate_mode = "tf_crop_and_resize", exclude_outside, sizes = array<i64: 2, 3, 5, 4>, roi = array<f64: {{.*}}>} : (tensor<2x3x8x8xf32>) -> tensor<2x3x5x4xf32>
func.func @pad_resize(%x: tensor<?x3x8x8xf32>, %y: tensor<2x3x8x8xf32>) -> (tensor<?x3x11x8xf32>, tensor<?x3x10x10xf32>, tensor<?x3x16x16xf32>, tensor<2x3x5x4xf32>) {
  %p = infer.pad %x {pads = array<i64: 0, 0, 1, -1, 0, 0, 2, 1>, mode = "reflect"} : (tensor<?x3x8x8xf32>) -> tensor<?x3x11x8xf32>
  %c = infer.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 1.5 : f64} : (tensor<?x3x8x8xf32>) -> tensor<?x3x10x10xf32>
  %z = infer.resize %x {mode = "linear", scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : (tensor<?x3x8x8xf32>) -> tensor<?x3x16x16xf32>
  %w = infer.resize %y {mode = "cubic", coordinate_mode = "tf_crop_and_resize", exclude_outside, sizes = array<i64: 2, 3, 5, 4>, roi = array<f64: 0.0, 0.0, 0.1, 0.2, 1.0, 1.0, 0.9, 0.8>} : (tensor<2x3x8x8xf32>) -> tensor<2x3x5x4xf32>
  func.return %p, %c, %z, %w : tensor<?x3x11x8xf32>, tensor<?x3x10x10xf32>, tensor<?x3x16x16xf32>, tensor<2x3x5x4xf32>
}

// CHECK-LABEL: func.func @shapes
// CHECK: %[[H:.*]] = infer.shape_of %{{.*}} {start = 0 : i64, end = 3 : i64} : (tensor<?x3x?x4xf32>) -> tensor<3xi64>
// CHECK: infer.broadcast_to %{{.*}}, %[[H]] : (tensor<1x3x1xf32>, tensor<3xi64>) -> tensor<?x3x?xf32>
// CHECK: infer.tile %{{.*}} {repeats = array<i64: 2, 1, 3, 0>} : (tensor<?x3x?x4xf32>) -> tensor<?x3x?x0xf32>
// CHECK: infer.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
func.func @shapes(%x: tensor<?x3x?x4xf32>, %b: tensor<1x3x1xf32>, %s: tensor<i64>) -> (tensor<?x3x?xf32>, tensor<?x3x?x0xf32>, tensor<?xi64>) {
  %h = infer.shape_of %x {start = 0 : i64, end = 3 : i64} : (tensor<?x3x?x4xf32>) -> tensor<3xi64>
  %o = infer.broadcast_to %b, %h : (tensor<1x3x1xf32>, tensor<3xi64>) -> tensor<?x3x?xf32>
  %k = infer.tile %x {repeats = array<i64: 2, 1, 3, 0>} : (tensor<?x3x?x4xf32>) -> tensor<?x3x?x0xf32>
  %n = infer.range %s, %s, %s : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  func.return %o, %k, %n : tensor<?x3x?xf32>, tensor<?x3x?x0xf32>, tensor<?xi64>
}
