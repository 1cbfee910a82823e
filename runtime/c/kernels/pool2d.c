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
 * Separable, per output row: first the max (sum) over the window's valid input
 * rows, column by column (contiguous vector loads), into a row buffer padded
 * with -inf (0); then along that row, 16 outputs (one AVX-512 vector) at a
 * time, tap by tap: stride 1 loads, stride 2 loads twice and permutes, other
 * strides gather, and no tap needs a mask. Two row buffers pipeline the rows
 * (the next row's first pass is stored before this row's second pass loads).
 * NaN is tracked only where a sum of the taps shows one. Planes whose padded
 * rows fit 32 lanes (7x7 to 28x28) keep a row in two registers instead and
 * take the taps as permutes. Planes (batch item, channel) are the parallel
 * tasks. Without AVX-512, portable C.
 */
#include "infer_kernels.h"

#include <math.h>
#include <stdlib.h>
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
  /* The per-lane count of columns for average pooling, count_w[v * 16 + lane]
   * for the vector of outputs v (the same for every row). */
  const float *count_w;
  /* AVX-512: each output row reduces its window's input rows into one padded
   * row of rowlen floats, then along it. */
  int64_t rowlen;
#if defined(POOL_AVX512)
  const __m512i *taps; /* the permutes of pool_plane_small, or NULL */
#endif
  int status;
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

/* Lane j = row[off + s * j] (the row is padded: every index is inside it). */
static inline __m512 pool_tap(const float *row, int64_t off, int64_t s) {
  if (s == 1)
    return _mm512_loadu_ps(row + off);
  if (s == 2) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return _mm512_permutex2var_ps(_mm512_loadu_ps(row + off), even, _mm512_loadu_ps(row + off + 16));
  }
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  __m512i idx =
      _mm512_add_epi32(_mm512_set1_epi32((int32_t)off), _mm512_mullo_epi32(lanes, _mm512_set1_epi32((int32_t)s)));
  return _mm512_i32gather_ps(idx, row, 4);
}

/* V[w] = the max (sum) over an output row's valid input rows of column w, written into a padded row
 * buffer (its padding preset). Returns whether NaN is in V (tracked only when a vertical sum shows one
 * might be). */
static int pool_vertical(const pool_problem *p, const float **rows, int64_t nrows, float *vrow) {
  const int64_t W = p->W;
  const int average = p->average;
  float *V = vrow + p->pl;
  int nan_row = 0;
  for (int64_t w0 = 0; w0 < W; w0 += 16) {
    __mmask16 m = pool_mask(0, W - w0);
    __m512 acc = _mm512_set1_ps(average ? 0.0f : -INFINITY);
    if (nrows > 0) {
      acc = _mm512_maskz_loadu_ps(m, rows[0] + w0);
      __m512 u = acc;
      for (int64_t r = 1; r < nrows; r++) {
        __m512 x = _mm512_maskz_loadu_ps(m, rows[r] + w0);
        acc = average ? _mm512_add_ps(acc, x) : _mm512_max_ps(acc, x);
        u = _mm512_add_ps(u, x);
      }
      if (!average && _mm512_cmp_ps_mask(u, u, _CMP_UNORD_Q)) {
        __mmask16 nan = 0;
        for (int64_t r = 0; r < nrows; r++) {
          __m512 x = _mm512_maskz_loadu_ps(m, rows[r] + w0);
          nan |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
        }
        acc = _mm512_mask_mov_ps(acc, nan, _mm512_set1_ps(NAN));
        nan_row |= nan != 0;
      }
    }
    _mm512_mask_storeu_ps(V + w0, m, acc);
  }
  return nan_row;
}

/* One output row from its V: the max (sum) over the taps of each output column's window. S is the
 * stride along the width (1, 2, or 0 for the run-time one). */
#define POOL_HORIZONTAL(S)                                                                                    \
  static void pool_horizontal_s##S(const pool_problem *p, const float *vrow, int nan_row, float *yr,          \
                                   float count_h) {                                                           \
    const int64_t sw = (S) ? (S) : p->sw, KW = p->KW, dw = p->dw;                                             \
    for (int64_t ow0 = 0; ow0 < p->OW; ow0 += 16) {                                                           \
      const float *r = vrow + ow0 * sw;                                                                       \
      __m512 acc = pool_tap(r, 0, sw);                                                                        \
      if (p->average) {                                                                                       \
        __m512 a1 = _mm512_setzero_ps();                                                                      \
        int64_t kw = 1;                                                                                       \
        for (; kw + 1 < KW; kw += 2) {                                                                        \
          a1 = _mm512_add_ps(a1, pool_tap(r, kw * dw, sw));                                                   \
          acc = _mm512_add_ps(acc, pool_tap(r, (kw + 1) * dw, sw));                                           \
        }                                                                                                     \
        if (kw < KW)                                                                                          \
          a1 = _mm512_add_ps(a1, pool_tap(r, kw * dw, sw));                                                   \
        acc = _mm512_div_ps(_mm512_add_ps(acc, a1),                                                           \
                            _mm512_mul_ps(_mm512_set1_ps(count_h), _mm512_loadu_ps(p->count_w + ow0)));       \
      } else if (!nan_row) {                                                                                  \
        __m512 a1 = acc;                                                                                      \
        int64_t kw = 1;                                                                                       \
        for (; kw + 1 < KW; kw += 2) {                                                                        \
          a1 = _mm512_max_ps(a1, pool_tap(r, kw * dw, sw));                                                   \
          acc = _mm512_max_ps(acc, pool_tap(r, (kw + 1) * dw, sw));                                           \
        }                                                                                                     \
        if (kw < KW)                                                                                          \
          a1 = _mm512_max_ps(a1, pool_tap(r, kw * dw, sw));                                                   \
        acc = _mm512_max_ps(acc, a1);                                                                         \
      } else {                                                                                                \
        __mmask16 nan = _mm512_cmp_ps_mask(acc, acc, _CMP_UNORD_Q);                                           \
        for (int64_t kw = 1; kw < KW; kw++) {                                                                 \
          __m512 x = pool_tap(r, kw * dw, sw);                                                                \
          nan |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);                                                      \
          acc = _mm512_max_ps(acc, x);                                                                        \
        }                                                                                                     \
        acc = _mm512_mask_mov_ps(acc, nan, _mm512_set1_ps(NAN));                                              \
      }                                                                                                       \
      _mm512_mask_storeu_ps(yr + ow0, pool_mask(0, p->OW - ow0), acc);                                        \
    }                                                                                                         \
  }

POOL_HORIZONTAL(1)
POOL_HORIZONTAL(2)
POOL_HORIZONTAL(0)

/* The valid input rows of output row oh, and its vertical count (average pooling). */
static int64_t pool_rows(const pool_problem *p, const float *xc, int64_t oh, const float **rows, float *count_h) {
  int64_t ih0 = oh * p->sh - p->pt, nrows = 0;
  for (int64_t kh = 0; kh < p->KH; kh++) {
    int64_t ih = ih0 + kh * p->dh;
    if (ih >= 0 && ih < p->H)
      rows[nrows++] = xc + ih * p->W;
  }
  *count_h = 1.0f;
  if (p->average)
    *count_h = (float)(p->include_pad ? pool_count(ih0, p->KH, p->dh, -p->pt, p->H + p->pb)
                                      : pool_count(ih0, p->KH, p->dh, 0, p->H));
  return nrows;
}

/* Output rows are software-pipelined over two row buffers: row oh + 1's vertical pass is stored
 * before row oh's horizontal pass loads its buffer, so those loads never wait on just-made stores
 * (which they straddle: no store forwarding). */
static void pool_plane(const pool_problem *p, const float *xc, float *yc, float *vrows[2], const float **rows) {
  const float pad = p->average ? 0.0f : -INFINITY;
  for (int b = 0; b < 2; b++) { /* the padding around V: the same for every row */
    for (int64_t i = 0; i < p->pl; i++)
      vrows[b][i] = pad;
    for (int64_t i = p->pl + p->W; i < p->rowlen; i++)
      vrows[b][i] = pad;
  }
  float count[2];
  int nan[2];
  int64_t nrows = pool_rows(p, xc, 0, rows, &count[0]);
  nan[0] = pool_vertical(p, rows, nrows, vrows[0]);
  for (int64_t oh = 0; oh < p->OH; oh++) {
    int cur = (int)(oh & 1), next = cur ^ 1;
    if (oh + 1 < p->OH) {
      nrows = pool_rows(p, xc, oh + 1, rows, &count[next]);
      nan[next] = pool_vertical(p, rows, nrows, vrows[next]);
    }
    float *yr = yc + oh * p->OW;
    if (p->sw == 1)
      pool_horizontal_s1(p, vrows[cur], nan[cur], yr, count[cur]);
    else if (p->sw == 2)
      pool_horizontal_s2(p, vrows[cur], nan[cur], yr, count[cur]);
    else
      pool_horizontal_s0(p, vrows[cur], nan[cur], yr, count[cur]);
  }
}

/* Planes whose padded rows fit 32 lanes (7x7 to 28x28 in the models): a row stays in two registers,
 * lane c holding padded column c, and the taps are permutes of them (p->taps[v * KW + kw] picks, for
 * output vector v, column (16v + j) * sw + kw * dw into lane j). Nothing goes through memory. */
static void pool_plane_small(const pool_problem *p, const float *xc, float *yc) {
  const int64_t KW = p->KW, W = p->W, pl = p->pl, vectors = (p->OW + 15) / 16;
  const int average = p->average;
  const __m512 pad = _mm512_set1_ps(average ? 0.0f : -INFINITY);
  /* lanes of the padded row (two vectors) that hold input columns */
  const __mmask16 in_lo = pool_mask(pl < 16 ? pl : 16, pl + W < 16 ? pl + W : 16);
  const __mmask16 in_hi = pool_mask(pl > 16 ? pl - 16 : 0, pl + W - 16);
  for (int64_t oh = 0; oh < p->OH; oh++) {
    int64_t ih0 = oh * p->sh - p->pt;
    __m512 lo = pad, hi = pad;
    __mmask16 nan_lo = 0, nan_hi = 0;
    int first = 1;
    for (int64_t kh = 0; kh < p->KH; kh++) {
      int64_t ih = ih0 + kh * p->dh;
      if (ih < 0 || ih >= p->H)
        continue;
      const float *row = xc + ih * W - pl; /* lane c reads column c - pl: only the masked lanes */
      __m512 a = _mm512_mask_loadu_ps(pad, in_lo, row), b = _mm512_mask_loadu_ps(pad, in_hi, row + 16);
      nan_lo |= _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q);
      nan_hi |= _mm512_cmp_ps_mask(b, b, _CMP_UNORD_Q);
      if (first) {
        lo = a;
        hi = b;
        first = 0;
      } else if (average) {
        lo = _mm512_add_ps(lo, a);
        hi = _mm512_add_ps(hi, b);
      } else {
        lo = _mm512_max_ps(lo, a);
        hi = _mm512_max_ps(hi, b);
      }
    }
    float count_h = 1.0f;
    if (average)
      count_h = (float)(p->include_pad ? pool_count(ih0, p->KH, p->dh, -p->pt, p->H + p->pb)
                                       : pool_count(ih0, p->KH, p->dh, 0, p->H));
    int nan = !average && (nan_lo | nan_hi);
    if (nan) {
      lo = _mm512_mask_mov_ps(lo, nan_lo, _mm512_set1_ps(NAN));
      hi = _mm512_mask_mov_ps(hi, nan_hi, _mm512_set1_ps(NAN));
    }
    for (int64_t v = 0; v < vectors; v++) {
      const __m512i *taps = p->taps + v * KW;
      __m512 acc = _mm512_permutex2var_ps(lo, taps[0], hi);
      __mmask16 nans = nan ? _mm512_cmp_ps_mask(acc, acc, _CMP_UNORD_Q) : 0;
      for (int64_t kw = 1; kw < KW; kw++) {
        __m512 x = _mm512_permutex2var_ps(lo, taps[kw], hi);
        if (nan)
          nans |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
        acc = average ? _mm512_add_ps(acc, x) : _mm512_max_ps(acc, x);
      }
      if (average)
        acc = _mm512_div_ps(acc, _mm512_mul_ps(_mm512_set1_ps(count_h), _mm512_loadu_ps(p->count_w + v * 16)));
      else if (nan)
        acc = _mm512_mask_mov_ps(acc, nans, _mm512_set1_ps(NAN));
      _mm512_mask_storeu_ps(yc + oh * p->OW + v * 16, pool_mask(0, p->OW - v * 16), acc);
    }
  }
}

static void pool_task(void *arg, int64_t begin, int64_t end) {
  pool_problem *p = (pool_problem *)arg;
  if (p->taps) {
    for (int64_t plane = begin; plane < end; plane++)
      pool_plane_small(p, p->x + plane * p->H * p->W, p->y + plane * p->OH * p->OW);
    return;
  }
  const int64_t rowlen = (p->rowlen + 15) / 16 * 16;
  size_t bytes = 2 * (size_t)rowlen * sizeof(float) + (size_t)p->KH * sizeof(float *);
  float *scratch = (float *)infer_scratch(INFER_SCRATCH_KERNEL, bytes);
  if (!scratch) {
    p->status = INFER_ERR_MEMORY;
    return;
  }
  float *vrows[2] = {scratch, scratch + rowlen};
  const float **rows = (const float **)(scratch + 2 * rowlen);
  for (int64_t plane = begin; plane < end; plane++)
    pool_plane(p, p->x + plane * p->H * p->W, p->y + plane * p->OH * p->OW, vrows, rows);
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

static void pool_task(void *arg, int64_t begin, int64_t end) {
  const pool_problem *p = (const pool_problem *)arg;
  for (int64_t plane = begin; plane < end; plane++)
    pool_plane(p, p->x + plane * p->H * p->W, p->y + plane * p->OH * p->OW);
}

#endif

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
  /* The per-lane column counts of average pooling (on the stack unless the rows are very long). */
  int64_t vectors = (p.OW + 15) / 16;
  float stack_count[16 * 64];
  float *count = stack_count;
  void *heap = NULL;
  if (vectors > 64) {
    heap = malloc((size_t)vectors * 16 * sizeof(float));
    if (!heap)
      return INFER_ERR_MEMORY;
    count = (float *)heap;
  }
  int64_t lo_col = p.include_pad ? -pad_left : 0, hi_col = p.include_pad ? width + pad_right : width;
  for (int64_t i = 0; i < vectors * 16; i++) /* the taps of output column i's window inside [lo_col, hi_col) */
    count[i] = i < p.OW ? (float)pool_count(i * stride_w - pad_left, kernel_w, dilation_w, lo_col, hi_col) : 1.0f;
  p.count_w = count;
  /* a padded row holds every column the row's vectors read, 16 lanes each, and the second load of stride 2 */
  p.rowlen = vectors * 16 * stride_w + (kernel_w - 1) * dilation_w + 32;
  if (p.rowlen < pad_left + width)
    p.rowlen = pad_left + width;
  p.status = INFER_OK;
#if defined(POOL_AVX512)
  /* Rows whose padded columns read fit 32 lanes: the permutes of pool_plane_small. */
  __m512i taps[2 * 16];
  p.taps = NULL;
  if (pad_left + width <= 32 && (p.OW - 1) * stride_w + (kernel_w - 1) * dilation_w <= 31 && kernel_w <= 16) {
    for (int64_t v = 0; v < vectors; v++)
      for (int64_t kw = 0; kw < kernel_w; kw++) {
        int32_t idx[16];
        for (int64_t j = 0; j < 16; j++) {
          int64_t ow = v * 16 + j;
          idx[j] = ow < p.OW ? (int32_t)(ow * stride_w + kw * dilation_w) : 0;
        }
        taps[v * kernel_w + kw] = _mm512_loadu_si512(idx);
      }
    p.taps = taps;
  }
#endif
  infer_parallel_for(ctx, batch * channels, pool_task, &p);
  free(heap);
  return p.status;
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
