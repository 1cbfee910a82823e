// RUN: infer-opt %s --split-input-file --recompose-silu | filecheck %s
// RUN: infer-opt %s --split-input-file --recompose-silu --print-debuginfo | filecheck %s --check-prefix=LOC

// CHECK-LABEL: func.func @silu
// CHECK-SAME: (%[[X:.*]]: tensor<?x16x?x?xf32>)
// CHECK-NEXT: %[[Y:.*]] = infer.silu %[[X]] : (tensor<?x16x?x?xf32>) -> tensor<?x16x?x?xf32>
// CHECK-NEXT: func.return %[[Y]]
// LOC: infer.silu {{.*}} loc(fused["sig", "mul"])
func.func @silu(%x: tensor<?x16x?x?xf32>) -> tensor<?x16x?x?xf32> {
  %s = infer.sigmoid %x : (tensor<?x16x?x?xf32>) -> tensor<?x16x?x?xf32> loc("sig")
  %y = infer.mul %x, %s : (tensor<?x16x?x?xf32>, tensor<?x16x?x?xf32>) -> tensor<?x16x?x?xf32> loc("mul")
  func.return %y : tensor<?x16x?x?xf32>
}

// -----

// The sigmoid first.
// CHECK-LABEL: func.func @silu_swapped
// CHECK-SAME: (%[[X:.*]]: tensor<4xf16>)
// CHECK-NEXT: %[[Y:.*]] = infer.silu %[[X]] : (tensor<4xf16>) -> tensor<4xf16>
// CHECK-NEXT: func.return %[[Y]]
func.func @silu_swapped(%x: tensor<4xf16>) -> tensor<4xf16> {
  %s = infer.sigmoid %x : (tensor<4xf16>) -> tensor<4xf16>
  %y = infer.mul %s, %x : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
  func.return %y : tensor<4xf16>
}

// -----

// Not silu: the sigmoid has another use; the sigmoid of another value.
// CHECK-LABEL: func.func @not_silu
// CHECK-NOT: infer.silu
// CHECK: func.return
func.func @not_silu(%x: tensor<4xf32>, %z: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %s = infer.sigmoid %x : (tensor<4xf32>) -> tensor<4xf32>
  %y = infer.mul %x, %s : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %t = infer.sigmoid %z : (tensor<4xf32>) -> tensor<4xf32>
  %w = infer.mul %x, %t : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %y, %s, %w : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
