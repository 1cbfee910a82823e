/* pool2d.c: max and average pooling 2-D, f32, NCHW (infer_kernels.h, "pooling").
 *
 * Semantics of infer.max_pool / infer.avg_pool (dialects/infer/nn.py,
 * runtime/reference/nn.py): output length per spatial dim
 * floor((size + pad_begin + pad_end - dilation * (kernel - 1) - 1) / stride) + 1,
 * rounded up with ceil_mode, where a last window starting in the end padding
 * (at or after size + pad_begin) is dropped. Max: padding never wins (it acts
 * as -inf), NaN propagates, a window of padding only gives -inf. Average: the
 * sum of the window's input elements divided by count_h * count_w, the number
 * of taps per dim inside the input, or with count_include_pad inside the
 * padded input [-pad_begin, size + pad_end) (never the part of a ceil-mode
 * window beyond the end padding); a window with no tap to count gives 0 / 0.
 *
 * Each output row is computed 16 positions (one AVX-512 vector) at a time, tap
 * by tap: stride 1 loads the input row with a mask (the lanes inside the row),
 * stride 2 loads twice and permutes, other strides gather. Planes (batch item,
 * channel) are the parallel tasks. Without AVX-512, portable C.
 */
#include "infer_kernels.h"

#include <math.h>
#include <string.h>

#include "model.h"

#if defined(__AVX512F__) && defined(__BMI2__)
#include <immintrin.h>
#define POOL_AVX512 1
#endif

typedef struct {
  const float *x;
  float *y;
  int64_t H, W, KH, KW, sh, sw, dh, dw, pt, pl, pb, pr, OH, OW;
  int average, include_pad;
} pool_problem;

/* Lanes j in [0, n) whose column iw0 + s * j falls in [lo_col, hi_col): [*lo, *hi). */
static inline void pool_lanes(int64_t iw0, int64_t s, int64_t lo_col, int64_t hi_col, int64_t n, int64_t *lo,
                              int64_t *hi) {
  int64_t a = iw0 >= lo_col ? 0 : (lo_col - iw0 + s - 1) / s;
  int64_t b = iw0 > hi_col - 1 ? 0 : (hi_col - 1 - iw0) / s + 1;
  *lo = a;
  *hi = b < n ? b : n;
}

/* Taps t in [0, k) with begin + t * d in [lo, hi). */
static inline int64_t pool_count(int64_t begin, int64_t k, int64_t d, int64_t lo, int64_t hi) {
  int64_t n = 0;
  for (int64_t t = 0; t < k; t++) {
    int64_t i = begin + t * d;
    n += i >= lo && i < hi;
  }
  return n;
}

#if defined(POOL_AVX512)

static inline __mmask16 pool_mask(int64_t lo, int64_t hi) {
  if (hi <= lo)
    return 0;
  uint32_t bits = hi - lo >= 16 ? 0xffffu : (1u << (hi - lo)) - 1u;
  return (__mmask16)(bits << lo);
}

/* Lanes `m` of: lane j = row[iw0 + s * j]; nothing outside the mask is read. */
static inline __m512 pool_load(const float *row, int64_t iw0, int64_t s, __mmask16 m) {
  if (s == 1)
    return _mm512_maskz_loadu_ps(m, row + iw0);
  if (s == 2) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    __mmask16 lo = (__mmask16)_pdep_u32((uint32_t)m & 0xffu, 0x5555u);
    __mmask16 hi = (__mmask16)_pdep_u32((uint32_t)m >> 8, 0x5555u);
    __m512 a = _mm512_maskz_loadu_ps(lo, row + iw0);
    __m512 b = _mm512_maskz_loadu_ps(hi, row + iw0 + 16);
    return _mm512_permutex2var_ps(a, even, b);
  }
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  __m512i idx =
      _mm512_add_epi32(_mm512_set1_epi32((int32_t)iw0), _mm512_mullo_epi32(lanes, _mm512_set1_epi32((int32_t)s)));
  return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, idx, row, 4);
}

static void pool_plane(const pool_problem *p, const float *xc, float *yc) {
  const int64_t W = p->W, sw = p->sw;
  const __m512 lowest = _mm512_set1_ps(-INFINITY);
  for (int64_t oh = 0; oh < p->OH; oh++) {
    int64_t ih0 = oh * p->sh - p->pt;
    float count_h = 1.0f;
    if (p->average)
      count_h = (float)(p->include_pad ? pool_count(ih0, p->KH, p->dh, -p->pt, p->H + p->pb)
                                       : pool_count(ih0, p->KH, p->dh, 0, p->H));
    for (int64_t ow0 = 0; ow0 < p->OW; ow0 += 16) {
      int64_t n = p->OW - ow0 < 16 ? p->OW - ow0 : 16;
      __mmask16 out = pool_mask(0, n);
      __m512 acc = p->average ? _mm512_setzero_ps() : lowest;
      __mmask16 nan = 0;
      for (int64_t kh = 0; kh < p->KH; kh++) {
        int64_t ih = ih0 + kh * p->dh;
        if (ih < 0 || ih >= p->H)
          continue;
        const float *row = xc + ih * W;
        for (int64_t kw = 0; kw < p->KW; kw++) {
          int64_t iw0 = ow0 * sw - p->pl + kw * p->dw, lo, hi;
          pool_lanes(iw0, sw, 0, W, n, &lo, &hi);
          __mmask16 m = pool_mask(lo, hi);
          if (!m)
            continue;
          __m512 v = pool_load(row, iw0, sw, m);
          if (p->average) {
            acc = _mm512_mask_add_ps(acc, m, acc, v);
          } else {
            nan |= _mm512_mask_cmp_ps_mask(m, v, v, _CMP_UNORD_Q);
            acc = _mm512_mask_max_ps(acc, m, acc, v);
          }
        }
      }
      if (p->average) {
        /* the per-lane count of columns: taps inside [lo_col, hi_col) */
        int64_t lo_col = p->include_pad ? -p->pl : 0, hi_col = p->include_pad ? W + p->pr : W;
        __m512 count_w = _mm512_setzero_ps();
        for (int64_t kw = 0; kw < p->KW; kw++) {
          int64_t iw0 = ow0 * sw - p->pl + kw * p->dw, lo, hi;
          pool_lanes(iw0, sw, lo_col, hi_col, n, &lo, &hi);
          count_w = _mm512_mask_add_ps(count_w, pool_mask(lo, hi), count_w, _mm512_set1_ps(1.0f));
        }
        acc = _mm512_div_ps(acc, _mm512_mul_ps(_mm512_set1_ps(count_h), count_w));
      } else {
        acc = _mm512_mask_mov_ps(acc, nan, _mm512_set1_ps(NAN));
      }
      _mm512_mask_storeu_ps(yc + oh * p->OW + ow0, out, acc);
    }
  }
}

#else /* portable C */

static void pool_plane(const pool_problem *p, const float *xc, float *yc) {
  for (int64_t oh = 0; oh < p->OH; oh++) {
    int64_t ih0 = oh * p->sh - p->pt;
    float count_h = 1.0f;
    if (p->average)
      count_h = (float)(p->include_pad ? pool_count(ih0, p->KH, p->dh, -p->pt, p->H + p->pb)
                                       : pool_count(ih0, p->KH, p->dh, 0, p->H));
    for (int64_t ow = 0; ow < p->OW; ow++) {
      int64_t iw0 = ow * p->sw - p->pl;
      float acc = p->average ? 0.0f : -INFINITY;
      int nan = 0;
      for (int64_t kh = 0; kh < p->KH; kh++) {
        int64_t ih = ih0 + kh * p->dh;
        if (ih < 0 || ih >= p->H)
          continue;
        for (int64_t kw = 0; kw < p->KW; kw++) {
          int64_t iw = iw0 + kw * p->dw;
          if (iw < 0 || iw >= p->W)
            continue;
          float v = xc[ih * p->W + iw];
          if (p->average)
            acc += v;
          else if (v != v)
            nan = 1;
          else if (v > acc)
            acc = v;
        }
      }
      if (p->average) {
        float count_w = (float)(p->include_pad ? pool_count(iw0, p->KW, p->dw, -p->pl, p->W + p->pr)
                                               : pool_count(iw0, p->KW, p->dw, 0, p->W));
        acc = acc / (count_h * count_w);
      } else if (nan) {
        acc = NAN;
      }
      yc[oh * p->OW + ow] = acc;
    }
  }
}

#endif

static void pool_task(void *arg, int64_t begin, int64_t end) {
  const pool_problem *p = (const pool_problem *)arg;
  for (int64_t plane = begin; plane < end; plane++)
    pool_plane(p, p->x + plane * p->H * p->W, p->y + plane * p->OH * p->OW);
}

/* The output length of infer's pooling ops (window_output_dim in dialects/infer/nn.py); -1 if the window does not fit. */
static int64_t pool_out_dim(int64_t size, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe, int ceil_mode) {
  int64_t span = size + pb + pe - d * (k - 1) - 1;
  if (span < 0)
    return -1;
  if (!ceil_mode)
    return span / s + 1;
  int64_t out = (span + s - 1) / s + 1;
  if ((out - 1) * s >= size + pb)
    out--;
  return out;
}

static int pool_run(struct infer_model *ctx, const float *x, int64_t batch, int64_t channels, int64_t height,
                    int64_t width, float *y, int64_t kernel_h, int64_t kernel_w, int64_t stride_h, int64_t stride_w,
                    int64_t dilation_h, int64_t dilation_w, int64_t pad_top, int64_t pad_left, int64_t pad_bottom,
                    int64_t pad_right, int32_t ceil_mode, int average, int32_t count_include_pad) {
  if (batch < 0 || channels < 0 || height < 0 || width < 0 || kernel_h < 1 || kernel_w < 1 || stride_h < 1 ||
      stride_w < 1 || dilation_h < 1 || dilation_w < 1 || pad_top < 0 || pad_left < 0 || pad_bottom < 0 ||
      pad_right < 0)
    return INFER_ERR_ARGUMENT;
  pool_problem p;
  memset(&p, 0, sizeof p);
  p.x = x;
  p.y = y;
  p.H = height;
  p.W = width;
  p.KH = kernel_h;
  p.KW = kernel_w;
  p.sh = stride_h;
  p.sw = stride_w;
  p.dh = dilation_h;
  p.dw = dilation_w;
  p.pt = pad_top;
  p.pl = pad_left;
  p.pb = pad_bottom;
  p.pr = pad_right;
  p.OH = pool_out_dim(height, kernel_h, stride_h, dilation_h, pad_top, pad_bottom, ceil_mode);
  p.OW = pool_out_dim(width, kernel_w, stride_w, dilation_w, pad_left, pad_right, ceil_mode);
  p.average = average;
  p.include_pad = count_include_pad != 0;
  if (p.OH < 0 || p.OW < 0)
    return INFER_ERR_SHAPE;
  if (batch == 0 || channels == 0 || p.OH == 0 || p.OW == 0)
    return INFER_OK;
  infer_parallel_for(ctx, batch * channels, pool_task, &p);
  return INFER_OK;
}

int infer_max_pool2d_f32(struct infer_model *ctx, const float *x, int64_t batch, int64_t channels, int64_t height,
                         int64_t width, float *y, int64_t kernel_h, int64_t kernel_w, int64_t stride_h,
                         int64_t stride_w, int64_t dilation_h, int64_t dilation_w, int64_t pad_top, int64_t pad_left,
                         int64_t pad_bottom, int64_t pad_right, int32_t ceil_mode) {
  return pool_run(ctx, x, batch, channels, height, width, y, kernel_h, kernel_w, stride_h, stride_w, dilation_h,
                  dilation_w, pad_top, pad_left, pad_bottom, pad_right, ceil_mode, 0, 0);
}

int infer_avg_pool2d_f32(struct infer_model *ctx, const float *x, int64_t batch, int64_t channels, int64_t height,
                         int64_t width, float *y, int64_t kernel_h, int64_t kernel_w, int64_t stride_h,
                         int64_t stride_w, int64_t dilation_h, int64_t dilation_w, int64_t pad_top, int64_t pad_left,
                         int64_t pad_bottom, int64_t pad_right, int32_t ceil_mode, int32_t count_include_pad) {
  return pool_run(ctx, x, batch, channels, height, width, y, kernel_h, kernel_w, stride_h, stride_w, dilation_h,
                  dilation_w, pad_top, pad_left, pad_bottom, pad_right, ceil_mode, 1, count_include_pad);
}
