// RUN: infer-opt %s --split-input-file --select-kernels | filecheck %s
// RUN: infer-opt %s --split-input-file -p 'select-kernels{min-flops=500000}' | filecheck %s --check-prefix=MIN
// RUN: infer-opt %s --split-input-file -p 'select-kernels{gemm=openblas}' | filecheck %s --check-prefix=BLAS

// Convolutions: f32, 2-D, nchw; a constant weight for the packed conv2d, any weight for depthwise.
// CHECK-LABEL: func.func @convs
// CHECK: %[[A:.*]] = infer.conv {{.*}}{infer.kernel = "conv2d_f32", strides
// CHECK: %[[G:.*]] = infer.conv {{.*}}{infer.kernel = "conv2d_f32", strides
// CHECK: %[[D:.*]] = infer.conv {{.*}}{infer.kernel = "depthwise_conv2d_f32", strides
// CHECK: %[[V:.*]] = infer.conv %{{[^ ]*}}, %{{[^ ]*}} {strides
// CHECK: %[[N:.*]] = infer.conv %{{[^ ]*}}, %{{[^ ]*}} {strides
// CHECK: %[[O:.*]] = infer.conv %{{[^ ]*}}, %{{[^ ]*}} {strides
// CHECK: %[[H:.*]] = infer.conv %{{[^ ]*}}, %{{[^ ]*}} {strides
// MIN-LABEL: func.func @convs
// MIN: infer.conv {{.*}}{infer.kernel = "conv2d_f32", strides
// MIN: infer.conv %{{[^ ]*}}, %{{[^ ]*}} {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, groups = 2
// MIN: infer.conv %{{[^ ]*}}, %{{[^ ]*}} {strides = array<i64: 2, 2>
func.func @convs(%x: tensor<?x8x16x16xf32>, %wd: tensor<16x1x3x3xf32>, %wv: tensor<8x8x3x3xf32>, %y: tensor<?x16x16x8xf32>, %z: tensor<?x8x16xf32>, %h: tensor<?x8x16x16xf16>, %wh: tensor<8x8x1x1xf16>) -> (tensor<?x16x16x16xf32>, tensor<?x8x16x16xf32>, tensor<?x16x8x8xf32>, tensor<?x8x14x14xf32>, tensor<?x16x16x16xf32>, tensor<?x8x14xf32>, tensor<?x8x16x16xf16>) {
  %w = infer.constant dense<0.5> : tensor<16x8x3x3xf32>
  %wg = infer.constant dense<0.25> : tensor<8x4x3x3xf32>
  %wn = infer.constant dense<0.5> : tensor<16x8x1x1xf32>
  %w1 = infer.constant dense<0.5> : tensor<8x8x3xf32>
  %a = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = "relu"} : (tensor<?x8x16x16xf32>, tensor<16x8x3x3xf32>) -> tensor<?x16x16x16xf32>
  %g = infer.conv %x, %wg {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, groups = 2 : i64} : (tensor<?x8x16x16xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x16x16xf32>
  %d = infer.conv %x, %wd {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, groups = 8 : i64} : (tensor<?x8x16x16xf32>, tensor<16x1x3x3xf32>) -> tensor<?x16x8x8xf32>
  // Not marked: a weight computed at run time (it could not be prepacked), nhwc, 1-D, f16.
  %v = infer.conv %x, %wv {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x16x16xf32>, tensor<8x8x3x3xf32>) -> tensor<?x8x14x14xf32>
  %n = infer.conv %y, %wn {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, layout = "nhwc"} : (tensor<?x16x16x8xf32>, tensor<16x8x1x1xf32>) -> tensor<?x16x16x16xf32>
  %o = infer.conv %z, %w1 {strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 0, 0>} : (tensor<?x8x16xf32>, tensor<8x8x3xf32>) -> tensor<?x8x14xf32>
  %hh = infer.conv %h, %wh {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x16x16xf16>, tensor<8x8x1x1xf16>) -> tensor<?x8x16x16xf16>
  func.return %a, %g, %d, %v, %n, %o, %hh : tensor<?x16x16x16xf32>, tensor<?x8x16x16xf32>, tensor<?x16x8x8xf32>, tensor<?x8x14x14xf32>, tensor<?x16x16x16xf32>, tensor<?x8x14xf32>, tensor<?x8x16x16xf16>
}

// -----

// Gemms: alpha 1; c a [1, N] bias or an [M, N] matrix (beta 1); a constant b is prepacked.
// CHECK-LABEL: func.func @gemms
// CHECK: infer.gemm {{.*}}{infer.kernel = "gemm_packed_f32", trans_b, activation = "relu"}
// CHECK: infer.gemm {{.*}}{infer.kernel = "gemm_f32"}
// CHECK: infer.gemm {{.*}}{infer.kernel = "gemm_packed_f32", trans_a}
// CHECK: infer.gemm %{{[^ ]*}}, %{{[^ ]*}}, %{{[^ ]*}} {alpha
// CHECK: infer.gemm %{{[^ ]*}}, %{{[^ ]*}}, %{{[^ ]*}} {beta
// CHECK: infer.gemm %{{[^ ]*}}, %{{[^ ]*}}, %{{[^ ]*}} {trans_a} :
// CHECK: infer.gemm %{{[^ ]*}}, %{{[^ ]*}}, %{{[^ ]*}} residual %{{[^ ]*}} :
// CHECK: infer.gemm %{{[^ ]*}}, %{{[^ ]*}} :
// BLAS-LABEL: func.func @gemms
// BLAS: infer.gemm {{.*}}{infer.kernel = "gemm_openblas_f32", trans_b, activation = "relu"}
// BLAS: infer.gemm {{.*}}{infer.kernel = "gemm_openblas_f32"}
// BLAS: infer.gemm {{.*}}{infer.kernel = "gemm_openblas_f32", trans_a}
func.func @gemms(%x: tensor<?x64xf32>, %b: tensor<64x32xf32>, %xt: tensor<64x4xf32>, %r: tensor<?x32xf32>, %c4: tensor<4x1xf32>, %i: tensor<4x8xi32>, %j: tensor<8x2xi32>) -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<4x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<4x32xf32>, tensor<?x32xf32>, tensor<4x2xi32>) {
  %w = infer.constant dense<0.5> : tensor<32x64xf32>
  %wt = infer.constant dense<0.5> : tensor<64x32xf32>
  %c = infer.constant dense<0.5> : tensor<1x32xf32>
  %g0 = infer.gemm %x, %w, %c {trans_b, activation = "relu"} : (tensor<?x64xf32>, tensor<32x64xf32>, tensor<1x32xf32>) -> tensor<?x32xf32>
  %g1 = infer.gemm %x, %b residual %r : (tensor<?x64xf32>, tensor<64x32xf32>) -> tensor<?x32xf32>
  %g2 = infer.gemm %xt, %wt {trans_a} : (tensor<64x4xf32>, tensor<64x32xf32>) -> tensor<4x32xf32>
  // Not marked: alpha, beta, a per-row c, an [M, N] c beside a residual, integers.
  %g3 = infer.gemm %x, %wt, %c {alpha = 2.000000e+00 : f64} : (tensor<?x64xf32>, tensor<64x32xf32>, tensor<1x32xf32>) -> tensor<?x32xf32>
  %g4 = infer.gemm %x, %wt, %c {beta = 2.000000e+00 : f64} : (tensor<?x64xf32>, tensor<64x32xf32>, tensor<1x32xf32>) -> tensor<?x32xf32>
  %g5 = infer.gemm %xt, %wt, %c4 {trans_a} : (tensor<64x4xf32>, tensor<64x32xf32>, tensor<4x1xf32>) -> tensor<4x32xf32>
  %g6 = infer.gemm %x, %wt, %r residual %r : (tensor<?x64xf32>, tensor<64x32xf32>, tensor<?x32xf32>) -> tensor<?x32xf32>
  %g7 = infer.gemm %i, %j : (tensor<4x8xi32>, tensor<8x2xi32>) -> tensor<4x2xi32>
  func.return %g0, %g1, %g2, %g3, %g4, %g5, %g6, %g7 : tensor<?x32xf32>, tensor<?x32xf32>, tensor<4x32xf32>, tensor<?x32xf32>, tensor<?x32xf32>, tensor<4x32xf32>, tensor<?x32xf32>, tensor<4x2xi32>
}

// -----

// Matmuls: each operand's batch dims are the result's or all 1.
// CHECK-LABEL: func.func @matmuls
// CHECK: infer.matmul {{.*}}{infer.kernel = "gemm_packed_f32"}
// CHECK: infer.matmul {{.*}}{infer.kernel = "gemm_f32"}
// CHECK: infer.matmul {{.*}}{infer.kernel = "gemm_f32"}
// CHECK: infer.matmul %{{[^ ]*}}, %{{[^ ]*}} :
// CHECK: infer.matmul %{{[^ ]*}}, %{{[^ ]*}} :
func.func @matmuls(%x: tensor<?x8x16xf32>, %y: tensor<?x16x4xf32>, %m: tensor<2x1x8x16xf32>, %n: tensor<1x3x16x4xf32>, %h: tensor<8x16xf16>, %k: tensor<16x4xf16>) -> (tensor<?x8x4xf32>, tensor<?x8x4xf32>, tensor<?x8x8xf32>, tensor<2x3x8x4xf32>, tensor<8x4xf16>) {
  %w = infer.constant dense<0.5> : tensor<1x16x4xf32>
  %a = infer.matmul %x, %w : (tensor<?x8x16xf32>, tensor<1x16x4xf32>) -> tensor<?x8x4xf32>
  %b = infer.matmul %x, %y : (tensor<?x8x16xf32>, tensor<?x16x4xf32>) -> tensor<?x8x4xf32>
  %t = infer.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<?x8x16xf32>) -> tensor<?x16x8xf32>
  %c = infer.matmul %x, %t : (tensor<?x8x16xf32>, tensor<?x16x8xf32>) -> tensor<?x8x8xf32>
  // Not marked: batch dims broadcast against each other, f16.
  %d = infer.matmul %m, %n : (tensor<2x1x8x16xf32>, tensor<1x3x16x4xf32>) -> tensor<2x3x8x4xf32>
  %e = infer.matmul %h, %k : (tensor<8x16xf16>, tensor<16x4xf16>) -> tensor<8x4xf16>
  func.return %a, %b, %c, %d, %e : tensor<?x8x4xf32>, tensor<?x8x4xf32>, tensor<?x8x8xf32>, tensor<2x3x8x4xf32>, tensor<8x4xf16>
}

// -----

// Pooling: f32, 2-D, nchw, every window; not p-norm pooling, 1-D or nhwc.
// CHECK-LABEL: func.func @pools
// CHECK: infer.max_pool {{.*}}{infer.kernel = "max_pool2d_f32", kernel
// CHECK: infer.avg_pool {{.*}}{infer.kernel = "avg_pool2d_f32", kernel
// CHECK: infer.lp_pool %{{[^ ]*}} {p
// CHECK: infer.max_pool %{{[^ ]*}} {kernel
// CHECK: infer.avg_pool %{{[^ ]*}} {kernel
// A conv's flops count a dynamic dim as 1: 2 * 16 * 16 * 16 * 8 * 3 * 3 = 589824 for %a.
// MIN-LABEL: func.func @pools
// MIN: infer.max_pool {{.*}}{infer.kernel = "max_pool2d_f32", kernel
func.func @pools(%x: tensor<?x64x112x112xf32>, %z: tensor<1x4x9xf32>, %y: tensor<1x8x8x16xf32>) -> (tensor<?x64x57x57xf32>, tensor<?x64x56x56xf32>, tensor<?x64x112x112xf32>, tensor<1x4x4xf32>, tensor<1x4x4x16xf32>) {
  %m = infer.max_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, ceil_mode} : (tensor<?x64x112x112xf32>) -> tensor<?x64x57x57xf32>
  %a = infer.avg_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, count_include_pad} : (tensor<?x64x112x112xf32>) -> tensor<?x64x56x56xf32>
  %p = infer.lp_pool %x {p = 2.000000e+00 : f64, kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x64x112x112xf32>) -> tensor<?x64x112x112xf32>
  %o = infer.max_pool %z {kernel = array<i64: 2>, strides = array<i64: 2>, dilations = array<i64: 1>, pads = array<i64: 0, 0>} : (tensor<1x4x9xf32>) -> tensor<1x4x4xf32>
  %n = infer.avg_pool %y {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, layout = "nhwc"} : (tensor<1x8x8x16xf32>) -> tensor<1x4x4x16xf32>
  func.return %m, %a, %p, %o, %n : tensor<?x64x57x57xf32>, tensor<?x64x56x56xf32>, tensor<?x64x112x112xf32>, tensor<1x4x4xf32>, tensor<1x4x4x16xf32>
}

// -----

// A stale mark (another kernel, an op no kernel covers) is replaced or removed.
// CHECK-LABEL: func.func @stale
// CHECK: infer.max_pool {{.*}}{infer.kernel = "max_pool2d_f32", kernel
// CHECK-NOT: infer.kernel
func.func @stale(%x: tensor<1x2x4x4xf32>, %i: tensor<4x8xi32>, %j: tensor<8x2xi32>) -> (tensor<1x2x2x2xf32>, tensor<4x2xi32>) {
  %m = infer.max_pool %x {infer.kernel = "avg_pool2d_f32", kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  %g = infer.matmul %i, %j {infer.kernel = "gemm_f32"} : (tensor<4x8xi32>, tensor<8x2xi32>) -> tensor<4x2xi32>
  func.return %m, %g : tensor<1x2x2x2xf32>, tensor<4x2xi32>
}

// -----

// Integer products (MatMulInteger, ConvInteger, the QLinear ops) stay loops: the kernels are f32.
// CHECK-LABEL: func.func @integer_products
// CHECK-NOT: infer.kernel
// CHECK: func.return
func.func @integer_products(%a: tensor<?x64xi32>, %x: tensor<?x8x16x16xi32>) -> (tensor<?x32xi32>, tensor<?x16x16x16xi32>) {
  %b = infer.constant dense<3> : tensor<64x32xi32>
  %w = infer.constant dense<2> : tensor<16x8x3x3xi32>
  %y = infer.matmul %a, %b : (tensor<?x64xi32>, tensor<64x32xi32>) -> tensor<?x32xi32>
  %z = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x8x16x16xi32>, tensor<16x8x3x3xi32>) -> tensor<?x16x16x16xi32>
  func.return %y, %z : tensor<?x32xi32>, tensor<?x16x16x16xi32>
}
