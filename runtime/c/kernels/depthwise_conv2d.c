/* depthwise_conv2d.c: depthwise 2-D convolution, f32, NCHW (infer_kernels.h, "convolution").
 *
 * groups == input channels, `multiplier` output channels per input channel:
 * output channel o reads input channel o / multiplier with its own KH x KW
 * filter (the weight is [C * multiplier, 1, KH, KW], OIHW as it is).
 *
 * Direct: each output row is computed 16 positions (one AVX-512 vector) at a
 * time, tap by tap (kh, kw in order), with one fused multiply-add per tap:
 * stride 1 reads the input row with a masked load (the mask is the part of the
 * vector inside the row: padding reads nothing), stride 2 with two loads and
 * a permute, other strides gather. Up to four output rows share each input
 * row load when the stride is 1 (a 3x3 filter then loads each input vector
 * once per four outputs instead of three times per output). The epilogue
 * (+ bias[o], + residual, the activation) is applied before the store. Planes
 * (batch item, output channel) are the parallel tasks.
 *
 * Without AVX-512, a portable C loop computes the same.
 */
#include "infer_kernels.h"

#include <string.h>

#include "model.h"

#if defined(__AVX512F__) && defined(__BMI2__)
#include <immintrin.h>
#define DW_AVX512 1
#endif

typedef struct {
  const float *x, *w, *bias, *residual;
  float *y;
  int64_t C, H, W, O, mult, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW;
  int32_t act;
  float p0, p1;
} dw_problem;

/* Lanes j in [0, n) of a run whose lane j reads column iw0 + s * j, that fall
 * in [0, W): [*lo, *hi). */
static inline void dw_lanes(int64_t iw0, int64_t s, int64_t W, int64_t n, int64_t *lo, int64_t *hi) {
  int64_t a = iw0 >= 0 ? 0 : (-iw0 + s - 1) / s;
  int64_t b = iw0 > W - 1 ? 0 : (W - 1 - iw0) / s + 1;
  *lo = a;
  *hi = b < n ? b : n;
}

#if defined(DW_AVX512)

static inline __mmask16 dw_mask(int64_t lo, int64_t hi) {
  if (hi <= lo)
    return 0;
  uint32_t bits = hi - lo >= 16 ? 0xffffu : (1u << (hi - lo)) - 1u;
  return (__mmask16)(bits << lo);
}

/* Lanes `m` of: lane j = row[iw0 + s * j] (0 elsewhere); nothing outside the mask is read. */
static inline __m512 dw_load(const float *row, int64_t iw0, int64_t s, __mmask16 m) {
  if (s == 1)
    return _mm512_maskz_loadu_ps(m, row + iw0);
  if (s == 2) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    __mmask16 lo = (__mmask16)_pdep_u32((uint32_t)m & 0xffu, 0x5555u);
    __mmask16 hi = (__mmask16)_pdep_u32((uint32_t)m >> 8, 0x5555u);
    __m512 a = _mm512_maskz_loadu_ps(lo, row + iw0);
    __m512 b = _mm512_maskz_loadu_ps(hi, row + iw0 + 16);
    return _mm512_maskz_mov_ps(m, _mm512_permutex2var_ps(a, even, b));
  }
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  __m512i idx = _mm512_add_epi32(_mm512_set1_epi32((int32_t)iw0), _mm512_mullo_epi32(lanes, _mm512_set1_epi32((int32_t)s)));
  return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, idx, row, 4);
}

static inline __m512 dw_clip01(__m512 x) {
  return _mm512_min_ps(_mm512_set1_ps(1.0f), _mm512_max_ps(_mm512_setzero_ps(), x));
}

static int dw_act_in_registers(int32_t act) {
  return act == INFER_ACT_NONE || act == INFER_ACT_RELU || act == INFER_ACT_CLIP || act == INFER_ACT_LEAKY_RELU ||
         act == INFER_ACT_HARD_SIGMOID || act == INFER_ACT_HARD_SWISH;
}

static inline __m512 dw_activate(__m512 x, int32_t act, float p0, float p1) {
  switch (act) {
  case INFER_ACT_RELU:
    return _mm512_max_ps(_mm512_setzero_ps(), x);
  case INFER_ACT_CLIP:
    return _mm512_min_ps(_mm512_set1_ps(p1), _mm512_max_ps(_mm512_set1_ps(p0), x));
  case INFER_ACT_LEAKY_RELU:
    return _mm512_mask_mul_ps(x, _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), x, _mm512_set1_ps(p0));
  case INFER_ACT_HARD_SIGMOID:
    return dw_clip01(_mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps(p0)), _mm512_set1_ps(p1)));
  case INFER_ACT_HARD_SWISH:
    return _mm512_mul_ps(
        x, dw_clip01(_mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps((float)(1.0 / 6.0))), _mm512_set1_ps(0.5f))));
  default:
    return x;
  }
}

#define DW_ROWS 4

/* Output rows [oh, oh + rows) (rows <= DW_ROWS) of plane o of batch item b. */
static void dw_rows(const dw_problem *p, const float *xc, const float *wo, float bias, const float *res, float *yo,
                    int64_t oh, int64_t rows) {
  const int64_t KH = p->KH, KW = p->KW, W = p->W, H = p->H, sw = p->sw;
  int fused = dw_act_in_registers(p->act);
  for (int64_t ow0 = 0; ow0 < p->OW; ow0 += 16) {
    int64_t n = p->OW - ow0 < 16 ? p->OW - ow0 : 16;
    __mmask16 out = dw_mask(0, n);
    __m512 acc[DW_ROWS];
    for (int r = 0; r < DW_ROWS; r++)
      acc[r] = _mm512_setzero_ps();
    if (p->sh == 1 && rows > 1) {
      /* Input row ih feeds output row r through filter row kh = (ih - ih0(r)) / dh. */
      int64_t first = oh - p->pt, last = oh + rows - 1 - p->pt + (KH - 1) * p->dh;
      for (int64_t ih = first < 0 ? 0 : first; ih <= last && ih < H; ih++) {
        const float *row = xc + ih * W;
        for (int64_t kw = 0; kw < KW; kw++) {
          int64_t iw0 = ow0 * sw - p->pl + kw * p->dw, lo, hi;
          dw_lanes(iw0, sw, W, n, &lo, &hi);
          __mmask16 m = dw_mask(lo, hi);
          if (!m)
            continue;
          __m512 v = dw_load(row, iw0, sw, m);
          for (int r = 0; r < DW_ROWS; r++) {
            if (r >= rows)
              break;
            int64_t d = ih - (oh + r - p->pt);
            if (d < 0 || d % p->dh || d / p->dh >= KH)
              continue;
            acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(wo[(d / p->dh) * KW + kw]), v, acc[r]);
          }
        }
      }
    } else {
      for (int r = 0; r < rows; r++) {
        int64_t ih0 = (oh + r) * p->sh - p->pt;
        for (int64_t kh = 0; kh < KH; kh++) {
          int64_t ih = ih0 + kh * p->dh;
          if (ih < 0 || ih >= H)
            continue;
          const float *row = xc + ih * W;
          for (int64_t kw = 0; kw < KW; kw++) {
            int64_t iw0 = ow0 * sw - p->pl + kw * p->dw, lo, hi;
            dw_lanes(iw0, sw, W, n, &lo, &hi);
            __mmask16 m = dw_mask(lo, hi);
            if (!m)
              continue;
            acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(wo[kh * KW + kw]), dw_load(row, iw0, sw, m), acc[r]);
          }
        }
      }
    }
    for (int r = 0; r < rows; r++) {
      int64_t at = (oh + r) * p->OW + ow0;
      __m512 v = _mm512_add_ps(acc[r], _mm512_set1_ps(bias));
      if (res)
        v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(out, res + at));
      if (fused)
        v = dw_activate(v, p->act, p->p0, p->p1);
      _mm512_mask_storeu_ps(yo + at, out, v);
      if (!fused)
        infer_activate(p->act, p->p0, p->p1, yo + at, n);
    }
  }
}

#else /* portable C */

#define DW_ROWS 1

static void dw_rows(const dw_problem *p, const float *xc, const float *wo, float bias, const float *res, float *yo,
                    int64_t oh, int64_t rows) {
  for (int64_t r = 0; r < rows; r++) {
    int64_t ih0 = (oh + r) * p->sh - p->pt;
    float *yr = yo + (oh + r) * p->OW;
    for (int64_t ow = 0; ow < p->OW; ow++) {
      float acc = 0.0f;
      for (int64_t kh = 0; kh < p->KH; kh++) {
        int64_t ih = ih0 + kh * p->dh;
        if (ih < 0 || ih >= p->H)
          continue;
        for (int64_t kw = 0; kw < p->KW; kw++) {
          int64_t iw = ow * p->sw - p->pl + kw * p->dw;
          if (iw >= 0 && iw < p->W)
            acc += wo[kh * p->KW + kw] * xc[ih * p->W + iw];
        }
      }
      acc += bias;
      if (res)
        acc += res[(oh + r) * p->OW + ow];
      yr[ow] = acc;
    }
    infer_activate(p->act, p->p0, p->p1, yr, p->OW);
  }
}

#endif

static void dw_task(void *arg, int64_t begin, int64_t end) {
  const dw_problem *p = (const dw_problem *)arg;
  const int64_t plane = p->OH * p->OW;
  for (int64_t task = begin; task < end; task++) {
    int64_t b = task / p->O, o = task % p->O;
    const float *xc = p->x + (b * p->C + o / p->mult) * p->H * p->W;
    const float *wo = p->w + o * p->KH * p->KW;
    float *yo = p->y + task * plane;
    const float *res = p->residual ? p->residual + task * plane : NULL;
    float bias = p->bias ? p->bias[o] : 0.0f;
    for (int64_t oh = 0; oh < p->OH; oh += DW_ROWS)
      dw_rows(p, xc, wo, bias, res, yo, oh, p->OH - oh < DW_ROWS ? p->OH - oh : DW_ROWS);
  }
}

static int64_t dw_out_dim(int64_t size, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe) {
  int64_t span = size + pb + pe - d * (k - 1) - 1;
  return span < 0 ? -1 : span / s + 1;
}

int infer_depthwise_conv2d_f32(struct infer_model *ctx, const float *x, int64_t batch, int64_t channels,
                               int64_t height, int64_t width, const float *weight, int64_t multiplier,
                               int64_t kernel_h, int64_t kernel_w, const float *bias, const float *residual, float *y,
                               int64_t stride_h, int64_t stride_w, int64_t dilation_h, int64_t dilation_w,
                               int64_t pad_top, int64_t pad_left, int64_t pad_bottom, int64_t pad_right, int32_t act,
                               float p0, float p1) {
  if (batch < 0 || channels < 0 || height < 0 || width < 0 || multiplier < 1 || kernel_h < 1 || kernel_w < 1 ||
      stride_h < 1 || stride_w < 1 || dilation_h < 1 || dilation_w < 1 || pad_top < 0 || pad_left < 0 ||
      pad_bottom < 0 || pad_right < 0)
    return INFER_ERR_ARGUMENT;
  dw_problem p;
  memset(&p, 0, sizeof p);
  p.x = x;
  p.w = weight;
  p.bias = bias;
  p.residual = residual;
  p.y = y;
  p.C = channels;
  p.H = height;
  p.W = width;
  p.mult = multiplier;
  p.O = channels * multiplier;
  p.KH = kernel_h;
  p.KW = kernel_w;
  p.sh = stride_h;
  p.sw = stride_w;
  p.dh = dilation_h;
  p.dw = dilation_w;
  p.pt = pad_top;
  p.pl = pad_left;
  p.OH = dw_out_dim(height, kernel_h, stride_h, dilation_h, pad_top, pad_bottom);
  p.OW = dw_out_dim(width, kernel_w, stride_w, dilation_w, pad_left, pad_right);
  p.act = act;
  p.p0 = p0;
  p.p1 = p1;
  if (p.OH < 0 || p.OW < 0)
    return INFER_ERR_SHAPE;
  if (batch == 0 || p.O == 0 || p.OH == 0 || p.OW == 0)
    return INFER_OK;
  infer_parallel_for(ctx, batch * p.O, dw_task, &p);
  return INFER_OK;
}
