// RUN: infer-opt %s --split-input-file --convert-infer-to-linalg | filecheck %s

// keepdims: the reduced dim is read at index 0 in the output's map.
// CHECK-LABEL: func.func @sum_keepdims(
// CHECK-SAME:    %[[X:.*]]: memref<?x8x?xf32>) -> memref<?x1x?xf32>
// CHECK-DAG:     %[[N:.*]] = memref.dim %[[X]], %{{.*}} : memref<?x8x?xf32>
// CHECK-DAG:     %[[W:.*]] = memref.dim %[[X]], %{{.*}} : memref<?x8x?xf32>
// CHECK:         %[[Y:.*]] = memref.alloc(%[[N]], %[[W]]) : memref<?x1x?xf32>
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[Y]] : memref<?x1x?xf32>)
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, 0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-SAME:      ins(%[[X]] : memref<?x8x?xf32>) outs(%[[Y]] : memref<?x1x?xf32>)
// CHECK:           arith.addf
func.func @sum_keepdims(%x: tensor<?x8x?xf32>) -> tensor<?x1x?xf32> {
  %y = infer.reduce_sum %x {axes = array<i64: 1>, keepdims} : (tensor<?x8x?xf32>) -> tensor<?x1x?xf32>
  func.return %y : tensor<?x1x?xf32>
}

// -----

// Without keepdims the reduced dims leave the output's map; max starts from -inf.
// CHECK-LABEL: func.func @max_all
// CHECK:         %[[Y:.*]] = memref.alloc() : memref<f32>
// CHECK:         %[[INIT:.*]] = arith.constant 0xff800000 : f32
// CHECK:         linalg.fill ins(%[[INIT]] : f32) outs(%[[Y]] : memref<f32>)
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]}
// CHECK:           arith.maximumf
func.func @max_all(%x: tensor<?x8xf32>) -> tensor<f32> {
  %y = infer.reduce_max %x {axes = array<i64: 0, 1>} : (tensor<?x8xf32>) -> tensor<f32>
  func.return %y : tensor<f32>
}

// -----

// The mean divides the sum in place by the count, a product of dims known at run time.
// CHECK-LABEL: func.func @mean(
// CHECK-SAME:    %[[X:.*]]: memref<2x?x?xf32>)
// CHECK:         %[[Y:.*]] = memref.alloc() : memref<2xf32>
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]
// CHECK:         %[[COUNT:.*]] = arith.muli
// CHECK:         %[[I:.*]] = arith.index_cast %[[COUNT]] : index to i64
// CHECK:         %[[F:.*]] = arith.sitofp %[[I]] : i64 to f32
// CHECK:         linalg.generic {{.*}} ins(%[[Y]] : memref<2xf32>) outs(%[[Y]] : memref<2xf32>)
// CHECK:           arith.divf %{{.*}}, %[[F]] : f32
func.func @mean(%x: tensor<2x?x?xf32>) -> tensor<2xf32> {
  %y = infer.reduce_mean %x {axes = array<i64: 1, 2>} : (tensor<2x?x?xf32>) -> tensor<2xf32>
  func.return %y : tensor<2xf32>
}

// -----

// arg_max: value and index carried by a two-output generic, the index from linalg.index.
// CHECK-LABEL: func.func @arg_max
// CHECK:         %[[I:.*]] = memref.alloc(%{{.*}}) : memref<?x1xi64>
// CHECK:         %[[V:.*]] = memref.alloc(%{{.*}}) : memref<?x1xf32>
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, 0)>], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME:      outs(%[[V]], %[[I]] : memref<?x1xf32>, memref<?x1xi64>)
// CHECK:           linalg.index 1 : index
// CHECK:           arith.cmpf ogt
// CHECK:           linalg.yield
// CHECK:         memref.dealloc %[[V]]
func.func @arg_max(%x: tensor<?x8xf32>) -> tensor<?x1xi64> {
  %y = infer.arg_max %x {axis = 1 : i64, keepdims} : (tensor<?x8xf32>) -> tensor<?x1xi64>
  func.return %y : tensor<?x1xi64>
}
