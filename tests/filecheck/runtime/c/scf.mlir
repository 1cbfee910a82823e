// RUN: infer-compile %s --emit-c --split-input-file --no-outline | filecheck %s

// Loop-carried values are variables assigned at the yield; swapped values go through a temporary.
// CHECK-LABEL: static int f({{.*}}) {
// CHECK:         int64_t [[A:.*]];
// CHECK:         int64_t [[B:.*]];
// CHECK:         [[A]] = 0;
// CHECK:         [[B]] = 1;
// CHECK:         for (int64_t i = 0; i < n; i += 1) {
// CHECK:           const int64_t [[S:.*]] = [[A]] + [[B]];
// CHECK:           const int64_t [[TMP:.*]] = [[B]];
// CHECK:           [[A]] = [[TMP]];
// CHECK:           [[B]] = [[S]];
// CHECK:         }
// CHECK:         *out0 = [[A]];
func.func private @f(%n: index) -> index {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r:2 = scf.for %i = %c0 to %n step %c1 iter_args(%a = %c0, %b = %c1) -> (index, index) {
    %s = arith.addi %a, %b : index
    scf.yield %b, %s : index, index
  }
  func.return %r#0 : index
}

// -----

// scf.if with results: a variable assigned in each branch.
// CHECK-LABEL: static int f({{.*}}) {
// CHECK:         float [[R:.*]];
// CHECK:         if (c) {
// CHECK:           [[R]] = x;
// CHECK:         } else {
// CHECK:           const float [[N:.*]] = -x;
// CHECK:           [[R]] = [[N]];
// CHECK:         }
// CHECK:         *out0 = [[R]];
func.func private @f(%c: i1, %x: f32) -> f32 {
  %r = scf.if %c -> (f32) {
    scf.yield %x : f32
  } else {
    %n = arith.negf %x : f32
    scf.yield %n : f32
  }
  func.return %r : f32
}

// -----

// scf.while: the before region runs, then the condition leaves with the forwarded values.
// CHECK-LABEL: static int f({{.*}}) {
// CHECK:         int64_t [[X:.*]];
// CHECK:         [[X]] = n;
// CHECK:         int64_t [[R:.*]];
// CHECK:         for (;;) {
// CHECK:           const bool [[C:.*]] = [[X]] > 1;
// CHECK:           if (!([[C]])) {
// CHECK:             [[R]] = [[X]];
// CHECK:             break;
// CHECK:           }
// CHECK:           const int64_t [[H:.*]] = infer_divsi_64([[X]], 2);
// CHECK:           [[X]] = [[H]];
// CHECK:         }
func.func private @f(%n: index) -> index {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %r = scf.while (%x = %n) : (index) -> index {
    %c = arith.cmpi sgt, %x, %c1 : index
    scf.condition(%c) %x : index
  } do {
  ^bb0(%y: index):
    %h = arith.divsi %y, %c2 : index
    scf.yield %h : index
  }
  func.return %r : index
}

// -----

// scf.index_switch is a C switch; scf.parallel runs as nested loops for now.
// CHECK-LABEL: static int f({{.*}}) {
// CHECK:         switch (k) {
// CHECK:           case 1: {
// CHECK:             [[R:.*]] = 10;
// CHECK:             break;
// CHECK:           default: {
// CHECK:             [[R]] = 20;
// CHECK:         for (int64_t i = 0; i < 4; i += 1) {
// CHECK-NEXT:      for (int64_t j = 0; j < 3; j += 1) {
func.func private @f(%k: index, %m: memref<4x3xf32>) -> index {
  %r = scf.index_switch %k -> index
  case 1 {
    %c10 = arith.constant 10 : index
    scf.yield %c10 : index
  }
  default {
    %c20 = arith.constant 20 : index
    scf.yield %c20 : index
  }
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %z = arith.constant 0.0 : f32
  "scf.parallel"(%c0, %c0, %c4, %c3, %c1, %c1) <{operandSegmentSizes = array<i32: 2, 2, 2, 0>}> ({
  ^bb0(%i: index, %j: index):
    memref.store %z, %m[%i, %j] : memref<4x3xf32>
    scf.reduce
  }) : (index, index, index, index, index, index) -> ()
  func.return %r : index
}
