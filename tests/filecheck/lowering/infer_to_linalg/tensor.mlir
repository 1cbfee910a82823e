// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-infer-to-linalg | filecheck %s

// Reshapes are views of the same buffer: a collapse where dims group, an expand
// where they split, both through one dim otherwise.
// CHECK-LABEL: func.func @views(
// CHECK-SAME:    %[[X:[^ ,)]+]]: memref<?x3x4xf32>)
// CHECK-NOT:     scf.for
// CHECK:         %[[N:[^ ,)]+]] = memref.dim %[[X]], %{{.*}} : memref<?x3x4xf32>
// CHECK:         %[[F:[^ ,)]+]] = memref.collapse_shape %[[X]] {{\[}}[0 : i64], [1 : i64, 2 : i64]] : memref<?x3x4xf32> into memref<?x12xf32>
// CHECK:         %[[U:[^ ,)]+]] = memref.expand_shape %[[X]] {{\[}}[0 : i64], [1 : i64, 2 : i64], [3 : i64]] output_shape [%[[N]], 1, 3, 4] : memref<?x3x4xf32> into memref<?x1x3x4xf32>
// CHECK:         %[[FLAT:[^ ,)]+]] = memref.collapse_shape %[[X]] {{\[}}[0 : i64, 1 : i64, 2 : i64]] : memref<?x3x4xf32> into memref<?xf32>
// CHECK:         %[[R:[^ ,)]+]] = memref.expand_shape %[[FLAT]] {{\[}}[0 : i64, 1 : i64]] output_shape [4, %{{.*}}] : memref<?xf32> into memref<4x?xf32>
func.func @views(%x: tensor<?x3x4xf32>) -> (tensor<?x12xf32>, tensor<?x1x3x4xf32>, tensor<4x?xf32>) {
  %f = infer.flatten %x {axis = 1 : i64} : (tensor<?x3x4xf32>) -> tensor<?x12xf32>
  %u = infer.unsqueeze %x {axes = array<i64: 1>} : (tensor<?x3x4xf32>) -> tensor<?x1x3x4xf32>
  %r = infer.reshape %x : (tensor<?x3x4xf32>) -> tensor<4x?xf32>
  func.return %f, %u, %r : tensor<?x12xf32>, tensor<?x1x3x4xf32>, tensor<4x?xf32>
}

// -----

// A transpose is a linalg.generic whose input map permutes the loops.
// CHECK-LABEL: func.func @transpose
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, d2, d0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME:      ins(%{{.*}} : memref<?x3x4xf32>) outs(%{{.*}} : memref<4x?x3xf32>)
func.func @transpose(%x: tensor<?x3x4xf32>) -> tensor<4x?x3xf32> {
  %t = infer.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<?x3x4xf32>) -> tensor<4x?x3xf32>
  func.return %t : tensor<4x?x3xf32>
}

// -----

// Each piece of a concatenation is copied at its offset along the axis: the
// second piece's offset is the first piece's (dynamic) length.
// CHECK-LABEL: func.func @concat(
// CHECK-SAME:    %[[A:[^ ,)]+]]: memref<2x?xf32>, %[[B:[^ ,)]+]]: memref<2x5xf32>)
// CHECK:         %[[LEN:[^ ,)]+]] = memref.dim %[[A]], %{{.*}} : memref<2x?xf32>
// CHECK:         %[[Y:[^ ,)]+]] = memref.alloc(%{{.*}}) : memref<2x?xf32>
// CHECK:         scf.for %[[I:[^ ,)]+]] =
// CHECK:           scf.for %[[J:[^ ,)]+]] = %{{.*}} to %[[LEN]]
// CHECK:             %[[V:[^ ,)]+]] = memref.load %[[A]][%[[I]], %[[J]]]
// CHECK:             memref.store %[[V]], %[[Y]][%[[I]], %[[J]]]
// CHECK:         scf.for %[[I2:[^ ,)]+]] =
// CHECK:           scf.for %[[J2:[^ ,)]+]] =
// CHECK:             %[[W:[^ ,)]+]] = memref.load %[[B]][%[[I2]], %[[J2]]]
// CHECK:             %[[SHIFTED:[^ ,)]+]] = arith.addi %[[J2]], %[[LEN]] : index
// CHECK:             memref.store %[[W]], %[[Y]][%[[I2]], %[[SHIFTED]]]
func.func @concat(%a: tensor<2x?xf32>, %b: tensor<2x5xf32>) -> tensor<2x?xf32> {
  %c = infer.concat %a, %b {axis = 1 : i64} : (tensor<2x?xf32>, tensor<2x5xf32>) -> tensor<2x?xf32>
  func.return %c : tensor<2x?xf32>
}

// -----

// Static slice bounds fold at compile time: rows 1, 2 and every other column
// from the last backwards.
// CHECK-LABEL: func.func @static_slice(
// CHECK-SAME:    %[[X:[^ ,)]+]]: memref<4x6xf32>)
// CHECK-DAG:     %[[C5:[^ ,)]+]] = arith.constant 5 : index
// CHECK-DAG:     %[[C2:[^ ,)]+]] = arith.constant 2 : index
// CHECK:         %[[Y:[^ ,)]+]] = memref.alloc() : memref<2x3xf32>
// CHECK:         scf.for %[[I:[^ ,)]+]] =
// CHECK:           scf.for %[[J:[^ ,)]+]] =
// CHECK:             %[[ROW:[^ ,)]+]] = arith.addi %{{.*}}, %[[I]] : index
// CHECK:             %[[BACK:[^ ,)]+]] = arith.muli %[[J]], %{{.*}} : index
// CHECK:             %[[COL:[^ ,)]+]] = arith.addi %[[C5]], %[[BACK]] : index
// CHECK:             memref.load %[[X]][%[[ROW]], %[[COL]]]
func.func @static_slice(%x: tensor<4x6xf32>) -> tensor<2x3xf32> {
  %s = infer.slice %x {starts = array<i64: 1, -1>, ends = array<i64: 3, -100>, steps = array<i64: 1, -2>} : (tensor<4x6xf32>) -> tensor<2x3xf32>
  func.return %s : tensor<2x3xf32>
}

// -----

// On a dynamic dim, the clamping is index arithmetic before the loops.
// CHECK-LABEL: func.func @dynamic_dim_slice
// CHECK:         %[[N:[^ ,)]+]] = memref.dim
// CHECK-NEXT:    %[[END:[^ ,)]+]] = arith.addi %{{.*}}, %[[N]] : index
// CHECK-NEXT:    %[[START:[^ ,)]+]] = arith.minsi %{{.*}}, %[[N]] : index
// CHECK:         arith.ceildivsi
// CHECK:         %[[Y:[^ ,)]+]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK:         scf.for
func.func @dynamic_dim_slice(%x: tensor<?xf32>) -> tensor<?xf32> {
  %s = infer.slice %x {starts = array<i64: 1>, ends = array<i64: -1>, steps = array<i64: 2>} : (tensor<?xf32>) -> tensor<?xf32>
  func.return %s : tensor<?xf32>
}

// -----

// Gathered indices count from the end when negative and are clamped into range.
// CHECK-LABEL: func.func @gather(
// CHECK-SAME:    %[[D:[^ ,)]+]]: memref<5x3xf32>, %[[I:[^ ,)]+]]: memref<?xi32>)
// CHECK:         scf.for %[[P:[^ ,)]+]] =
// CHECK:           scf.for %[[Q:[^ ,)]+]] =
// CHECK:             %[[RAW:[^ ,)]+]] = memref.load %[[I]][%[[P]]] : memref<?xi32>
// CHECK:             %[[IDX:[^ ,)]+]] = arith.index_cast %[[RAW]] : i32 to index
// CHECK:             %[[NEG:[^ ,)]+]] = arith.cmpi slt, %[[IDX]], %{{.*}} : index
// CHECK:             %[[FROM_END:[^ ,)]+]] = arith.addi %[[IDX]], %{{.*}} : index
// CHECK:             %[[SEL:[^ ,)]+]] = arith.select %[[NEG]], %[[FROM_END]], %[[IDX]] : index
// CHECK:             %[[HIGH:[^ ,)]+]] = arith.minsi %[[SEL]], %{{.*}} : index
// CHECK:             %[[POS:[^ ,)]+]] = arith.maxsi %[[HIGH]], %{{.*}} : index
// CHECK:             memref.load %[[D]][%[[POS]], %[[Q]]]
func.func @gather(%d: tensor<5x3xf32>, %i: tensor<?xi32>) -> tensor<?x3xf32> {
  %g = infer.gather %d, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<?xi32>) -> tensor<?x3xf32>
  func.return %g : tensor<?x3xf32>
}

// -----

// A constant pad fills the result, then copies the kept part at its offset.
// CHECK-LABEL: func.func @pad_constant(
// CHECK-SAME:    %[[X:[^ ,)]+]]: memref<3x4xi32>)
// CHECK:         %[[Y:[^ ,)]+]] = memref.alloc() : memref<4x5xi32>
// CHECK:         %[[V:[^ ,)]+]] = arith.constant -2 : i32
// CHECK:         linalg.fill ins(%[[V]] : i32) outs(%[[Y]] : memref<4x5xi32>)
// CHECK:         scf.for %[[I:[^ ,)]+]] =
// CHECK:           scf.for %[[J:[^ ,)]+]] =
// CHECK:             %[[COL:[^ ,)]+]] = arith.addi %[[J]], %{{.*}} : index
// CHECK:             %[[ROW:[^ ,)]+]] = arith.addi %[[I]], %{{.*}} : index
// CHECK:             %[[E:[^ ,)]+]] = memref.load %[[X]][%[[I]], %[[COL]]]
// CHECK:             memref.store %[[E]], %[[Y]][%[[ROW]], %[[J]]]
func.func @pad_constant(%x: tensor<3x4xi32>) -> tensor<4x5xi32> {
  %p = infer.pad %x {pads = array<i64: 1, -1, 0, 2>, value = -2.7 : f64} : (tensor<3x4xi32>) -> tensor<4x5xi32>
  func.return %p : tensor<4x5xi32>
}

// -----

// Reflect reads every output position from a mirrored one (period 2 (n - 1)).
// CHECK-LABEL: func.func @pad_reflect
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             arith.remsi
// CHECK:             arith.select
// CHECK:             memref.load
// CHECK-NOT:     linalg.fill
func.func @pad_reflect(%x: tensor<3x4xf32>) -> tensor<3x9xf32> {
  %p = infer.pad %x {pads = array<i64: 0, 2, 0, 3>, mode = "reflect"} : (tensor<3x4xf32>) -> tensor<3x9xf32>
  func.return %p : tensor<3x9xf32>
}

// -----

// shape_of stores the dims as i64.
// CHECK-LABEL: func.func @shape_of(
// CHECK-SAME:    %[[X:[^ ,)]+]]: memref<?x3x?xf32>)
// CHECK:         %[[S:[^ ,)]+]] = memref.alloc() : memref<2xi64>
// CHECK:         %[[D0:[^ ,)]+]] = memref.dim %[[X]], %{{.*}}
// CHECK:         %[[V0:[^ ,)]+]] = arith.index_cast %[[D0]] : index to i64
// CHECK:         memref.store %[[V0]], %[[S]]
// CHECK:         %[[V1:[^ ,)]+]] = arith.constant 3 : i64
// CHECK:         memref.store %[[V1]], %[[S]]
func.func @shape_of(%x: tensor<?x3x?xf32>) -> tensor<2xi64> {
  %s = infer.shape_of %x {start = 0 : i64, end = 2 : i64} : (tensor<?x3x?xf32>) -> tensor<2xi64>
  func.return %s : tensor<2xi64>
}

// -----

// A tile reads the input at the position modulo its dim.
// CHECK-LABEL: func.func @tile(
// CHECK-SAME:    %[[X:[^ ,)]+]]: memref<?x3xf32>)
// CHECK:         %[[N:[^ ,)]+]] = memref.dim %[[X]]
// CHECK:         %[[ROWS:[^ ,)]+]] = arith.muli %[[N]], %{{.*}} : index
// CHECK:         memref.alloc(%[[ROWS]]) : memref<?x3xf32>
// CHECK:         scf.for %[[I:[^ ,)]+]] =
// CHECK:           scf.for %[[J:[^ ,)]+]] =
// CHECK:             %[[R:[^ ,)]+]] = arith.remsi %[[I]], %[[N]] : index
// CHECK:             memref.load %[[X]][%[[R]], %[[J]]]
func.func @tile(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %t = infer.tile %x {repeats = array<i64: 2, 1>} : (tensor<?x3xf32>) -> tensor<?x3xf32>
  func.return %t : tensor<?x3xf32>
}

// -----

// range: the length is computed at run time, then each element is start + i * delta.
// CHECK-LABEL: func.func @range
// CHECK:         arith.ceildivsi
// CHECK:         %[[Y:[^ ,)]+]] = memref.alloc(%{{.*}}) : memref<?xi64>
// CHECK:         scf.for %[[I:[^ ,)]+]] =
// CHECK:           %[[K:[^ ,)]+]] = arith.index_cast %[[I]] : index to i64
// CHECK:           %[[STEP:[^ ,)]+]] = arith.muli %[[K]], %{{.*}} : i64
// CHECK:           %[[V:[^ ,)]+]] = arith.addi %{{.*}}, %[[STEP]] : i64
// CHECK:           memref.store %[[V]], %[[Y]][%[[I]]]
func.func @range(%a: tensor<i64>, %b: tensor<i64>, %c: tensor<i64>) -> tensor<?xi64> {
  %r = infer.range %a, %b, %c : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  func.return %r : tensor<?xi64>
}

// -----

// Resize builds a table of source indices per resized dim (coordinates in f32,
// as the reference), then gathers through the tables; the tables are freed.
// CHECK-LABEL: func.func @resize_nearest(
// CHECK-SAME:    %[[X:[^ ,)]+]]: memref<1x1x4x4xf32>)
// CHECK:         %[[Y:[^ ,)]+]] = memref.alloc() : memref<1x1x8x8xf32>
// CHECK:         %[[ROWS:[^ ,)]+]] = memref.alloc() : memref<8x1xi64>
// CHECK:         scf.for
// CHECK:           %[[C:[^ ,)]+]] = arith.divf
// CHECK:           math.floor %[[C]] : f32
// CHECK:           arith.fptosi
// CHECK:           memref.store %{{.*}}, %[[ROWS]]
// CHECK:         %[[COLS:[^ ,)]+]] = memref.alloc() : memref<8x1xi64>
// CHECK:         scf.for
// CHECK:           memref.store %{{.*}}, %[[COLS]]
// CHECK:         scf.for %[[P:[^ ,)]+]] =
// CHECK:           scf.for %[[Q:[^ ,)]+]] =
// CHECK:             %[[R:[^ ,)]+]] = memref.load %[[ROWS]][%[[P]], %{{.*}}]
// CHECK:             %[[RI:[^ ,)]+]] = arith.index_cast %[[R]] : i64 to index
// CHECK:             %[[S:[^ ,)]+]] = memref.load %[[COLS]][%[[Q]], %{{.*}}]
// CHECK:             %[[SI:[^ ,)]+]] = arith.index_cast %[[S]] : i64 to index
// CHECK:             %[[V:[^ ,)]+]] = memref.load %[[X]][%{{.*}}, %{{.*}}, %[[RI]], %[[SI]]]
// CHECK:             memref.store %[[V]], %[[Y]][%{{.*}}, %{{.*}}, %[[P]], %[[Q]]]
// CHECK:         memref.dealloc %[[ROWS]]
// CHECK:         memref.dealloc %[[COLS]]
func.func @resize_nearest(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32> {
  %y = infer.resize %x {mode = "nearest", coordinate_mode = "asymmetric", nearest_mode = "floor", scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32>
  func.return %y : tensor<1x1x8x8xf32>
}

// -----

// Linear resampling blends two taps per resized dim in f64, one dim after the
// other; the last pass rounds into the result.
// CHECK-LABEL: func.func @resize_linear
// CHECK:         memref.alloc() : memref<6x2xf64>
// CHECK:         %[[PASS:[^ ,)]+]] = memref.alloc() : memref<1x2x6x3xf64>
// CHECK:         scf.for
// CHECK:           arith.extf %{{.*}} : f32 to f64
// CHECK:           arith.mulf %{{.*}} : f64
// CHECK:           arith.addf %{{.*}} : f64
// CHECK:           memref.store %{{.*}}, %[[PASS]]
// CHECK:         scf.for
// CHECK:           memref.load %[[PASS]]
// CHECK:           arith.truncf %{{.*}} : f64 to f32
func.func @resize_linear(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x6x5xf32> {
  %y = infer.resize %x {mode = "linear", sizes = array<i64: -1, -1, 6, 5>} : (tensor<1x2x3x3xf32>) -> tensor<1x2x6x5xf32>
  func.return %y : tensor<1x2x6x5xf32>
}
