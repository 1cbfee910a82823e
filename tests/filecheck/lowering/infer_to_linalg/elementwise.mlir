// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-infer-to-linalg | filecheck %s

// Tensors become memrefs (dims and argument attributes kept); the result is a
// new buffer sized from the operand's dynamic dim; broadcasting is in the maps.
// CHECK-LABEL: func.func @broadcast_add(
// CHECK-SAME:    %[[X:.*]]: memref<?x4xf32> {infer.name = "x"}, %[[B:.*]]: memref<1x4xf32>) -> (memref<?x4xf32> {infer.name = "y"})
// CHECK:         %[[C0:.*]] = arith.constant 0 : index
// CHECK:         %[[N:.*]] = memref.dim %[[X]], %[[C0]] : memref<?x4xf32>
// CHECK:         %[[Y:.*]] = memref.alloc(%[[N]]) : memref<?x4xf32>
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:      ins(%[[X]], %[[B]] : memref<?x4xf32>, memref<1x4xf32>) outs(%[[Y]] : memref<?x4xf32>)
// CHECK:           arith.addf
// CHECK:         func.return %[[Y]] : memref<?x4xf32>
func.func @broadcast_add(%x: tensor<?x4xf32> {infer.name = "x"}, %b: tensor<1x4xf32>) -> (tensor<?x4xf32> {infer.name = "y"}) {
  %y = infer.add %x, %b : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  func.return %y : tensor<?x4xf32>
}

// -----

// Both operands stretch: each one's dims of size 1 read index 0.
// CHECK-LABEL: func.func @outer_product
// CHECK:         %[[Y:.*]] = memref.alloc() : memref<3x5xf32>
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>]
// CHECK:           arith.mulf
func.func @outer_product(%a: tensor<3x1xf32>, %b: tensor<1x5xf32>) -> tensor<3x5xf32> {
  %y = infer.mul %a, %b : (tensor<3x1xf32>, tensor<1x5xf32>) -> tensor<3x5xf32>
  func.return %y : tensor<3x5xf32>
}

// -----

// A splat operand is a constant of the body, not a buffer (nor a global).
// CHECK-LABEL: func.func @splat_operand
// CHECK-NOT:     memref.get_global
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>]
// CHECK:         ^{{.*}}(%[[E:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[S:.*]] = arith.constant 2.500000e+00 : f32
// CHECK:           arith.mulf %[[E]], %[[S]] : f32
func.func @splat_operand(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %s = infer.constant splat<2.5> : tensor<1x4xf32>
  %y = infer.mul %x, %s : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  func.return %y : tensor<?x4xf32>
}

// -----

// Integer division is total: guarded against 0 and -1, truncating (divsi).
// CHECK-LABEL: func.func @integer_div
// CHECK:         linalg.generic
// CHECK:           arith.cmpi eq
// CHECK:           arith.divsi
// CHECK:           arith.select
// CHECK:           linalg.yield
func.func @integer_div(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %y = infer.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  func.return %y : tensor<4xi32>
}

// -----

// Unsigned integers pick the unsigned ops; their constants are signless bits, bitcast.
// CHECK-LABEL: func.func @unsigned
// CHECK:         arith.cmpi ult
// CHECK:         arith.constant 5 : i8
// CHECK:         arith.bitcast %{{.*}} : i8 to ui8
// CHECK:         arith.maxui
func.func @unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> (tensor<4xi1>, tensor<4xui8>) {
  %l = infer.less %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  %c = infer.clip %a {min = 5 : i64} : (tensor<4xui8>) -> tensor<4xui8>
  func.return %l, %c : tensor<4xi1>, tensor<4xui8>
}

// -----

// round halves to even; a float-to-integer cast saturates (converting only values in range).
// CHECK-LABEL: func.func @round_and_cast
// CHECK:         math.roundeven
// CHECK:         linalg.generic
// CHECK:           arith.cmpf ogt
// CHECK:           arith.cmpf olt
// CHECK:           arith.fptosi %{{.*}} : f32 to i8
// CHECK:           arith.cmpf uno
func.func @round_and_cast(%x: tensor<4xf32>) -> tensor<4xi8> {
  %r = infer.round %x : (tensor<4xf32>) -> tensor<4xf32>
  %i = infer.cast %r : (tensor<4xf32>) -> tensor<4xi8>
  func.return %i : tensor<4xi8>
}

// -----

// What the function returns it has allocated: an argument or a constant is copied.
// CHECK:       "memref.global"() <{sym_name = "__constant", type = memref<2xi32>, initial_value = dense<[1, 2]> : tensor<2xi32>, sym_visibility = "private", constant}>
// CHECK-LABEL: func.func @returns_copies(
// CHECK-SAME:    %[[X:.*]]: memref<?x4xf32>) -> (memref<?x4xf32>, memref<2xi32>)
// CHECK:         %[[C:.*]] = memref.get_global @__constant : memref<2xi32>
// CHECK:         %[[N:.*]] = memref.dim %[[X]], %{{.*}} : memref<?x4xf32>
// CHECK:         %[[X2:.*]] = memref.alloc(%[[N]]) : memref<?x4xf32>
// CHECK:         "memref.copy"(%[[X]], %[[X2]])
// CHECK:         %[[C2:.*]] = memref.alloc() : memref<2xi32>
// CHECK:         "memref.copy"(%[[C]], %[[C2]])
// CHECK:         func.return %[[X2]], %[[C2]]
func.func @returns_copies(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<2xi32>) {
  %c = infer.constant dense<[1, 2]> : tensor<2xi32>
  func.return %x, %c : tensor<?x4xf32>, tensor<2xi32>
}

// -----

// CHECK: node 'gelu_1' (infer.gelu): composite op cannot be lowered to linalg directly; run --decompose-composites first
func.func @composite(%x: tensor<4xf32>) -> tensor<4xf32> {
  %g = infer.gelu %x : (tensor<4xf32>) -> tensor<4xf32> loc("gelu_1")
  func.return %g : tensor<4xf32>
}

// -----

// A dynamic dim that meets a static one may be 1 at run time: it stretches in scf
// loops that read it at i * (dim != 1).
// CHECK-LABEL: func.func @stretch_at_run_time(
// CHECK-SAME:    %[[A:.*]]: memref<?x4xf32>, %[[B:.*]]: memref<3x4xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK:         %[[N:.*]] = memref.dim %[[A]], %[[C0]] : memref<?x4xf32>
// CHECK:         %[[Y:.*]] = memref.alloc() : memref<3x4xf32>
// CHECK:         %[[ONE:.*]] = arith.cmpi eq, %[[N]], %[[C1]] : index
// CHECK:         %[[F:.*]] = arith.select %[[ONE]], %[[C0]], %[[C1]] : index
// CHECK:         scf.for %[[I:.*]] = %[[C0]] to %{{.*}} step %[[C1]] {
// CHECK:           scf.for %[[J:.*]] = %[[C0]] to %{{.*}} step %[[C1]] {
// CHECK:             %[[IA:.*]] = arith.muli %[[I]], %[[F]] : index
// CHECK:             %[[X:.*]] = memref.load %[[A]][%[[IA]], %[[J]]] : memref<?x4xf32>
// CHECK:             %[[Z:.*]] = memref.load %[[B]][%[[I]], %[[J]]] : memref<3x4xf32>
// CHECK:             %[[S:.*]] = arith.subf %[[X]], %[[Z]] : f32
// CHECK:             memref.store %[[S]], %[[Y]][%[[I]], %[[J]]] : memref<3x4xf32>
func.func @stretch_at_run_time(%a: tensor<?x4xf32>, %b: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %y = infer.sub %a, %b : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  func.return %y : tensor<3x4xf32>
}
