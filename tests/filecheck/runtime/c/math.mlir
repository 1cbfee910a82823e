// RUN: infer-compile %s --emit-c --split-input-file | filecheck %s

// libm's float variants for f32, the plain ones for f64; round is half away from zero,
// roundeven half to even; rsqrt is 1/sqrt.
// CHECK-LABEL: static int f({{.*}}) {
// CHECK:         const float [[E:.*]] = expf(x);
// CHECK:         const float [[R:.*]] = roundf([[E]]);
// CHECK:         const float [[RE:.*]] = __builtin_roundevenf([[R]]);
// CHECK:         const float [[RS:.*]] = 1.0f / sqrtf([[RE]]);
// CHECK:         const float [[ERF:.*]] = erff([[RS]]);
// CHECK:         const double [[T:.*]] = tanh(y);
// CHECK:         const double [[P:.*]] = pow([[T]], y);
// CHECK:         const double [[F:.*]] = fma([[P]], y, y);
// CHECK:         const float [[C:.*]] = copysignf(x, x);
func.func private @f(%x: f32, %y: f64) -> (f32, f64, f32) {
  %e = math.exp %x : f32
  %r = math.round %e : f32
  %re = math.roundeven %r : f32
  %rs = math.rsqrt %re : f32
  %erf = math.erf %rs : f32
  %t = math.tanh %y : f64
  %p = math.powf %t, %y : f64
  %f = math.fma %p, %y, %y : f64
  %c = math.copysign %x, %x : f32
  func.return %erf, %f, %c : f32, f64, f32
}

// -----

// f16 math computes in float and rounds once.
// CHECK-LABEL: static int f({{.*}}) {
// CHECK:         const infer_f16 [[S:.*]] = (infer_f16)(sqrtf((float)x));
// CHECK:         const infer_f16 [[P:.*]] = (infer_f16)pow((double)[[S]], (double)n);
func.func private @f(%x: f16, %n: i32) -> f16 {
  %s = math.sqrt %x : f16
  %p = math.fpowi %s, %n : f16, i32
  func.return %p : f16
}

// -----

// Integer math: wrapping power, |INT_MIN| wraps, bit counts defined at 0.
// CHECK-LABEL: static int f({{.*}}) {
// CHECK:         const int32_t [[P:.*]] = (int32_t)(infer_ipowi_64(a, b));
// CHECK:         const int32_t [[A:.*]] = a < 0 ? (int32_t)((uint32_t)0 - (uint32_t)a) : a;
// CHECK:         const int8_t [[Z:.*]] = (int8_t)(infer_ctlz_32((uint8_t)c, 8));
// CHECK:         const int64_t [[N:.*]] = (int64_t)(infer_ctpop_64((uint64_t)d, 64));
func.func private @f(%a: i32, %b: i32, %c: i8, %d: i64) -> (i32, i32, i8, i64) {
  %p = math.ipowi %a, %b : i32
  %abs = math.absi %a : i32
  %z = math.ctlz %c : i8
  %n = math.ctpop %d : i64
  func.return %p, %abs, %z, %n : i32, i32, i8, i64
}
