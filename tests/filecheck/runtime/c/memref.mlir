// RUN: infer-compile %s --emit-c --split-input-file --no-outline --no-plan-memory | filecheck %s

// A memref is a data pointer and its dynamic dims; indexing is row-major (Horner);
// inputs are const; a returned alloc is the model's output buffer.
// CHECK-LABEL: static int main_graph(infer_model *ctx, const float *x, int64_t x_d0, int64_t x_d2, float **out0, int64_t *out0_d0, int64_t *out0_d2) {
// CHECK:         float *y = (float *)infer_rt_output(ctx, 0, x_d0 * 3 * x_d2 * 4);
// CHECK-NEXT:    INFER_CHECK(y);
// CHECK:         const float [[V:.*]] = x[(i * 3 + j) * x_d2 + k];
// CHECK:         y[(i * 3 + j) * x_d2 + k] = [[V]];
// CHECK:         *out0 = y;
// CHECK-NEXT:    *out0_d0 = x_d0;
// CHECK-NEXT:    *out0_d2 = x_d2;
func.func @main_graph(%x: memref<?x3x?xf32>) -> memref<?x3x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %n = memref.dim %x, %c0 : memref<?x3x?xf32>
  %w = memref.dim %x, %c2 : memref<?x3x?xf32>
  %y = memref.alloc(%n, %w) : memref<?x3x?xf32>
  scf.for %i = %c0 to %n step %c1 {
    scf.for %j = %c0 to %c3 step %c1 {
      scf.for %k = %c0 to %w step %c1 {
        %v = memref.load %x[%i, %j, %k] : memref<?x3x?xf32>
        memref.store %v, %y[%i, %j, %k] : memref<?x3x?xf32>
      }
    }
  }
  func.return %y : memref<?x3x?xf32>
}

// -----

// Other allocs are heap buffers of the run, freed by dealloc; alloca is a C array.
// CHECK-LABEL: static int main_graph({{.*}}) {
// CHECK:         float [[ACC:.*]][1];
// CHECK:         int32_t *[[T:.*]] = (int32_t *)infer_rt_alloc(ctx, x_d0 * 4);
// CHECK-NEXT:    INFER_CHECK([[T]]);
// CHECK:         infer_rt_free(ctx, [[T]]);
func.func @main_graph(%x: memref<?xf32>) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  %acc = memref.alloca() : memref<f32>
  %t = memref.alloc(%n) : memref<?xi32>
  memref.dealloc %t : memref<?xi32>
  %y = memref.alloc(%n) : memref<?xf32>
  "memref.copy"(%x, %y) : (memref<?xf32>, memref<?xf32>) -> ()
  func.return %y : memref<?xf32>
}

// -----

// Casts and reshapes alias the same pointer with new dims; copy is memcpy.
// CHECK-LABEL: static int main_graph({{.*}}) {
// CHECK:         const int64_t [[D:.*]] = x_d0 * 3;
// CHECK:         memcpy(y, x, [[D]] * 4);
func.func @main_graph(%x: memref<?x3xf32>) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %flat = memref.collapse_shape %x [[0, 1]] : memref<?x3xf32> into memref<?xf32>
  %n = memref.dim %flat, %c0 : memref<?xf32>
  %y = memref.alloc(%n) : memref<?xf32>
  "memref.copy"(%flat, %y) : (memref<?xf32>, memref<?xf32>) -> ()
  func.return %y : memref<?xf32>
}

// -----

// Globals are read from the weights blob through ctx->globals, never written into the C.
// CHECK-LABEL: static int main_graph({{.*}}) {
// CHECK:         const float *w = (const float *)ctx->globals[0];
// CHECK:         w[i]
// CHECK:       static const infer_global_info globals[] = {
// CHECK-NEXT:    {"w", 64u, 16u, 16u, 1, 64, NULL, NULL},
// CHECK-NEXT:    {"s", 128u, 4096u, 4u, 3, 64, NULL, NULL},
"memref.global"() <{sym_name = "w", sym_visibility = "private", type = memref<4xf32>, initial_value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>, constant}> : () -> ()
"memref.global"() <{sym_name = "s", sym_visibility = "private", type = memref<1024xf32>, initial_value = dense<0.5> : tensor<1024xf32>, constant}> : () -> ()
func.func @main_graph(%x: memref<4xf32>) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %w = memref.get_global @w : memref<4xf32>
  %s = memref.get_global @s : memref<1024xf32>
  %y = memref.alloc() : memref<4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %a = memref.load %x[%i] : memref<4xf32>
    %b = memref.load %w[%i] : memref<4xf32>
    %c = memref.load %s[%i] : memref<1024xf32>
    %p = arith.mulf %a, %b : f32
    %q = arith.addf %p, %c : f32
    memref.store %q, %y[%i] : memref<4xf32>
  }
  func.return %y : memref<4xf32>
}

// -----

// A view into an i8 buffer is a typed pointer at a byte offset.
// CHECK-LABEL: static int main_graph({{.*}}) {
// CHECK:         float *[[V:.*]] = (float *)(buf + 64);
func.func @main_graph(%x: memref<16xf32>) -> memref<16xf32> {
  %c64 = arith.constant 64 : index
  %buf = memref.alloc() : memref<128xi8>
  %v = memref.view %buf[%c64][] : memref<128xi8> to memref<16xf32>
  "memref.copy"(%x, %v) : (memref<16xf32>, memref<16xf32>) -> ()
  %y = memref.alloc() : memref<16xf32>
  "memref.copy"(%v, %y) : (memref<16xf32>, memref<16xf32>) -> ()
  func.return %y : memref<16xf32>
}
