// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-infer-to-linalg | filecheck %s

// A running sum: a loop along the axis carrying the total, inside a loop over the other dims;
// exclusive stores the total before adding the element.
// CHECK-LABEL: func.func @cumsum(
// CHECK-SAME:    %[[X:[^ ,)]+]]: memref<?x8xf32>)
// CHECK:         %[[S:[^ ,)]+]] = memref.alloc(%{{.*}}) : memref<?x8xf32>
// CHECK:         scf.for %[[I:[^ ,)]+]] =
// CHECK:           %[[ZERO:[^ ,)]+]] = arith.constant 0.000000e+00 : f32
// CHECK:           scf.for %[[J:[^ ,)]+]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[T:[^ ,)]+]] = %[[ZERO]]) -> (f32)
// CHECK:             %[[V:[^ ,)]+]] = memref.load %[[X]][%[[I]], %[[J]]]
// CHECK:             %[[N:[^ ,)]+]] = arith.addf %[[T]], %[[V]] : f32
// CHECK:             memref.store %[[T]], %[[S]][%[[I]], %[[J]]]
// CHECK:             scf.yield %[[N]] : f32
func.func @cumsum(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %s = infer.cumsum %x {axis = 1 : i64, exclusive} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  func.return %s : tensor<?x8xf32>
}

// -----

// An axis read at run time picks one loop nest per possible axis.
// CHECK-LABEL: func.func @cumprod_run_time_axis
// CHECK:         memref.load %{{.*}}[] : memref<i64>
// CHECK:         scf.if
// CHECK:           arith.mulf
// CHECK:         scf.if
// CHECK:           arith.mulf
// CHECK-NOT:     scf.if
func.func @cumprod_run_time_axis(%x: tensor<2x3xf32>, %a: tensor<i64>) -> tensor<2x3xf32> {
  %p = infer.cumprod %x, %a : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  func.return %p : tensor<2x3xf32>
}

// -----

// Scatters copy the data, then write each update where its index says (clamped into range).
// CHECK-LABEL: func.func @scatter_nd
// CHECK:         %[[R:[^ ,)]+]] = memref.alloc() : memref<5x4xf32>
// CHECK:         memref.store %{{.*}}, %[[R]]
// CHECK:         %[[IDX:[^ ,)]+]] = memref.load %{{.*}} : memref<3x1xi64>
// CHECK:         arith.minsi
// CHECK:         arith.maxsi
// CHECK:         %[[OLD:[^ ,)]+]] = memref.load %[[R]]
// CHECK:         arith.addf %[[OLD]], %{{.*}} : f32
func.func @scatter_nd(%d: tensor<5x4xf32>, %i: tensor<3x1xi64>, %u: tensor<3x4xf32>) -> tensor<5x4xf32> {
  %n = infer.scatter_nd %d, %i, %u {reduction = "add"} : (tensor<5x4xf32>, tensor<3x1xi64>, tensor<3x4xf32>) -> tensor<5x4xf32>
  func.return %n : tensor<5x4xf32>
}
