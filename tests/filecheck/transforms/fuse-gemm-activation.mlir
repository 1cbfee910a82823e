// RUN: infer-opt %s --split-input-file --fuse-gemm-activation | filecheck %s
// RUN: infer-opt %s --split-input-file --fuse-gemm-activation --print-debuginfo | filecheck %s --check-prefix=LOC
// RUN: infer-opt %s --split-input-file -p 'fuse-gemm-activation{matmul=false only=relu}' | filecheck %s --check-prefix=OPT

// CHECK-LABEL: func.func @gemm_relu
// CHECK-SAME: (%[[X:[^:]*]]: {{.*}}, %[[W:[^:]*]]: {{.*}}, %[[C:[^:]*]]: {{.*}})
// CHECK: %[[Y:.*]] = infer.gemm %[[X]], %[[W]], %[[C]] {alpha = 5.000000e-01 : f64, trans_b, activation = "relu"} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
// CHECK-NOT: infer.relu
// CHECK: func.return %[[Y]]
// LOC-LABEL: func.func @gemm_relu
// LOC: infer.gemm {{.*}} loc(fused["fc", "relu"])
// OPT-LABEL: func.func @gemm_relu
// OPT: infer.gemm {{.*}}activation = "relu"
func.func @gemm_relu(%x: tensor<?x8xf32>, %w: tensor<4x8xf32>, %c: tensor<1x4xf32>) -> tensor<?x4xf32> {
  %y = infer.gemm %x, %w, %c {alpha = 0.5 : f64, trans_b} : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<1x4xf32>) -> tensor<?x4xf32> loc("fc")
  %r = infer.relu %y : (tensor<?x4xf32>) -> tensor<?x4xf32> loc("relu")
  func.return %r : tensor<?x4xf32>
}

// -----

// A rank-2 matmul followed by an activation becomes a gemm with that epilogue.
// CHECK-LABEL: func.func @matmul_gelu
// CHECK: %[[Y:.*]] = infer.gemm %{{.*}}, %{{.*}} {activation = "gelu"} : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
// CHECK-NOT: infer.matmul
// CHECK: func.return %[[Y]]
// OPT-LABEL: func.func @matmul_gelu
// OPT: infer.matmul
// OPT: infer.gelu
func.func @matmul_gelu(%x: tensor<2x8xf32>, %w: tensor<8x4xf32>) -> tensor<2x4xf32> {
  %y = infer.matmul %x, %w : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  %r = infer.gelu %y : (tensor<2x4xf32>) -> tensor<2x4xf32>
  func.return %r : tensor<2x4xf32>
}

// -----

// A batched matmul has no gemm form.
// CHECK-LABEL: func.func @batched_matmul_relu
// CHECK: infer.matmul
// CHECK: infer.relu
func.func @batched_matmul_relu(%x: tensor<2x2x8xf32>, %w: tensor<1x8x4xf32>) -> tensor<2x2x4xf32> {
  %y = infer.matmul %x, %w : (tensor<2x2x8xf32>, tensor<1x8x4xf32>) -> tensor<2x2x4xf32>
  %r = infer.relu %y : (tensor<2x2x4xf32>) -> tensor<2x2x4xf32>
  func.return %r : tensor<2x2x4xf32>
}

// -----

// Integer gemms take clips with both (integral) bounds; a clip with one bound other than relu stays.
// CHECK-LABEL: func.func @integer_gemm
// CHECK: infer.gemm {{.*}}activation = "clip", activation_params = array<f64: -3.000000e+00, 3.000000e+00>}
// CHECK: %[[G:.*]] = infer.gemm %{{.*}}, %{{.*}} :
// CHECK: infer.clip %[[G]] {min = -1 : i64}
func.func @integer_gemm(%x: tensor<2x3xi32>, %w: tensor<3x4xi32>) -> (tensor<2x4xi32>, tensor<2x4xi32>) {
  %y = infer.gemm %x, %w : (tensor<2x3xi32>, tensor<3x4xi32>) -> tensor<2x4xi32>
  %r = infer.clip %y {min = -3 : i64, max = 3 : i64} : (tensor<2x4xi32>) -> tensor<2x4xi32>
  %z = infer.gemm %x, %w : (tensor<2x3xi32>, tensor<3x4xi32>) -> tensor<2x4xi32>
  %s = infer.clip %z {min = -1 : i64} : (tensor<2x4xi32>) -> tensor<2x4xi32>
  func.return %r, %s : tensor<2x4xi32>, tensor<2x4xi32>
}

// -----

// One activation per gemm; the gemm's value used elsewhere blocks the fusion; `only` filters.
// CHECK-LABEL: func.func @gemm_no_fusion
// CHECK: %[[G:.*]] = infer.gemm %{{.*}}, %{{.*}} {activation = "tanh"}
// CHECK: infer.sigmoid %[[G]]
// CHECK: %[[H:.*]] = infer.gemm %{{.*}}, %{{.*}} :
// CHECK: infer.relu %[[H]]
// CHECK: infer.gemm %{{.*}}, %{{.*}} {activation = "tanh"}
// CHECK-NOT: infer.tanh
// OPT-LABEL: func.func @gemm_no_fusion
// OPT: infer.gemm
// OPT: infer.gemm
// OPT: infer.gemm
// OPT: infer.tanh
func.func @gemm_no_fusion(%x: tensor<2x8xf32>, %w: tensor<8x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  %g = infer.gemm %x, %w {activation = "tanh"} : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  %s = infer.sigmoid %g : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %h = infer.gemm %x, %w : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  %r = infer.relu %h : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %t = infer.gemm %x, %w : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  %u = infer.tanh %t : (tensor<2x4xf32>) -> tensor<2x4xf32>
  func.return %s, %r, %h, %u : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}
