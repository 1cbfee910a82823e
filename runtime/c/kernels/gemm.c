/* gemm.c: packed, cache-blocked GEMM (BLIS-style) with fused epilogues, on the model's threads.
 *
 *   for each task (a batch item and a block of rows x columns of C):
 *     for jc in columns, by nc            B block: L3 (or prepacked)
 *       for pc in K, by kc                pack B[pc:, jc:] into nr-column panels (unless prepacked)
 *         for ic in rows, by mc           pack A[ic:, pc:] into mr-row panels (L2)
 *           for jr in the block, by nr    the B panel stays in L1
 *             for ir, by mr               micro-kernel: an mr x nr tile of C in registers;
 *                                         after the last K block, the epilogue on the tile (still in L1)
 *
 * The micro-kernel (gemm_avx512.c, gemm_avx2.c, or the portable one below) is
 * chosen once by CPU; a prepacked operand records the micro-kernel it was made
 * for. Work is split into tasks over batch items and blocks of C (rows when A
 * is cheap to share, columns otherwise), handed to the pool dynamically.
 */
#include <stdlib.h>
#include <string.h>

#include "gemm_internal.h"

/* ------------------------------------------------------------------ portable micro-kernel */

#define GENERIC_MR 4
#define GENERIC_NR 16

/* GCC's generic vectors (any target: wide registers where there are, else split). */
typedef float generic_row __attribute__((vector_size(GENERIC_NR * sizeof(float))));

static void generic_kernel(int64_t kc, const float *restrict a, const float *restrict b, float *restrict c,
                           int64_t ldc, int64_t m, int64_t n, int accumulate) {
  generic_row acc[GENERIC_MR];
  memset(acc, 0, sizeof acc);
  for (int64_t k = 0; k < kc; k++) {
    generic_row x;
    memcpy(&x, b, sizeof x);
    for (int i = 0; i < GENERIC_MR; i++)
      acc[i] += a[i] * x;
    a += GENERIC_MR;
    b += GENERIC_NR;
  }
  for (int64_t i = 0; i < m; i++) {
    float row[GENERIC_NR];
    memcpy(row, &acc[i], sizeof row);
    for (int64_t j = 0; j < n; j++)
      c[i * ldc + j] = accumulate ? c[i * ldc + j] + row[j] : row[j];
  }
}

const infer_gemm_arch infer_gemm_arch_generic = {
    .name = "generic 4x16",
    .isa = INFER_ISA_GENERIC,
    .mr = GENERIC_MR,
    .nr = GENERIC_NR,
    .kc = 256,
    .mc = GENERIC_MR * 32,
    .nc = GENERIC_NR * 256,
    .kernel = generic_kernel,
};

/* ------------------------------------------------------------------ choosing */

static int cpu_runs(int32_t isa) {
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (isa == INFER_ISA_AVX512)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
  if (isa == INFER_ISA_AVX2)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return isa == INFER_ISA_GENERIC;
}

const infer_gemm_arch *infer_gemm_arch_get(int32_t isa) {
  if (isa == INFER_ISA_AUTO) {
#ifdef INFER_KERNELS_ISA
    isa = INFER_KERNELS_ISA;
#else
    isa = cpu_runs(INFER_ISA_AVX512) ? INFER_ISA_AVX512 : cpu_runs(INFER_ISA_AVX2) ? INFER_ISA_AVX2 : INFER_ISA_GENERIC;
#endif
  }
  if (!cpu_runs(isa))
    return NULL;
  switch (isa) {
  case INFER_ISA_AVX512: return &infer_gemm_arch_avx512;
  case INFER_ISA_AVX2: return &infer_gemm_arch_avx2;
  case INFER_ISA_GENERIC: return &infer_gemm_arch_generic;
  default: return NULL;
  }
}

static const infer_gemm_arch *default_arch(void) {
  static const infer_gemm_arch *chosen;
  const infer_gemm_arch *arch = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
  if (!arch) {
    arch = infer_gemm_arch_get(INFER_ISA_AUTO);
    if (!arch) /* built to prefer an instruction set this CPU lacks */
      arch = &infer_gemm_arch_generic;
    __atomic_store_n(&chosen, arch, __ATOMIC_RELEASE);
  }
  return arch;
}

/* ------------------------------------------------------------------ packing */

static int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

void infer_gemm_pack_panels(const float *x, int64_t ldx, int32_t trans, int64_t r0, int64_t rows, int64_t k0,
                            int64_t kc, int32_t width, float *dst) {
  for (int64_t p = 0; p * width < rows; p++) {
    const int64_t base = r0 + p * width;
    const int64_t w = min64(width, rows - p * width);
    float *restrict d = dst + p * width * kc;
    if (trans) { /* X[r][k] = x[k * ldx + r]: rows of the panel are contiguous */
      for (int64_t k = 0; k < kc; k++) {
        const float *restrict s = x + (k0 + k) * ldx + base;
        float *restrict o = d + k * width;
        for (int64_t r = 0; r < w; r++)
          o[r] = s[r];
        for (int64_t r = w; r < width; r++)
          o[r] = 0.0f;
      }
    } else { /* X[r][k] = x[r * ldx + k]: a transpose, by blocks of 8 k */
      int64_t k = 0;
      for (; k + 8 <= kc; k += 8) {
        for (int64_t r = 0; r < w; r++) {
          const float *restrict s = x + (base + r) * ldx + k0 + k;
          for (int q = 0; q < 8; q++)
            d[(k + q) * width + r] = s[q];
        }
        for (int64_t r = w; r < width; r++)
          for (int q = 0; q < 8; q++)
            d[(k + q) * width + r] = 0.0f;
      }
      for (; k < kc; k++) {
        for (int64_t r = 0; r < w; r++)
          d[k * width + r] = x[(base + r) * ldx + k0 + k];
        for (int64_t r = w; r < width; r++)
          d[k * width + r] = 0.0f;
      }
    }
  }
}

int64_t infer_gemm_block_k(const infer_gemm_arch *arch, int64_t K) {
  const int64_t blocks = (K + arch->kc - 1) / arch->kc;
  if (blocks <= 1)
    return arch->kc;
  return round_up((K + blocks - 1) / blocks, 8); /* <= kc, since kc is a multiple of 8 */
}

static int32_t side_width(const infer_gemm_arch *arch, int32_t side) { return side == INFER_GEMM_A ? arch->mr : arch->nr; }

int64_t infer_gemm_pack_size(const infer_gemm_arch *arch, int32_t side, int64_t rows, int64_t K) {
  return INFER_PACK_HEADER + (int64_t)sizeof(float) * round_up(rows < 1 ? 1 : rows, side_width(arch, side)) * K;
}

void infer_gemm_pack(const infer_gemm_arch *arch, int32_t side, const float *x, int64_t ldx, int32_t trans,
                     int64_t rows, int64_t K, void *packed) {
  infer_pack_header h;
  memset(&h, 0, sizeof h);
  h.magic = INFER_PACK_MAGIC;
  h.isa = arch->isa;
  h.side = side;
  h.width = side_width(arch, side);
  h.kc = (int32_t)infer_gemm_block_k(arch, K);
  h.rows = rows;
  h.K = K;
  memcpy(packed, &h, sizeof h);
  float *data = (float *)((char *)packed + INFER_PACK_HEADER);
  const int64_t padded = round_up(rows, h.width);
  /* B is packed as X = B^T: X[n][k] = x[k * ldx + n] is the "transposed" reading. */
  const int32_t x_trans = side == INFER_GEMM_B ? !trans : trans;
  for (int64_t pc = 0; pc < K; pc += h.kc) {
    const int64_t kc = min64(h.kc, K - pc);
    infer_gemm_pack_panels(x, ldx, x_trans, 0, rows, pc, kc, h.width, data + pc * padded);
  }
}

int64_t infer_pack_gemm_b_size(int64_t K, int64_t N) { return infer_gemm_pack_size(default_arch(), INFER_GEMM_B, N, K); }

void infer_pack_gemm_b(const float *B, int64_t ldb, int32_t trans_b, int64_t K, int64_t N, void *packed) {
  infer_gemm_pack(default_arch(), INFER_GEMM_B, B, ldb, trans_b, N, K, packed);
}

static const infer_pack_header *pack_header(const void *packed) { return (const infer_pack_header *)packed; }
static const float *pack_data(const void *packed) { return (const float *)((const char *)packed + INFER_PACK_HEADER); }

/* ------------------------------------------------------------------ the driver */

/* Below this many flops a GEMM runs on one thread: waking the other costs more. */
#define PARALLEL_MIN_FLOPS 2000000.0

typedef struct {
  const infer_gemm_problem *p;
  const infer_gemm_arch *arch;
  int64_t tm, tn;       /* tasks per batch item along M and N */
  int64_t mstep, nstep; /* rows and columns per task (multiples of mr, nr) */
  int status;
} gemm_job;

/* Panels of operand `o` for rows [r0, r0 + rows), K block [k0, k0 + kc), into dst (or in place when prepacked). */
static const float *operand_panels(const infer_gemm_operand *o, int32_t side, int64_t b, int64_t total_rows, int64_t r0,
                                   int64_t rows, int64_t k0, int64_t kc, int32_t width, float *dst) {
  switch (o->kind) {
  case INFER_OPERAND_PACKED:
    return pack_data(o->packed) + k0 * round_up(total_rows, width) + r0 * kc;
  case INFER_OPERAND_CALLBACK:
    o->pack(o->arg, b, r0, rows, k0, kc, width, dst);
    return dst;
  default: {
    const int32_t x_trans = side == INFER_GEMM_B ? !o->trans : o->trans;
    infer_gemm_pack_panels(o->data + b * o->stride, o->ld, x_trans, r0, rows, k0, kc, width, dst);
    return dst;
  }
  }
}

static int has_epilogue(const infer_epilogue *ep) {
  return ep->act != INFER_ACT_NONE || ep->bias != NULL || ep->residual != NULL;
}

static void gemm_block(gemm_job *job, int64_t b, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  const infer_gemm_problem *p = job->p;
  const infer_gemm_arch *arch = job->arch;
  const int64_t MR = arch->mr, NR = arch->nr, K = p->K;
  float *c = p->c + b * p->stride_c;
  infer_epilogue ep = p->ep;
  if (ep.residual)
    ep.residual += b * p->stride_c;
  const int epilogue = has_epilogue(&ep);
  if (K == 0) {
    for (int64_t i = m0; i < m1; i++)
      memset(c + i * p->ldc + n0, 0, (size_t)(n1 - n0) * sizeof(float));
    if (epilogue)
      infer_epilogue_apply(&ep, c + m0 * p->ldc + n0, p->ldc, m0, n0, m1 - m0, n1 - n0);
    return;
  }
  const int64_t KC = infer_gemm_block_k(arch, K); /* K blocks of about equal depth, none short */
  const int64_t MC = min64(arch->mc, round_up(m1 - m0, MR));
  const int64_t NC = min64(arch->nc, round_up(n1 - n0, NR));
  /* A plain row-major A is read in place by the micro-kernel when it has a way to (no packing),
   * unless its rows are a multiple of 4 KB apart: the mr rows a tile reads would then all fall in
   * one set of the L1 cache and evict each other (packing makes them contiguous). */
  const int direct_a = p->a.kind == INFER_OPERAND_PLAIN && !p->a.trans && arch->kernel_direct_a != NULL &&
                       (p->a.ld * (int64_t)sizeof(float)) % 4096 != 0;
  const int pack_a = p->a.kind != INFER_OPERAND_PACKED && !direct_a;
  float *abuf = NULL, *bbuf = NULL;
  if (pack_a)
    abuf = infer_scratch(INFER_SCRATCH_GEMM_A, (size_t)(MC * min64(KC, K)) * sizeof(float));
  if (p->b.kind != INFER_OPERAND_PACKED)
    bbuf = infer_scratch(INFER_SCRATCH_GEMM_B, (size_t)(NC * min64(KC, K)) * sizeof(float));
  if ((pack_a && !abuf) || (p->b.kind != INFER_OPERAND_PACKED && !bbuf)) {
    __atomic_store_n(&job->status, INFER_ERR_MEMORY, __ATOMIC_RELAXED);
    return;
  }
  for (int64_t jc = n0; jc < n1; jc += NC) {
    const int64_t nc = min64(NC, n1 - jc);
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = min64(KC, K - pc);
      const int last = pc + kc >= K;
      const float *bp = operand_panels(&p->b, INFER_GEMM_B, b, p->N, jc, nc, pc, kc, (int32_t)NR, bbuf);
      for (int64_t ic = m0; ic < m1; ic += MC) {
        const int64_t mc = min64(MC, m1 - ic);
        const int64_t lda = p->a.ld;
        const float *ap = direct_a ? p->a.data + b * p->a.stride + ic * lda + pc
                                   : operand_panels(&p->a, INFER_GEMM_A, b, p->M, ic, mc, pc, kc, (int32_t)MR, abuf);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int64_t nr = min64(NR, nc - jr);
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int64_t mr = min64(MR, mc - ir);
            float *ct = c + (ic + ir) * p->ldc + jc + jr;
            if (direct_a)
              arch->kernel_direct_a(kc, ap + ir * lda, lda, bp + jr * kc, ct, p->ldc, mr, nr, pc > 0);
            else
              arch->kernel(kc, ap + ir * kc, bp + jr * kc, ct, p->ldc, mr, nr, pc > 0);
            if (last && epilogue)
              infer_epilogue_apply(&ep, ct, p->ldc, ic + ir, jc + jr, mr, nr);
          }
        }
      }
    }
  }
}

static void gemm_task(void *arg, int64_t begin, int64_t end) {
  gemm_job *job = arg;
  const infer_gemm_problem *p = job->p;
  const int64_t per_item = job->tm * job->tn;
  for (int64_t t = begin; t < end; t++) {
    const int64_t b = t / per_item, r = t % per_item;
    const int64_t m0 = (r / job->tn) * job->mstep, n0 = (r % job->tn) * job->nstep;
    const int64_t m1 = min64(p->M, m0 + job->mstep), n1 = min64(p->N, n0 + job->nstep);
    if (m0 < m1 && n0 < n1)
      gemm_block(job, b, m0, m1, n0, n1);
  }
}

static int check_packed(const infer_gemm_operand *o, const infer_gemm_arch *arch, int32_t side, int64_t rows,
                        int64_t K) {
  if (o->kind != INFER_OPERAND_PACKED)
    return 1;
  const infer_pack_header *h = pack_header(o->packed);
  return h->magic == INFER_PACK_MAGIC && h->isa == arch->isa && h->side == side && h->width == side_width(arch, side) &&
         h->kc == infer_gemm_block_k(arch, K) && h->rows == rows && h->K == K;
}

/* Tasks: about four per thread when the work allows (dynamic balance on a
 * shared machine), by batch items first, then by blocks of C along the
 * dimension whose split costs least (re-packing A for each column block, or
 * B for each row block, unless they are prepacked). */
static void plan_tasks(gemm_job *job, int threads) {
  const infer_gemm_problem *p = job->p;
  const int64_t MR = job->arch->mr, NR = job->arch->nr;
  const int64_t mt = (p->M + MR - 1) / MR, nt = (p->N + NR - 1) / NR;
  job->tm = job->tn = 1;
  const double flops = 2.0 * (double)p->batch * (double)p->M * (double)p->N * (double)p->K;
  if (threads > 1 && flops >= PARALLEL_MIN_FLOPS && p->batch < 4 * threads) {
    int64_t want = (4 * threads + p->batch - 1) / p->batch;
    /* Each task should keep at least ~1 MFLOP. */
    int64_t most = (int64_t)(flops / p->batch / 1e6);
    if (want > most)
      want = most < threads ? threads : most;
    /* Splitting N re-packs A per block (free if A is prepacked); splitting M re-packs B. */
    const int a_shared = p->a.kind == INFER_OPERAND_PACKED, b_shared = p->b.kind == INFER_OPERAND_PACKED;
    int by_rows = mt >= nt;
    if (b_shared && !a_shared)
      by_rows = mt >= 2 * threads || mt >= nt;
    else if (a_shared && !b_shared)
      by_rows = !(nt >= 2 * threads || nt >= mt);
    if (by_rows) {
      job->tm = want < mt ? want : mt;
      if (job->tm < threads && nt > 1)
        job->tn = min64((threads + job->tm - 1) / job->tm, nt);
    } else {
      job->tn = want < nt ? want : nt;
      if (job->tn < threads && mt > 1)
        job->tm = min64((threads + job->tn - 1) / job->tn, mt);
    }
  }
  job->mstep = round_up((p->M + job->tm - 1) / job->tm, MR);
  job->nstep = round_up((p->N + job->tn - 1) / job->tn, NR);
  job->tm = job->mstep ? (p->M + job->mstep - 1) / job->mstep : 1;
  job->tn = job->nstep ? (p->N + job->nstep - 1) / job->nstep : 1;
  if (job->tm < 1)
    job->tm = 1;
  if (job->tn < 1)
    job->tn = 1;
}

/* ------------------------------------------------------------------ GEMV (M = 1, plain B) */

/* With one row of A and a plain B, each element of B is used once: packing B
 * would cost as much as the product. B is read where it is instead, by column
 * blocks (tasks): as rows of B (y += a[k] B[k][j0:j1]) or, for a transposed B,
 * as dot products of a with B's rows (16 partial sums each, vectorized). */
typedef struct {
  const infer_gemm_problem *p;
  int64_t columns; /* per task: a multiple of 16 */
  int64_t blocks;  /* tasks per batch item */
} gemv_job;

static void gemv_task(void *arg, int64_t begin, int64_t end) {
  const gemv_job *job = arg;
  const infer_gemm_problem *p = job->p;
  const int64_t K = p->K;
  for (int64_t t = begin; t < end; t++) {
    const int64_t b = t / job->blocks, j0 = (t % job->blocks) * job->columns;
    const int64_t nj = min64(job->columns, p->N - j0);
    if (nj <= 0)
      continue;
    const float *a = p->a.data + b * p->a.stride;
    int64_t a_step = p->a.trans ? p->a.ld : 1; /* a[k] of the one row */
    if (a_step != 1 && p->b.trans) { /* dot products want a contiguous */
      float *copy = infer_scratch(INFER_SCRATCH_GEMM_A, (size_t)(K > 0 ? K : 1) * sizeof(float));
      if (copy) {
        for (int64_t k = 0; k < K; k++)
          copy[k] = a[k * a_step];
        a = copy;
        a_step = 1;
      }
    }
    const float *bm = p->b.data + b * p->b.stride;
    float *restrict y = p->c + b * p->stride_c + j0;
    if (!p->b.trans) { /* y += a[k] B[k][j0:], four rows of B at a time */
      const int64_t ldb = p->b.ld;
      for (int64_t j = 0; j < nj; j++)
        y[j] = 0.0f;
      int64_t k = 0;
      for (; k + 4 <= K; k += 4) {
        const float x0 = a[k * a_step], x1 = a[(k + 1) * a_step], x2 = a[(k + 2) * a_step], x3 = a[(k + 3) * a_step];
        const float *restrict r0 = bm + k * ldb + j0;
        const float *restrict r1 = r0 + ldb, *restrict r2 = r1 + ldb, *restrict r3 = r2 + ldb;
        for (int64_t j = 0; j < nj; j++)
          y[j] += ((x0 * r0[j] + x1 * r1[j]) + (x2 * r2[j] + x3 * r3[j]));
      }
      for (; k < K; k++) {
        const float x = a[k * a_step];
        const float *restrict row = bm + k * ldb + j0;
        for (int64_t j = 0; j < nj; j++)
          y[j] += x * row[j];
      }
    } else { /* y[j] = a . B^T[j]: four rows of B^T at a time, 16 partial sums each */
      const int64_t ldb = p->b.ld;
      int64_t j = 0;
      for (; a_step == 1 && j + 4 <= nj; j += 4) {
        const float *restrict r0 = bm + (j0 + j) * ldb;
        const float *restrict r1 = r0 + ldb, *restrict r2 = r1 + ldb, *restrict r3 = r2 + ldb;
        float p0[16] = {0}, p1[16] = {0}, p2[16] = {0}, p3[16] = {0};
        int64_t k = 0;
        for (; k + 16 <= K; k += 16)
          for (int l = 0; l < 16; l++) {
            const float x = a[k + l];
            p0[l] += x * r0[k + l];
            p1[l] += x * r1[k + l];
            p2[l] += x * r2[k + l];
            p3[l] += x * r3[k + l];
          }
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
        for (; k < K; k++) {
          s0 += a[k] * r0[k];
          s1 += a[k] * r1[k];
          s2 += a[k] * r2[k];
          s3 += a[k] * r3[k];
        }
        for (int l = 0; l < 16; l++) {
          s0 += p0[l];
          s1 += p1[l];
          s2 += p2[l];
          s3 += p3[l];
        }
        y[j] = s0;
        y[j + 1] = s1;
        y[j + 2] = s2;
        y[j + 3] = s3;
      }
      for (; j < nj; j++) {
        const float *restrict row = bm + (j0 + j) * ldb;
        float sum = 0.0f;
        for (int64_t k = 0; k < K; k++)
          sum += a[k * a_step] * row[k];
        y[j] = sum;
      }
    }
    if (has_epilogue(&p->ep)) {
      infer_epilogue ep = p->ep;
      if (ep.residual)
        ep.residual += b * p->stride_c;
      infer_epilogue_apply(&ep, y, p->ldc, 0, j0, 1, nj);
    }
  }
}

static void run_gemv(infer_model *ctx, const infer_gemm_problem *p) {
  const double flops = 2.0 * (double)p->batch * (double)p->N * (double)p->K;
  const int threads = flops >= PARALLEL_MIN_FLOPS ? infer_threads(ctx) : 1;
  /* Rows of B are read contiguously over a task's columns: as few tasks as
   * there are threads for a row-major B (each streams its part of every row), a
   * few per thread for dot products (each row of B^T is contiguous anyway). */
  const int64_t per_item = p->b.trans ? 4 * threads : (threads + p->batch - 1) / p->batch;
  gemv_job job;
  job.p = p;
  job.columns = round_up((p->N + per_item - 1) / per_item, 16);
  if (p->b.trans && job.columns > 256)
    job.columns = 256;
  job.blocks = (p->N + job.columns - 1) / job.columns;
  const int64_t tasks = p->batch * job.blocks;
  /* One chunk of everything runs inline (on the pool's scratch of the calling thread). */
  infer_parallel_for_grain(ctx, tasks, threads > 1 ? 1 : tasks, gemv_task, &job);
}

/* Defined by the runtime (infer_rt.c): sets the model's status and message. */
INFER_KERNEL_API int infer_rt_fail(infer_model *m, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(infer_model *ctx, int status, const char *message) {
  if (ctx)
    infer_rt_fail(ctx, status, "gemm: %s", message);
  return status;
}

int infer_gemm_run(infer_model *ctx, const infer_gemm_problem *p) {
  if (p->batch <= 0 || p->M <= 0 || p->N <= 0)
    return INFER_OK;
  gemm_job job;
  job.p = p;
  job.arch = p->arch ? p->arch : default_arch();
  job.status = INFER_OK;
  if (!check_packed(&p->a, job.arch, INFER_GEMM_A, p->M, p->K) ||
      !check_packed(&p->b, job.arch, INFER_GEMM_B, p->N, p->K))
    return fail(ctx, INFER_ERR_ARGUMENT, "a prepacked operand of another shape or micro-kernel");
  if (p->M == 1 && p->a.kind == INFER_OPERAND_PLAIN && p->b.kind == INFER_OPERAND_PLAIN) {
    run_gemv(ctx, p);
    return INFER_OK;
  }
  if (p->N == 1 && p->M > 1 && p->a.kind == INFER_OPERAND_PLAIN && p->b.kind != INFER_OPERAND_CALLBACK &&
      p->ldc == 1 && (!p->ep.residual || p->ep.ldr == 1)) {
    /* C (M x 1) is C^T (1 x M) = B^T A^T, a GEMV: B^T is the row, A^T the matrix. */
    infer_gemm_problem q = *p;
    q.M = 1;
    q.N = p->M;
    q.a = p->b;
    q.a.trans = !p->b.trans;
    if (p->b.kind == INFER_OPERAND_PACKED) { /* the one column of a packed B: every nr-th float */
      q.a.kind = INFER_OPERAND_PLAIN;
      q.a.data = pack_data(p->b.packed);
      q.a.ld = job.arch->nr;
      q.a.trans = 1;
      q.a.stride = 0;
    }
    q.b = p->a;
    q.b.trans = !p->a.trans;
    q.ldc = p->M;
    q.ep.ldr = p->M;
    q.ep.bias_axis = p->ep.bias_axis == INFER_BIAS_ROW ? INFER_BIAS_COLUMN : INFER_BIAS_ROW;
    run_gemv(ctx, &q);
    return INFER_OK;
  }
  plan_tasks(&job, infer_threads(ctx));
  const int64_t tasks = p->batch * job.tm * job.tn;
  const double flops = 2.0 * (double)p->batch * (double)p->M * (double)p->N * (double)p->K;
  infer_parallel_for_grain(ctx, tasks, flops >= PARALLEL_MIN_FLOPS ? 1 : tasks, gemm_task, &job);
  if (job.status != INFER_OK)
    return fail(ctx, job.status, "out of memory for packing buffers");
  return INFER_OK;
}

/* ------------------------------------------------------------------ entry points */

static infer_epilogue column_epilogue(const float *bias, const float *residual, int64_t ldc, int32_t act, float p0,
                                      float p1) {
  infer_epilogue ep = {act, p0, p1, bias, INFER_BIAS_COLUMN, residual, ldc};
  return ep;
}

/* A problem with a plain (row-major, optionally transposed) A, its C and column
   epilogue; the caller fills in B. */
static infer_gemm_problem plain_a_problem(int64_t batch, int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                                          int64_t stride_a, int32_t trans_a, float *C, int64_t ldc, int64_t stride_c,
                                          const float *bias, const float *residual, int32_t act, float p0, float p1) {
  infer_gemm_problem p;
  memset(&p, 0, sizeof p);
  p.batch = batch;
  p.M = M;
  p.N = N;
  p.K = K;
  p.a.kind = INFER_OPERAND_PLAIN;
  p.a.data = A;
  p.a.ld = lda;
  p.a.trans = trans_a;
  p.a.stride = stride_a;
  p.c = C;
  p.ldc = ldc;
  p.stride_c = stride_c;
  p.ep = column_epilogue(bias, residual, ldc, act, p0, p1);
  return p;
}

int infer_gemm_f32(struct infer_model *ctx, int64_t batch, int64_t M, int64_t N, int64_t K, const float *A,
                   int64_t lda, int64_t stride_a, int32_t trans_a, const float *B, int64_t ldb, int64_t stride_b,
                   int32_t trans_b, float *C, int64_t ldc, int64_t stride_c, const float *bias, const float *residual,
                   int32_t act, float p0, float p1) {
  infer_gemm_problem p =
      plain_a_problem(batch, M, N, K, A, lda, stride_a, trans_a, C, ldc, stride_c, bias, residual, act, p0, p1);
  p.b.kind = INFER_OPERAND_PLAIN;
  p.b.data = B;
  p.b.ld = ldb;
  p.b.trans = trans_b;
  p.b.stride = stride_b;
  return infer_gemm_run(ctx, &p);
}

int infer_gemm_packed_f32(struct infer_model *ctx, int64_t batch, int64_t M, int64_t N, int64_t K, const float *A,
                          int64_t lda, int64_t stride_a, int32_t trans_a, const void *packed_b, float *C, int64_t ldc,
                          int64_t stride_c, const float *bias, const float *residual, int32_t act, float p0, float p1) {
  infer_gemm_problem p =
      plain_a_problem(batch, M, N, K, A, lda, stride_a, trans_a, C, ldc, stride_c, bias, residual, act, p0, p1);
  p.b.kind = INFER_OPERAND_PACKED;
  p.b.packed = packed_b;
  /* The micro-kernel the weights were packed for (the same as default_arch() unless forced). */
  const infer_pack_header *h = pack_header(packed_b);
  p.arch = h->magic == INFER_PACK_MAGIC ? infer_gemm_arch_get(h->isa) : NULL;
  if (!p.arch)
    return fail(ctx, INFER_ERR_ARGUMENT, "B was not packed by infer_pack_gemm_b on this CPU");
  return infer_gemm_run(ctx, &p);
}
