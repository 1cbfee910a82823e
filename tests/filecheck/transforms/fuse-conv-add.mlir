// RUN: infer-opt %s --split-input-file --fuse-conv-add | filecheck %s
// RUN: infer-opt %s --split-input-file --fuse-conv-add --print-debuginfo | filecheck %s --check-prefix=LOC
// RUN: infer-opt %s --split-input-file -p 'fuse-conv-add{gemm=false}' | filecheck %s --check-prefix=NOGEMM

// ResNet's basic block: relu(conv(x) + x) is one conv with a residual and an epilogue.
// CHECK-LABEL: func.func @residual_block
// CHECK: %[[Y:.*]] = infer.conv %[[X:[^,]*]], %{{.*}}, %{{.*}} residual %[[X]] {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = "relu"} : (tensor<?x8x?x?xf32>, tensor<8x8x3x3xf32>, tensor<8xf32>) -> tensor<?x8x?x?xf32>
// CHECK-NOT: infer.add
// CHECK-NOT: infer.relu
// CHECK: func.return %[[Y]]
// LOC-LABEL: func.func @residual_block
// LOC: infer.conv {{.*}} loc(fused["conv", "add", "relu"])
func.func @residual_block(%x: tensor<?x8x?x?xf32>, %w: tensor<8x8x3x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x?x?xf32> {
  %c = infer.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x8x?x?xf32>, tensor<8x8x3x3xf32>, tensor<8xf32>) -> tensor<?x8x?x?xf32> loc("conv")
  %s = infer.add %x, %c : (tensor<?x8x?x?xf32>, tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32> loc("add")
  %r = infer.relu %s : (tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32> loc("relu")
  func.return %r : tensor<?x8x?x?xf32>
}

// -----

// The downsampling block: the later conv takes the earlier one as its residual,
// and is placed where the add was.
// CHECK-LABEL: func.func @downsampling_block
// CHECK: %[[D:.*]] = infer.conv %{{.*}}, %{{.*}} {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x8xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x4x4xf32>
// CHECK-NEXT: %[[Y:.*]] = infer.conv %{{.*}}, %{{.*}} residual %[[D]] {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = "relu"} : (tensor<1x16x4x4xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x4x4xf32>
// CHECK-NEXT: func.return %[[Y]]
func.func @downsampling_block(%x: tensor<1x8x8x8xf32>, %h: tensor<1x16x4x4xf32>, %wd: tensor<16x8x1x1xf32>, %wm: tensor<16x16x3x3xf32>) -> tensor<1x16x4x4xf32> {
  %d = infer.conv %x, %wd {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x8x8xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x4x4xf32>
  %m = infer.conv %h, %wm {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x16x4x4xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x4x4xf32>
  %s = infer.add %d, %m : (tensor<1x16x4x4xf32>, tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  %r = infer.relu %s : (tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  func.return %r : tensor<1x16x4x4xf32>
}

// -----

// Not fused: an epilogue already there, a shared conv value, a broadcasting add.
// CHECK-LABEL: func.func @not_fused
// CHECK: infer.conv %{{[^ ]*}}, %{{[^ ]*}} {{{.*}}activation = "relu"}
// CHECK-NEXT: infer.add
// CHECK-NEXT: infer.conv %{{[^ ]*}}, %{{[^ ]*}} {
// CHECK-NEXT: infer.add
// CHECK-NEXT: infer.mul
// CHECK-NEXT: infer.conv %{{[^ ]*}}, %{{[^ ]*}} {
// CHECK-NEXT: infer.add
func.func @not_fused(%x: tensor<1x8x4x4xf32>, %w: tensor<8x8x1x1xf32>, %v: tensor<1x8x1x1xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) {
  %a = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, activation = "relu"} : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %s = infer.add %a, %x : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %b = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %t = infer.add %b, %x : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %u = infer.mul %t, %b : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %c = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %e = infer.add %c, %v : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x4x4xf32>
  func.return %s, %u, %e : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>
}

// -----

// A transformer's x + Linear(h): the gemm keeps its bias c and takes x as its residual.
// CHECK-LABEL: func.func @gemm_residual
// CHECK: %[[G:.*]] = infer.gemm %{{.*}}, %{{.*}}, %{{.*}} residual %{{.*}} {trans_b, activation = "gelu"} : (tensor<?x64xf32>, tensor<64x64xf32>, tensor<1x64xf32>) -> tensor<?x64xf32>
// CHECK-NEXT: func.return %[[G]]
// NOGEMM-LABEL: func.func @gemm_residual
// NOGEMM: infer.add
// NOGEMM: infer.gelu
func.func @gemm_residual(%x: tensor<?x64xf32>, %h: tensor<?x64xf32>, %w: tensor<64x64xf32>, %c: tensor<1x64xf32>) -> tensor<?x64xf32> {
  %g = infer.gemm %h, %w, %c {trans_b} : (tensor<?x64xf32>, tensor<64x64xf32>, tensor<1x64xf32>) -> tensor<?x64xf32>
  %s = infer.add %x, %g : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x64xf32>
  %y = infer.gelu %s : (tensor<?x64xf32>) -> tensor<?x64xf32>
  func.return %y : tensor<?x64xf32>
}
