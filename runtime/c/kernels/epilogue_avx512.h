/* The activations of the fused epilogues on 16 floats at a time (AVX-512), shared by
 * the convolution kernels; include only where __AVX512F__ is defined. The activations
 * not listed in infer_act_in_registers go through infer_activate one float at a time. */
#ifndef INFER_EPILOGUE_AVX512_H
#define INFER_EPILOGUE_AVX512_H

#include <immintrin.h>
#include <stdint.h>

#include "model.h"

/* Whether infer_activate16 computes `act` in registers. */
static inline int infer_act_in_registers(int32_t act) {
  return act == INFER_ACT_NONE || act == INFER_ACT_RELU || act == INFER_ACT_CLIP || act == INFER_ACT_LEAKY_RELU ||
         act == INFER_ACT_HARD_SIGMOID || act == INFER_ACT_HARD_SWISH;
}

/* np.clip(x, 0, 1): NaN stays NaN (max/min return the second operand on NaN). */
static inline __m512 infer_clip01_16(__m512 x) {
  return _mm512_min_ps(_mm512_set1_ps(1.0f), _mm512_max_ps(_mm512_setzero_ps(), x));
}

/* Activation `act` (with its parameters p0, p1) of 16 floats; x itself for NONE. */
static inline __m512 infer_activate16(__m512 x, int32_t act, float p0, float p1) {
  switch (act) {
  case INFER_ACT_RELU:
    return _mm512_max_ps(_mm512_setzero_ps(), x);
  case INFER_ACT_CLIP:
    return _mm512_min_ps(_mm512_set1_ps(p1), _mm512_max_ps(_mm512_set1_ps(p0), x));
  case INFER_ACT_LEAKY_RELU:
    return _mm512_mask_mul_ps(x, _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), x, _mm512_set1_ps(p0));
  case INFER_ACT_HARD_SIGMOID:
    return infer_clip01_16(_mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps(p0)), _mm512_set1_ps(p1)));
  case INFER_ACT_HARD_SWISH:
    return _mm512_mul_ps(
        x, infer_clip01_16(_mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps((float)(1.0 / 6.0))), _mm512_set1_ps(0.5f))));
  default:
    return x;
  }
}

/* The mask of the first n of 16 lanes (all for n >= 16, none for n <= 0). */
static inline __mmask16 infer_tail16(int64_t n) {
  return n >= 16 ? (__mmask16)0xffff : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u);
}

#endif
