// RUN: python %S/Inputs/make_models.py %t
// RUN: infer-opt %t/signature.onnx | filecheck %s --check-prefix=SIG
// RUN: infer-opt %t/signature.onnx --print-debuginfo | filecheck %s --check-prefix=LOC
// RUN: infer-opt %t/if_outer_scope.onnx | filecheck %s --check-prefix=IF
// RUN: infer-opt %t/if_outer_scope.onnx --print-constants | infer-opt --print-constants | filecheck %s --check-prefix=IF

// The main graph is @main_graph: its inputs (initializers excluded) are the
// arguments, with their ONNX names and dim symbols; symbolic and unknown dims
// are `?`. The opset imports are recorded on the module.

// SIG:      builtin.module attributes {onnx.opset_import = {ai.onnx = 17 : i64, ai.onnx.ml = 3 : i64}
// SIG-LABEL: func.func @main_graph
// SIG-SAME: (%[[X:.*]]: tensor<?x3xf32> {infer.name = "x", infer.dim_params = ["batch", ""]})
// SIG-SAME: -> (tensor<?x4xf32> {infer.name = "y", infer.dim_params = ["batch", ""]})
// SIG:      %[[W:.*]] = onnx.Constant() {value = dense<{{.*}}> : tensor<4x3xf32>}
// SIG:      %[[B:.*]] = onnx.Constant() {value = dense<5.000000e-01> : tensor<4xf32>}
// SIG:      %[[H:.*]] = onnx.Gemm(%[[X]], %[[W]], %[[B]]) {transB = 1 : i64} : (tensor<?x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<?x4xf32>
// SIG:      %[[R:.*]] = onnx.Relu(%[[H]])
// SIG:      %[[Y:.*]] = onnx.ml.Binarizer(%[[R]]) {threshold = 5.000000e-01 : f32}
// SIG:      func.return %[[Y]] : tensor<?x4xf32>

// Node names (initializer names for their constants) are op locations.

// LOC-LABEL: func.func @main_graph
// LOC: onnx.Constant() {{.*}} loc("w")
// LOC: onnx.Gemm({{.*}} loc("fc")
// LOC: onnx.Relu({{.*}} loc("act")
// LOC: onnx.ml.Binarizer({{.*}} loc("bin")

// If's branches are regions that use the main graph's values directly.

// IF-LABEL: func.func @main_graph
// IF-SAME:  (%[[X:.*]]: tensor<?x3xf32>
// IF:       %[[TWO:.*]] = onnx.Constant() {value = dense<2.000000e+00> : tensor<f32>}
// IF:       %[[C:.*]] = onnx.Greater
// IF:       onnx.If(%[[C]]) ({
// IF-NEXT:    %[[T:.*]] = onnx.Mul(%[[X]], %[[TWO]])
// IF-NEXT:    onnx.Yield %[[T]] : tensor<?x3xf32>
// IF-NEXT:  }, {
// IF-NEXT:    %[[E:.*]] = onnx.Neg(%[[X]])
// IF-NEXT:    onnx.Yield %[[E]] : tensor<?x3xf32>
// IF-NEXT:  }) : (tensor<i1>) -> tensor<?x3xf32>
