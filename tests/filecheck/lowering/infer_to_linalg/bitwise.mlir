// RUN: infer-opt %s --split-input-file --verify-diagnostics --convert-infer-to-linalg | filecheck %s

// Shifts pick the arith op by signedness: shrsi for signed, shrui for unsigned.
// CHECK-LABEL: func.func @shifts
// CHECK: linalg.generic
// CHECK:   arith.shli %{{.*}}, %{{.*}} : i16
// CHECK: linalg.generic
// CHECK:   arith.shrsi %{{.*}}, %{{.*}} : i16
// CHECK: linalg.generic
// CHECK:   arith.shrui %{{.*}}, %{{.*}} : ui8
// CHECK: linalg.generic
// CHECK:   arith.xori %{{.*}}, %{{.*}} : ui8
func.func @shifts(%x: tensor<?x4xi16>, %s: tensor<1x4xi16>, %u: tensor<4xui8>) -> (tensor<?x4xi16>, tensor<?x4xi16>, tensor<4xui8>, tensor<4xui8>) {
  %l = infer.shift_left %x, %s : (tensor<?x4xi16>, tensor<1x4xi16>) -> tensor<?x4xi16>
  %r = infer.shift_right %x, %s : (tensor<?x4xi16>, tensor<1x4xi16>) -> tensor<?x4xi16>
  %q = infer.shift_right %u, %u : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %n = infer.bitwise_not %u : (tensor<4xui8>) -> tensor<4xui8>
  func.return %l, %r, %q, %n : tensor<?x4xi16>, tensor<?x4xi16>, tensor<4xui8>, tensor<4xui8>
}
