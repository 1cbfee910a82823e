// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-infer-to-linalg | filecheck %s

// A convolution is a loop nest over the output rows (along the last spatial
// dim): a row buffer is zeroed, accumulates over the input channels and the
// taps that read the input (the window clamped by the pads: no padded copy;
// along the row, the positions each tap reaches), then gets the bias and the
// epilogue. The output spatial dims are computed from the input's at run time.
// CHECK-LABEL: func.func @conv_padded_relu(
// CHECK-SAME:    %[[X:[^ ,)]+]]: memref<?x2x?x?xf32>, %[[W:[^ ,)]+]]: memref<4x2x3x3xf32>, %[[B:[^ ,)]+]]: memref<4xf32>)
// CHECK-DAG:     %[[C2:[^ ,)]+]] = arith.constant 2 : index
// CHECK-DAG:     %[[N:[^ ,)]+]] = memref.dim %[[X]], %{{.*}} : memref<?x2x?x?xf32>
// CHECK-DAG:     %[[H:[^ ,)]+]] = memref.dim %[[X]], %[[C2]] : memref<?x2x?x?xf32>
// CHECK:         %[[HM:[^ ,)]+]] = arith.addi %[[H]], %{{.*}} : index
// CHECK:         %[[HD:[^ ,)]+]] = arith.floordivsi %[[HM]], %[[C2]] : index
// CHECK:         %[[OH:[^ ,)]+]] = arith.addi %[[HD]], %{{.*}} : index
// CHECK:         arith.floordivsi
// CHECK:         %[[OW:[^ ,)]+]] = arith.addi
// CHECK:         %[[Y:[^ ,)]+]] = memref.alloc(%[[N]], %[[OH]], %[[OW]]) : memref<?x4x?x?xf32>
// CHECK:         %[[ROW:[^ ,)]+]] = memref.alloc(%[[OW]]) : memref<?xf32>
// CHECK:         scf.for %[[I:[^ ,)]+]] = %{{.*}} to %[[N]]
// CHECK:           scf.for %[[O:[^ ,)]+]] =
// CHECK:             scf.for %[[P:[^ ,)]+]] = %{{.*}} to %[[OH]]
// CHECK:               %[[START:[^ ,)]+]] = arith.subi
// CHECK:               scf.for %[[Z:[^ ,)]+]] = %{{.*}} to %[[OW]]
// CHECK:                 memref.store %{{.*}}, %[[ROW]][%[[Z]]]
// CHECK:               %[[FIRST:[^ ,)]+]] = arith.maxsi
// CHECK:               %[[LAST:[^ ,)]+]] = arith.minsi
// CHECK:               scf.for %[[C:[^ ,)]+]] =
// CHECK:                 scf.for %[[KH:[^ ,)]+]] = %[[FIRST]] to %[[LAST]]
// CHECK:                   %[[IH:[^ ,)]+]] = arith.addi %[[START]], %[[KH]] : index
// CHECK:                   scf.for %[[KW:[^ ,)]+]] =
// CHECK:                     %[[WV:[^ ,)]+]] = memref.load %[[W]][%[[O]], %[[C]], %[[KH]], %[[KW]]]
// CHECK:                     %[[QFIRST:[^ ,)]+]] = arith.maxsi
// CHECK:                     %[[QLAST:[^ ,)]+]] = arith.minsi
// CHECK:                     scf.for %[[Q:[^ ,)]+]] = %[[QFIRST]] to %[[QLAST]]
// CHECK:                       %[[XV:[^ ,)]+]] = memref.load %[[X]][%[[I]], %[[C]], %[[IH]], %{{.*}}]
// CHECK:                       %[[ACC:[^ ,)]+]] = memref.load %[[ROW]][%[[Q]]]
// CHECK:                       %[[M:[^ ,)]+]] = arith.mulf %[[XV]], %[[WV]] : f32
// CHECK:                       %[[SUM:[^ ,)]+]] = arith.addf %[[ACC]], %[[M]] : f32
// CHECK:                       memref.store %[[SUM]], %[[ROW]][%[[Q]]]
// CHECK:               scf.for %[[Q2:[^ ,)]+]] = %{{.*}} to %[[OW]]
// CHECK:                 %[[V:[^ ,)]+]] = memref.load %[[ROW]][%[[Q2]]]
// CHECK:                 %[[BV:[^ ,)]+]] = memref.load %[[B]][%[[O]]]
// CHECK:                 %[[BIASED:[^ ,)]+]] = arith.addf %[[V]], %[[BV]] : f32
// CHECK:                 %[[RELU:[^ ,)]+]] = arith.maximumf %[[BIASED]], %{{.*}} : f32
// CHECK:                 memref.store %[[RELU]], %[[Y]][%[[I]], %[[O]], %[[P]], %[[Q2]]]
// CHECK:         memref.dealloc %[[ROW]]
// CHECK:         func.return %[[Y]]
func.func @conv_padded_relu(%x: tensor<?x2x?x?xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<4xf32>) -> tensor<?x4x?x?xf32> {
  %y = infer.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, activation = "relu"} : (tensor<?x2x?x?xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<?x4x?x?xf32>
  func.return %y : tensor<?x4x?x?xf32>
}

// -----

// Without pads no tap is clamped (the loops run over the kernel and whole
// rows); a depthwise weight has one input channel per group, so there is no
// channel loop; in nhwc the channel is the last index.
// CHECK-LABEL: func.func @depthwise_nhwc(
// CHECK-SAME:    %[[X:[^ ,)]+]]: memref<1x8x8x3xf32>, %[[W:[^ ,)]+]]: memref<3x1x3x3xf32>)
// CHECK-DAG:     %[[C0:[^ ,)]+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C3:[^ ,)]+]] = arith.constant 3 : index
// CHECK-DAG:     %[[C6:[^ ,)]+]] = arith.constant 6 : index
// CHECK-NOT:     arith.minsi
// CHECK:         scf.for %[[P:[^ ,)]+]] =
// CHECK:           scf.for %[[O:[^ ,)]+]] = %{{.*}} to %[[C3]]
// CHECK:             scf.for %[[KH:[^ ,)]+]] = %[[C0]] to %[[C3]]
// CHECK:               %[[IH:[^ ,)]+]] = arith.addi %[[P]], %[[KH]] : index
// CHECK:               scf.for %[[KW:[^ ,)]+]] = %[[C0]] to %[[C3]]
// CHECK:                 memref.load %[[W]][%[[O]], %[[C0]], %[[KH]], %[[KW]]]
// CHECK:                 scf.for %[[Q:[^ ,)]+]] = %[[C0]] to %[[C6]]
// CHECK:                   %[[IW:[^ ,)]+]] = arith.addi %[[Q]], %[[KW]] : index
// CHECK:                   memref.load %[[X]][%[[C0]], %[[IH]], %[[IW]], %[[O]]]
func.func @depthwise_nhwc(%x: tensor<1x8x8x3xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<1x6x6x3xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, groups = 3 : i64, layout = "nhwc"} : (tensor<1x8x8x3xf32>, tensor<3x1x3x3xf32>) -> tensor<1x6x6x3xf32>
  func.return %y : tensor<1x6x6x3xf32>
}

// -----

// Grouped: the input channel is the output channel's group times the channels per group, plus the channel loop.
// CHECK-LABEL: func.func @grouped
// CHECK:         scf.for %[[O:[^ ,)]+]] =
// CHECK:           %[[G:[^ ,)]+]] = arith.floordivsi %[[O]], %{{.*}} : index
// CHECK:           %[[BASE:[^ ,)]+]] = arith.muli %[[G]], %{{.*}} : index
// CHECK:           scf.for
// CHECK:             memref.store
// CHECK:           scf.for %[[C:[^ ,)]+]] =
// CHECK:             %[[CI:[^ ,)]+]] = arith.addi %[[BASE]], %[[C]] : index
// CHECK:             scf.for
// CHECK:               scf.for
// CHECK:                 memref.load %{{.*}}[%{{.*}}, %[[CI]], %{{.*}}, %{{.*}}] : memref<1x4x4x4xf32>
func.func @grouped(%x: tensor<1x4x4x4xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x2x2xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, groups = 2 : i64} : (tensor<1x4x4x4xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x2x2xf32>
  func.return %y : tensor<1x6x2x2xf32>
}

// -----

// A pointwise convolution (1x1, unit strides, no pads) runs over whole planes:
// the input and the weight viewed with flattened spatial dims, the result
// computed flat and viewed back.
// CHECK-LABEL: func.func @pointwise(
// CHECK-SAME:    %[[X:[^ ,)]+]]: memref<?x3x5x7xf32>, %[[W:[^ ,)]+]]: memref<4x3x1x1xf32>)
// CHECK:         %[[FX:[^ ,)]+]] = memref.collapse_shape %[[X]] {{\[}}[0 : i64], [1 : i64], [2 : i64, 3 : i64]] : memref<?x3x5x7xf32> into memref<?x3x35xf32>
// CHECK:         %[[FW:[^ ,)]+]] = memref.collapse_shape %[[W]] {{.*}} : memref<4x3x1x1xf32> into memref<4x3x1xf32>
// CHECK:         %[[FY:[^ ,)]+]] = memref.alloc(%{{.*}}) : memref<?x4x35xf32>
// CHECK:         %[[ROW:[^ ,)]+]] = memref.alloc() : memref<35xf32>
// CHECK:         scf.for
// CHECK:           memref.load %[[FX]]
// CHECK:         memref.expand_shape %[[FY]] {{.*}} output_shape [%{{.*}}, 4, 5, 7] : memref<?x4x35xf32> into memref<?x4x5x7xf32>
func.func @pointwise(%x: tensor<?x3x5x7xf32>, %w: tensor<4x3x1x1xf32>) -> tensor<?x4x5x7xf32> {
  %y = infer.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x3x5x7xf32>, tensor<4x3x1x1xf32>) -> tensor<?x4x5x7xf32>
  func.return %y : tensor<?x4x5x7xf32>
}

// -----

// Max pooling starts from -inf and keeps NaN (maximumf); pads are never read.
// CHECK-LABEL: func.func @max_pool
// CHECK:         %[[LOWEST:[^ ,)]+]] = arith.constant 0xff800000 : f32
// CHECK:         scf.for %{{.*}} = %[[FIRST:[^ ,)]+]] to %[[LAST:[^ ,)]+]] step %{{.*}} iter_args(%{{.*}} = %[[LOWEST]]) -> (f32)
// CHECK:           scf.for {{.*}} iter_args(%[[ACC:[^ ,)]+]] = %{{.*}}) -> (f32)
// CHECK:             %[[V:[^ ,)]+]] = memref.load
// CHECK:             arith.maximumf %[[ACC]], %[[V]] : f32
func.func @max_pool(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  %y = infer.max_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32>
  func.return %y : tensor<1x2x4x4xf32>
}

// -----

// Average pooling sums f16 in f32 and divides by the product of the clamped
// tap counts, then rounds to f16.
// CHECK-LABEL: func.func @avg_pool
// CHECK:         %[[SUM:[^ ,)]+]] = scf.for {{.*}} -> (f32)
// CHECK:           scf.for
// CHECK:             %[[V:[^ ,)]+]] = memref.load %{{.*}} : memref<1x2x8x8xf16>
// CHECK:             %[[E:[^ ,)]+]] = arith.extf %[[V]] : f16 to f32
// CHECK:             arith.addf %{{.*}}, %[[E]] : f32
// CHECK:         %[[ROWS:[^ ,)]+]] = arith.maxsi
// CHECK:         %[[COLS:[^ ,)]+]] = arith.maxsi
// CHECK:         %[[COUNT:[^ ,)]+]] = arith.muli %[[ROWS]], %[[COLS]] : index
// CHECK:         %[[I:[^ ,)]+]] = arith.index_cast %[[COUNT]] : index to i64
// CHECK:         %[[F:[^ ,)]+]] = arith.sitofp %[[I]] : i64 to f32
// CHECK:         %[[MEAN:[^ ,)]+]] = arith.divf %[[SUM]], %[[F]] : f32
// CHECK:         arith.truncf %[[MEAN]] : f32 to f16
func.func @avg_pool(%x: tensor<1x2x8x8xf16>) -> tensor<1x2x4x4xf16> {
  %y = infer.avg_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x8x8xf16>) -> tensor<1x2x4x4xf16>
  func.return %y : tensor<1x2x4x4xf16>
}

// -----

// With count_include_pad and no ceil mode, every window counts the whole kernel.
// CHECK-LABEL: func.func @avg_pool_include_pad
// CHECK:         %[[NINE:[^ ,)]+]] = arith.constant 9 : index
// CHECK:         %[[I:[^ ,)]+]] = arith.index_cast %[[NINE]] : index to i64
// CHECK:         %[[F:[^ ,)]+]] = arith.sitofp %[[I]] : i64 to f32
// CHECK:         arith.divf %{{.*}}, %[[F]] : f32
func.func @avg_pool_include_pad(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  %y = infer.avg_pool %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, count_include_pad} : (tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32>
  func.return %y : tensor<1x2x4x4xf32>
}

// -----

// The 2-norm: squares summed, then the square root.
// CHECK-LABEL: func.func @lp_pool
// CHECK:           %[[A:[^ ,)]+]] = math.absf
// CHECK:           arith.mulf %[[A]], %[[A]] : f32
// CHECK:         math.sqrt
func.func @lp_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %y = infer.lp_pool %x {p = 2.0 : f64, kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  func.return %y : tensor<1x2x2x2xf32>
}

// -----

// A strided transposed convolution gathers the inputs whose taps reach each
// output: where `q + pad - t` divides by the stride and lands in the input.
// CHECK-LABEL: func.func @conv_transpose(
// CHECK-SAME:    %[[X:[^ ,)]+]]: memref<1x2x3x3xf32>, %[[W:[^ ,)]+]]: memref<2x1x3x3xf32>)
// CHECK:           scf.for %[[C:[^ ,)]+]] = {{.*}} iter_args(
// CHECK:             scf.for %[[KH:[^ ,)]+]] = {{.*}} iter_args(
// CHECK:               scf.for %[[KW:[^ ,)]+]] = {{.*}} iter_args(%[[ACC:[^ ,)]+]] = %{{.*}}) -> (f32)
// CHECK:                 %[[R:[^ ,)]+]] = arith.subi %{{.*}}, %[[KH]] : index
// CHECK:                 %[[I:[^ ,)]+]] = arith.floordivsi %[[R]], %{{.*}} : index
// CHECK:                 %[[REM:[^ ,)]+]] = arith.remsi %[[R]], %{{.*}} : index
// CHECK:                 arith.cmpi eq, %[[REM]], %{{.*}} : index
// CHECK:                 scf.if %{{.*}} -> (f32) {
// CHECK:                   memref.load %[[X]][%{{.*}}, %{{.*}}, %[[I]], %{{.*}}]
// CHECK:                   memref.load %[[W]]
// CHECK:                 } else {
// CHECK:                   scf.yield %[[ACC]] : f32
func.func @conv_transpose(%x: tensor<1x2x3x3xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x1x5x5xf32> {
  %y = infer.conv_transpose %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>} : (tensor<1x2x3x3xf32>, tensor<2x1x3x3xf32>) -> tensor<1x1x5x5xf32>
  func.return %y : tensor<1x1x5x5xf32>
}
