// RUN: infer-opt %s --split-input-file --convert-infer-to-linalg | filecheck %s

// A matrix product: zero fill, then the named op.
// CHECK-LABEL: func.func @matrix(
// CHECK-SAME:    %[[A:.*]]: memref<?x4xf32>, %[[B:.*]]: memref<4x5xf32>) -> memref<?x5xf32>
// CHECK:         %[[M:.*]] = memref.dim %[[A]], %{{.*}} : memref<?x4xf32>
// CHECK:         %[[Y:.*]] = memref.alloc(%[[M]]) : memref<?x5xf32>
// CHECK:         %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         linalg.fill ins(%[[Z]] : f32) outs(%[[Y]] : memref<?x5xf32>)
// CHECK:         linalg.matmul ins(%[[A]], %[[B]] : memref<?x4xf32>, memref<4x5xf32>) outs(%[[Y]] : memref<?x5xf32>)
func.func @matrix(%a: tensor<?x4xf32>, %b: tensor<4x5xf32>) -> tensor<?x5xf32> {
  %y = infer.matmul %a, %b : (tensor<?x4xf32>, tensor<4x5xf32>) -> tensor<?x5xf32>
  func.return %y : tensor<?x5xf32>
}

// -----

// Batches: a generic with (batch, m, n, k) loops; a batch dim of size 1 reads index 0;
// the result's batch dim comes from the operand that has it dynamic.
// CHECK-LABEL: func.func @batched(
// CHECK-SAME:    %[[A:.*]]: memref<1x3x4xi32>, %[[B:.*]]: memref<?x4x5xi32>)
// CHECK:         %[[N:.*]] = memref.dim %[[B]], %{{.*}} : memref<?x4x5xi32>
// CHECK:         %[[Y:.*]] = memref.alloc(%[[N]]) : memref<?x3x5xi32>
// CHECK:         linalg.fill
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK:           arith.muli
// CHECK:           arith.addi
func.func @batched(%a: tensor<1x3x4xi32>, %b: tensor<?x4x5xi32>) -> tensor<?x3x5xi32> {
  %y = infer.matmul %a, %b : (tensor<1x3x4xi32>, tensor<?x4x5xi32>) -> tensor<?x3x5xi32>
  func.return %y : tensor<?x3x5xi32>
}

// -----

// f16 products are summed in an f32 scratch buffer, rounded into the result, freed.
// CHECK-LABEL: func.func @half
// CHECK:         %[[Y:.*]] = memref.alloc() : memref<2x5xf16>
// CHECK:         %[[ACC:.*]] = memref.alloc() : memref<2x5xf32>
// CHECK:         linalg.generic
// CHECK:           arith.extf %{{.*}} : f16 to f32
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%[[ACC]] : memref<2x5xf32>) outs(%[[Y]] : memref<2x5xf16>)
// CHECK:           arith.truncf %{{.*}} : f32 to f16
// CHECK:         memref.dealloc %[[ACC]] : memref<2x5xf32>
// CHECK:         func.return %[[Y]]
func.func @half(%a: tensor<2x4xf16>, %b: tensor<4x5xf16>) -> tensor<2x5xf16> {
  %y = infer.matmul %a, %b : (tensor<2x4xf16>, tensor<4x5xf16>) -> tensor<2x5xf16>
  func.return %y : tensor<2x5xf16>
}
