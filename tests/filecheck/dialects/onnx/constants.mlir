// RUN: infer-opt %s | filecheck %s --check-prefix=ELIDED
// RUN: infer-opt %s | infer-opt | filecheck %s --check-prefix=ELIDED
// RUN: infer-opt %s --print-constants | filecheck %s --check-prefix=FULL
// RUN: infer-opt %s --print-constants | infer-opt --print-constants | filecheck %s --check-prefix=FULL

// Constants of more than 16 elements print as `dense_resource<__elided__>`
// unless --print-constants is given; splats always print, as one value.
// Printed in full, constants of more than 100 elements, and any holding a
// NaN or an infinity, are hex (bit-exact); the rest are decimal.

// ELIDED-LABEL: func.func @constants
// ELIDED: onnx.Constant() {value = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>}
// ELIDED: onnx.Constant() {value = dense_resource<__elided__> : tensor<20xf32>}
// ELIDED: onnx.Constant() {value = dense<2.500000e-01> : tensor<64x64xf32>}
// ELIDED: onnx.Constant() {value = dense_resource<__elided__> : tensor<101xi8>}
// ELIDED: onnx.Constant() {value = dense_resource<__elided__> : tensor<17x!onnx.string>}
// ELIDED: onnx.Constant() {value = dense<"0x7FC0"> : tensor<4x4xbf16>}

// FULL-LABEL: func.func @constants
// FULL: onnx.Constant() {value = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>}
// FULL: onnx.Constant() {value = dense<[0.000000e+00, 1.000000e+00, {{.*}}, 1.900000e+01]> : tensor<20xf32>}
// FULL: onnx.Constant() {value = dense<2.500000e-01> : tensor<64x64xf32>}
// FULL: onnx.Constant() {value = dense<"0x000102{{([0-9A-F][0-9A-F])+}}6364"> : tensor<101xi8>}
// FULL: onnx.Constant() {value = #onnx.strings<["a", "b", {{.*}}] : tensor<17x!onnx.string>>}
// FULL: onnx.Constant() {value = dense<"0x7FC0"> : tensor<4x4xbf16>}
// FULL: onnx.Constant() {value = dense<"0x0000C07F0000803F"> : tensor<2xf32>}
builtin.module attributes {onnx.opset_import = {ai.onnx = 17 : i64}} {
  func.func @constants() -> (tensor<2xf32>, tensor<20xf32>, tensor<64x64xf32>, tensor<101xi8>, tensor<17x!onnx.string>, tensor<4x4xbf16>, tensor<2xf32>) {
    %a = onnx.Constant() {value = dense<[1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
    %b = onnx.Constant() {value = dense<[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0]> : tensor<20xf32>} : () -> tensor<20xf32>
    %c = onnx.Constant() {value = dense<0.25> : tensor<64x64xf32>} : () -> tensor<64x64xf32>
    %d = onnx.Constant() {value = dense<"0x000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F6061626364"> : tensor<101xi8>} : () -> tensor<101xi8>
    %e = onnx.Constant() {value = #onnx.strings<["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q"] : tensor<17x!onnx.string>>} : () -> tensor<17x!onnx.string>
    %f = onnx.Constant() {value = dense<"0x7FC0"> : tensor<4x4xbf16>} : () -> tensor<4x4xbf16>
    %g = onnx.Constant() {value = dense<"0x0000C07F0000803F"> : tensor<2xf32>} : () -> tensor<2xf32>
    func.return %a, %b, %c, %d, %e, %f, %g : tensor<2xf32>, tensor<20xf32>, tensor<64x64xf32>, tensor<101xi8>, tensor<17x!onnx.string>, tensor<4x4xbf16>, tensor<2xf32>
  }
}
