// RUN: infer-compile %s --emit-c --split-input-file --no-plan-memory | filecheck %s

// A function returns a status; memref arguments are a pointer and their dynamic dims,
// results are out-pointers; calls check the status.
// CHECK:       static int scale(infer_model *ctx, float *m, int64_t m_d0, float s, float **out0, int64_t *out0_d0);
// CHECK:       static int scale(
// CHECK:         *out0 = [[R:.*]];
// CHECK-NEXT:    *out0_d0 = m_d0;
// CHECK-NEXT:    return 0;
// CHECK:       static int main_graph(
// CHECK:         float *[[C:.*]];
// CHECK-NEXT:    int64_t [[C]]_d0;
// CHECK-NEXT:    INFER_TRY(scale(ctx, (float *)x, x_d0, 2.0f, &[[C]], &[[C]]_d0));
func.func private @scale(%m: memref<?xf32>, %s: f32) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %m, %c0 : memref<?xf32>
  %r = memref.alloc(%n) : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %m[%i] : memref<?xf32>
    %w = arith.mulf %v, %s : f32
    memref.store %w, %r[%i] : memref<?xf32>
  }
  func.return %r : memref<?xf32>
}
func.func @main_graph(%x: memref<?xf32>) -> memref<?xf32> {
  %two = arith.constant 2.0 : f32
  %y = func.call @scale(%x, %two) : (memref<?xf32>, f32) -> memref<?xf32>
  func.return %y : memref<?xf32>
}

// -----

// The entry's signature becomes the model's description: names, dtypes, dims and dim symbols.
// CHECK:       static const int64_t input0_dims[] = {-1, 3, -1, -1};
// CHECK-NEXT:  static const char *const input0_symbols[] = {"N", "", "H", "W"};
// CHECK:         {"data", 1, 4, input0_dims, input0_symbols},
// CHECK:         {"mask", 9, 1, input1_dims, input1_symbols},
// CHECK:         {"out", 10, 0, NULL, NULL},
// CHECK:       static int entry(infer_model *ctx, const infer_tensor *in, void **out, int64_t **out_dims) {
// CHECK:         INFER_TRY(main_graph(ctx, (const float *)in[0].data, in[0].dims[0], in[0].dims[2], in[0].dims[3], (const bool *)in[1].data, &r0));
func.func @main_graph(%x: memref<?x3x?x?xf32> {infer.name = "data", infer.dim_params = ["N", "", "H", "W"]},
                      %m: memref<5xi1> {infer.name = "mask"}) -> (memref<f16> {infer.name = "out"}) {
  %y = memref.alloc() : memref<f16>
  %z = arith.constant 0.0 : f16
  memref.store %z, %y[] : memref<f16>
  func.return %y : memref<f16>
}

// -----

// Large programs are split into units of about --unit-lines lines; kernels become hidden externs.
// RUN: infer-compile %s --emit-c --split-input-file --no-plan-memory --unit-lines 8 | filecheck %s --check-prefix=SPLIT
// SPLIT:       // ---- model.c ----
// SPLIT:       INFER_HIDDEN void main_graph_k0_for(float *restrict y);
// SPLIT:       INFER_HIDDEN void main_graph_k1_for(float *restrict y);
// SPLIT:       // ---- model_1.c ----
// SPLIT:       INFER_HIDDEN void main_graph_k0_for(float *restrict y) {
// SPLIT:       // ---- model_2.c ----
// SPLIT:       INFER_HIDDEN void main_graph_k1_for(float *restrict y) {
func.func @main_graph(%x: memref<4xf32>) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  %y = memref.alloc() : memref<4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %one, %y[%i] : memref<4xf32>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %y[%i] : memref<4xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %y[%i] : memref<4xf32>
  }
  func.return %y : memref<4xf32>
}

// -----

// A function named like a libm function is renamed in C.
// CHECK:       static int exp_(infer_model *ctx, float x, float *out0) {
// CHECK:         const float [[E:.*]] = expf(x);
// CHECK:         INFER_TRY(exp_(ctx, v, &[[R:.*]]));
func.func private @exp(%x: f32) -> f32 {
  %e = math.exp %x : f32
  func.return %e : f32
}
func.func @main_graph(%x: memref<f32>) -> memref<f32> {
  %v = memref.load %x[] : memref<f32>
  %e = func.call @exp(%v) : (f32) -> f32
  %y = memref.alloc() : memref<f32>
  memref.store %e, %y[] : memref<f32>
  func.return %y : memref<f32>
}
