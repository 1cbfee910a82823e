/* conv2d.c: 2-D convolution, f32, NCHW (infer_kernels.h, "convolution").
 *
 * Per batch item and group g the convolution is the product
 *
 *     Y_g (Og x P) = W_g (Og x K) x patches (K x P),   K = Cg * KH * KW, P = OH * OW,
 *
 * where row k = (c * KH + kh) * KW + kw of `patches` holds, for every output
 * position (oh, ow), the input x[c][oh*sh - pt + kh*dh][ow*sw - pl + kw*dw]
 * (0 in the padding). The weights (OIHW: W_g row-major) are prepacked once by
 * infer_pack_conv2d_f32 into blocks of CONV_OB = 32 output channels, each
 * K rows of 32 floats (w[k][o], zero past Og). Two kernels use them:
 *
 * - Channel-vectorized ("cv", the usual one): a register tile of R <= 14
 *   output positions of one output row x 32 output channels (28 zmm
 *   accumulators). Per input channel and tap, two vector loads of weights and R
 *   broadcasts of input elements read in place (position j of the tile reads
 *   base + c * plane + toff[tap] + j * sw): the input is not packed. With
 *   padding, the batch item's input is first copied once into a zero-padded
 *   image (the calling thread's scratch), so that no tap needs a bounds check.
 *   The tile is transposed (in registers) into a staging block on the stack
 *   [32 channels][<= 224 positions], whose rows then get the epilogue
 *   act(acc + bias[o] + residual) on their way to y, vectorized along the
 *   positions. No position count is rounded to a vector (7x7 planes), and K is
 *   not blocked (the accumulators stay in registers for the whole sum).
 * - Spatial-vectorized ("sv", for small 1x1s and channel counts far from a
 *   multiple of 32, e.g. SqueezeNet's squeeze layers, ShuffleNet's grouped 1x1s):
 *   GEMM with the weights as A (8 output channels per register tile, broadcast)
 *   and the patches as B panels of 32 output positions: a 1x1 convolution with
 *   stride 1 and no padding reads them from the input's rows in place; others
 *   pack them from the input panel by panel into per-thread scratch with masked
 *   vector loads (runs of positions in one output row read contiguous input at
 *   stride 1, every other element at stride 2 via a permute, a gather
 *   otherwise); 8 x 32 register tile, K in blocks of CONV_KC, the epilogue fused
 *   at the last block's store.
 *
 * A 1x1 convolution with stride 1 and no padding is a plain GEMM over the
 * flattened plane (rows of CONV_SEG positions). The kernel is chosen per call
 * from the shape (conv_use_cv; -DINFER_CONV_PATH=1 or 2 forces cv or sv, for
 * tests). Parallel over tasks (batch item, group, block of
 * output channels or rows, positions) with infer_parallel_for; every output
 * element is computed by the same sequence of operations whatever the split, so
 * the results are identical for any number of threads.
 *
 * Without AVX-512 (another -march), portable C loops compute the same.
 */
#include "infer_kernels.h"

#include <stdlib.h>
#include <string.h>

#include "model.h"

#if defined(__AVX512F__) && defined(__BMI2__)
#include "epilogue_avx512.h"
#define CONV_AVX512 1
#endif

#define CONV_OB 32             /* output channels per weight block (two vectors) */
#define CONV_MR 8              /* sv: output channels per register tile */
#define CONV_NV 2              /* sv: vectors of 16 positions per B panel row */
#define CONV_NR (16 * CONV_NV) /* sv: output positions per B panel */
#define CONV_KC 256            /* sv: K block */
#define CONV_R 14              /* cv: output positions per register tile */
#define CONV_SEG (16 * CONV_R) /* cv: positions per staging block */
#define CONV_MAGIC 0x33564e4fu /* "ONV3" */

/* The packed weights: this header (64 bytes), then for each group its blocks. */
typedef struct {
  uint32_t magic, ob, reserved0, reserved1;
  int64_t out_channels, in_per_group, kh, kw, groups;
  int64_t group_floats; /* floats of one group's blocks */
} conv_pack_header;

/* The blocks start 64-byte aligned (aligned vector loads). */
typedef char conv_header_is_64_bytes[sizeof(conv_pack_header) == 64 ? 1 : -1];

static int64_t conv_blocks(int64_t og) { return (og + CONV_OB - 1) / CONV_OB; }

static int64_t conv_group_floats(int64_t og, int64_t k) { return conv_blocks(og) * CONV_OB * k; }

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
  int64_t blocks = conv_blocks(og), gf = conv_group_floats(og, K);
  conv_pack_header *h = (conv_pack_header *)packed;
  memset(h, 0, sizeof *h);
  h->magic = CONV_MAGIC;
  h->ob = CONV_OB;
  h->out_channels = out_channels;
  h->in_per_group = in_per_group;
  h->kh = kh;
  h->kw = kw;
  h->groups = groups;
  h->group_floats = gf;
  float *dst = (float *)(h + 1);
  for (int64_t g = 0; g < groups; g++) {
    const float *wg = weight + g * og * K;
    for (int64_t b = 0; b < blocks; b++) {
      float *d = dst + g * gf + b * K * CONV_OB;
      for (int64_t k = 0; k < K; k++)
        for (int64_t r = 0; r < CONV_OB; r++) {
          int64_t o = b * CONV_OB + r;
          d[k * CONV_OB + r] = o < og ? wg[o * K + k] : 0.0f;
        }
    }
  }
}

/* ------------------------------------------------------------------ the problem */

typedef struct {
  const float *x;
  float *y;
  const float *w; /* the blocks of group 0 */
  int64_t group_floats;
  int64_t batch, C, H, W, O, groups, cg, og, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW;
  int64_t P, K, T; /* output positions, K, taps */
  /* The view the kernels work on: H x W input rows of OH x OW output rows, but a
   * 1x1 stride-1 convolution without padding is a GEMM over the flattened
   * plane, viewed as rows of CONV_SEG positions (the last one shorter). */
  int64_t vH, vW, vOH, vOW, plane; /* plane: H * W, between input channels */
  int cv;     /* the channel-vectorized kernel */
  int direct; /* sv: a 1x1 stride-1 convolution without padding reads its B panels from the input */
  /* cv reads a batch item's input, or a zero-padded copy of it: src, its row
   * length and plane (src_w = W + pl + pr and src_plane = (H + pt + pb) * src_w
   * for the copy, which shifts every position by the top and left pads). */
  const float *src;
  int64_t src_w, src_plane, src_pt, src_pl;
  int64_t b; /* cv: the batch item of this run of tasks */
  /* Tasks: batch x groups x mtiles (output channels) x ntiles (cv: output rows;
   * sv: output positions). */
  int64_t ntile, ntiles, mtile, mtiles;
  const float *bias, *residual;
  int32_t act;
  float p0, p1;
  int status;
} conv_problem;

/* ================================================================== cv: channel-vectorized */

/* Row `n` of the output, acc + bias[o] + residual, the activation: src -> dst (n positions). */
static void conv_finish_row(const conv_problem *p, const float *src, float *dst, const float *res, float bias,
                            int64_t n) {
#if defined(CONV_AVX512)
  int fused = infer_act_in_registers(p->act);
  __m512 b = _mm512_set1_ps(bias);
  for (int64_t i = 0; i < n; i += 16) {
    __mmask16 m = infer_tail16(n - i);
    __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, src + i), b);
    if (res)
      v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, res + i));
    if (fused)
      v = infer_activate16(v, p->act, p->p0, p->p1);
    _mm512_mask_storeu_ps(dst + i, m, v);
  }
  if (!fused)
    infer_activate(p->act, p->p0, p->p1, dst, n);
#else
  for (int64_t i = 0; i < n; i++) {
    float v = src[i] + bias;
    if (res)
      v += res[i];
    dst[i] = v;
  }
  infer_activate(p->act, p->p0, p->p1, dst, n);
#endif
}

#if defined(CONV_AVX512)

/* r[i] lane c -> r[c] lane i: a 16 x 16 transpose in 64 shuffles (unpack pairs of rows, then pairs of
 * pairs as doubles, then 4 x 4 blocks of 128-bit chunks). */
static inline void conv_transpose16(__m512 r[16]) {
  __m512 t[16], u[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    __m512d a = _mm512_castps_pd(t[i]), b = _mm512_castps_pd(t[i + 1]);
    __m512d c = _mm512_castps_pd(t[i + 2]), d = _mm512_castps_pd(t[i + 3]);
    u[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    u[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    u[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    u[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
  /* u[4q + k], 128-bit chunk L: rows 4q..4q+3 of column 4L + k */
  for (int k = 0; k < 4; k++) {
    __m512 v0 = _mm512_shuffle_f32x4(u[k], u[4 + k], 0x44), v1 = _mm512_shuffle_f32x4(u[k], u[4 + k], 0xee);
    __m512 v2 = _mm512_shuffle_f32x4(u[8 + k], u[12 + k], 0x44), v3 = _mm512_shuffle_f32x4(u[8 + k], u[12 + k], 0xee);
    r[k] = _mm512_shuffle_f32x4(v0, v2, 0x88);
    r[4 + k] = _mm512_shuffle_f32x4(v0, v2, 0xdd);
    r[8 + k] = _mm512_shuffle_f32x4(v1, v3, 0x88);
    r[12 + k] = _mm512_shuffle_f32x4(v1, v3, 0xdd);
  }
}

/* A tile of R positions x 32 channels: acc[j][v] = sum over c, t of x[c * plane + toff[t] + j * S] *
 * w[c * T + t][16v ..], transposed into stage[16v + lane][j] (row stride lds). S is 1, 2, or 0 for the
 * run-time stride s. */
#define CONV_CV_TILE(R, S)                                                                                    \
  static void conv_cv_r##R##_s##S(int64_t C, int64_t T, const float *x, int64_t plane, const int32_t *toff,   \
                                  const float *w, int64_t s, float *stage, int64_t lds) {                     \
    const int64_t step = (S) ? (S) : s;                                                                       \
    __m512 acc[R][2];                                                                                         \
    _Pragma("GCC unroll 16") for (int j = 0; j < R; j++) {                                                    \
      acc[j][0] = _mm512_setzero_ps();                                                                        \
      acc[j][1] = _mm512_setzero_ps();                                                                        \
    }                                                                                                         \
    for (int64_t c = 0; c < C; c++, x += plane) {                                                             \
      for (int64_t t = 0; t < T; t++, w += CONV_OB) {                                                         \
        const float *a = x + toff[t];                                                                         \
        __m512 b0 = _mm512_load_ps(w), b1 = _mm512_load_ps(w + 16);                                           \
        _Pragma("GCC unroll 16") for (int j = 0; j < R; j++) {                                                \
          __m512 av = _mm512_set1_ps(a[j * step]);                                                            \
          acc[j][0] = _mm512_fmadd_ps(av, b0, acc[j][0]);                                                     \
          acc[j][1] = _mm512_fmadd_ps(av, b1, acc[j][1]);                                                     \
        }                                                                                                     \
      }                                                                                                       \
    }                                                                                                         \
    __m512 rows[16];                                                                                          \
    _Pragma("GCC unroll 2") for (int v = 0; v < 2; v++) {                                                     \
      _Pragma("GCC unroll 16") for (int j = 0; j < 16; j++) rows[j] = j < R ? acc[j][v] : _mm512_setzero_ps(); \
      conv_transpose16(rows);                                                                                 \
      _Pragma("GCC unroll 16") for (int o = 0; o < 16; o++)                                                   \
          _mm512_mask_storeu_ps(stage + (16 * v + o) * lds, (__mmask16)((1u << R) - 1u), rows[o]);            \
    }                                                                                                         \
  }

#define CONV_CV_STRIDES(R) CONV_CV_TILE(R, 1) CONV_CV_TILE(R, 2) CONV_CV_TILE(R, 0)

CONV_CV_STRIDES(1)
CONV_CV_STRIDES(2)
CONV_CV_STRIDES(3)
CONV_CV_STRIDES(4)
CONV_CV_STRIDES(5)
CONV_CV_STRIDES(6)
CONV_CV_STRIDES(7)
CONV_CV_STRIDES(8)
CONV_CV_STRIDES(9)
CONV_CV_STRIDES(10)
CONV_CV_STRIDES(11)
CONV_CV_STRIDES(12)
CONV_CV_STRIDES(13)
CONV_CV_STRIDES(14)

typedef void (*conv_cv_fn)(int64_t C, int64_t T, const float *x, int64_t plane, const int32_t *toff, const float *w,
                           int64_t s, float *stage, int64_t lds);

#define CONV_CV_ROW(S)                                                                                        \
  {                                                                                                           \
    conv_cv_r1_s##S, conv_cv_r2_s##S, conv_cv_r3_s##S, conv_cv_r4_s##S, conv_cv_r5_s##S, conv_cv_r6_s##S,     \
        conv_cv_r7_s##S, conv_cv_r8_s##S, conv_cv_r9_s##S, conv_cv_r10_s##S, conv_cv_r11_s##S,                \
        conv_cv_r12_s##S, conv_cv_r13_s##S, conv_cv_r14_s##S                                                  \
  }

static const conv_cv_fn conv_cv_kernels[3][CONV_R] = {CONV_CV_ROW(0), CONV_CV_ROW(1), CONV_CV_ROW(2)};

static void conv_cv_tile(int64_t R, int64_t C, int64_t T, const float *x, int64_t plane, const int32_t *toff,
                         const float *w, int64_t s, float *stage, int64_t lds) {
  conv_cv_kernels[s == 1 ? 1 : s == 2 ? 2 : 0][R - 1](C, T, x, plane, toff, w, s, stage, lds);
}

#else /* portable C */

static void conv_cv_tile(int64_t R, int64_t C, int64_t T, const float *x, int64_t plane, const int32_t *toff,
                         const float *w, int64_t s, float *stage, int64_t lds) {
  float acc[CONV_R][CONV_OB];
  memset(acc, 0, sizeof acc);
  for (int64_t c = 0; c < C; c++, x += plane)
    for (int64_t t = 0; t < T; t++, w += CONV_OB)
      for (int64_t j = 0; j < R; j++) {
        float a = x[toff[t] + j * s];
        for (int o = 0; o < CONV_OB; o++)
          acc[j][o] += a * w[o];
      }
  for (int64_t j = 0; j < R; j++)
    for (int o = 0; o < CONV_OB; o++)
      stage[o * lds + j] = acc[j][o];
}

#endif

/* Copies planes [begin, end) of the batch item's input into the zero-padded copy. */
static void conv_pad_task(void *arg, int64_t begin, int64_t end) {
  const conv_problem *p = (const conv_problem *)arg;
  const int64_t sw = p->src_w, rows = p->src_plane / sw;
  for (int64_t c = begin; c < end; c++) {
    const float *in = p->x + (p->b * p->C + c) * p->H * p->W;
    float *out = (float *)p->src + c * p->src_plane;
    memset(out, 0, (size_t)(p->src_pt * sw) * sizeof(float));
    for (int64_t i = 0; i < p->H; i++) {
      float *row = out + (p->src_pt + i) * sw;
      memset(row, 0, (size_t)p->src_pl * sizeof(float));
      memcpy(row + p->src_pl, in + i * p->W, (size_t)p->W * sizeof(float));
      memset(row + p->src_pl + p->W, 0, (size_t)(sw - p->src_pl - p->W) * sizeof(float));
    }
    memset(out + (p->src_pt + p->H) * sw, 0, (size_t)((rows - p->src_pt - p->H) * sw) * sizeof(float));
  }
}

/* The cv tasks of batch item p->b: (group, block of output channels, rows). */
static void conv_cv_task(void *arg, int64_t begin, int64_t end) {
  conv_problem *p = (conv_problem *)arg;
  float stage[CONV_OB * CONV_SEG] __attribute__((aligned(64)));
  int32_t toff[256];
  for (int64_t kh = 0, t = 0; kh < p->KH; kh++)
    for (int64_t kw = 0; kw < p->KW; kw++, t++)
      toff[t] = (int32_t)(kh * p->dh * p->src_w + kw * p->dw);
  for (int64_t task = begin; task < end; task++) {
    int64_t g = task / (p->mtiles * p->ntiles), rest = task % (p->mtiles * p->ntiles);
    int64_t mt = rest / p->ntiles, nt = rest % p->ntiles;
    const float *xg = p->src + g * p->cg * p->src_plane;
    const float *wg = p->w + g * p->group_floats;
    int64_t ch0 = (p->b * p->O + g * p->og) * p->P; /* channel 0 of the group in y */
    int64_t o0 = mt * p->mtile, o1 = o0 + p->mtile < p->og ? o0 + p->mtile : p->og;
    int64_t r0 = nt * p->ntile, r1 = r0 + p->ntile < p->vOH ? r0 + p->ntile : p->vOH;
    for (int64_t ob = o0; ob < o1; ob += CONV_OB) {
      int64_t nch = o1 - ob < CONV_OB ? o1 - ob : CONV_OB;
      const float *wb = wg + (ob / CONV_OB) * p->K * CONV_OB;
      for (int64_t oh = r0; oh < r1; oh++) {
        const float *base = xg + oh * p->sh * p->src_w;
        int64_t len = p->P - oh * p->vOW < p->vOW ? p->P - oh * p->vOW : p->vOW; /* the flat view's last row */
        for (int64_t s0 = 0; s0 < len; s0 += CONV_SEG) {
          int64_t seg = len - s0 < CONV_SEG ? len - s0 : CONV_SEG;
          for (int64_t j = 0; j < seg; j += CONV_R) {
            int64_t R = seg - j < CONV_R ? seg - j : CONV_R;
            conv_cv_tile(R, p->cg, p->T, base + (s0 + j) * p->sw, p->src_plane, toff, wb, p->sw, stage + j,
                         CONV_SEG);
          }
          for (int64_t o = 0; o < nch; o++) {
            int64_t at = ch0 + (ob + o) * p->P + oh * p->vOW + s0;
            conv_finish_row(p, stage + o * CONV_SEG, p->y + at, p->residual ? p->residual + at : NULL,
                            p->bias ? p->bias[g * p->og + ob + o] : 0.0f, seg);
          }
        }
      }
    }
  }
}

/* ================================================================== sv: spatial-vectorized */

/* One masked load of the B packer: lanes `mask` of vector `vec` read from the
 * channel's plane at `off` + stride * lane (lane within the vector). */
typedef struct {
  int32_t off;
  uint16_t mask;
  uint8_t vec;
  uint8_t pad_;
} conv_load;

/* Builds the loads of every tap for the B panel of output positions
 * [q0, q0 + nq): start[t] .. start[t + 1] index the loads of tap t. */
static void conv_plan_panel(const conv_problem *p, int64_t q0, int64_t nq, conv_load *loads, int32_t *start) {
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
}

#if defined(CONV_AVX512)

/* Packs rows [k0, k0 + kc) of the B panel planned in `loads` (for the channels
 * of x_g, a batch item's group) into b: kc rows of NR floats. */
static void conv_pack_panel(const conv_problem *p, const float *xg, int64_t k0, int64_t kc, const conv_load *loads,
                            const int32_t *start, float *b) {
  const int64_t plane = p->plane, T = p->T, sw = p->sw;
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

/* C[0:m][0:n] (+)= a (MR rows at stride CONV_OB per k) x b (kc x NR panel); on
 * the last K block, the epilogue: + bias[r], + residual[r][j], the activation.
 * c and res point at the tile's first element; bias at its first channel. */
static inline void conv_ukernel(int64_t kc, const float *restrict a, const float *restrict b, int64_t ldb, float *c,
                                int64_t ldc, int64_t m, int64_t n, int accumulate, int last, const float *bias,
                                const float *res, int32_t act, float p0, float p1) {
  __m512 acc[CONV_MR][CONV_NV];
  __mmask16 mask[CONV_NV];
  for (int i = 0; i < CONV_NV; i++)
    mask[i] = infer_tail16(n - 16 * i);
#pragma GCC unroll 16
  for (int r = 0; r < CONV_MR; r++)
#pragma GCC unroll 4
    for (int i = 0; i < CONV_NV; i++)
      acc[r][i] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; k++) {
    __m512 bv[CONV_NV];
#pragma GCC unroll 4
    for (int i = 0; i < CONV_NV; i++)
      bv[i] = _mm512_maskz_loadu_ps(mask[i], b + k * ldb + 16 * i);
#pragma GCC unroll 16
    for (int r = 0; r < CONV_MR; r++) {
      __m512 av = _mm512_set1_ps(a[k * CONV_OB + r]);
#pragma GCC unroll 4
      for (int i = 0; i < CONV_NV; i++)
        acc[r][i] = _mm512_fmadd_ps(av, bv[i], acc[r][i]);
    }
  }
  int fused = infer_act_in_registers(act);
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
          v = infer_activate16(v, act, p0, p1);
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
  const int64_t plane = p->plane, T = p->T, sw = p->sw;
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

static void conv_ukernel(int64_t kc, const float *restrict a, const float *restrict b, int64_t ldb, float *c,
                         int64_t ldc, int64_t m, int64_t n, int accumulate, int last, const float *bias,
                         const float *res, int32_t act, float p0, float p1) {
  float acc[CONV_MR][CONV_NR];
  memset(acc, 0, sizeof acc);
  for (int64_t k = 0; k < kc; k++)
    for (int r = 0; r < CONV_MR; r++)
      for (int j = 0; j < n; j++)
        acc[r][j] += a[k * CONV_OB + r] * b[k * ldb + j];
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

static size_t conv_sv_scratch_bytes(const conv_problem *p) {
  size_t panel = (size_t)CONV_KC * CONV_NR * sizeof(float);
  size_t loads = (size_t)p->T * (CONV_NR + CONV_NV + 2) * sizeof(conv_load);
  size_t start = (size_t)(p->T + 1) * sizeof(int32_t);
  return panel + (loads + start + 63) / 64 * 64;
}

static void conv_sv_task(void *arg, int64_t begin, int64_t end) {
  conv_problem *p = (conv_problem *)arg;
  char *scratch = (char *)infer_scratch(INFER_SCRATCH_KERNEL, conv_sv_scratch_bytes(p));
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
    for (int64_t q = q0; q < q1; q += CONV_NR) {
      int64_t nq = q1 - q < CONV_NR ? q1 - q : CONV_NR;
      if (!p->direct)
        conv_plan_panel(p, q, nq, loads, start);
      for (int64_t k0 = 0; k0 < p->K; k0 += CONV_KC) {
        int64_t kc = p->K - k0 < CONV_KC ? p->K - k0 : CONV_KC;
        /* the B panel: packed, or (1x1, stride 1, no padding) the input's rows themselves */
        const float *bp = bpanel;
        int64_t ldb = CONV_NR;
        if (p->direct) {
          bp = xg + k0 * p->plane + q;
          ldb = p->plane;
        } else {
          conv_pack_panel(p, xg, k0, kc, loads, start, bpanel);
        }
        int last = k0 + kc >= p->K;
        for (int64_t o = o0; o < o1; o += CONV_MR) {
          int64_t m = o1 - o < CONV_MR ? o1 - o : CONV_MR;
          int64_t at = ybase + o * p->P + q;
          const float *a = wg + (o / CONV_OB) * p->K * CONV_OB + k0 * CONV_OB + o % CONV_OB;
          conv_ukernel(kc, a, bp, ldb, p->y + at, p->P, m, nq, k0 > 0, last,
                       p->bias ? p->bias + g * p->og + o : NULL, p->residual ? p->residual + at : NULL, p->act,
                       p->p0, p->p1);
        }
      }
    }
  }
}

/* ================================================================== the entry point */

static int64_t conv_out_dim(int64_t size, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe) {
  int64_t span = size + pb + pe - d * (k - 1) - 1;
  return span < 0 ? -1 : span / s + 1;
}

/* Whether the channel-vectorized kernel suits the shape: the fraction of its
 * vector lanes that hold output channels, and of its time in multiply-adds
 * rather than transposing stores, against the fraction of the sv kernel's
 * lanes that hold output positions, times 0.9 when it reads the input in place
 * (1x1, stride 1, no padding) and 0.5 when it packs it. Measured: cv wins from
 * K = 27 up with 3x3 and larger windows; sv wins 1x1s with K <= 64, 16 output
 * channels, or ShuffleNet's grouped 1x1s (34 and 68 channels per group). */
static int conv_use_cv(const conv_problem *p) {
  if (p->T > 256)
    return 0;
#if defined(INFER_CONV_PATH) /* tests: 1 forces cv, 2 sv */
  return INFER_CONV_PATH == 1;
#endif
  double cv = (double)p->og / (double)(conv_blocks(p->og) * CONV_OB) * ((double)p->K / (double)(p->K + 8));
  double sv = (p->direct ? 0.9 : 0.5) * (double)p->P / (double)((p->P + CONV_NR - 1) / CONV_NR * CONV_NR);
  return cv >= sv;
}

int infer_conv2d_f32(struct infer_model *ctx, const float *x, int64_t batch, int64_t channels, int64_t height,
                     int64_t width, const void *packed_weight, const float *bias, const float *residual, float *y,
                     int64_t stride_h, int64_t stride_w, int64_t dilation_h, int64_t dilation_w, int64_t pad_top,
                     int64_t pad_left, int64_t pad_bottom, int64_t pad_right, int32_t act, float p0, float p1) {
  const conv_pack_header *h = (const conv_pack_header *)packed_weight;
  if (!h || h->magic != CONV_MAGIC || h->ob != CONV_OB)
    return INFER_ERR_ARGUMENT;
  if (h->in_per_group * h->groups != channels || batch < 0 || height < 0 || width < 0 || stride_h < 1 ||
      stride_w < 1 || dilation_h < 1 || dilation_w < 1 || pad_top < 0 || pad_left < 0 || pad_bottom < 0 ||
      pad_right < 0)
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
  if (p.OH < 0 || p.OW < 0)
    return INFER_ERR_SHAPE;
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
  int flat = p.T == 1 && stride_h == 1 && stride_w == 1 && !pad_top && !pad_left && !pad_bottom && !pad_right;
  p.plane = height * width;
  p.vW = flat ? CONV_SEG : width;
  p.vH = flat ? (p.P + CONV_SEG - 1) / CONV_SEG : height;
  p.vOW = flat ? CONV_SEG : p.OW;
  p.vOH = flat ? p.vH : p.OH;
  p.direct = flat;
  p.cv = conv_use_cv(&p);
  p.status = INFER_OK;
  /* Tasks: a function of the shape only. */
  const int64_t want = 16; /* tasks to aim at, for load balance on a few threads */
  if (p.cv) {
    /* Per batch item: blocks of 32 channels x output rows. Small weights: a task
     * is every block of one row; large weights: one block for every row (its
     * weights read once, then from cache). */
    int64_t blocks = conv_blocks(p.og);
    int64_t split_blocks = (int64_t)p.K * CONV_OB * (int64_t)sizeof(float) * blocks > ((int64_t)256 << 10);
    int64_t bt = split_blocks ? 1 : blocks; /* blocks per task */
    int64_t rt = split_blocks ? p.vOH : 1;  /* rows per task */
    while (p.groups * ((blocks + bt - 1) / bt) * ((p.vOH + rt - 1) / rt) < want && (bt > 1 || rt > 1)) {
      if (rt > 1)
        rt = (rt + 1) / 2;
      else
        bt = (bt + 1) / 2;
    }
    p.mtile = bt * CONV_OB;
    p.mtiles = (blocks + bt - 1) / bt;
    p.ntile = rt;
    p.ntiles = (p.vOH + rt - 1) / rt;
  } else {
    int64_t panels_n = (p.P + CONV_NR - 1) / CONV_NR;
    int64_t per_tile = 4; /* B panels per task */
    p.ntile = per_tile * CONV_NR;
    p.ntiles = (panels_n + per_tile - 1) / per_tile;
    int64_t units = batch * p.groups * p.ntiles;
    int64_t mpanels = (p.og + CONV_MR - 1) / CONV_MR, msplit = 1;
    while (units * msplit < want / 2 && mpanels / (msplit * 2) >= 4)
      msplit *= 2;
    p.mtile = (mpanels + msplit - 1) / msplit * CONV_MR;
    p.mtiles = (p.og + p.mtile - 1) / p.mtile;
  }
  if (!p.cv) {
    infer_parallel_for_grain(ctx, batch * p.groups * p.mtiles * p.ntiles, 1, conv_sv_task, &p);
    return p.status;
  }
  /* cv: batch item by batch item, from the input or its zero-padded copy (in the
   * calling thread's scratch: the tasks use none). */
  int padded = pad_top || pad_left || pad_bottom || pad_right;
  float *copy = NULL;
  if (padded) {
    p.src_w = pad_left + width + pad_right;
    p.src_plane = (pad_top + height + pad_bottom) * p.src_w;
    p.src_pt = pad_top;
    p.src_pl = pad_left;
    copy = (float *)infer_scratch(INFER_SCRATCH_KERNEL, (size_t)(channels * p.src_plane) * sizeof(float));
    if (!copy)
      return INFER_ERR_MEMORY;
  } else {
    p.src_w = p.vW;
    p.src_plane = p.plane;
  }
  for (int64_t b = 0; b < batch; b++) {
    p.b = b;
    if (padded) {
      p.src = copy;
      infer_parallel_for(ctx, channels, conv_pad_task, &p);
    } else {
      p.src = x + b * channels * p.plane;
    }
    infer_parallel_for_grain(ctx, p.groups * p.mtiles * p.ntiles, 1, conv_cv_task, &p);
  }
  return p.status;
}
