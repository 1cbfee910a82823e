// RUN: infer-compile %s --emit-c --split-input-file | filecheck %s

// A call of a kernel declaration (infer.kernel_abi) is a C call of the kernel library
// with the model context first: memrefs pass their data pointers, `null` is NULL,
// scalars their values; the status is checked. The buffer it writes is planned in the
// arena like any intermediate (the call does not keep it). A global marked infer.pack
// gets a size function and a packer, called when the model is created.
// CHECK:       #include "infer_rt.h"
// CHECK-NEXT:  #include "infer_kernels.h"
// CHECK:       static int main_graph(infer_model *ctx, const float *x, int64_t x_d0, float **out0, int64_t *out0_d0) {
// CHECK:         INFER_TRY(infer_rt_plan(ctx, 0,
// CHECK:         float *y = (float *)(arena + y_offset);
// CHECK:         const float *w = (const float *)ctx->globals[0];
// CHECK:         INFER_TRY(infer_conv2d_f32(ctx, x, x_d0, 8, 9, 9, w, NULL, NULL, y, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.0f, 0.0f));
// CHECK:         float *p = (float *)infer_rt_output(ctx, 0, x_d0 * 16 * 4 * 4 * 4);
// CHECK:         INFER_TRY(infer_max_pool2d_f32(ctx, y, x_d0, 16, 9, 9, p, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0, 0));
// CHECK:       static int64_t infer_packsize_0(void) {
// CHECK-NEXT:    return infer_pack_conv2d_f32_size(16, 8, 3, 3, 1);
// CHECK-NEXT:  }
// CHECK-NEXT:  static void infer_packer_0(const void *data, void *packed) {
// CHECK-NEXT:    infer_pack_conv2d_f32((const float *)data, 16, 8, 3, 3, 1, packed);
// CHECK-NEXT:  }
// CHECK-NEXT:  static const infer_global_info globals[] = {
// CHECK-NEXT:    {"w", 64u, 4608u, 4u, 3, 64, infer_packsize_0, infer_packer_0},
// CHECK-NEXT:  };
"memref.global"() <{sym_name = "w", type = memref<16x8x3x3xf32>, initial_value = dense<5.000000e-01> : tensor<16x8x3x3xf32>, sym_visibility = "private", constant}> {infer.pack = "conv2d_f32", infer.pack_size_params = array<i64: 16, 8, 3, 3, 1>, infer.pack_params = array<i64: 16, 8, 3, 3, 1>} : () -> ()
func.func @main_graph(%x: memref<?x8x9x9xf32>) -> memref<?x16x4x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  %c9 = arith.constant 9 : index
  %c16 = arith.constant 16 : index
  %relu = arith.constant 1 : i32
  %no = arith.constant 0 : i32
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %x, %c0 : memref<?x8x9x9xf32>
  %y = memref.alloc(%n) : memref<?x16x9x9xf32>
  %w = memref.get_global @w : memref<16x8x3x3xf32>
  func.call @infer_k_conv2d_f32(%x, %n, %c8, %c9, %c9, %w, %y, %c1, %c1, %c1, %c1, %c1, %c1, %c1, %c1, %relu, %zero, %zero) : (memref<?x8x9x9xf32>, index, index, index, index, memref<16x8x3x3xf32>, memref<?x16x9x9xf32>, index, index, index, index, index, index, index, index, i32, f32, f32) -> ()
  %p = memref.alloc(%n) : memref<?x16x4x4xf32>
  func.call @infer_k_max_pool2d_f32(%y, %n, %c16, %c9, %c9, %p, %c3, %c3, %c2, %c2, %c1, %c1, %c0, %c0, %c0, %c0, %no) : (memref<?x16x9x9xf32>, index, index, index, index, memref<?x16x4x4xf32>, index, index, index, index, index, index, index, index, index, index, i32) -> ()
  func.return %p : memref<?x16x4x4xf32>
}
func.func private @infer_k_conv2d_f32(memref<?x8x9x9xf32>, index, index, index, index, memref<16x8x3x3xf32>, memref<?x16x9x9xf32>, index, index, index, index, index, index, index, index, i32, f32, f32) attributes {infer.kernel = "conv2d_f32", infer.kernel_abi = ["in", "value", "value", "value", "value", "in", "null", "null", "out", "value", "value", "value", "value", "value", "value", "value", "value", "value", "value", "value"]}
func.func private @infer_k_max_pool2d_f32(memref<?x16x9x9xf32>, index, index, index, index, memref<?x16x4x4xf32>, index, index, index, index, index, index, index, index, index, index, i32) attributes {infer.kernel = "max_pool2d_f32", infer.kernel_abi = ["in", "value", "value", "value", "value", "out", "value", "value", "value", "value", "value", "value", "value", "value", "value", "value", "value"]}

// -----

// A kernel may not write a model input (the memref is read-only).
// CHECK: // error: cannot emit C for 'func.call': writes to a read-only memref (a model input or a constant)
func.func @main_graph(%x: memref<4xf32>) -> memref<4xf32> {
  func.call @infer_k_scale(%x) : (memref<4xf32>) -> ()
  func.return %x : memref<4xf32>
}
func.func private @infer_k_scale(memref<4xf32>) attributes {infer.kernel = "scale", infer.kernel_abi = ["out"]}

// -----

// The ABI must account for the declaration's operands.
// CHECK: // error: cannot emit C for 'func.func': infer.kernel_abi takes 2 operands and no results; the type is (memref<4xf32>) -> ()
func.func @main_graph(%x: memref<4xf32>) -> memref<4xf32> {
  func.return %x : memref<4xf32>
}
func.func private @infer_k_scale(memref<4xf32>) attributes {infer.kernel = "scale", infer.kernel_abi = ["in", "value"]}

// -----

// CHECK: // error: cannot emit C for 'func.func': infer.kernel_abi must be an array of 'in', 'out', 'value', 'null'
func.func @main_graph(%x: memref<4xf32>) -> memref<4xf32> {
  func.return %x : memref<4xf32>
}
func.func private @infer_k_scale(memref<4xf32>) attributes {infer.kernel = "scale", infer.kernel_abi = ["inout"]}

// -----

// CHECK: // error: cannot emit C for 'memref.global': infer.pack needs a packer name and the arrays infer.pack_size_params and infer.pack_params
"memref.global"() <{sym_name = "w", type = memref<4xf32>, initial_value = dense<5.000000e-01> : tensor<4xf32>, sym_visibility = "private", constant}> {infer.pack = "gemm_b"} : () -> ()
func.func @main_graph(%x: memref<4xf32>) -> memref<4xf32> {
  func.return %x : memref<4xf32>
}
