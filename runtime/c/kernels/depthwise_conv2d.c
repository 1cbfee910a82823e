/* depthwise_conv2d.c: depthwise 2-D convolution, f32, NCHW (infer_kernels.h, "convolution").
 *
 * groups == input channels, `multiplier` output channels per input channel:
 * output channel o reads input channel o / multiplier with its own KH x KW
 * filter (the weight is [C * multiplier, 1, KH, KW], OIHW as it is).
 *
 * Direct, one input channel (and its `multiplier` output channels) per task.
 * The channel's plane is first copied, with its zero padding, into per-thread
 * scratch split by column phase: padded row r, column c goes to phase c mod sw
 * at index c / sw. Tap (kh, kw) of output column ow then reads padded row
 * oh * sh + kh * dh, phase (kw * dw) mod sw, index ow + (kw * dw) / sw: 16
 * consecutive outputs are one contiguous, unmasked vector load whatever the
 * stride (a stride-2 plane is split by two permutes per 32 input elements, once,
 * instead of a permute per tap). Output vectors are computed four at a time
 * (independent chains), each accumulating its taps in order (kh, then kw) with
 * fused multiply-adds, then the epilogue (+ bias[o], + residual, the
 * activation) before its store.
 *
 * Without AVX-512, a portable C loop computes the same from the input itself.
 */
#include "infer_kernels.h"

#include <stdlib.h>
#include <string.h>

#include "model.h"

#if defined(__AVX512F__) && defined(__BMI2__)
#include "epilogue_avx512.h"
#define DW_AVX512 1
#endif

typedef struct {
  const float *x, *w, *bias, *residual;
  float *y;
  int64_t C, H, W, O, mult, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW;
  int32_t act;
  float p0, p1;
  /* AVX-512: the split plane has hp padded rows of sw phases of lp floats; a
   * padded row is rowlen floats (wp of them read); toff[t] is tap t's offset from
   * its output row's first padded row. */
  int64_t hp, wp, lp, rowlen;
  const int64_t *toff;
  int status;
} dw_problem;

#if defined(DW_AVX512)

/* Lanes of the 16 padded columns [c0, c0 + 16) that hold input columns (padded column c is input
 * column c - pl). */
static inline __mmask16 dw_columns(int64_t c0, int64_t pl, int64_t W) {
  int64_t lo = pl - c0, hi = pl + W - c0;
  lo = lo < 0 ? 0 : lo;
  hi = hi > 16 ? 16 : hi;
  if (hi <= lo)
    return 0;
  return (__mmask16)((hi - lo >= 16 ? 0xffffu : (1u << (hi - lo)) - 1u) << lo);
}

/* The padded plane, split by column phase: row r, phase q at buf + (r * sw + q) * p->lp. Padded
 * columns are read straight from the input row with masked loads (zeros outside it). */
static void dw_split_plane(const dw_problem *p, const float *xc, float *buf, float *row) {
  const int64_t sw = p->sw, lp = p->lp, pl = p->pl, W = p->W;
  for (int64_t r = 0; r < p->hp; r++) {
    int64_t ih = r - p->pt;
    float *dst = buf + r * sw * lp;
    if (ih < 0 || ih >= p->H) {
      for (int64_t i = 0; i < sw * lp; i += 16)
        _mm512_storeu_ps(dst + i, _mm512_setzero_ps());
      continue;
    }
    const float *in = xc + ih * W - pl; /* padded column c is in[c]: only masked lanes are read */
    if (sw == 1) { /* zeros, then the row (measured faster than masked loads of every chunk) */
      for (int64_t c = 0; c < lp; c += 16)
        _mm512_storeu_ps(dst + c, _mm512_setzero_ps());
      for (int64_t i = 0; i < W; i += 16) {
        __mmask16 m = infer_tail16(W - i);
        _mm512_mask_storeu_ps(dst + pl + i, m, _mm512_maskz_loadu_ps(m, in + pl + i));
      }
    } else if (sw == 2) {
      const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
      const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
      for (int64_t c = 0; c < p->rowlen; c += 32) {
        __m512 a = _mm512_maskz_loadu_ps(dw_columns(c, pl, W), in + c);
        __m512 b = _mm512_maskz_loadu_ps(dw_columns(c + 16, pl, W), in + c + 16);
        _mm512_storeu_ps(dst + c / 2, _mm512_permutex2var_ps(a, even, b));
        _mm512_storeu_ps(dst + lp + c / 2, _mm512_permutex2var_ps(a, odd, b));
      }
    } else {
      for (int64_t c = 0; c < p->rowlen; c += 16)
        _mm512_storeu_ps(row + c, _mm512_maskz_loadu_ps(dw_columns(c, pl, W), in + c));
      for (int64_t c = 0; c < p->rowlen; c++)
        dst[(c % sw) * lp + c / sw] = row[c];
    }
  }
}

#define DW_GROUP 4 /* output vectors computed together (independent FMA chains) */

/* Output channel o's plane from the split input plane: its output vectors (row, 16 columns) in
 * groups of DW_GROUP, tap by tap. */
static void dw_plane(const dw_problem *p, const float *buf, const float *wo, float bias, const float *res,
                     float *yo) {
  const int64_t sw = p->sw, lp = p->lp, T = p->KH * p->KW, per_row = (p->OW + 15) / 16;
  const int64_t vectors = p->OH * per_row;
  const int fused = infer_act_in_registers(p->act);
  const __m512 b = _mm512_set1_ps(bias);
  for (int64_t v0 = 0; v0 < vectors; v0 += DW_GROUP) {
    const float *src[DW_GROUP];
    int64_t at[DW_GROUP], n[DW_GROUP];
    __m512 acc[DW_GROUP];
    for (int i = 0; i < DW_GROUP; i++) {
      int64_t v = v0 + i < vectors ? v0 + i : v0; /* past the end: recompute the first, not stored */
      int64_t oh = v / per_row, ow0 = v % per_row * 16;
      src[i] = buf + oh * p->sh * sw * lp + ow0;
      at[i] = oh * p->OW + ow0;
      n[i] = v0 + i < vectors ? p->OW - ow0 : 0;
      acc[i] = _mm512_setzero_ps();
    }
    for (int64_t t = 0; t < T; t++) {
      const __m512 w = _mm512_set1_ps(wo[t]);
      const int64_t off = p->toff[t];
      for (int i = 0; i < DW_GROUP; i++)
        acc[i] = _mm512_fmadd_ps(w, _mm512_loadu_ps(src[i] + off), acc[i]);
    }
    for (int i = 0; i < DW_GROUP; i++) {
      __mmask16 m = infer_tail16(n[i]);
      if (!m)
        continue;
      __m512 v = _mm512_add_ps(acc[i], b);
      if (res)
        v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, res + at[i]));
      if (fused)
        v = infer_activate16(v, p->act, p->p0, p->p1);
      _mm512_mask_storeu_ps(yo + at[i], m, v);
      if (!fused)
        infer_activate(p->act, p->p0, p->p1, yo + at[i], n[i] < 16 ? n[i] : 16);
    }
  }
}

static void dw_task(void *arg, int64_t begin, int64_t end) {
  dw_problem *p = (dw_problem *)arg;
  size_t bytes = (size_t)(p->hp * p->sw * p->lp + p->rowlen) * sizeof(float);
  float *buf = (float *)infer_scratch(INFER_SCRATCH_KERNEL, bytes);
  if (!buf) {
    p->status = INFER_ERR_MEMORY;
    return;
  }
  float *row = buf + p->hp * p->sw * p->lp;
  const int64_t plane = p->OH * p->OW;
  for (int64_t task = begin; task < end; task++) { /* (batch item, input channel) */
    int64_t b = task / p->C, c = task % p->C;
    dw_split_plane(p, p->x + task * p->H * p->W, buf, row);
    for (int64_t m = 0; m < p->mult; m++) {
      int64_t o = c * p->mult + m, at = (b * p->O + o) * plane;
      dw_plane(p, buf, p->w + o * p->KH * p->KW, p->bias ? p->bias[o] : 0.0f, p->residual ? p->residual + at : NULL,
               p->y + at);
    }
  }
}

#else /* portable C */

static void dw_task(void *arg, int64_t begin, int64_t end) {
  const dw_problem *p = (const dw_problem *)arg;
  const int64_t plane = p->OH * p->OW;
  for (int64_t task = begin; task < end; task++) { /* (batch item, output channel) */
    int64_t b = task / p->O, o = task % p->O;
    const float *xc = p->x + (b * p->C + o / p->mult) * p->H * p->W;
    const float *wo = p->w + o * p->KH * p->KW;
    float *yo = p->y + task * plane;
    const float *res = p->residual ? p->residual + task * plane : NULL;
    for (int64_t oh = 0; oh < p->OH; oh++) {
      float *yr = yo + oh * p->OW;
      for (int64_t ow = 0; ow < p->OW; ow++) {
        float acc = 0.0f;
        for (int64_t kh = 0; kh < p->KH; kh++) {
          int64_t ih = oh * p->sh - p->pt + kh * p->dh;
          if (ih < 0 || ih >= p->H)
            continue;
          for (int64_t kw = 0; kw < p->KW; kw++) {
            int64_t iw = ow * p->sw - p->pl + kw * p->dw;
            if (iw >= 0 && iw < p->W)
              acc += wo[kh * p->KW + kw] * xc[ih * p->W + iw];
          }
        }
        acc += p->bias ? p->bias[o] : 0.0f;
        if (res)
          acc += res[oh * p->OW + ow];
        yr[ow] = acc;
      }
      infer_activate(p->act, p->p0, p->p1, yr, p->OW);
    }
  }
}

#endif

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
  p.status = INFER_OK;
#if defined(DW_AVX512)
  /* Padded rows hold every column the output vectors' taps read (whole vectors of 16). */
  int64_t vectors = (p.OW + 15) / 16;
  p.hp = (p.OH - 1) * stride_h + (kernel_h - 1) * dilation_h + 1;
  p.wp = vectors * 16 * stride_w + (kernel_w - 1) * dilation_w + 1;
  if (p.wp < pad_left + width)
    p.wp = pad_left + width;
  p.rowlen = (p.wp + 32 * stride_w - 1) / (32 * stride_w) * (32 * stride_w); /* the stride-2 split's 32 columns */
  p.lp = p.rowlen / stride_w + 16; /* a multiple of 16 */
  int64_t stack_toff[256];
  int64_t *toff = stack_toff;
  if (kernel_h * kernel_w > 256) {
    toff = (int64_t *)malloc((size_t)(kernel_h * kernel_w) * sizeof(int64_t));
    if (!toff)
      return INFER_ERR_MEMORY;
  }
  for (int64_t kh = 0; kh < kernel_h; kh++)
    for (int64_t kw = 0; kw < kernel_w; kw++) {
      int64_t c = kw * dilation_w;
      toff[kh * kernel_w + kw] = (kh * dilation_h * stride_w + c % stride_w) * p.lp + c / stride_w;
    }
  p.toff = toff;
  infer_parallel_for(ctx, batch * channels, dw_task, &p);
  if (toff != stack_toff)
    free(toff);
#else
  infer_parallel_for(ctx, batch * p.O, dw_task, &p);
#endif
  return p.status;
}
