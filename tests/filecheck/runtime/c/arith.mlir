// RUN: infer-compile %s --emit-c --split-input-file --no-outline | filecheck %s

// Float arithmetic is plain C; comparisons spell out ordered and unordered predicates.
// CHECK-LABEL: static int f(infer_model *ctx, float a, float b, float *out0, bool *out1, bool *out2, bool *out3, bool *out4) {
// CHECK:         const float [[S:.*]] = a + b;
// CHECK:         const float [[P:.*]] = [[S]] * b;
// CHECK:         const float [[Q:.*]] = [[P]] / a;
// CHECK:         const float [[N:.*]] = -[[Q]];
// CHECK:         const bool [[OLT:.*]] = a < b;
// CHECK:         const bool [[UGE:.*]] = !(a < b);
// CHECK:         const bool [[ONE:.*]] = (a < b || a > b);
// CHECK:         const bool [[UNO:.*]] = (a != a || b != b);
func.func private @f(%a: f32, %b: f32) -> (f32, i1, i1, i1, i1) {
  %s = arith.addf %a, %b : f32
  %p = arith.mulf %s, %b : f32
  %q = arith.divf %p, %a : f32
  %n = arith.negf %q : f32
  %olt = arith.cmpf olt, %a, %b : f32
  %uge = arith.cmpf uge, %a, %b : f32
  %one = arith.cmpf one, %a, %b : f32
  %uno = arith.cmpf uno, %a, %b : f32
  func.return %n, %olt, %uge, %one, %uno : f32, i1, i1, i1, i1
}

// -----

// f16 computes in float and rounds after every op; an f16 constant is an exact float literal.
// CHECK-LABEL: static int f({{.*}}) {
// CHECK:         const infer_f16 [[S:.*]] = (infer_f16)((float)a + 0.5f);
// CHECK:         const infer_f16 [[M:.*]] = (infer_f16)(infer_maximumf_f32((float)[[S]], (float)a));
func.func private @f(%a: f16) -> f16 {
  %half = arith.constant 0.5 : f16
  %s = arith.addf %a, %half : f16
  %m = arith.maximumf %s, %a : f16
  func.return %m : f16
}

// -----

// Integer arithmetic wraps in an unsigned type (never a promoted int); index arithmetic is plain.
// CHECK-LABEL: static int f({{.*}}) {
// CHECK:         const int32_t [[S:.*]] = (int32_t)((uint32_t)a + (uint32_t)b);
// CHECK:         const int8_t [[M:.*]] = (int8_t)((uint32_t)c * (uint32_t)c);
// CHECK:         const int64_t [[T:.*]] = i * 3;
// CHECK:         const int64_t [[U:.*]] = [[T]] + 1;
func.func private @f(%a: i32, %b: i32, %c: i8, %i: index) -> (i32, i8, index) {
  %s = arith.addi %a, %b : i32
  %m = arith.muli %c, %c : i8
  %c3 = arith.constant 3 : index
  %c1 = arith.constant 1 : index
  %t = arith.muli %i, %c3 : index
  %u = arith.addi %t, %c1 : index
  func.return %s, %m, %u : i32, i8, index
}

// -----

// Division, remainder and shifts go through helpers that define every case (x/0, INT_MIN/-1, wide shifts).
// CHECK-LABEL: static int f({{.*}}) {
// CHECK:         infer_divsi_32(a, b)
// CHECK:         (int32_t)(infer_divui_32((uint32_t)a, (uint32_t)b))
// CHECK:         infer_remsi_64(x, y)
// CHECK:         infer_floordivsi_64(x, y)
// CHECK:         infer_ceildivsi_64(x, y)
// CHECK:         (int8_t)(infer_shli_32((uint8_t)c, (uint8_t)c, 8))
// CHECK:         (int8_t)(infer_shrsi_32(c, (uint8_t)c, 8))
// CHECK:         (int8_t)(infer_shrui_32((uint8_t)c, (uint8_t)c, 8))
func.func private @f(%a: i32, %b: i32, %x: i64, %y: i64, %c: i8) -> (i32, i32, i64, i64, i64, i8, i8, i8) {
  %d = arith.divsi %a, %b : i32
  %du = arith.divui %a, %b : i32
  %r = arith.remsi %x, %y : i64
  %f = arith.floordivsi %x, %y : i64
  %e = arith.ceildivsi %x, %y : i64
  %sl = arith.shli %c, %c : i8
  %sr = arith.shrsi %c, %c : i8
  %su = arith.shrui %c, %c : i8
  func.return %d, %du, %r, %f, %e, %sl, %sr, %su : i32, i32, i64, i64, i64, i8, i8, i8
}

// -----

// Signed and unsigned views of the same bits; i1 is bool and its signed value is -1.
// CHECK-LABEL: static int f({{.*}}) {
// CHECK:         const bool [[ULT:.*]] = (uint16_t)a < (uint16_t)b;
// CHECK:         const bool [[SLT:.*]] = a < b;
// CHECK:         const int16_t [[MAX:.*]] = (uint16_t)a > (uint16_t)b ? a : b;
// CHECK:         const int32_t [[EXT:.*]] = (int32_t)((-(int32_t)p));
// CHECK:         const int32_t [[EXTU:.*]] = (int32_t)((uint32_t)p);
// CHECK:         const float [[F:.*]] = (float)(-(int32_t)p);
func.func private @f(%a: i16, %b: i16, %p: i1) -> (i1, i1, i16, i32, i32, f32) {
  %ult = arith.cmpi ult, %a, %b : i16
  %slt = arith.cmpi slt, %a, %b : i16
  %max = arith.maxui %a, %b : i16
  %ext = arith.extsi %p : i1 to i32
  %extu = arith.extui %p : i1 to i32
  %f = arith.sitofp %p : i1 to f32
  func.return %ult, %slt, %max, %ext, %extu, %f : i1, i1, i16, i32, i32, f32
}

// -----

// Float to integer conversions saturate (NaN gives 0); bitcast copies the bits.
// CHECK-LABEL: static int f({{.*}}) {
// CHECK:         const int8_t [[I:.*]] = (int8_t)(infer_fptosi_f32(x, -128, 127));
// CHECK:         const uint32_t [[U:.*]] = (uint32_t)(infer_fptoui_f64(y, UINT64_C(4294967295)));
// CHECK:         int32_t [[B:.*]];
// CHECK-NEXT:    { const float bits_ = x; memcpy(&[[B]], &bits_, sizeof [[B]]); }
// CHECK:         const infer_f16 [[H:.*]] = (infer_f16)y;
// CHECK:         const int64_t [[X:.*]] = (int64_t)n;
// CHECK:         const int32_t [[T:.*]] = (int32_t)(i);
func.func private @f(%x: f32, %y: f64, %n: i32, %i: index) -> (i8, ui32, i32, f16, index, i32) {
  %i8 = arith.fptosi %x : f32 to i8
  %u = arith.fptoui %y : f64 to ui32
  %b = arith.bitcast %x : f32 to i32
  %h = arith.truncf %y : f64 to f16
  %ix = arith.index_cast %n : i32 to index
  %t = arith.index_cast %i : index to i32
  func.return %i8, %u, %b, %h, %ix, %t : i8, ui32, i32, f16, index, i32
}

// -----

// Constants are literals, exact to the bit: NaN by its bits, extreme integers by macro.
// CHECK-LABEL: static int f({{.*}}) {
// CHECK:         *out0 = infer_f32_from_bits(0x7FC00000u);
// CHECK:         *out1 = -INFINITY;
// CHECK:         *out2 = INT64_MIN;
// CHECK:         *out3 = -0.0f;
// CHECK:         *out4 = true;
func.func private @f() -> (f32, f32, i64, f32, i1) {
  %nan = arith.constant 0x7FC00000 : f32
  %inf = arith.constant 0xFF800000 : f32
  %min = arith.constant -9223372036854775808 : i64
  %z = arith.constant -0.0 : f32
  %t = arith.constant true
  func.return %nan, %inf, %min, %z, %t : f32, f32, i64, f32, i1
}
