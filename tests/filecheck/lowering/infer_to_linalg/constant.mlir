// RUN: infer-opt %s --split-input-file --convert-infer-to-linalg | filecheck %s

// Constants become private constant globals named after their node, read with get_global.
// CHECK:       "memref.global"() <{sym_name = "__constant_w", type = memref<2x2xf32>, initial_value = dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>, sym_visibility = "private", constant}>
// CHECK-LABEL: func.func @dense
// CHECK:         %[[W:.*]] = memref.get_global @__constant_w : memref<2x2xf32>
// CHECK:         linalg.matmul ins(%{{.*}}, %[[W]] : memref<3x2xf32>, memref<2x2xf32>)
func.func @dense(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = infer.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32> loc("w")
  %y = infer.matmul %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  func.return %y : tensor<3x2xf32>
}

// -----

// A splat that must be a buffer keeps one element, in an attribute of the full type.
// CHECK:       "memref.global"() <{sym_name = "__constant_b", type = memref<2x3xf32>, initial_value = dense<5.000000e-01> : tensor<2x3xf32>, sym_visibility = "private", constant}>
// CHECK-LABEL: func.func @splat
// CHECK:         memref.get_global @__constant_b : memref<2x3xf32>
func.func @splat(%x: tensor<3x2xf32>) -> tensor<3x3xf32> {
  %b = infer.constant splat<0.5> : tensor<2x3xf32> loc("b")
  %y = infer.matmul %x, %b : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
  func.return %y : tensor<3x3xf32>
}

// -----

// fill: the dims are loaded from the shape operand and cast to index.
// CHECK-LABEL: func.func @fill(
// CHECK-SAME:    %[[S:.*]]: memref<2xi64>) -> memref<?x?xf32>
// CHECK:         %[[D0:.*]] = memref.load %[[S]][%{{.*}}] : memref<2xi64>
// CHECK:         %[[I0:.*]] = arith.index_cast %[[D0]] : i64 to index
// CHECK:         %[[D1:.*]] = memref.load %[[S]][%{{.*}}] : memref<2xi64>
// CHECK:         %[[I1:.*]] = arith.index_cast %[[D1]] : i64 to index
// CHECK:         %[[Y:.*]] = memref.alloc(%[[I0]], %[[I1]]) : memref<?x?xf32>
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[Y]] : memref<?x?xf32>)
func.func @fill(%s: tensor<2xi64>) -> tensor<?x?xf32> {
  %y = infer.fill %s {value = 0.0 : f32} : (tensor<2xi64>) -> tensor<?x?xf32>
  func.return %y : tensor<?x?xf32>
}
