/* conv2d.c: 2-D convolution, f32, NCHW, as an implicit GEMM (infer_kernels.h, "convolution").
 *
 * Per batch item and group g, the convolution is the product
 *
 *     Y_g (Og x P) = W_g (Og x K) x patches (K x P),   K = Cg * KH * KW, P = OH * OW,
 *
 * where row k = (c * KH + kh) * KW + kw of `patches` holds, for every output
 * position p = (oh, ow), the input element x[c][oh*sh - pt + kh*dh][ow*sw - pl + kw*dw]
 * (0 in the padding). Y_g's rows are output channels, its columns the output
 * plane: NCHW as it is, with leading dimension P.
 *
 * - The weights (OIHW, i.e. W_g row-major) are prepacked once by
 *   infer_pack_conv2d_f32 into A panels: for each group, each K block of
 *   CONV_KC, each panel of CONV_MR output channels, kc groups of MR floats.
 * - The patches are never materialized: a K block of CONV_NR output positions
 *   (one B panel, kc x NR) is packed straight from the input into per-thread
 *   scratch, then used at once by the micro-kernel for every A panel of the
 *   task's channels. The packing uses masked vector loads: runs of positions
 *   within one output row read contiguous input (stride 1) or every other
 *   element (stride 2, a permute); other strides gather.
 * - The micro-kernel (CONV_MR x CONV_NR register tile, AVX-512) applies the
 *   epilogue at store time on the last K block: acc + bias[o] + residual, the
 *   activation (in registers for none/relu/clip/leaky_relu/hard_sigmoid/
 *   hard_swish, through infer_activate for the others).
 * - A 1x1 convolution with stride 1 and no padding reads its patches as the
 *   plain matrix X_g (Cg x P): the B panels are row segments (one masked load
 *   per vector). A first layer (3 channels, 7x7, stride 2) takes the stride-2
 *   path of the packer: K = 147 fits one K block.
 * - Parallel over tasks (batch item, group, block of output channels, tile of
 *   output positions), with infer_parallel_for. Each output element is computed
 *   by the same sequence of operations whatever the split, so the results are
 *   identical for any number of threads.
 *
 * Without AVX-512 (another -march), a portable C version of the same blocking
 * runs instead.
 */
#include "infer_kernels.h"

#include <stdlib.h>
#include <string.h>

#include "model.h"

#if defined(__AVX512F__) && defined(__BMI2__)
#include <immintrin.h>
#endif

#define CONV_MR 8
#define CONV_NV 2               /* vectors of 16 floats per B panel row */
#define CONV_NR (16 * CONV_NV) /* output positions per B panel */
#define CONV_KC 256             /* K block */
#define CONV_MAGIC 0x32564e4fu  /* "ONV2" */

/* The packed weights: this header, then the panels of each group (64-byte aligned). */
typedef struct {
  uint32_t magic, mr, kc, nr;
  int64_t out_channels, in_per_group, kh, kw, groups;
  int64_t group_floats; /* floats of one group's panels */
  int64_t pad_[2];
} conv_pack_header;

static int64_t conv_panels(int64_t og) { return (og + CONV_MR - 1) / CONV_MR; }

static int64_t conv_group_floats(int64_t og, int64_t k) {
  int64_t floats = conv_panels(og) * CONV_MR * k;
  return (floats + 15) / 16 * 16;
}

int64_t infer_pack_conv2d_f32_size(int64_t out_channels, int64_t in_per_group, int64_t kh, int64_t kw,
                                   int64_t groups) {
  if (groups < 1 || out_channels < 0 || out_channels % groups || in_per_group < 0 || kh < 1 || kw < 1)
    return 0;
  int64_t og = out_channels / groups;
  return (int64_t)sizeof(conv_pack_header) +
         groups * conv_group_floats(og, in_per_group * kh * kw) * (int64_t)sizeof(float);
}

void infer_pack_conv2d_f32(const float *weight, int64_t out_channels, int64_t in_per_group, int64_t kh, int64_t kw,
                           int64_t groups, void *packed) {
  int64_t og = out_channels / groups, K = in_per_group * kh * kw;
  int64_t panels = conv_panels(og), gf = conv_group_floats(og, K);
  conv_pack_header *h = (conv_pack_header *)packed;
  memset(h, 0, sizeof *h);
  h->magic = CONV_MAGIC;
  h->mr = CONV_MR;
  h->kc = CONV_KC;
  h->nr = CONV_NR;
  h->out_channels = out_channels;
  h->in_per_group = in_per_group;
  h->kh = kh;
  h->kw = kw;
  h->groups = groups;
  h->group_floats = gf;
  float *dst = (float *)(h + 1);
  for (int64_t g = 0; g < groups; g++) {
    float *d = dst + g * gf;
    const float *wg = weight + g * og * K;
    for (int64_t k0 = 0; k0 < K; k0 += CONV_KC) {
      int64_t kc = K - k0 < CONV_KC ? K - k0 : CONV_KC;
      for (int64_t p = 0; p < panels; p++)
        for (int64_t k = 0; k < kc; k++)
          for (int64_t r = 0; r < CONV_MR; r++) {
            int64_t o = p * CONV_MR + r;
            *d++ = o < og ? wg[o * K + k0 + k] : 0.0f;
          }
    }
    memset(d, 0, (size_t)(dst + (g + 1) * gf - d) * sizeof(float));
  }
}

/* ------------------------------------------------------------------ the problem */

typedef struct {
  const float *x;
  float *y;
  const float *w; /* the panels of group 0 */
  int64_t group_floats;
  int64_t batch, C, H, W, O, groups, cg, og, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW;
  int64_t P, K, T; /* output positions, K, taps */
  /* The view the packer works on: a 1x1 stride-1 convolution without padding
   * reads its input as one row of H*W positions. */
  int64_t vH, vW, vOW;
  int64_t ntile, ntiles;  /* output positions per task, tasks along P */
  int64_t mtile, mtiles;  /* output channels per task (a multiple of MR), tasks along Og */
  const float *bias, *residual;
  int32_t act;
  float p0, p1;
  int status;
} conv_problem;

/* One masked load of the B packer: lanes `mask` of vector `vec` read from the
 * channel's plane at `off` + stride * lane (lane within the vector). */
typedef struct {
  int32_t off;
  uint16_t mask;
  uint8_t vec;
  uint8_t pad_;
} conv_load;

/* Builds the loads of every tap for the B panel of output positions
 * [q0, q0 + nq): start[t] .. start[t + 1] index the loads of tap t. Returns the
 * number of loads. */
static int64_t conv_plan_panel(const conv_problem *p, int64_t q0, int64_t nq, conv_load *loads, int32_t *start) {
  int64_t n = 0;
  int64_t seg_lane[CONV_NR + 1], seg_len[CONV_NR + 1], seg_oh[CONV_NR + 1], seg_ow[CONV_NR + 1];
  int64_t segs = 0;
  for (int64_t q = q0; q < q0 + nq;) {
    int64_t oh = q / p->vOW, ow = q % p->vOW;
    int64_t len = p->vOW - ow < q0 + nq - q ? p->vOW - ow : q0 + nq - q;
    seg_lane[segs] = q - q0;
    seg_len[segs] = len;
    seg_oh[segs] = oh;
    seg_ow[segs] = ow;
    segs++;
    q += len;
  }
  for (int64_t t = 0; t < p->T; t++) {
    int64_t kh = t / p->KW, kw = t % p->KW;
    start[t] = (int32_t)n;
    for (int64_t s = 0; s < segs; s++) {
      int64_t ih = seg_oh[s] * p->sh - p->pt + kh * p->dh;
      if (ih < 0 || ih >= p->vH)
        continue;
      int64_t iw0 = seg_ow[s] * p->sw - p->pl + kw * p->dw;
      /* positions j of the run with 0 <= iw0 + sw * j < W */
      int64_t jlo = iw0 >= 0 ? 0 : (-iw0 + p->sw - 1) / p->sw;
      int64_t jhi = iw0 > p->vW - 1 ? 0 : (p->vW - 1 - iw0) / p->sw + 1;
      if (jhi > seg_len[s])
        jhi = seg_len[s];
      if (jlo >= jhi)
        continue;
      int64_t l0 = seg_lane[s] + jlo, l1 = seg_lane[s] + jhi; /* lanes [l0, l1) */
      for (int64_t v = l0 / 16; v * 16 < l1; v++) {
        int64_t a = l0 > v * 16 ? l0 : v * 16, b = l1 < v * 16 + 16 ? l1 : v * 16 + 16;
        uint32_t bits = (b - a == 16 ? 0xffffu : ((1u << (b - a)) - 1u)) << (a - v * 16);
        /* lane L (absolute) reads ih * W + iw0 + sw * (L - seg_lane): relative to the vector's lane 0 */
        loads[n].off = (int32_t)(ih * p->vW + iw0 - p->sw * (seg_lane[s] - v * 16));
        loads[n].mask = (uint16_t)bits;
        loads[n].vec = (uint8_t)v;
        loads[n].pad_ = 0;
        n++;
      }
    }
  }
  start[p->T] = (int32_t)n;
  return n;
}

#if defined(__AVX512F__) && defined(__BMI2__)

/* Packs rows [k0, k0 + kc) of the B panel planned in `loads` (for the channels
 * of x_g, a batch item's group) into b: kc rows of NR floats. */
static void conv_pack_panel(const conv_problem *p, const float *xg, int64_t k0, int64_t kc, const conv_load *loads,
                            const int32_t *start, float *b) {
  const int64_t plane = p->vH * p->vW, T = p->T, sw = p->sw;
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i step = _mm512_mullo_epi32(lanes, _mm512_set1_epi32((int32_t)sw));
  int64_t c = k0 / T, t = k0 % T;
  for (int64_t k = 0; k < kc; k++) {
    const float *xc = xg + c * plane;
    __m512 v[CONV_NV];
    for (int i = 0; i < CONV_NV; i++)
      v[i] = _mm512_setzero_ps();
    const conv_load *l = loads + start[t], *end = loads + start[t + 1];
    if (sw == 1) {
      for (; l < end; l++)
        v[l->vec] = _mm512_mask_loadu_ps(v[l->vec], l->mask, xc + l->off);
    } else if (sw == 2) {
      for (; l < end; l++) {
        __mmask16 lo = (__mmask16)_pdep_u32(l->mask & 0xffu, 0x5555u);
        __mmask16 hi = (__mmask16)_pdep_u32((uint32_t)l->mask >> 8, 0x5555u);
        __m512 a = _mm512_maskz_loadu_ps(lo, xc + l->off);
        __m512 bb = _mm512_maskz_loadu_ps(hi, xc + l->off + 16);
        v[l->vec] = _mm512_mask_mov_ps(v[l->vec], l->mask, _mm512_permutex2var_ps(a, even, bb));
      }
    } else {
      for (; l < end; l++) {
        __m512i idx = _mm512_add_epi32(_mm512_set1_epi32(l->off), step);
        v[l->vec] = _mm512_mask_i32gather_ps(v[l->vec], l->mask, idx, xc, 4);
      }
    }
    for (int i = 0; i < CONV_NV; i++)
      _mm512_store_ps(b + k * CONV_NR + 16 * i, v[i]);
    if (++t == T) {
      t = 0;
      c++;
    }
  }
}

/* The activations computed in registers; the others go through infer_activate. */
static int conv_act_in_registers(int32_t act) {
  return act == INFER_ACT_NONE || act == INFER_ACT_RELU || act == INFER_ACT_CLIP || act == INFER_ACT_LEAKY_RELU ||
         act == INFER_ACT_HARD_SIGMOID || act == INFER_ACT_HARD_SWISH;
}

static inline __m512 conv_clip01(__m512 x) {
  /* np.clip(x, 0, 1): NaN stays NaN (max/min return the second operand on NaN) */
  return _mm512_min_ps(_mm512_set1_ps(1.0f), _mm512_max_ps(_mm512_setzero_ps(), x));
}

static inline __m512 conv_activate(__m512 x, int32_t act, float p0, float p1) {
  switch (act) {
  case INFER_ACT_RELU:
    return _mm512_max_ps(_mm512_setzero_ps(), x);
  case INFER_ACT_CLIP:
    return _mm512_min_ps(_mm512_set1_ps(p1), _mm512_max_ps(_mm512_set1_ps(p0), x));
  case INFER_ACT_LEAKY_RELU: {
    __mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mask_mul_ps(x, neg, x, _mm512_set1_ps(p0));
  }
  case INFER_ACT_HARD_SIGMOID:
    return conv_clip01(_mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps(p0)), _mm512_set1_ps(p1)));
  case INFER_ACT_HARD_SWISH:
    return _mm512_mul_ps(x, conv_clip01(_mm512_add_ps(_mm512_mul_ps(x, _mm512_set1_ps((float)(1.0 / 6.0))),
                                                      _mm512_set1_ps(0.5f))));
  default:
    return x;
  }
}

/* C[0:m][0:n] (+)= a (MR x kc panel) x b (kc x NR panel); on the last K block,
 * the epilogue: + bias[r], + residual[r][j], the activation. c and res point at
 * the tile's first element; bias at its first channel. */
static inline void conv_ukernel(int64_t kc, const float *restrict a, const float *restrict b, float *c, int64_t ldc,
                                int64_t m, int64_t n, int accumulate, int last, const float *bias,
                                const float *res, int32_t act, float p0, float p1) {
  __m512 acc[CONV_MR][CONV_NV];
#pragma GCC unroll 16
  for (int r = 0; r < CONV_MR; r++)
#pragma GCC unroll 4
    for (int i = 0; i < CONV_NV; i++)
      acc[r][i] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; k++) {
    __m512 bv[CONV_NV];
#pragma GCC unroll 4
    for (int i = 0; i < CONV_NV; i++)
      bv[i] = _mm512_load_ps(b + k * CONV_NR + 16 * i);
#pragma GCC unroll 16
    for (int r = 0; r < CONV_MR; r++) {
      __m512 av = _mm512_set1_ps(a[k * CONV_MR + r]);
#pragma GCC unroll 4
      for (int i = 0; i < CONV_NV; i++)
        acc[r][i] = _mm512_fmadd_ps(av, bv[i], acc[r][i]);
    }
  }
  __mmask16 mask[CONV_NV];
  for (int i = 0; i < CONV_NV; i++) {
    int64_t left = n - 16 * i;
    mask[i] = left >= 16 ? (__mmask16)0xffff : left <= 0 ? (__mmask16)0 : (__mmask16)((1u << left) - 1u);
  }
  int fused = conv_act_in_registers(act);
#pragma GCC unroll 16
  for (int r = 0; r < CONV_MR; r++) {
    if (r >= m)
      break;
    float *cr = c + r * ldc;
#pragma GCC unroll 4
    for (int i = 0; i < CONV_NV; i++) {
      __m512 v = acc[r][i];
      if (accumulate)
        v = _mm512_add_ps(_mm512_maskz_loadu_ps(mask[i], cr + 16 * i), v);
      if (last) {
        if (bias)
          v = _mm512_add_ps(v, _mm512_set1_ps(bias[r]));
        if (res)
          v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask[i], res + r * ldc + 16 * i));
        if (fused)
          v = conv_activate(v, act, p0, p1);
      }
      _mm512_mask_storeu_ps(cr + 16 * i, mask[i], v);
    }
    if (last && !fused)
      infer_activate(act, p0, p1, cr, n);
  }
}

#else /* portable C */

static void conv_pack_panel(const conv_problem *p, const float *xg, int64_t k0, int64_t kc, const conv_load *loads,
                            const int32_t *start, float *b) {
  const int64_t plane = p->vH * p->vW, T = p->T, sw = p->sw;
  int64_t c = k0 / T, t = k0 % T;
  for (int64_t k = 0; k < kc; k++) {
    const float *xc = xg + c * plane;
    float *row = b + k * CONV_NR;
    for (int i = 0; i < CONV_NR; i++)
      row[i] = 0.0f;
    for (const conv_load *l = loads + start[t]; l < loads + start[t + 1]; l++)
      for (int j = 0; j < 16; j++)
        if (l->mask >> j & 1)
          row[l->vec * 16 + j] = xc[l->off + sw * j];
    if (++t == T) {
      t = 0;
      c++;
    }
  }
}

static void conv_ukernel(int64_t kc, const float *restrict a, const float *restrict b, float *c, int64_t ldc,
                         int64_t m, int64_t n, int accumulate, int last, const float *bias, const float *res,
                         int32_t act, float p0, float p1) {
  float acc[CONV_MR][CONV_NR];
  memset(acc, 0, sizeof acc);
  for (int64_t k = 0; k < kc; k++)
    for (int r = 0; r < CONV_MR; r++)
      for (int j = 0; j < CONV_NR; j++)
        acc[r][j] += a[k * CONV_MR + r] * b[k * CONV_NR + j];
  for (int64_t r = 0; r < m; r++) {
    float *cr = c + r * ldc;
    for (int64_t j = 0; j < n; j++) {
      float v = acc[r][j];
      if (accumulate)
        v = cr[j] + v;
      if (last) {
        if (bias)
          v += bias[r];
        if (res)
          v += res[r * ldc + j];
      }
      cr[j] = v;
    }
    if (last)
      infer_activate(act, p0, p1, cr, n);
  }
}

#endif

/* ------------------------------------------------------------------ the driver */

static size_t conv_scratch_bytes(const conv_problem *p) {
  size_t panel = (size_t)CONV_KC * CONV_NR * sizeof(float);
  size_t loads = (size_t)p->T * (CONV_NR + CONV_NV + 2) * sizeof(conv_load);
  size_t start = (size_t)(p->T + 1) * sizeof(int32_t);
  return panel + (loads + start + 63) / 64 * 64;
}

static void conv_task(void *arg, int64_t begin, int64_t end) {
  conv_problem *p = (conv_problem *)arg;
  char *scratch = (char *)infer_scratch(INFER_SCRATCH_KERNEL, conv_scratch_bytes(p));
  if (!scratch) {
    p->status = INFER_ERR_MEMORY;
    return;
  }
  float *bpanel = (float *)scratch;
  conv_load *loads = (conv_load *)(scratch + (size_t)CONV_KC * CONV_NR * sizeof(float));
  int32_t *start = (int32_t *)(loads + (size_t)p->T * (CONV_NR + CONV_NV + 2));
  const int64_t per_batch = p->groups * p->mtiles * p->ntiles;
  for (int64_t task = begin; task < end; task++) {
    int64_t b = task / per_batch, rest = task % per_batch;
    int64_t g = rest / (p->mtiles * p->ntiles);
    rest %= p->mtiles * p->ntiles;
    int64_t mt = rest / p->ntiles, nt = rest % p->ntiles;
    const float *xg = p->x + (b * p->C + g * p->cg) * p->H * p->W;
    int64_t o0 = mt * p->mtile, o1 = o0 + p->mtile < p->og ? o0 + p->mtile : p->og;
    int64_t q0 = nt * p->ntile, q1 = q0 + p->ntile < p->P ? q0 + p->ntile : p->P;
    int64_t ybase = (b * p->O + g * p->og) * p->P; /* channel 0 of the group */
    const float *wg = p->w + g * p->group_floats;
    int64_t panels = conv_panels(p->og);
    for (int64_t q = q0; q < q1; q += CONV_NR) {
      int64_t nq = q1 - q < CONV_NR ? q1 - q : CONV_NR;
      conv_plan_panel(p, q, nq, loads, start);
      for (int64_t k0 = 0; k0 < p->K; k0 += CONV_KC) {
        int64_t kc = p->K - k0 < CONV_KC ? p->K - k0 : CONV_KC;
        conv_pack_panel(p, xg, k0, kc, loads, start, bpanel);
        int last = k0 + kc >= p->K;
        const float *wblock = wg + panels * CONV_MR * k0;
        for (int64_t o = o0; o < o1; o += CONV_MR) {
          int64_t m = o1 - o < CONV_MR ? o1 - o : CONV_MR;
          int64_t at = ybase + o * p->P + q;
          conv_ukernel(kc, wblock + (o / CONV_MR) * CONV_MR * kc, bpanel, p->y + at, p->P, m, nq, k0 > 0, last,
                       p->bias ? p->bias + g * p->og + o : NULL, p->residual ? p->residual + at : NULL, p->act,
                       p->p0, p->p1);
        }
      }
    }
  }
}

static int64_t conv_out_dim(int64_t size, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe) {
  int64_t span = size + pb + pe - d * (k - 1) - 1;
  return span < 0 ? 0 : span / s + 1;
}

int infer_conv2d_f32(struct infer_model *ctx, const float *x, int64_t batch, int64_t channels, int64_t height,
                     int64_t width, const void *packed_weight, const float *bias, const float *residual, float *y,
                     int64_t stride_h, int64_t stride_w, int64_t dilation_h, int64_t dilation_w, int64_t pad_top,
                     int64_t pad_left, int64_t pad_bottom, int64_t pad_right, int32_t act, float p0, float p1) {
  const conv_pack_header *h = (const conv_pack_header *)packed_weight;
  if (!h || h->magic != CONV_MAGIC || h->mr != CONV_MR || h->kc != CONV_KC || h->nr != CONV_NR)
    return INFER_ERR_ARGUMENT;
  if (h->in_per_group * h->groups != channels || stride_h < 1 || stride_w < 1 || dilation_h < 1 ||
      dilation_w < 1 || pad_top < 0 || pad_left < 0 || pad_bottom < 0 || pad_right < 0)
    return INFER_ERR_ARGUMENT;
  conv_problem p;
  memset(&p, 0, sizeof p);
  p.x = x;
  p.y = y;
  p.w = (const float *)(h + 1);
  p.group_floats = h->group_floats;
  p.batch = batch;
  p.C = channels;
  p.H = height;
  p.W = width;
  p.O = h->out_channels;
  p.groups = h->groups;
  p.cg = h->in_per_group;
  p.og = h->out_channels / h->groups;
  p.KH = h->kh;
  p.KW = h->kw;
  p.sh = stride_h;
  p.sw = stride_w;
  p.dh = dilation_h;
  p.dw = dilation_w;
  p.pt = pad_top;
  p.pl = pad_left;
  p.OH = conv_out_dim(height, p.KH, stride_h, dilation_h, pad_top, pad_bottom);
  p.OW = conv_out_dim(width, p.KW, stride_w, dilation_w, pad_left, pad_right);
  p.P = p.OH * p.OW;
  p.T = p.KH * p.KW;
  p.K = p.cg * p.T;
  p.bias = bias;
  p.residual = residual;
  p.act = act;
  p.p0 = p0;
  p.p1 = p1;
  if (batch == 0 || p.O == 0 || p.P == 0)
    return INFER_OK;
  if (p.K == 0) { /* no input channels: the epilogue of 0 */
    for (int64_t b = 0; b < batch; b++)
      for (int64_t o = 0; o < p.O; o++) {
        float *row = y + (b * p.O + o) * p.P;
        for (int64_t i = 0; i < p.P; i++)
          row[i] = (bias ? bias[o] : 0.0f) + (residual ? residual[(b * p.O + o) * p.P + i] : 0.0f);
        infer_activate(act, p0, p1, row, p.P);
      }
    return INFER_OK;
  }
  if (p.T == 1 && stride_h == 1 && stride_w == 1 && pad_top == 0 && pad_left == 0 && pad_bottom == 0 &&
      pad_right == 0) {
    p.vH = 1; /* the input plane is the patch matrix: one row of H*W positions */
    p.vW = p.P;
    p.vOW = p.P;
  } else {
    p.vH = height;
    p.vW = width;
    p.vOW = p.OW;
  }
  /* Tasks: tiles of positions (whole B panels); blocks of output channels only
   * when the positions alone give too few tasks for the threads. The split is a
   * function of the shape only. */
  int64_t panels_n = (p.P + CONV_NR - 1) / CONV_NR;
  int64_t per_tile = 4; /* B panels per task */
  p.ntile = per_tile * CONV_NR;
  p.ntiles = (panels_n + per_tile - 1) / per_tile;
  int64_t units = batch * p.groups * p.ntiles;
  int64_t mpanels = conv_panels(p.og), msplit = 1;
  while (units * msplit < 8 && mpanels / (msplit * 2) >= 4)
    msplit *= 2;
  p.mtile = (mpanels + msplit - 1) / msplit * CONV_MR;
  p.mtiles = (p.og + p.mtile - 1) / p.mtile;
  p.status = INFER_OK;
  infer_parallel_for_grain(ctx, batch * p.groups * p.mtiles * p.ntiles, 1, conv_task, &p);
  return p.status;
}
