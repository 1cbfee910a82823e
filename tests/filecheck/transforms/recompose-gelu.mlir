// RUN: infer-opt %s --split-input-file --recompose-gelu | filecheck %s
// RUN: infer-opt %s --split-input-file --recompose-gelu --print-debuginfo | filecheck %s --check-prefix=LOC

// PyTorch's legacy export of nn.GELU(): (x * (1 + erf(x / 1.4142135))) * 0.5.
// CHECK-LABEL: func.func @erf_torch
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x8xf32>)
// CHECK-NEXT: %[[Y:.*]] = infer.gelu %[[X]] : (tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
// CHECK-NEXT: func.return %[[Y]]
// LOC: infer.gelu {{.*}} loc(fused["div", "erf", "add", "mul", "half"])
func.func @erf_torch(%x: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %c0 = infer.constant dense<1.41421354> : tensor<1x1x1xf32> loc("div")
  %0 = infer.div %x, %c0 : (tensor<?x?x8xf32>, tensor<1x1x1xf32>) -> tensor<?x?x8xf32> loc("div")
  %1 = infer.erf %0 : (tensor<?x?x8xf32>) -> tensor<?x?x8xf32> loc("erf")
  %c1 = infer.constant dense<1.0> : tensor<1x1x1xf32> loc("add")
  %2 = infer.add %1, %c1 : (tensor<?x?x8xf32>, tensor<1x1x1xf32>) -> tensor<?x?x8xf32> loc("add")
  %3 = infer.mul %x, %2 : (tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32> loc("mul")
  %c2 = infer.constant dense<0.5> : tensor<1x1x1xf32> loc("half")
  %4 = infer.mul %3, %c2 : (tensor<?x?x8xf32>, tensor<1x1x1xf32>) -> tensor<?x?x8xf32> loc("half")
  func.return %4 : tensor<?x?x8xf32>
}

// -----

// The half first, the argument as x * 0.70710677, 1 first in its add.
// CHECK-LABEL: func.func @erf_half_first
// CHECK-SAME: (%[[X:.*]]: tensor<4x?xf32>)
// CHECK-NEXT: %[[Y:.*]] = infer.gelu %[[X]] : (tensor<4x?xf32>) -> tensor<4x?xf32>
// CHECK-NEXT: func.return %[[Y]]
func.func @erf_half_first(%x: tensor<4x?xf32>) -> tensor<4x?xf32> {
  %half = infer.constant dense<0.5> : tensor<1x1xf32>
  %h = infer.mul %half, %x : (tensor<1x1xf32>, tensor<4x?xf32>) -> tensor<4x?xf32>
  %r = infer.constant dense<0.70710677> : tensor<1x1xf32>
  %a = infer.mul %x, %r : (tensor<4x?xf32>, tensor<1x1xf32>) -> tensor<4x?xf32>
  %e = infer.erf %a : (tensor<4x?xf32>) -> tensor<4x?xf32>
  %one = infer.constant dense<1.0> : tensor<1x1xf32>
  %p = infer.add %one, %e : (tensor<1x1xf32>, tensor<4x?xf32>) -> tensor<4x?xf32>
  %y = infer.mul %h, %p : (tensor<4x?xf32>, tensor<4x?xf32>) -> tensor<4x?xf32>
  func.return %y : tensor<4x?xf32>
}

// -----

// x * (0.5 * (1 + erf(x / sqrt(2)))) (TensorFlow's cdf form), the half as a division by 2.
// CHECK-LABEL: func.func @erf_cdf
// CHECK: %[[Y:.*]] = infer.gelu %{{.*}} : (tensor<8xf64>) -> tensor<8xf64>
// CHECK-NOT: infer.erf
// CHECK: func.return %[[Y]]
func.func @erf_cdf(%x: tensor<8xf64>) -> tensor<8xf64> {
  %r = infer.constant dense<1.4142135623730951> : tensor<1xf64>
  %a = infer.div %x, %r : (tensor<8xf64>, tensor<1xf64>) -> tensor<8xf64>
  %e = infer.erf %a : (tensor<8xf64>) -> tensor<8xf64>
  %one = infer.constant dense<1.0> : tensor<1xf64>
  %p = infer.add %e, %one : (tensor<8xf64>, tensor<1xf64>) -> tensor<8xf64>
  %two = infer.constant dense<2.0> : tensor<1xf64>
  %cdf = infer.div %p, %two : (tensor<8xf64>, tensor<1xf64>) -> tensor<8xf64>
  %y = infer.mul %x, %cdf : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
  func.return %y : tensor<8xf64>
}

// -----

// PyTorch's export of nn.GELU(approximate="tanh"): x * (x * x), constants first.
// CHECK-LABEL: func.func @tanh_torch
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>)
// CHECK-NEXT: %[[Y:.*]] = infer.gelu %[[X]] {approximate = "tanh"} : (tensor<?x8xf32>) -> tensor<?x8xf32>
// CHECK-NEXT: func.return %[[Y]]
func.func @tanh_torch(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = infer.mul %x, %x : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %1 = infer.mul %x, %0 : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %c0 = infer.constant dense<4.471500e-02> : tensor<1x1xf32>
  %2 = infer.mul %c0, %1 : (tensor<1x1xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %3 = infer.add %x, %2 : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %c1 = infer.constant dense<0.797884583> : tensor<1x1xf32>
  %4 = infer.mul %c1, %3 : (tensor<1x1xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %5 = infer.tanh %4 : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %c2 = infer.constant dense<1.0> : tensor<1x1xf32>
  %6 = infer.add %c2, %5 : (tensor<1x1xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %7 = infer.mul %x, %6 : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %c3 = infer.constant dense<0.5> : tensor<1x1xf32>
  %8 = infer.mul %c3, %7 : (tensor<1x1xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  func.return %8 : tensor<?x8xf32>
}

// -----

// The tanh argument as 0.7978846 * x * (1 + 0.044715 * x * x) and x^3 as Pow: both
// polynomials are c * x + c * 0.044715 * x^3.
// CHECK-LABEL: func.func @tanh_factored
// CHECK-COUNT-2: infer.gelu %{{.*}} {approximate = "tanh"}
// CHECK-NOT: infer.tanh
// CHECK: func.return
func.func @tanh_factored(%x: tensor<16xf32>) -> (tensor<16xf32>, tensor<16xf32>) {
  %c = infer.constant dense<0.7978846> : tensor<1xf32>
  %k = infer.constant dense<0.044715> : tensor<1xf32>
  %one = infer.constant dense<1.0> : tensor<1xf32>
  %half = infer.constant dense<0.5> : tensor<1xf32>
  %three = infer.constant dense<3.0> : tensor<1xf32>
  %cx = infer.mul %c, %x : (tensor<1xf32>, tensor<16xf32>) -> tensor<16xf32>
  %xx = infer.mul %x, %x : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %kxx = infer.mul %k, %xx : (tensor<1xf32>, tensor<16xf32>) -> tensor<16xf32>
  %q = infer.add %one, %kxx : (tensor<1xf32>, tensor<16xf32>) -> tensor<16xf32>
  %arg = infer.mul %cx, %q : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %t = infer.tanh %arg : (tensor<16xf32>) -> tensor<16xf32>
  %p = infer.add %t, %one : (tensor<16xf32>, tensor<1xf32>) -> tensor<16xf32>
  %hx = infer.mul %x, %half : (tensor<16xf32>, tensor<1xf32>) -> tensor<16xf32>
  %y = infer.mul %hx, %p : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %x3 = infer.pow %x, %three : (tensor<16xf32>, tensor<1xf32>) -> tensor<16xf32>
  %kx3 = infer.mul %x3, %k : (tensor<16xf32>, tensor<1xf32>) -> tensor<16xf32>
  %s = infer.add %kx3, %x : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %arg2 = infer.mul %s, %c : (tensor<16xf32>, tensor<1xf32>) -> tensor<16xf32>
  %t2 = infer.tanh %arg2 : (tensor<16xf32>) -> tensor<16xf32>
  %p2 = infer.add %t2, %one : (tensor<16xf32>, tensor<1xf32>) -> tensor<16xf32>
  %m2 = infer.mul %p2, %x : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %y2 = infer.mul %m2, %half : (tensor<16xf32>, tensor<1xf32>) -> tensor<16xf32>
  func.return %y, %y2 : tensor<16xf32>, tensor<16xf32>
}

// -----

// Not gelu: a wrong constant (1.5 for sqrt(2)), a missing half, an intermediate with
// another use, a tanh argument without the cubic term.
// CHECK-LABEL: func.func @not_gelu
// CHECK-NOT: infer.gelu
// CHECK: func.return
func.func @not_gelu(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %one = infer.constant dense<1.0> : tensor<1xf32>
  %half = infer.constant dense<0.5> : tensor<1xf32>
  %wrong = infer.constant dense<1.5> : tensor<1xf32>
  %a0 = infer.div %x, %wrong : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>
  %e0 = infer.erf %a0 : (tensor<8xf32>) -> tensor<8xf32>
  %p0 = infer.add %e0, %one : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>
  %m0 = infer.mul %x, %p0 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %y0 = infer.mul %m0, %half : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>
  %sqrt2 = infer.constant dense<1.41421354> : tensor<1xf32>
  %a1 = infer.div %x, %sqrt2 : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>
  %e1 = infer.erf %a1 : (tensor<8xf32>) -> tensor<8xf32>
  %p1 = infer.add %e1, %one : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>
  %y1 = infer.mul %x, %p1 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %a2 = infer.div %x, %sqrt2 : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>
  %e2 = infer.erf %a2 : (tensor<8xf32>) -> tensor<8xf32>
  %p2 = infer.add %e2, %one : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>
  %m2 = infer.mul %x, %p2 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %y2 = infer.mul %m2, %half : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>
  %c = infer.constant dense<0.7978846> : tensor<1xf32>
  %a3 = infer.mul %x, %c : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>
  %t3 = infer.tanh %a3 : (tensor<8xf32>) -> tensor<8xf32>
  %p3 = infer.add %t3, %one : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>
  %m3 = infer.mul %x, %p3 : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %y3 = infer.mul %m3, %half : (tensor<8xf32>, tensor<1xf32>) -> tensor<8xf32>
  func.return %y0, %y1, %y2, %m2, %y3 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

// Not gelu: the constant one broadcasts the result beyond x's shape.
// CHECK-LABEL: func.func @broadcast_not_gelu
// CHECK-NOT: infer.gelu
// CHECK: func.return
func.func @broadcast_not_gelu(%x: tensor<1x8xf32>) -> tensor<4x8xf32> {
  %sqrt2 = infer.constant dense<1.41421354> : tensor<1x1xf32>
  %a = infer.div %x, %sqrt2 : (tensor<1x8xf32>, tensor<1x1xf32>) -> tensor<1x8xf32>
  %e = infer.erf %a : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %one = infer.constant dense<1.0> : tensor<4x1xf32>
  %p = infer.add %e, %one : (tensor<1x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %half = infer.constant dense<0.5> : tensor<1x1xf32>
  %h = infer.mul %x, %half : (tensor<1x8xf32>, tensor<1x1xf32>) -> tensor<1x8xf32>
  %y = infer.mul %h, %p : (tensor<1x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %y : tensor<4x8xf32>
}
