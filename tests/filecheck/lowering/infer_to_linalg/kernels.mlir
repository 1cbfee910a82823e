// RUN: infer-opt %s --split-input-file -p 'decompose-composites,convert-infer-to-linalg' | filecheck %s

// Convolutions marked by select-kernels call the kernel library: sizes are run-time
// values, the destination a new buffer; a constant weight is a global of its own that
// the runtime prepacks (once for the two convs that share it); an absent bias or
// residual is a null argument of the ABI.
// CHECK-DAG: "memref.global"() <{sym_name = "__packed_conv1", type = memref<16x8x3x3xf32>, initial_value = dense<5.000000e-01> : tensor<16x8x3x3xf32>, sym_visibility = "private", constant}> {infer.pack = "conv2d_f32", infer.pack_size_params = array<i64: 16, 8, 3, 3, 1>, infer.pack_params = array<i64: 16, 8, 3, 3, 1>}
// CHECK-NOT: "memref.global"() <{sym_name = "__packed
// CHECK-LABEL: func.func @main_graph(
// CHECK-SAME:    %[[X:.*]]: memref<?x8x9x9xf32>, %[[R:.*]]: memref<?x16x9x9xf32>)
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG:     %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG:     %[[C9:.*]] = arith.constant 9 : index
// CHECK:         %[[B:.*]] = memref.get_global @__constant_1 : memref<16xf32>
// CHECK:         %[[WD:.*]] = memref.get_global @__constant_2 : memref<16x1x3x3xf32>
// CHECK:         %[[N:.*]] = memref.dim %[[X]]
// CHECK:         %[[Y:.*]] = memref.alloc(%[[N]]) : memref<?x16x9x9xf32>
// CHECK:         %[[W:.*]] = memref.get_global @__packed_conv1 : memref<16x8x3x3xf32>
// CHECK:         %[[CLIP:.*]] = arith.constant 2 : i32
// CHECK:         %[[LOW:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[HIGH:.*]] = arith.constant 6.000000e+00 : f32
// CHECK:         func.call @infer_k_conv2d_f32(%[[X]], %[[N]], %[[C8]], %[[C9]], %[[C9]], %[[W]], %[[B]], %[[R]], %[[Y]], %[[C1]], %[[C1]], %[[C1]], %[[C1]], %[[C1]], %[[C1]], %[[C1]], %[[C1]], %[[CLIP]], %[[LOW]], %[[HIGH]])
// CHECK:         %[[Z:.*]] = memref.alloc(%[[N]]) : memref<?x16x9x9xf32>
// CHECK:         %[[W2:.*]] = memref.get_global @__packed_conv1 : memref<16x8x3x3xf32>
// CHECK:         func.call @infer_k_conv2d_f32_1(%[[X]], %[[N]], %[[C8]], %[[C9]], %[[C9]], %[[W2]], %[[Z]],
// CHECK:         %[[D:.*]] = memref.alloc(%[[N]]) : memref<?x16x5x5xf32>
// CHECK:         func.call @infer_k_depthwise_conv2d_f32(%[[X]], %[[N]], %[[C8]], %[[C9]], %[[C9]], %[[WD]], %[[C2]], %[[C3]], %[[C3]], %[[D]], %[[C2]], %[[C2]], %[[C1]], %[[C1]], %[[C1]], %[[C1]], %[[C1]], %[[C1]],
// CHECK:         func.return %[[Y]], %[[Z]], %[[D]]
// CHECK:       func.func private @infer_k_conv2d_f32(memref<?x8x9x9xf32>, index, index, index, index, memref<16x8x3x3xf32>, memref<16xf32>, memref<?x16x9x9xf32>, memref<?x16x9x9xf32>, index, index, index, index, index, index, index, index, i32, f32, f32)
// CHECK-SAME:    attributes {infer.kernel = "conv2d_f32", infer.kernel_abi = ["in", "value", "value", "value", "value", "in", "in", "in", "out", "value", "value", "value", "value", "value", "value", "value", "value", "value", "value", "value"]}
// CHECK:       func.func private @infer_k_conv2d_f32_1(
// CHECK-SAME:    infer.kernel_abi = ["in", "value", "value", "value", "value", "in", "null", "null", "out",
// CHECK:       func.func private @infer_k_depthwise_conv2d_f32(
// CHECK-SAME:    infer.kernel = "depthwise_conv2d_f32", infer.kernel_abi = ["in", "value", "value", "value", "value", "in", "value", "value", "value", "null", "null", "out",
func.func @main_graph(%x: tensor<?x8x9x9xf32>, %r: tensor<?x16x9x9xf32>) -> (tensor<?x16x9x9xf32>, tensor<?x16x9x9xf32>, tensor<?x16x5x5xf32>) {
  %w = infer.constant dense<0.5> : tensor<16x8x3x3xf32>
  %b = infer.constant dense<[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0]> : tensor<16xf32>
  %wd = infer.constant dense<0.25> : tensor<16x1x3x3xf32>
  %y = infer.conv %x, %w, %b residual %r {infer.kernel = "conv2d_f32", strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = "clip", activation_params = array<f64: 0.0, 6.0>} : (tensor<?x8x9x9xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>) -> tensor<?x16x9x9xf32> loc("conv1")
  %z = infer.conv %x, %w {infer.kernel = "conv2d_f32", strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x8x9x9xf32>, tensor<16x8x3x3xf32>) -> tensor<?x16x9x9xf32> loc("conv2")
  %d = infer.conv %x, %wd {infer.kernel = "depthwise_conv2d_f32", strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, groups = 8 : i64} : (tensor<?x8x9x9xf32>, tensor<16x1x3x3xf32>) -> tensor<?x16x5x5xf32> loc("dw")
  func.return %y, %z, %d : tensor<?x16x9x9xf32>, tensor<?x16x9x9xf32>, tensor<?x16x5x5xf32>
}

// -----

// A marked gemm stays whole through decompose-composites. Its constant b is prepacked
// (K, N and, for trans_b, ldb = K); a [1, N] c is the per-column bias, an [M, N] c the
// residual. A batched matmul: batch = the product of the result's batch dims, an
// operand with batch dims 1 has stride 0.
// CHECK-DAG: "memref.global"() <{sym_name = "__packed_fc", type = memref<32x64xf32>, {{.*}} {infer.pack = "gemm_b", infer.pack_size_params = array<i64: 64, 32>, infer.pack_params = array<i64: 64, 1, 64, 32>}
// CHECK-DAG: "memref.global"() <{sym_name = "__packed_mm", type = memref<1x16x4xf32>, {{.*}} {infer.pack = "gemm_b", infer.pack_size_params = array<i64: 16, 4>, infer.pack_params = array<i64: 4, 0, 16, 4>}
// CHECK-LABEL: func.func @main_graph(
// CHECK-SAME:    %[[X:[^:]*]]: memref<?x64xf32>, %[[C:[^:]*]]: memref<?x32xf32>, %[[A:[^:]*]]: memref<?x8x16xf32>, %[[B:[^:]*]]: memref<?x16x4xf32>)
// CHECK-NOT:     infer.
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG:     %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG:     %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG:     %[[C64:.*]] = arith.constant 64 : index
// CHECK:         %[[M:.*]] = memref.dim %[[X]], %[[C0]]
// CHECK:         %[[G:.*]] = memref.alloc(%[[M]]) : memref<?x32xf32>
// CHECK:         %[[W:.*]] = memref.get_global @__packed_fc : memref<32x64xf32>
// CHECK:         func.call @infer_k_gemm_packed_f32(%[[C1]], %[[M]], %[[C32]], %[[C64]], %[[X]], %[[C64]], %[[C0]], %{{.*}}, %[[W]], %[[G]], %[[C32]], %[[C0]], %[[C]], %{{.*}}, %{{.*}}, %{{.*}})
// CHECK:         %[[P:.*]] = memref.alloc(%{{.*}}) : memref<?x8x4xf32>
// CHECK:         func.call @infer_k_gemm_packed_f32_1(%{{.*}}, %[[C8]], %[[C4]], %[[C16]], %[[A]], %[[C16]], %{{.*}}, %{{.*}}, %{{.*}}, %[[P]], %[[C4]], %{{.*}},
// CHECK:         %[[Q:.*]] = memref.alloc(%{{.*}}) : memref<?x8x4xf32>
// CHECK:         func.call @infer_k_gemm_f32(%{{.*}}, %[[C8]], %[[C4]], %[[C16]], %[[A]], %[[C16]], %{{.*}}, %{{.*}}, %[[B]], %[[C4]], %{{.*}}, %{{.*}}, %[[Q]], %[[C4]], %{{.*}},
// CHECK:       func.func private @infer_k_gemm_packed_f32(
// CHECK-SAME:    infer.kernel = "gemm_packed_f32", infer.kernel_abi = ["value", "value", "value", "value", "in", "value", "value", "value", "in", "out", "value", "value", "null", "in", "value", "value", "value"]
// CHECK:       func.func private @infer_k_gemm_packed_f32_1(
// CHECK-SAME:    infer.kernel_abi = ["value", "value", "value", "value", "in", "value", "value", "value", "in", "out", "value", "value", "null", "null", "value", "value", "value"]
// CHECK:       func.func private @infer_k_gemm_f32(
// CHECK-SAME:    infer.kernel = "gemm_f32", infer.kernel_abi = ["value", "value", "value", "value", "in", "value", "value", "value", "in", "value", "value", "value", "out", "value", "value", "null", "null", "value", "value", "value"]
func.func @main_graph(%x: tensor<?x64xf32>, %c: tensor<?x32xf32>, %a: tensor<?x8x16xf32>, %b: tensor<?x16x4xf32>) -> (tensor<?x32xf32>, tensor<?x8x4xf32>, tensor<?x8x4xf32>) {
  %w = infer.constant dense<0.5> : tensor<32x64xf32>
  %v = infer.constant dense<0.25> : tensor<1x16x4xf32>
  %g = infer.gemm %x, %w, %c {infer.kernel = "gemm_packed_f32", trans_b, activation = "relu"} : (tensor<?x64xf32>, tensor<32x64xf32>, tensor<?x32xf32>) -> tensor<?x32xf32> loc("fc")
  %p = infer.matmul %a, %v {infer.kernel = "gemm_packed_f32"} : (tensor<?x8x16xf32>, tensor<1x16x4xf32>) -> tensor<?x8x4xf32> loc("mm")
  %q = infer.matmul %a, %b {infer.kernel = "gemm_f32"} : (tensor<?x8x16xf32>, tensor<?x16x4xf32>) -> tensor<?x8x4xf32> loc("bmm")
  func.return %g, %p, %q : tensor<?x32xf32>, tensor<?x8x4xf32>, tensor<?x8x4xf32>
}

// -----

// Pooling: the window, then ceil mode (and count_include_pad for the average).
// CHECK-LABEL: func.func @main_graph(
// CHECK:         func.call @infer_k_max_pool2d_f32(
// CHECK:         func.call @infer_k_avg_pool2d_f32(
// CHECK:       func.func private @infer_k_max_pool2d_f32(memref<?x4x9x9xf32>, index, index, index, index, memref<?x4x5x5xf32>, index, index, index, index, index, index, index, index, index, index, i32)
// CHECK:       func.func private @infer_k_avg_pool2d_f32(memref<?x4x9x9xf32>, index, index, index, index, memref<?x4x4x4xf32>, index, index, index, index, index, index, index, index, index, index, i32, i32)
func.func @main_graph(%x: tensor<?x4x9x9xf32>) -> (tensor<?x4x5x5xf32>, tensor<?x4x4x4xf32>) {
  %m = infer.max_pool %x {infer.kernel = "max_pool2d_f32", kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, ceil_mode} : (tensor<?x4x9x9xf32>) -> tensor<?x4x5x5xf32>
  %a = infer.avg_pool %x {infer.kernel = "avg_pool2d_f32", kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, count_include_pad} : (tensor<?x4x9x9xf32>) -> tensor<?x4x4x4xf32>
  func.return %m, %a : tensor<?x4x5x5xf32>, tensor<?x4x4x4xf32>
}
