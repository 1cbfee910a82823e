// RUN: infer-opt %s | infer-opt | filecheck %s
// The quantization ops print in their custom form and parse back.

// CHECK-LABEL: func.func @quantize
func.func @quantize(%x: tensor<?x64xf32>, %s: tensor<1x64xf32>, %z: tensor<1x64xui8>, %b: tensor<1x2xf32>) -> (tensor<?x64xui8>, tensor<?x64xi8>) {
  // CHECK: %[[Q:.*]] = infer.quantize_linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x64xf32>, tensor<1x64xf32>, tensor<1x64xui8>) -> tensor<?x64xui8>
  %q = infer.quantize_linear %x, %s, %z : (tensor<?x64xf32>, tensor<1x64xf32>, tensor<1x64xui8>) -> tensor<?x64xui8>
  // CHECK: %[[R:.*]] = infer.quantize_linear %{{.*}}, %{{.*}} {axis = 1 : i64, block_size = 32 : i64} : (tensor<?x64xf32>, tensor<1x2xf32>) -> tensor<?x64xi8>
  %r = infer.quantize_linear %x, %b {axis = 1 : i64, block_size = 32 : i64} : (tensor<?x64xf32>, tensor<1x2xf32>) -> tensor<?x64xi8>
  // CHECK: func.return %[[Q]], %[[R]]
  func.return %q, %r : tensor<?x64xui8>, tensor<?x64xi8>
}

// CHECK-LABEL: func.func @dequantize
func.func @dequantize(%q: tensor<?x64xui8>, %s: tensor<1x64xf32>, %z: tensor<1x64xui8>, %i: tensor<4x?xi32>, %t: tensor<1x1xf16>) -> (tensor<?x64xf16>, tensor<4x?xf16>) {
  // CHECK: infer.dequantize_linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x64xui8>, tensor<1x64xf32>, tensor<1x64xui8>) -> tensor<?x64xf16>
  %d = infer.dequantize_linear %q, %s, %z : (tensor<?x64xui8>, tensor<1x64xf32>, tensor<1x64xui8>) -> tensor<?x64xf16>
  // CHECK: infer.dequantize_linear %{{.*}}, %{{.*}} : (tensor<4x?xi32>, tensor<1x1xf16>) -> tensor<4x?xf16>
  %e = infer.dequantize_linear %i, %t : (tensor<4x?xi32>, tensor<1x1xf16>) -> tensor<4x?xf16>
  func.return %d, %e : tensor<?x64xf16>, tensor<4x?xf16>
}
