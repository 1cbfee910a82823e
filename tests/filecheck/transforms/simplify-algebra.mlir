// RUN: infer-opt %s --split-input-file --simplify-algebra | filecheck %s
// RUN: infer-opt %s --split-input-file -p 'simplify-algebra{fast-math=true}' | filecheck %s --check-prefix=FAST

// x + (-0.0) is x for every x.
// CHECK-LABEL: func.func @add_minus_zero
// CHECK-SAME:    (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-NOT:     infer.add
// CHECK:         func.return %[[X]], %[[X]]
// FAST-LABEL:  func.func @add_minus_zero
// FAST-SAME:     (%[[X:.*]]: tensor<?x4xf32>)
// FAST-NOT:      infer.add
// FAST:          func.return %[[X]], %[[X]]
func.func @add_minus_zero(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %z = infer.constant splat<-0.0> : tensor<1x4xf32>
  %a = infer.add %x, %z : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  %b = infer.add %z, %x : (tensor<1x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  func.return %a, %b : tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// x + (+0.0) turns -0.0 into +0.0: only under fast-math (also a dense constant
// mixing both zeros).
// CHECK-LABEL: func.func @add_plus_zero
// CHECK:         %[[A:.*]] = infer.add
// CHECK:         %[[B:.*]] = infer.add
// CHECK:         func.return %[[A]], %[[B]]
// FAST-LABEL:  func.func @add_plus_zero
// FAST-SAME:     (%[[X:.*]]: tensor<2xf32>)
// FAST-NOT:      infer.add
// FAST:          func.return %[[X]], %[[X]]
func.func @add_plus_zero(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %z = infer.constant splat<0.0> : tensor<2xf32>
  %m = infer.constant dense<[-0.0, 0.0]> : tensor<2xf32>
  %a = infer.add %x, %z : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %b = infer.add %x, %m : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return %a, %b : tensor<2xf32>, tensor<2xf32>
}

// -----

// Integers have one zero.
// CHECK-LABEL: func.func @add_int_zero
// CHECK-SAME:    (%[[X:.*]]: tensor<3xi32>)
// CHECK-NOT:     infer.add
// CHECK:         func.return %[[X]]
// FAST-LABEL:  func.func @add_int_zero
// FAST-NOT:      infer.add
func.func @add_int_zero(%x: tensor<3xi32>) -> tensor<3xi32> {
  %z = infer.constant dense<0> : tensor<3xi32>
  %a = infer.add %x, %z : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  func.return %a : tensor<3xi32>
}

// -----

// A neutral constant that stretches x leaves a broadcast of x.
// CHECK-LABEL: func.func @add_zero_broadcasts
// CHECK-SAME:    (%[[X:.*]]: tensor<1x4xf32>)
// CHECK:         %[[S:.*]] = infer.constant dense<[3, 4]> : tensor<2xi64>
// CHECK:         %[[B:.*]] = infer.broadcast_to %[[X]], %[[S]] : (tensor<1x4xf32>, tensor<2xi64>) -> tensor<3x4xf32>
// CHECK-NOT:     infer.add
// CHECK:         func.return %[[B]]
// FAST-LABEL:  func.func @add_zero_broadcasts
// FAST:          infer.broadcast_to
// FAST-NOT:      infer.add
func.func @add_zero_broadcasts(%x: tensor<1x4xf32>) -> tensor<3x4xf32> {
  %z = infer.constant splat<-0.0> : tensor<3x4xf32>
  %a = infer.add %x, %z : (tensor<1x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  func.return %a : tensor<3x4xf32>
}

// -----

// x + 1 is no identity.
// CHECK-LABEL: func.func @add_one
// CHECK:         infer.add
// FAST-LABEL:  func.func @add_one
// FAST:          infer.add
func.func @add_one(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = infer.constant splat<1.0> : tensor<4xf32>
  %a = infer.add %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %a : tensor<4xf32>
}

// -----

// x + (-y) -> x - y; (-x) + y -> y - x; x - (-y) -> x + y.
// CHECK-LABEL: func.func @add_sub_neg
// CHECK-SAME:    (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK-NOT:     infer.neg
// CHECK-DAG:     %[[A:.*]] = infer.sub %[[X]], %[[Y]]
// CHECK-DAG:     %[[B:.*]] = infer.sub %[[X]], %[[Y]]
// CHECK-DAG:     %[[C:.*]] = infer.add %[[X]], %[[Y]]
// CHECK:         func.return %[[A]], %[[B]], %[[C]]
// FAST-LABEL:  func.func @add_sub_neg
// FAST-NOT:      infer.neg
func.func @add_sub_neg(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %ny = infer.neg %y : (tensor<4xf32>) -> tensor<4xf32>
  %a = infer.add %x, %ny : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %nx = infer.neg %y : (tensor<4xf32>) -> tensor<4xf32>
  %b = infer.add %nx, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %c = infer.sub %x, %ny : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %b, %c : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// x - (+0.0) is x; x - (-0.0) only under fast-math.
// CHECK-LABEL: func.func @sub_zero
// CHECK-SAME:    (%[[X:.*]]: tensor<4xf32>)
// CHECK:         %[[B:.*]] = infer.sub %[[X]]
// CHECK:         func.return %[[X]], %[[B]]
// FAST-LABEL:  func.func @sub_zero
// FAST-SAME:     (%[[X:.*]]: tensor<4xf32>)
// FAST-NOT:      infer.sub
// FAST:          func.return %[[X]], %[[X]]
func.func @sub_zero(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %p = infer.constant splat<0.0> : tensor<4xf32>
  %m = infer.constant splat<-0.0> : tensor<4xf32>
  %a = infer.sub %x, %p : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = infer.sub %x, %m : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

// (-0.0) - x is -x; (+0.0) - x is -x except for x = +0.0.
// CHECK-LABEL: func.func @zero_sub
// CHECK-SAME:    (%[[X:.*]]: tensor<4xf32>)
// CHECK:         %[[A:.*]] = infer.neg %[[X]]
// CHECK:         %[[B:.*]] = infer.sub
// CHECK:         func.return %[[A]], %[[B]]
// FAST-LABEL:  func.func @zero_sub
// FAST-NOT:      infer.sub
// FAST-COUNT-2:  infer.neg
func.func @zero_sub(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %m = infer.constant splat<-0.0> : tensor<4xf32>
  %p = infer.constant splat<0.0> : tensor<4xf32>
  %a = infer.sub %m, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = infer.sub %p, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

// x - x is 0 on integers; on floats only under fast-math (inf - inf is NaN).
// A dynamic shape takes a fill of x's shape.
// CHECK-LABEL: func.func @sub_self
// CHECK-SAME:    (%[[X:.*]]: tensor<?x4xf32>, %[[I:.*]]: tensor<?x4xi32>)
// CHECK:         %[[A:.*]] = infer.sub %[[X]], %[[X]]
// CHECK:         %[[S:.*]] = infer.shape_of %[[I]]
// CHECK:         %[[B:.*]] = infer.fill %[[S]] {value = 0 : i32}
// CHECK-NOT:     infer.sub
// CHECK:         func.return %[[A]], %[[B]]
// FAST-LABEL:  func.func @sub_self
// FAST-NOT:      infer.sub
// FAST:          infer.fill {{.*}}value = 0.000000e+00 : f32
// FAST:          infer.fill {{.*}}value = 0 : i32
func.func @sub_self(%x: tensor<?x4xf32>, %i: tensor<?x4xi32>) -> (tensor<?x4xf32>, tensor<?x4xi32>) {
  %a = infer.sub %x, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %b = infer.sub %i, %i : (tensor<?x4xi32>, tensor<?x4xi32>) -> tensor<?x4xi32>
  func.return %a, %b : tensor<?x4xf32>, tensor<?x4xi32>
}

// -----

// x * 1 and 1 * x are x; x * -1 is -x.
// CHECK-LABEL: func.func @mul_one
// CHECK-SAME:    (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT:     infer.mul
// CHECK:         %[[N:.*]] = infer.neg %[[X]]
// CHECK:         func.return %[[X]], %[[X]], %[[N]]
// FAST-LABEL:  func.func @mul_one
// FAST-NOT:      infer.mul
func.func @mul_one(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %one = infer.constant dense<1.0> : tensor<1x1xf32>
  %ones = infer.constant splat<1.0> : tensor<2x3xf32>
  %mone = infer.constant dense<[[-1.0, -1.0, -1.0]]> : tensor<1x3xf32>
  %a = infer.mul %x, %one : (tensor<2x3xf32>, tensor<1x1xf32>) -> tensor<2x3xf32>
  %b = infer.mul %ones, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %c = infer.mul %x, %mone : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  func.return %a, %b, %c : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// x * 0 is 0 on integers (here stretched to x's dynamic shape); on floats
// only under fast-math (inf * 0 is NaN, -1 * 0 is -0.0).
// CHECK-LABEL: func.func @mul_zero
// CHECK-SAME:    (%[[X:.*]]: tensor<2x3xf32>, %[[I:.*]]: tensor<?x3xi64>)
// CHECK:         %[[Z:.*]] = infer.constant splat<0> : tensor<1x3xi64>
// CHECK:         %[[A:.*]] = infer.mul %[[X]]
// CHECK:         %[[S:.*]] = infer.shape_of %[[I]]
// CHECK:         %[[B:.*]] = infer.broadcast_to %[[Z]], %[[S]] : (tensor<1x3xi64>, tensor<2xi64>) -> tensor<?x3xi64>
// CHECK:         func.return %[[A]], %[[B]]
// FAST-LABEL:  func.func @mul_zero
// FAST-NOT:      infer.mul
// FAST:          %[[A:.*]] = infer.constant splat<0.000000e+00> : tensor<2x3xf32>
// FAST:          func.return %[[A]]
func.func @mul_zero(%x: tensor<2x3xf32>, %i: tensor<?x3xi64>) -> (tensor<2x3xf32>, tensor<?x3xi64>) {
  %z = infer.constant splat<0.0> : tensor<2x3xf32>
  %zi = infer.constant splat<0> : tensor<1x3xi64>
  %a = infer.mul %x, %z : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %b = infer.mul %i, %zi : (tensor<?x3xi64>, tensor<1x3xi64>) -> tensor<?x3xi64>
  func.return %a, %b : tensor<2x3xf32>, tensor<?x3xi64>
}

// -----

// (-x) * c -> x * (-c): the negation folds into the constant (a splat stays a splat).
// CHECK-LABEL: func.func @mul_neg_constant
// CHECK-SAME:    (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT:     infer.neg
// CHECK:         %[[C:.*]] = infer.constant splat<-3.000000e+00> : tensor<4xf32>
// CHECK:         %[[M:.*]] = infer.mul %[[X]], %[[C]]
// CHECK:         func.return %[[M]]
// FAST-LABEL:  func.func @mul_neg_constant
// FAST-NOT:      infer.neg
// FAST:          infer.constant splat<-3.000000e+00>
func.func @mul_neg_constant(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = infer.constant splat<3.0> : tensor<4xf32>
  %n = infer.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  %m = infer.mul %n, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %m : tensor<4xf32>
}

// -----

// x / 1 is x, x / -1 is -x.
// CHECK-LABEL: func.func @div_one
// CHECK-SAME:    (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT:     infer.div
// CHECK:         %[[N:.*]] = infer.neg %[[X]]
// CHECK:         func.return %[[X]], %[[N]]
// FAST-LABEL:  func.func @div_one
// FAST-NOT:      infer.div
func.func @div_one(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %one = infer.constant splat<1.0> : tensor<4xf32>
  %mone = infer.constant splat<-1.0> : tensor<4xf32>
  %a = infer.div %x, %one : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = infer.div %x, %mone : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

// Division by powers of two is an exact multiplication by their reciprocals.
// CHECK-LABEL: func.func @div_power_of_two
// CHECK-SAME:    (%[[X:.*]]: tensor<3xf32>)
// CHECK-NOT:     infer.div
// CHECK-DAG:     %[[H:.*]] = infer.constant splat<4.000000e+00> : tensor<3xf32>
// CHECK-DAG:     %[[D:.*]] = infer.constant dense<[5.000000e-01, 2.000000e+00, -1.250000e-01]> : tensor<3xf32>
// CHECK-DAG:     %[[A:.*]] = infer.mul %[[X]], %[[H]]
// CHECK-DAG:     %[[B:.*]] = infer.mul %[[X]], %[[D]]
// CHECK:         func.return %[[A]], %[[B]]
// FAST-LABEL:  func.func @div_power_of_two
// FAST-NOT:      infer.div
func.func @div_power_of_two(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %q = infer.constant splat<0.25> : tensor<3xf32>
  %d = infer.constant dense<[2.0, 0.5, -8.0]> : tensor<3xf32>
  %a = infer.div %x, %q : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %b = infer.div %x, %d : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %a, %b : tensor<3xf32>, tensor<3xf32>
}

// -----

// Other divisors (3, a subnormal power of two whose reciprocal overflows, any
// integer) stay divisions; fast-math multiplies floats by the rounded reciprocal.
// CHECK-LABEL: func.func @div_not_power_of_two
// CHECK-COUNT-3: infer.div
// CHECK-NOT:     infer.mul
// FAST-LABEL:  func.func @div_not_power_of_two
// FAST:          infer.constant splat<0.3333{{.*}}> : tensor<3xf32>
// FAST-COUNT-2:  infer.mul
// FAST:          infer.div %{{.*}} : (tensor<3xi32>, tensor<3xi32>)
func.func @div_not_power_of_two(%x: tensor<3xf32>, %i: tensor<3xi32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xi32>) {
  %t = infer.constant splat<3.0> : tensor<3xf32>
  %s = infer.constant splat<1.40129846e-45> : tensor<3xf32>
  %two = infer.constant splat<2> : tensor<3xi32>
  %a = infer.div %x, %t : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %b = infer.div %x, %s : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %c = infer.div %i, %two : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  func.return %a, %b, %c : tensor<3xf32>, tensor<3xf32>, tensor<3xi32>
}

// -----

// -(-x) is x; the negation of a constant is a constant.
// CHECK-LABEL: func.func @neg_neg
// CHECK-SAME:    (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT:     infer.neg
// CHECK:         %[[C:.*]] = infer.constant splat<-2.500000e+00> : tensor<4xf32>
// CHECK:         func.return %[[X]], %[[C]]
// FAST-LABEL:  func.func @neg_neg
// FAST-NOT:      infer.neg
func.func @neg_neg(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %n = infer.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  %nn = infer.neg %n : (tensor<4xf32>) -> tensor<4xf32>
  %c = infer.constant splat<2.5> : tensor<4xf32>
  %nc = infer.neg %c : (tensor<4xf32>) -> tensor<4xf32>
  func.return %nn, %nc : tensor<4xf32>, tensor<4xf32>
}

// -----

// -(x * c) -> x * (-c) when the product has no other use.
// CHECK-LABEL: func.func @neg_of_product
// CHECK-SAME:    (%[[X:.*]]: tensor<2xf32>)
// CHECK:         %[[C:.*]] = infer.constant dense<[-1.500000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK:         %[[M:.*]] = infer.mul %[[X]], %[[C]]
// CHECK-NOT:     infer.neg
// CHECK:         func.return %[[M]]
// FAST-LABEL:  func.func @neg_of_product
// FAST-NOT:      infer.neg
func.func @neg_of_product(%x: tensor<2xf32>) -> tensor<2xf32> {
  %c = infer.constant dense<[1.5, -2.0]> : tensor<2xf32>
  %m = infer.mul %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %n = infer.neg %m : (tensor<2xf32>) -> tensor<2xf32>
  func.return %n : tensor<2xf32>
}

// -----

// A product used twice keeps its negation.
// CHECK-LABEL: func.func @neg_of_shared_product
// CHECK:         infer.mul
// CHECK:         infer.neg
// FAST-LABEL:  func.func @neg_of_shared_product
// FAST:          infer.neg
func.func @neg_of_shared_product(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %c = infer.constant dense<[1.5, -2.0]> : tensor<2xf32>
  %m = infer.mul %x, %c : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %n = infer.neg %m : (tensor<2xf32>) -> tensor<2xf32>
  func.return %m, %n : tensor<2xf32>, tensor<2xf32>
}

// -----

// pow(x, 1) is x, pow(x, 2) is x * x, pow(x, 0) is 1 (float32).
// CHECK-LABEL: func.func @pow_exact
// CHECK-SAME:    (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT:     infer.pow
// CHECK-DAG:     %[[SQ:.*]] = infer.mul %[[X]], %[[X]] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-DAG:     %[[ONE:.*]] = infer.constant splat<1.000000e+00> : tensor<4xf32>
// CHECK:         func.return %[[X]], %[[SQ]], %[[ONE]]
// FAST-LABEL:  func.func @pow_exact
// FAST-NOT:      infer.pow
func.func @pow_exact(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %e1 = infer.constant dense<1.0> : tensor<1xf32>
  %e2 = infer.constant splat<2.0> : tensor<4xf32>
  %e0 = infer.constant splat<0.0> : tensor<4xf32>
  %a = infer.pow %x, %e1 : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %b = infer.pow %x, %e2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %c = infer.pow %x, %e0 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %b, %c : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// pow(x, 0.5) and pow(x, -1) differ from sqrt and reciprocal at -0.0 and -inf
// (C's pow), pow(x, 0) of float16 NaN is NaN, and a full exponent tensor goes
// through numpy's general pow: only fast-math rewrites those.
// CHECK-LABEL: func.func @pow_fast_math
// CHECK-COUNT-4: infer.pow
// FAST-LABEL:  func.func @pow_fast_math
// FAST-SAME:     (%[[X:.*]]: tensor<2xf32>, %[[H:.*]]: tensor<2xf16>)
// FAST-NOT:      infer.pow
// FAST-DAG:      %[[S:.*]] = infer.sqrt %[[X]]
// FAST-DAG:      %[[R:.*]] = infer.reciprocal %[[X]]
// FAST-DAG:      %[[ONE:.*]] = infer.constant splat<1.000000e+00> : tensor<2xf16>
// FAST-DAG:      %[[SQ:.*]] = infer.mul %[[X]], %[[X]]
// FAST:          func.return %[[S]], %[[R]], %[[ONE]], %[[SQ]]
func.func @pow_fast_math(%x: tensor<2xf32>, %h: tensor<2xf16>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf16>, tensor<2xf32>) {
  %half = infer.constant splat<0.5> : tensor<2xf32>
  %mone = infer.constant splat<-1.0> : tensor<2xf32>
  %zero = infer.constant splat<0.0> : tensor<2xf16>
  %two = infer.constant dense<[2.0, 2.0]> : tensor<2xf32>
  %a = infer.pow %x, %half : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %b = infer.pow %x, %mone : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %c = infer.pow %h, %zero : (tensor<2xf16>, tensor<2xf16>) -> tensor<2xf16>
  %d = infer.pow %x, %two : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return %a, %b, %c, %d : tensor<2xf32>, tensor<2xf32>, tensor<2xf16>, tensor<2xf32>
}

// -----

// pow(x, 3) stays.
// CHECK-LABEL: func.func @pow_three
// CHECK:         infer.pow
// FAST-LABEL:  func.func @pow_three
// FAST:          infer.pow
func.func @pow_three(%x: tensor<2xf32>) -> tensor<2xf32> {
  %e = infer.constant splat<3.0> : tensor<2xf32>
  %a = infer.pow %x, %e : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return %a : tensor<2xf32>
}

// -----

// relu(relu(x)) is relu(x).
// CHECK-LABEL: func.func @relu_relu
// CHECK-SAME:    (%[[X:.*]]: tensor<?x8xf32>)
// CHECK:         %[[R:.*]] = infer.relu %[[X]]
// CHECK-NOT:     infer.relu
// CHECK:         func.return %[[R]]
// FAST-LABEL:  func.func @relu_relu
// FAST-COUNT-1:  infer.relu
// FAST-NOT:      infer.relu
func.func @relu_relu(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %a = infer.relu %x : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %b = infer.relu %a : (tensor<?x8xf32>) -> tensor<?x8xf32>
  func.return %b : tensor<?x8xf32>
}

// -----

// Clamps merge: max of the lower bounds, min of the upper ones.
// CHECK-LABEL: func.func @clip_clip
// CHECK-SAME:    (%[[X:.*]]: tensor<4xf32>)
// CHECK:         %[[C:.*]] = infer.clip %[[X]] {min = 1.000000e+00 : f64, max = 3.000000e+00 : f64}
// CHECK-NOT:     infer.clip
// CHECK:         func.return %[[C]]
// FAST-LABEL:  func.func @clip_clip
// FAST:          infer.clip %{{.*}} {min = 1.000000e+00 : f64, max = 3.000000e+00 : f64}
func.func @clip_clip(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = infer.clip %x {min = 1.0 : f64, max = 6.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  %b = infer.clip %a {min = -1.0 : f64, max = 3.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  func.return %b : tensor<4xf32>
}

// -----

// clip(relu(x), 1, 6) and relu(clip(x, 2, 6)) are clips; bounds apart from zero
// leave no signed-zero tie, so they merge exactly.
// CHECK-LABEL: func.func @clip_relu
// CHECK-SAME:    (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT:     infer.relu
// CHECK-DAG:     %[[A:.*]] = infer.clip %[[X]] {min = 1.000000e+00 : f64, max = 6.000000e+00 : f64}
// CHECK-DAG:     %[[B:.*]] = infer.clip %[[X]] {min = 2.000000e+00 : f64, max = 6.000000e+00 : f64}
// CHECK:         func.return %[[A]], %[[B]]
// FAST-LABEL:  func.func @clip_relu
// FAST-NOT:      infer.relu
func.func @clip_relu(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %r = infer.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  %a = infer.clip %r {min = 1.0 : f64, max = 6.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  %c = infer.clip %x {min = 2.0 : f64, max = 6.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  %b = infer.relu %c : (tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

// relu(-0.0) is +0.0 but clip(-0.0, 0, 6) is -0.0: clip(relu(x), 0, 6) and
// relu(clip(x, -1, 6)) merge into clip(x, 0, 6) only under fast-math.
// CHECK-LABEL: func.func @clip_relu_signed_zero
// CHECK-COUNT-2: infer.relu
// FAST-LABEL:  func.func @clip_relu_signed_zero
// FAST-NOT:      infer.relu
// FAST-COUNT-2:  infer.clip %{{.*}} {min = 0.000000e+00 : f64, max = 6.000000e+00 : f64}
func.func @clip_relu_signed_zero(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %r = infer.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  %a = infer.clip %r {min = 0.0 : f64, max = 6.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  %c = infer.clip %x {min = -1.0 : f64, max = 6.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  %b = infer.relu %c : (tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %b : tensor<4xf32>, tensor<4xf32>
}

// -----

// Integers have no signed zero: relu then relu6 is one clip.
// CHECK-LABEL: func.func @clip_relu_int
// CHECK-SAME:    (%[[X:.*]]: tensor<4xi32>)
// CHECK:         %[[C:.*]] = infer.clip %[[X]] {min = 0 : i64, max = 6 : i64}
// CHECK-NOT:     infer.relu
// CHECK:         func.return %[[C]]
// FAST-LABEL:  func.func @clip_relu_int
// FAST-NOT:      infer.relu
func.func @clip_relu_int(%x: tensor<4xi32>) -> tensor<4xi32> {
  %r = infer.relu %x : (tensor<4xi32>) -> tensor<4xi32>
  %a = infer.clip %r {min = 0 : i64, max = 6 : i64} : (tensor<4xi32>) -> tensor<4xi32>
  func.return %a : tensor<4xi32>
}

// -----

// Two transposes compose; inverse ones cancel.
// CHECK-LABEL: func.func @transposes
// CHECK-SAME:    (%[[X:.*]]: tensor<2x3x?xf32>)
// CHECK:         %[[T:.*]] = infer.transpose %[[X]] {perm = array<i64: 2, 0, 1>} : (tensor<2x3x?xf32>) -> tensor<?x2x3xf32>
// CHECK-NOT:     infer.transpose
// CHECK:         func.return %[[T]], %[[X]]
// FAST-LABEL:  func.func @transposes
// FAST-COUNT-1:  infer.transpose
// FAST-NOT:      infer.transpose
func.func @transposes(%x: tensor<2x3x?xf32>) -> (tensor<?x2x3xf32>, tensor<2x3x?xf32>) {
  %a = infer.transpose %x {perm = array<i64: 1, 2, 0>} : (tensor<2x3x?xf32>) -> tensor<3x?x2xf32>
  %b = infer.transpose %a {perm = array<i64: 1, 2, 0>} : (tensor<3x?x2xf32>) -> tensor<?x2x3xf32>
  %c = infer.transpose %a {perm = array<i64: 2, 0, 1>} : (tensor<3x?x2xf32>) -> tensor<2x3x?xf32>
  func.return %b, %c : tensor<?x2x3xf32>, tensor<2x3x?xf32>
}

// -----

// A transpose alone that is not the identity stays.
// CHECK-LABEL: func.func @transpose_alone
// CHECK:         infer.transpose
// FAST-LABEL:  func.func @transpose_alone
// FAST:          infer.transpose
func.func @transpose_alone(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %a = infer.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  func.return %a : tensor<3x2xf32>
}

// -----

// flatten + reshape become one reshape; a chain back to the input vanishes.
// CHECK-LABEL: func.func @reshape_chains
// CHECK-SAME:    (%[[X:.*]]: tensor<?x3x4xf32>)
// CHECK:         %[[R:.*]] = infer.reshape %[[X]] : (tensor<?x3x4xf32>) -> tensor<?x6x2xf32>
// CHECK-NOT:     infer.flatten
// CHECK-NOT:     infer.reshape
// CHECK:         func.return %[[R]], %[[X]]
// FAST-LABEL:  func.func @reshape_chains
// FAST-COUNT-1:  infer.reshape
// FAST-NOT:      infer.flatten
func.func @reshape_chains(%x: tensor<?x3x4xf32>) -> (tensor<?x6x2xf32>, tensor<?x3x4xf32>) {
  %f = infer.flatten %x {axis = 1 : i64} : (tensor<?x3x4xf32>) -> tensor<?x12xf32>
  %r = infer.reshape %f : (tensor<?x12xf32>) -> tensor<?x6x2xf32>
  %back = infer.reshape %r : (tensor<?x6x2xf32>) -> tensor<?x3x4xf32>
  func.return %r, %back : tensor<?x6x2xf32>, tensor<?x3x4xf32>
}

// -----

// Unsqueeze + squeeze pairs cancel, with several dynamic dims; a chain that
// only adds unit dims is one unsqueeze.
// CHECK-LABEL: func.func @squeeze_pairs
// CHECK-SAME:    (%[[X:.*]]: tensor<?x4x?xf32>)
// CHECK:         %[[U:.*]] = infer.unsqueeze %[[X]] {axes = array<i64: 0, 2>} : (tensor<?x4x?xf32>) -> tensor<1x?x1x4x?xf32>
// CHECK-NOT:     infer.squeeze
// CHECK-NOT:     infer.unsqueeze
// CHECK:         func.return %[[X]], %[[U]]
// FAST-LABEL:  func.func @squeeze_pairs
// FAST-COUNT-1:  infer.unsqueeze
// FAST-NOT:      infer.squeeze
func.func @squeeze_pairs(%x: tensor<?x4x?xf32>) -> (tensor<?x4x?xf32>, tensor<1x?x1x4x?xf32>) {
  %u = infer.unsqueeze %x {axes = array<i64: 1>} : (tensor<?x4x?xf32>) -> tensor<?x1x4x?xf32>
  %s = infer.squeeze %u {axes = array<i64: 1>} : (tensor<?x1x4x?xf32>) -> tensor<?x4x?xf32>
  %v = infer.unsqueeze %u {axes = array<i64: 0>} : (tensor<?x1x4x?xf32>) -> tensor<1x?x1x4x?xf32>
  func.return %s, %v : tensor<?x4x?xf32>, tensor<1x?x1x4x?xf32>
}

// -----

// A reshape by a run-time shape absorbs the reshapes before it.
// CHECK-LABEL: func.func @reshape_dynamic_shape
// CHECK-SAME:    (%[[X:.*]]: tensor<?x?x4xf32>, %[[S:.*]]: tensor<3xi64>)
// CHECK:         %[[R:.*]] = infer.reshape %[[X]], %[[S]] : (tensor<?x?x4xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
// CHECK-NOT:     infer.flatten
// CHECK:         func.return %[[R]]
// FAST-LABEL:  func.func @reshape_dynamic_shape
// FAST-NOT:      infer.flatten
func.func @reshape_dynamic_shape(%x: tensor<?x?x4xf32>, %s: tensor<3xi64>) -> tensor<?x?x?xf32> {
  %f = infer.flatten %x {axis = 1 : i64} : (tensor<?x?x4xf32>) -> tensor<?x?xf32>
  %r = infer.reshape %f, %s : (tensor<?x?xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  func.return %r : tensor<?x?x?xf32>
}

// -----

// With two dynamic dims, flatten then unsqueeze is neither one reshape without
// a shape operand nor a squeeze or unsqueeze of the input: it stays.
// CHECK-LABEL: func.func @reshape_chain_kept
// CHECK:         infer.flatten
// CHECK:         infer.unsqueeze
// FAST-LABEL:  func.func @reshape_chain_kept
// FAST:          infer.flatten
// FAST:          infer.unsqueeze
func.func @reshape_chain_kept(%x: tensor<?x?x4xf32>) -> tensor<?x1x?xf32> {
  %f = infer.flatten %x {axis = 1 : i64} : (tensor<?x?x4xf32>) -> tensor<?x?xf32>
  %u = infer.unsqueeze %f {axes = array<i64: 1>} : (tensor<?x?xf32>) -> tensor<?x1x?xf32>
  func.return %u : tensor<?x1x?xf32>
}

// -----

// Scale-and-shift chains (a decomposed batch norm, then Mul and Add by
// per-channel constants) fold into one scale and one shift under fast-math.
// CHECK-LABEL: func.func @affine_chain
// CHECK:         infer.mul
// CHECK:         infer.add
// CHECK:         infer.mul
// CHECK:         infer.add
// FAST-LABEL:  func.func @affine_chain
// FAST-SAME:     (%[[X:.*]]: tensor<?x2x3x3xf32>)
// FAST:          %[[S:.*]] = infer.constant dense<{{\[\[\[\[}}6.000000e+00]], {{\[\[}}-1.000000e+00]]]]> : tensor<1x2x1x1xf32>
// FAST:          %[[M:.*]] = infer.mul %[[X]], %[[S]]
// FAST:          %[[B:.*]] = infer.constant dense<{{\[\[\[\[}}1.000000e+01]], {{\[\[}}5.000000e-01]]]]> : tensor<1x2x1x1xf32>
// FAST:          %[[A:.*]] = infer.add %[[M]], %[[B]]
// FAST-NOT:      infer.mul
// FAST-NOT:      infer.add
// FAST:          func.return %[[A]]
func.func @affine_chain(%x: tensor<?x2x3x3xf32>) -> tensor<?x2x3x3xf32> {
  %s1 = infer.constant dense<[[[[2.0]], [[0.5]]]]> : tensor<1x2x1x1xf32>
  %b1 = infer.constant dense<[[[[1.0]], [[-1.0]]]]> : tensor<1x2x1x1xf32>
  %s2 = infer.constant dense<[[[[3.0]], [[-2.0]]]]> : tensor<1x2x1x1xf32>
  %b2 = infer.constant dense<[[[[7.0]], [[-1.5]]]]> : tensor<1x2x1x1xf32>
  %m1 = infer.mul %x, %s1 : (tensor<?x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<?x2x3x3xf32>
  %a1 = infer.add %m1, %b1 : (tensor<?x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<?x2x3x3xf32>
  %m2 = infer.mul %s2, %a1 : (tensor<1x2x1x1xf32>, tensor<?x2x3x3xf32>) -> tensor<?x2x3x3xf32>
  %a2 = infer.add %m2, %b2 : (tensor<?x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<?x2x3x3xf32>
  func.return %a2 : tensor<?x2x3x3xf32>
}

// -----

// (x * a) * b and (x + a) - b reassociate under fast-math (splats stay splats).
// CHECK-LABEL: func.func @reassociate
// CHECK-COUNT-2: infer.mul
// CHECK:         infer.add
// CHECK:         infer.sub
// FAST-LABEL:  func.func @reassociate
// FAST-SAME:     (%[[X:.*]]: tensor<4xf32>)
// FAST:          %[[C6:.*]] = infer.constant dense<6.000000e+00> : tensor<1xf32>
// FAST:          %[[M:.*]] = infer.mul %[[X]], %[[C6]]
// FAST:          %[[CM:.*]] = infer.constant dense<-1.000000e+00> : tensor<1xf32>
// FAST:          %[[A:.*]] = infer.add %[[X]], %[[CM]]
// FAST:          func.return %[[M]], %[[A]]
func.func @reassociate(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %two = infer.constant splat<2.0> : tensor<4xf32>
  %three = infer.constant splat<3.0> : tensor<4xf32>
  %a = infer.mul %x, %two : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = infer.mul %a, %three : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %c = infer.add %x, %two : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %d = infer.sub %c, %three : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %b, %d : tensor<4xf32>, tensor<4xf32>
}

// -----

// Integer arithmetic wraps modulo 2^n, a ring: the chain folds without fast-math.
// CHECK-LABEL: func.func @affine_chain_int
// CHECK-SAME:    (%[[X:.*]]: tensor<4xi32>)
// CHECK:         %[[B:.*]] = infer.constant splat<3> : tensor<4xi32>
// CHECK:         %[[S:.*]] = infer.constant dense<-6> : tensor<1xi32>
// CHECK:         %[[M:.*]] = infer.mul %[[X]], %[[S]]
// CHECK:         %[[A:.*]] = infer.add %[[M]], %[[B]]
// CHECK:         func.return %[[A]]
// FAST-LABEL:  func.func @affine_chain_int
// FAST-COUNT-1:  infer.mul
// FAST-NOT:      infer.sub
func.func @affine_chain_int(%x: tensor<4xi32>) -> tensor<4xi32> {
  %three = infer.constant splat<3> : tensor<4xi32>
  %two = infer.constant splat<2> : tensor<4xi32>
  %a = infer.mul %x, %three : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %b = infer.add %a, %two : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %c = infer.sub %two, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %d = infer.mul %c, %two : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %e = infer.add %d, %three : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  func.return %e : tensor<4xi32>
}

// -----

// An intermediate value with another use keeps the chain apart.
// CHECK-LABEL: func.func @affine_chain_shared
// CHECK-COUNT-2: infer.mul
// FAST-LABEL:  func.func @affine_chain_shared
// FAST-COUNT-2:  infer.mul
func.func @affine_chain_shared(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %two = infer.constant splat<2.0> : tensor<4xf32>
  %three = infer.constant splat<3.0> : tensor<4xf32>
  %a = infer.mul %x, %two : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = infer.mul %a, %three : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %b : tensor<4xf32>, tensor<4xf32>
}
