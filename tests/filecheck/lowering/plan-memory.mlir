// RUN: infer-opt %s --split-input-file --plan-memory | filecheck %s

// Intermediates become views into one arena; sizes are computed at the function's start from
// the arguments' dims; the plan (a declaration carrying the liveness intervals, in top-level
// op positions) gives the arena size and offsets. The returned buffer stays an alloc.
// CHECK-LABEL: func.func private @__infer_plan_main_graph(index, index) -> (index, index, index) attributes {infer.plan_intervals = array<i64: 2, 5, 4, 8>}
// CHECK-LABEL: func.func @main_graph(
// CHECK-SAME:      %[[X:.*]]: memref<?x4xf32>
// CHECK:         %[[N:.*]] = memref.dim %[[X]], %{{.*}} : memref<?x4xf32>
// CHECK:         %[[BYTES_A:.*]] = arith.muli %[[N]], %[[C16:.*]] : index
// CHECK:         %[[BYTES_B:.*]] = arith.muli %[[N]], %[[C16]] : index
// CHECK:         %[[ARENA_BYTES:.*]], %[[OFF_A:.*]], %[[OFF_B:.*]] = func.call @__infer_plan_main_graph(%[[BYTES_A]], %[[BYTES_B]])
// CHECK:         %[[ARENA:.*]] = memref.alloc(%[[ARENA_BYTES]]) {alignment = 64 : i64, infer.arena = @__infer_plan_main_graph} : memref<?xi8>
// CHECK:         %{{.*}} = memref.view %[[ARENA]][%[[OFF_A]]][%{{.*}}] : memref<?xi8> to memref<?x4xf32>
// CHECK:         %{{.*}} = memref.view %[[ARENA]][%[[OFF_B]]][%{{.*}}] : memref<?xi8> to memref<?x4xf32>
// CHECK-NOT:     memref.dealloc
// CHECK:         %[[Y:.*]] = memref.alloc(%{{.*}}) : memref<?x4xf32>
// CHECK:         func.return %[[Y]]
func.func @main_graph(%x: memref<?x4xf32>) -> memref<?x4xf32> {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?x4xf32>
  %a = memref.alloc(%n) : memref<?x4xf32>
  "memref.copy"(%x, %a) : (memref<?x4xf32>, memref<?x4xf32>) -> ()
  %b = memref.alloc(%n) : memref<?x4xf32>
  "memref.copy"(%a, %b) : (memref<?x4xf32>, memref<?x4xf32>) -> ()
  memref.dealloc %a : memref<?x4xf32>
  %y = memref.alloc(%n) : memref<?x4xf32>
  "memref.copy"(%b, %y) : (memref<?x4xf32>, memref<?x4xf32>) -> ()
  func.return %y : memref<?x4xf32>
}

// -----

// A size read from data cannot be planned: the buffer stays on the heap and is freed after
// its last use. A buffer allocated in a loop is live for the whole loop; a reshape extends
// the liveness of the buffer it views.
// CHECK-LABEL: func.func private @__infer_plan_main_graph(index, index) -> (index, index, index) attributes {infer.plan_intervals = array<i64: 6, 6, 7, 10>}
// CHECK-LABEL: func.func @main_graph(
// CHECK:         %[[H:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK:         memref.store %{{.*}}, %[[H]][%{{.*}}] : memref<?xf32>
// CHECK-NEXT:    memref.dealloc %[[H]] : memref<?xf32>
// CHECK:         scf.for
// CHECK:           memref.view %{{.*}}[%{{.*}}][] : memref<?xi8> to memref<16xf32>
// CHECK:         memref.view %{{.*}}[%{{.*}}][] : memref<?xi8> to memref<2x8xf32>
// CHECK:         memref.collapse_shape
func.func @main_graph(%x: memref<16xf32>, %k: memref<1xindex>) -> memref<16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = memref.load %k[%c0] : memref<1xindex>
  %h = memref.alloc(%m) : memref<?xf32>
  %f = arith.constant 1.0 : f32
  memref.store %f, %h[%c0] : memref<?xf32>
  scf.for %i = %c0 to %m step %c1 {
    %t = memref.alloc() : memref<16xf32>
    "memref.copy"(%x, %t) : (memref<16xf32>, memref<16xf32>) -> ()
  }
  %r = memref.alloc() : memref<2x8xf32>
  %flat = memref.collapse_shape %r [[0, 1]] : memref<2x8xf32> into memref<16xf32>
  %y = memref.alloc() : memref<16xf32>
  "memref.copy"(%flat, %y) : (memref<16xf32>, memref<16xf32>) -> ()
  func.return %y : memref<16xf32>
}

// -----

// Buffers that leave through a yield or a call are not planned.
// CHECK-LABEL: func.func @main_graph(
// CHECK-NOT:     memref.view
// CHECK-NOT:     infer.arena
func.func private @use(%m: memref<4xf32>) -> ()
func.func @main_graph(%x: memref<4xf32>) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %a = memref.alloc() : memref<4xf32>
  func.call @use(%a) : (memref<4xf32>) -> ()
  %b = memref.alloc() : memref<4xf32>
  %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%acc = %b) -> (memref<4xf32>) {
    scf.yield %acc : memref<4xf32>
  }
  func.return %r : memref<4xf32>
}
