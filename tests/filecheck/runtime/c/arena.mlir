// RUN: infer-compile %s --emit-c | filecheck %s

// After plan-memory, intermediates are views into the arena at offsets the run-time planner
// returns; a kernel that carves a scratch buffer out of the arena takes the arena writable.
// CHECK:       static void main_graph_k0_for(int8_t *restrict arena, const float *restrict t, float *restrict y, int64_t x_d0, int64_t row_offset) {
// CHECK:           float *row = (float *)(arena + row_offset);
// CHECK:       static int main_graph(
// CHECK:         const int64_t t_bytes = x_d0 * 16;
// CHECK-NEXT:    int64_t plan0[3];
// CHECK-NEXT:    INFER_TRY(infer_rt_plan(ctx, 0, (const int64_t[]){t_bytes, 256}, plan0));
// CHECK:         int8_t *arena = (int8_t *)ctx->arenas[0].base;
// CHECK-NEXT:    float *t = (float *)(arena + t_offset);
// CHECK:       static const int32_t plan0_start[] = {5, 10};
// CHECK-NEXT:  static const int32_t plan0_end[] = {10, 10};

func.func @main_graph(%x: memref<?x4xf32> {infer.name = "x"}) -> (memref<?x4xf32> {infer.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %n = memref.dim %x, %c0 : memref<?x4xf32>
  %t = memref.alloc(%n) : memref<?x4xf32>
  "memref.copy"(%x, %t) : (memref<?x4xf32>, memref<?x4xf32>) -> ()
  %y = memref.alloc(%n) : memref<?x4xf32>
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    %row = memref.alloc() : memref<64xf32>
    scf.for %j = %c4 to %c64 step %c1 {
      memref.store %zero, %row[%j] : memref<64xf32>
    }
    scf.for %j = %c0 to %c4 step %c1 {
      %v = memref.load %t[%i, %j] : memref<?x4xf32>
      %r = arith.subi %c3, %j : index
      memref.store %v, %row[%r] : memref<64xf32>
    }
    scf.for %j = %c0 to %c4 step %c1 {
      %v = memref.load %row[%j] : memref<64xf32>
      memref.store %v, %y[%i, %j] : memref<?x4xf32>
    }
  }
  func.return %y : memref<?x4xf32>
}
