/* epilogue.c: the kernels' epilogue y = act(acc + bias + residual) and the activations.
 *
 * The activations follow runtime/reference/nn.py's ACTIVATION_SEMANTICS in f32
 * (NaN propagates as numpy's): relu, clip, leaky_relu, hard_sigmoid and
 * hard_swish are exact; exp, tanh and erf are branch-free f32 approximations
 * (a few ulp) written so that gcc vectorizes the loops over a row (no libm
 * calls, selects instead of branches).
 */
#include <stdint.h>

#include "infer_kernels.h"

/* Round to nearest integer value for |x| < 2^22, without libm (vectorizes). */
static inline float round_nearest(float x) {
  const float magic = 12582912.0f; /* 1.5 * 2^23 */
  return (x + magic) - magic;
}

static inline float bits_to_float(int32_t bits) {
  union {
    int32_t i;
    float f;
  } u = {bits};
  return u.f;
}

/* exp(x) for the activations, which take it of x <= 18 only: Cephes' expf
 * (range reduction by ln 2, a degree-6 polynomial), scaled by 2^n in two
 * factors so that results down to the subnormals are right; 0 below -104,
 * clamped at exp(88) above 88, NaN stays NaN. */
static inline float exp_f32(float x) {
  float xc = x < -104.0f ? -104.0f : x;
  xc = xc > 88.0f ? 88.0f : xc;
  xc = xc == xc ? xc : 0.0f;
  float n = round_nearest(xc * 1.44269504088896341f);
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  int32_t n1 = (int32_t)(n * 0.5f), n2 = (int32_t)n - n1; /* each in [-75, 64] */
  float y = p * bits_to_float((n1 + 127) << 23) * bits_to_float((n2 + 127) << 23);
  y = x < -104.0f ? 0.0f : y;
  return x == x ? y : x;
}

/* sigmoid as the reference computes it: exp of -|x| only, so nothing overflows. */
static inline float sigmoid_f32(float x) {
  float e = exp_f32(x < 0 ? x : -x);
  float d = 1.0f + e;
  return x >= 0 ? 1.0f / d : e / d;
}

/* tanh: Cephes' tanhf (an odd polynomial below 0.625, 1 - 2 / (exp(2|x|) + 1) above, 1 from 9.5). */
static inline float tanh_f32(float x) {
  float a = x < 0 ? -x : x;
  float z = x * x;
  float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z + 1.33314422036e-1f) * z -
                 3.33332819422e-1f) *
                    z * x +
                x;
  float ac = a > 9.5f ? 9.5f : a;
  float big = a > 9.5f ? 1.0f : 1.0f - 2.0f / (exp_f32(ac + ac) + 1.0f); /* tanh rounds to 1 from 9.011 on */
  big = x < 0 ? -big : big;
  return a > 0.625f ? big : small;
}

/* erf: a rational approximation on [-4, 4] (Eigen's, within 5e-7 of erf), +-1 beyond. */
static inline float erf_f32(float x) {
  float c = x < -4.0f ? -4.0f : x;
  c = c > 4.0f ? 4.0f : c;
  float z = c * c;
  float p = -2.72614225801306e-10f;
  p = p * z + 2.77068142495902e-08f;
  p = p * z + -2.10102402082508e-06f;
  p = p * z + -5.69250639462346e-05f;
  p = p * z + -7.34990630326855e-04f;
  p = p * z + -2.95459980854025e-03f;
  p = p * z + -1.60960333262415e-02f;
  p = p * c;
  float q = -1.45660718464996e-05f;
  q = q * z + -2.13374055278905e-04f;
  q = q * z + -1.68282697438203e-03f;
  q = q * z + -7.37332916720468e-03f;
  q = q * z + -1.42647390514189e-02f;
  float y = p / q;
  return x == x ? y : x;
}

/* One loop per activation, so that each vectorizes on its own. */
void infer_activate(int32_t act, float p0, float p1, float *restrict x, int64_t n) {
  int64_t i;
  switch (act) {
  case INFER_ACT_RELU:
    for (i = 0; i < n; i++)
      x[i] = x[i] < 0.0f ? 0.0f : x[i];
    break;
  case INFER_ACT_CLIP:
    for (i = 0; i < n; i++) {
      float v = x[i] < p0 ? p0 : x[i];
      x[i] = v > p1 ? p1 : v;
    }
    break;
  case INFER_ACT_LEAKY_RELU:
    for (i = 0; i < n; i++)
      x[i] = x[i] < 0.0f ? x[i] * p0 : x[i];
    break;
  case INFER_ACT_SIGMOID:
    for (i = 0; i < n; i++)
      x[i] = sigmoid_f32(x[i]);
    break;
  case INFER_ACT_HARD_SIGMOID:
    for (i = 0; i < n; i++) {
      float v = x[i] * p0 + p1;
      v = v < 0.0f ? 0.0f : v;
      x[i] = v > 1.0f ? 1.0f : v;
    }
    break;
  case INFER_ACT_HARD_SWISH:
    for (i = 0; i < n; i++) {
      float v = x[i] * 0.16666667f + 0.5f; /* (float)(1 / 6) */
      v = v < 0.0f ? 0.0f : v;
      v = v > 1.0f ? 1.0f : v;
      x[i] = x[i] * v;
    }
    break;
  case INFER_ACT_SILU:
    for (i = 0; i < n; i++)
      x[i] = x[i] * sigmoid_f32(x[i]);
    break;
  case INFER_ACT_TANH:
    for (i = 0; i < n; i++)
      x[i] = tanh_f32(x[i]);
    break;
  case INFER_ACT_GELU:
    for (i = 0; i < n; i++)
      x[i] = 0.5f * x[i] * (1.0f + erf_f32(x[i] * 0.70710678f));
    break;
  case INFER_ACT_GELU_TANH:
    for (i = 0; i < n; i++) {
      float v = x[i];
      float inner = 0.7978845608f * (v + 0.044715f * v * v * v);
      x[i] = 0.5f * v * (1.0f + tanh_f32(inner));
    }
    break;
  default: /* INFER_ACT_NONE */
    break;
  }
}

void infer_epilogue_apply(const infer_epilogue *ep, float *c, int64_t ldc, int64_t row0, int64_t col0, int64_t m,
                          int64_t n) {
  const float *bias = ep->bias;
  for (int64_t i = 0; i < m; i++) {
    float *restrict row = c + i * ldc;
    if (bias && ep->bias_axis == INFER_BIAS_ROW) {
      const float b = bias[row0 + i];
      for (int64_t j = 0; j < n; j++)
        row[j] = row[j] + b;
    } else if (bias) {
      const float *restrict b = bias + col0;
      for (int64_t j = 0; j < n; j++)
        row[j] = row[j] + b[j];
    }
    if (ep->residual) {
      const float *restrict r = ep->residual + (row0 + i) * ep->ldr + col0;
      for (int64_t j = 0; j < n; j++)
        row[j] = row[j] + r[j];
    }
    if (ep->act != INFER_ACT_NONE)
      infer_activate(ep->act, ep->p0, ep->p1, row, n);
  }
}
