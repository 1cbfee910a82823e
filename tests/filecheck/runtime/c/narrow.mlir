// RUN: infer-compile %s --emit-c --split-input-file --no-outline | filecheck %s

// Narrow floats are stored as their bits; extf/truncf call the runtime's conversions
// (from float for bf16, from double in one rounding otherwise); truncf carries
// saturate and, to f8E8M0FNU, the round mode; constants are bits.
// CHECK-LABEL: static int f(infer_model *ctx, uint16_t a, float b, double c, uint8_t d, uint16_t *out0, uint8_t *out1, uint8_t *out2, uint8_t *out3, float *out4, uint8_t *out5, uint16_t *out6) {
// CHECK:         const uint16_t [[B:.*]] = infer_bf16_from_f32(b);
// CHECK:         const uint8_t [[S:.*]] = infer_f8e4m3fn_from_f64((double)b, 1);
// CHECK:         const uint8_t [[N:.*]] = infer_f8e5m2_from_f64((double)c, 0);
// CHECK:         const uint8_t [[E:.*]] = infer_e8m0_from_f32((float)b, 1, 2);
// CHECK:         const float [[D:.*]] = infer_f8e4m3fnuz_to_f32(d);
// CHECK:         const uint8_t [[F:.*]] = infer_f4e2m1fn_from_f64((double)infer_bf16_to_f32(a), 0);
// CHECK:         *out6 = (uint16_t)0x3FC0u;
func.func private @f(%a: bf16, %b: f32, %c: f64, %d: f8E4M3FNUZ) -> (bf16, f8E4M3FN, f8E5M2, f8E8M0FNU, f32, f4E2M1FN, bf16) {
  %bb = arith.truncf %b : f32 to bf16
  %s = arith.truncf %b {infer.saturate} : f32 to f8E4M3FN
  %n = arith.truncf %c : f64 to f8E5M2
  %e = arith.truncf %b {infer.saturate, infer.round_mode = "nearest"} : f32 to f8E8M0FNU
  %dd = arith.extf %d : f8E4M3FNUZ to f32
  %f = arith.truncf %a : bf16 to f4E2M1FN
  %k = arith.constant 1.5 : bf16
  func.return %bb, %s, %n, %e, %dd, %f, %k : bf16, f8E4M3FN, f8E5M2, f8E8M0FNU, f32, f4E2M1FN, bf16
}

// -----

// The sub-byte integers take a byte each and wrap modulo 2^bits (signed ones sign-extended).
// CHECK-LABEL: static int f(infer_model *ctx, int32_t a, uint32_t b, int8_t *out0, uint8_t *out1) {
// CHECK:         const int8_t [[I:.*]] = (int8_t)((int8_t)(uint8_t)((uint32_t)(a) << 4) >> 4);
// CHECK:         const uint8_t [[U:.*]] = (uint8_t)((b) & 3u);
func.func private @f(%a: i32, %b: ui32) -> (i4, ui2) {
  %i = arith.trunci %a : i32 to i4
  %u = arith.trunci %b : ui32 to ui2
  func.return %i, %u : i4, ui2
}
