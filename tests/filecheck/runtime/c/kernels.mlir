// RUN: infer-compile %s --emit-c --split-input-file --no-plan-memory | filecheck %s

// Each top-level loop nest is a static kernel named after its node; memref parameters
// are const when only read and restrict when they cannot alias; a dim shared by several
// memrefs and a loop bound is one parameter.
// CHECK:       /* scf.for (relu1) in main_graph */
// CHECK-NEXT:  static void main_graph_k0_relu1(const float *restrict x, float *restrict y, int64_t x_d0) {
// CHECK:         for (int64_t i = 0; i < x_d0; i += 1) {
// CHECK:       static int main_graph(
// CHECK:         main_graph_k0_relu1(x, y, x_d0);
func.func @main_graph(%x: memref<?xf32>) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0.0 : f32
  %n = memref.dim %x, %c0 : memref<?xf32>
  %y = memref.alloc(%n) : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    %v = memref.load %x[%i] : memref<?xf32>
    %r = arith.maximumf %v, %z : f32
    memref.store %r, %y[%i] : memref<?xf32>
  } loc("relu1")
  func.return %y : memref<?xf32>
}

// -----

// A kernel that computes a value returns it through a pointer; a kernel that allocates
// takes the model and returns a status.
// CHECK:       static void main_graph_k0_for(const float *restrict x, int64_t x_d0, float *out_sum) {
// CHECK:         *out_sum = [[S:.*]];
// CHECK:       static int main_graph_k1_for(infer_model *ctx, float *restrict y, int64_t x_d0, float sum) {
// CHECK:           INFER_CHECK([[T:.*]]);
// CHECK:         return 0;
// CHECK:       static int main_graph(
// CHECK:         float [[SUM:.*]];
// CHECK:         main_graph_k0_for(x, x_d0, &[[SUM]]);
// CHECK:         INFER_TRY(main_graph_k1_for(ctx, y, x_d0, [[SUM]]));
func.func @main_graph(%x: memref<?xf32>) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0.0 : f32
  %n = memref.dim %x, %c0 : memref<?xf32>
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %z) -> (f32) {
    %v = memref.load %x[%i] : memref<?xf32>
    %s = arith.addf %acc, %v : f32
    scf.yield %s : f32
  }
  %y = memref.alloc(%n) : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    %t = memref.alloc() : memref<4xf32>
    memref.store %sum, %t[%c0] : memref<4xf32>
    %v = memref.load %t[%c0] : memref<4xf32>
    memref.store %v, %y[%i] : memref<?xf32>
    memref.dealloc %t : memref<4xf32>
  }
  func.return %y : memref<?xf32>
}

// -----

// Two views of one buffer may alias: no restrict on either.
// CHECK:       static void main_graph_k0_for(float *y, float *b) {
func.func @main_graph(%x: memref<8xf32>) -> memref<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %y = memref.alloc() : memref<8xf32>
  %a = memref.reinterpret_cast %y to offset: [0], sizes: [4], strides: [1] : memref<8xf32> to memref<4xf32>
  %b = memref.reinterpret_cast %y to offset: [4], sizes: [4], strides: [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 4>>
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %a[%i] : memref<4xf32>
    memref.store %v, %b[%i] : memref<4xf32, strided<[1], offset: 4>>
  }
  func.return %y : memref<8xf32>
}
