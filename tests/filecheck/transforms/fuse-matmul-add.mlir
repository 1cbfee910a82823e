// RUN: infer-opt %s --split-input-file --fuse-matmul-add | filecheck %s
// RUN: infer-opt %s --split-input-file --fuse-matmul-add --print-debuginfo | filecheck %s --check-prefix=LOC

// CHECK-LABEL: func.func @matmul_add
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[W:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<1x3xf32>)
// CHECK: %[[Y:.*]] = infer.gemm %[[X]], %[[W]], %[[B]] : (tensor<?x4xf32>, tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
// LOC-LABEL: func.func @matmul_add
// LOC: infer.gemm {{.*}} loc(fused["mm", "add"])
// CHECK-NOT: infer.matmul
// CHECK-NOT: infer.add
// CHECK: func.return %[[Y]]
func.func @matmul_add(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>, %b: tensor<1x3xf32>) -> tensor<?x3xf32> {
  %m = infer.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32> loc("mm")
  %y = infer.add %b, %m : (tensor<1x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32> loc("add")
  func.return %y : tensor<?x3xf32>
}

// -----

// A transposed weight (PyTorch's Linear) is absorbed as trans_b.
// CHECK-LABEL: func.func @matmul_transposed_add
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf32>, %[[W:.*]]: tensor<3x4xf32>, %[[B:.*]]: tensor<2x3xf32>)
// CHECK: %[[Y:.*]] = infer.gemm %[[X]], %[[W]], %[[B]] {trans_b}
// LOC-LABEL: func.func @matmul_transposed_add
// LOC: infer.gemm {{.*}} loc(fused["t", "mm", "add"])
// CHECK-NOT: infer.transpose
// CHECK: func.return %[[Y]]
func.func @matmul_transposed_add(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %t = infer.transpose %w {perm = array<i64: 1, 0>} : (tensor<3x4xf32>) -> tensor<4x3xf32> loc("t")
  %m = infer.matmul %x, %t : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("mm")
  %y = infer.add %m, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc("add")
  func.return %y : tensor<2x3xf32>
}

// -----

// The converter's form of a vector times a matrix: unsqueeze, matmul, squeeze.
// CHECK-LABEL: func.func @vector_matmul_add
// CHECK: %[[U:.*]] = infer.unsqueeze
// CHECK: %[[C:.*]] = infer.constant splat<1.000000e+00> : tensor<1x3xf32>
// CHECK: %[[G:.*]] = infer.gemm %[[U]], %{{.*}}, %[[C]]
// CHECK: %[[Y:.*]] = infer.squeeze %[[G]] {axes = array<i64: 0>} : (tensor<1x3xf32>) -> tensor<3xf32>
// CHECK: func.return %[[Y]]
// The converter's unsqueeze carries the MatMul node's name; the node's value is gone, so it
// gets a derived name (it must not stand for the node's value).
// LOC-LABEL: func.func @vector_matmul_add
// LOC: infer.unsqueeze {{.*}} loc("mm#unsqueeze"("mm"))
// LOC: infer.gemm {{.*}} loc("add#gemm1"(fused["mm", "add"]))
// LOC: infer.squeeze {{.*}} loc(fused["mm", "add"])
func.func @vector_matmul_add(%x: tensor<4xf32>, %w: tensor<4x3xf32>) -> tensor<3xf32> {
  %b = infer.constant splat<1.0> : tensor<3xf32>
  %u = infer.unsqueeze %x {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<1x4xf32> loc("mm")
  %m = infer.matmul %u, %w : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32> loc("mm")
  %s = infer.squeeze %m {axes = array<i64: 0>} : (tensor<1x3xf32>) -> tensor<3xf32> loc("mm")
  %y = infer.add %s, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32> loc("add")
  func.return %y : tensor<3xf32>
}

// -----

// A matrix times a vector: the bias (one per row) becomes a column, c [M, 1].
// CHECK-LABEL: func.func @matmul_vector_add
// CHECK-SAME: %[[B:[^:]*]]: tensor<2xf32>)
// CHECK: %[[C:.*]] = infer.reshape %[[B]] : (tensor<2xf32>) -> tensor<2x1xf32>
// CHECK: %[[G:.*]] = infer.gemm %{{.*}}, %{{.*}}, %[[C]]
// CHECK: infer.squeeze %[[G]] {axes = array<i64: 1>}
func.func @matmul_vector_add(%w: tensor<2x4xf32>, %v: tensor<4xf32>, %b: tensor<2xf32>) -> tensor<2xf32> {
  %u = infer.unsqueeze %v {axes = array<i64: 1>} : (tensor<4xf32>) -> tensor<4x1xf32>
  %m = infer.matmul %w, %u : (tensor<2x4xf32>, tensor<4x1xf32>) -> tensor<2x1xf32>
  %s = infer.squeeze %m {axes = array<i64: 1>} : (tensor<2x1xf32>) -> tensor<2xf32>
  %y = infer.add %s, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}

// -----

// A gemm without c takes the bias as c; one with a constant c adds them.
// CHECK-LABEL: func.func @gemm_add
// CHECK: %[[C:.*]] = infer.constant splat<7.000000e+00> : tensor<1x3xf32>
// CHECK: %[[G:.*]] = infer.gemm %{{.*}}, %{{.*}}, %[[C]] {alpha = 2.000000e+00 : f64, trans_b}
// CHECK: %[[H:.*]] = infer.gemm %{{.*}}, %{{.*}}, %{{.*}} :
// CHECK: func.return %[[G]], %[[H]]
func.func @gemm_add(%x: tensor<?x4xf32>, %w: tensor<3x4xf32>, %v: tensor<4x3xf32>, %d: tensor<1x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %c = infer.constant splat<2.0> : tensor<1x3xf32>
  %b = infer.constant splat<1.0> : tensor<1x3xf32>
  %g = infer.gemm %x, %w, %c {alpha = 2.0 : f64, beta = 3.0 : f64, trans_b} : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  %y = infer.add %g, %b : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  %h = infer.gemm %x, %v : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %z = infer.add %h, %d : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
  func.return %y, %z : tensor<?x3xf32>, tensor<?x3xf32>
}

// -----

// A batched product with a shared weight: rows collapsed, one gemm, reshaped back.
// CHECK-LABEL: func.func @batched_matmul_add
// CHECK-SAME: (%[[X:.*]]: tensor<?x5x4xf32>)
// CHECK-DAG: %[[W:.*]] = infer.constant splat<2.000000e+00> : tensor<4x3xf32>
// CHECK-DAG: %[[C:.*]] = infer.constant splat<1.000000e+00> : tensor<1x3xf32>
// CHECK: %[[A:.*]] = infer.reshape %[[X]] : (tensor<?x5x4xf32>) -> tensor<?x4xf32>
// CHECK: %[[G:.*]] = infer.gemm %[[A]], %[[W]], %[[C]] : (tensor<?x4xf32>, tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
// CHECK: %[[Y:.*]] = infer.reshape %[[G]] : (tensor<?x3xf32>) -> tensor<?x5x3xf32>
// CHECK: func.return %[[Y]]
// The reshape back gives the add's value; the ops feeding it stand for no node.
// LOC-LABEL: func.func @batched_matmul_add
// LOC: infer.reshape {{.*}} loc("add#reshape0"(fused["mm", "add"]))
// LOC: infer.gemm {{.*}} loc("add#gemm3"(fused["mm", "add"]))
// LOC: infer.reshape {{.*}} loc(fused["mm", "add"])
func.func @batched_matmul_add(%x: tensor<?x5x4xf32>) -> tensor<?x5x3xf32> {
  %w = infer.constant splat<2.0> : tensor<1x4x3xf32>
  %b = infer.constant splat<1.0> : tensor<1x1x3xf32>
  %m = infer.matmul %x, %w : (tensor<?x5x4xf32>, tensor<1x4x3xf32>) -> tensor<?x5x3xf32> loc("mm")
  %y = infer.add %m, %b : (tensor<?x5x3xf32>, tensor<1x1x3xf32>) -> tensor<?x5x3xf32> loc("add")
  func.return %y : tensor<?x5x3xf32>
}

// -----

// Two dynamic leading dims: the shape back is not static, the pair stays (see dynamic-batch).
// CHECK-LABEL: func.func @batched_matmul_add_dynamic
// CHECK: infer.matmul
// CHECK: infer.add
func.func @batched_matmul_add_dynamic(%x: tensor<?x?x4xf32>) -> tensor<?x?x3xf32> {
  %w = infer.constant splat<2.0> : tensor<1x4x3xf32>
  %b = infer.constant splat<1.0> : tensor<1x1x3xf32>
  %m = infer.matmul %x, %w : (tensor<?x?x4xf32>, tensor<1x4x3xf32>) -> tensor<?x?x3xf32>
  %y = infer.add %m, %b : (tensor<?x?x3xf32>, tensor<1x1x3xf32>) -> tensor<?x?x3xf32>
  func.return %y : tensor<?x?x3xf32>
}

// -----

// A bias that is as large as the product but would stretch it is not a gemm's c.
// CHECK-LABEL: func.func @matmul_add_stretches
// CHECK: infer.matmul
// CHECK: infer.add
func.func @matmul_add_stretches(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>, %b: tensor<5x3xf32>) -> tensor<5x3xf32> {
  %m = infer.matmul %x, %w : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  %y = infer.add %m, %b : (tensor<1x3xf32>, tensor<5x3xf32>) -> tensor<5x3xf32>
  func.return %y : tensor<5x3xf32>
}

// -----

// A dynamic bias dim could be 1 or not at run time: no fusion.
// CHECK-LABEL: func.func @matmul_add_dynamic_bias
// CHECK: infer.matmul
// CHECK: infer.add
func.func @matmul_add_dynamic_bias(%x: tensor<?x4xf32>, %w: tensor<4x3xf32>, %b: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %m = infer.matmul %x, %w : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %y = infer.add %m, %b : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  func.return %y : tensor<?x3xf32>
}

// -----

// The product has another use: no fusion.
// CHECK-LABEL: func.func @matmul_two_uses
// CHECK: infer.matmul
// CHECK: infer.add
func.func @matmul_two_uses(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>, %b: tensor<1x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %m = infer.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %y = infer.add %m, %b : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  func.return %y, %m : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// A gemm with an epilogue applies its activation before the add could: no fusion.
// CHECK-LABEL: func.func @gemm_epilogue_add
// CHECK: infer.gemm {{.*}}activation = "relu"
// CHECK: infer.add
func.func @gemm_epilogue_add(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>, %b: tensor<1x3xf32>) -> tensor<2x3xf32> {
  %g = infer.gemm %x, %w {activation = "relu"} : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %y = infer.add %g, %b : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  func.return %y : tensor<2x3xf32>
}
