/* gemm_harness.c: the GEMM kernels, the epilogue and the thread pool, callable from ctypes.
 *
 * Linked with the kernel library as build.py builds it (same flags). Stands in
 * for the runtime: a context that holds only a pool (infer_rt_pool) and a
 * message (infer_rt_fail). Every function here is exported; the library's are
 * hidden, as in a model.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "infer_kernels.h"

#define EXPORT __attribute__((visibility("default")))

struct infer_model {
  infer_pool *pool;
  int status;
  char message[256];
};

infer_pool *infer_rt_pool(infer_model *ctx) { return ctx->pool; }

int infer_rt_fail(infer_model *m, int status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(m->message, sizeof m->message, format, args);
  va_end(args);
  m->status = status;
  return status;
}

EXPORT infer_model *h_ctx_create(int threads) {
  infer_model *m = calloc(1, sizeof *m);
  if (!m)
    return NULL;
  m->pool = infer_pool_create(threads);
  if (!m->pool) {
    free(m);
    return NULL;
  }
  return m;
}

EXPORT void h_ctx_destroy(infer_model *m) {
  if (!m)
    return;
  infer_pool_destroy(m->pool);
  free(m);
}

EXPORT const char *h_ctx_message(infer_model *m) { return m->message; }

/* ------------------------------------------------------------------ arch */

EXPORT int h_arch(int isa, int32_t *out) {
  const infer_gemm_arch *a = infer_gemm_arch_get(isa);
  if (!a)
    return 0;
  out[0] = a->isa;
  out[1] = a->mr;
  out[2] = a->nr;
  out[3] = a->kc;
  out[4] = a->mc;
  out[5] = a->nc;
  return 1;
}

EXPORT const char *h_arch_name(int isa) {
  const infer_gemm_arch *a = infer_gemm_arch_get(isa);
  return a ? a->name : NULL;
}

/* ------------------------------------------------------------------ entry points */

EXPORT int h_gemm_f32(infer_model *ctx, int64_t batch, int64_t M, int64_t N, int64_t K, const float *A, int64_t lda,
                      int64_t stride_a, int32_t trans_a, const float *B, int64_t ldb, int64_t stride_b, int32_t trans_b,
                      float *C, int64_t ldc, int64_t stride_c, const float *bias, const float *residual, int32_t act,
                      float p0, float p1) {
  return infer_gemm_f32(ctx, batch, M, N, K, A, lda, stride_a, trans_a, B, ldb, stride_b, trans_b, C, ldc, stride_c,
                        bias, residual, act, p0, p1);
}

EXPORT int h_gemm_packed_f32(infer_model *ctx, int64_t batch, int64_t M, int64_t N, int64_t K, const float *A,
                             int64_t lda, int64_t stride_a, int32_t trans_a, const void *packed_b, float *C,
                             int64_t ldc, int64_t stride_c, const float *bias, const float *residual, int32_t act,
                             float p0, float p1) {
  return infer_gemm_packed_f32(ctx, batch, M, N, K, A, lda, stride_a, trans_a, packed_b, C, ldc, stride_c, bias,
                               residual, act, p0, p1);
}

#ifdef INFER_HARNESS_OPENBLAS
EXPORT int h_gemm_openblas_f32(infer_model *ctx, int64_t batch, int64_t M, int64_t N, int64_t K, const float *A,
                               int64_t lda, int64_t stride_a, int32_t trans_a, const float *B, int64_t ldb,
                               int64_t stride_b, int32_t trans_b, float *C, int64_t ldc, int64_t stride_c,
                               const float *bias, const float *residual, int32_t act, float p0, float p1) {
  return infer_gemm_openblas_f32(ctx, batch, M, N, K, A, lda, stride_a, trans_a, B, ldb, stride_b, trans_b, C, ldc,
                                 stride_c, bias, residual, act, p0, p1);
}
#endif

/* One core's peak f32 FLOP/s with this CPU's widest FMA, measured: 12 independent
 * FMA chains of zmm (or ymm) registers for `iterations` rounds. Returns seconds. */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
__attribute__((target("avx512f"))) static double peak512(int64_t iterations, float *sink) {
  __m512 r[12];
  for (int i = 0; i < 12; i++)
    r[i] = _mm512_set1_ps((float)i * 1e-3f);
  const __m512 x = _mm512_set1_ps(0.999f), y = _mm512_set1_ps(1e-4f);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int64_t k = 0; k < iterations; k++) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++)
      r[i] = _mm512_fmadd_ps(r[i], x, y);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  for (int i = 1; i < 12; i++)
    r[0] = _mm512_add_ps(r[0], r[i]);
  *sink = _mm512_reduce_add_ps(r[0]);
  return (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
}
__attribute__((target("avx2,fma"))) static double peak256(int64_t iterations, float *sink) {
  __m256 r[12];
  for (int i = 0; i < 12; i++)
    r[i] = _mm256_set1_ps((float)i * 1e-3f);
  const __m256 x = _mm256_set1_ps(0.999f), y = _mm256_set1_ps(1e-4f);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int64_t k = 0; k < iterations; k++) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++)
      r[i] = _mm256_fmadd_ps(r[i], x, y);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  float out[8];
  for (int i = 1; i < 12; i++)
    r[0] = _mm256_add_ps(r[0], r[i]);
  _mm256_storeu_ps(out, r[0]);
  *sink = out[0];
  return (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
}
#endif

/* GFLOP/s of one core: the best of `rounds` measurements of 2e7 FMA rounds. */
EXPORT double h_peak_gflops(int rounds) {
  double best = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  const int64_t iterations = 20000000;
  int wide = infer_gemm_arch_get(INFER_ISA_AVX512) != NULL;
  if (!wide && infer_gemm_arch_get(INFER_ISA_AVX2) == NULL)
    return 0;
  for (int r = 0; r < rounds; r++) {
    float sink;
    double s = wide ? peak512(iterations, &sink) : peak256(iterations, &sink);
    double gflops = 2.0 * 12 * (wide ? 16 : 8) * (double)iterations / s * 1e-9;
    if (gflops > best && sink == sink)
      best = gflops;
  }
#else
  (void)rounds;
#endif
  return best;
}

EXPORT int64_t h_pack_gemm_b_size(int64_t K, int64_t N) { return infer_pack_gemm_b_size(K, N); }

EXPORT void h_pack_gemm_b(const float *B, int64_t ldb, int32_t trans_b, int64_t K, int64_t N, void *packed) {
  infer_pack_gemm_b(B, ldb, trans_b, K, N, packed);
}

/* ------------------------------------------------------------------ the driver, any arch and operand kind */

typedef struct {
  const float *data;
  int64_t ld, stride;
  int32_t trans, side;
} callback_source;

/* A callback operand that packs from a plain matrix (the way an implicit-GEMM convolution packs patches). */
static void pack_callback(void *arg, int64_t b, int64_t r0, int64_t rows, int64_t k0, int64_t kc, int32_t width,
                          float *dst) {
  const callback_source *s = arg;
  int32_t x_trans = s->side == INFER_GEMM_B ? !s->trans : s->trans;
  infer_gemm_pack_panels(s->data + b * s->stride, s->ld, x_trans, r0, rows, k0, kc, width, dst);
}

/* The micro-kernel for `isa` with its blocking replaced where `blocking` (kc, mc, nc) is not 0, and
 * without reading A in place when blocking[3] < 0 (for tuning and tests). */
static const infer_gemm_arch *arch_with(int isa, const int32_t *blocking, infer_gemm_arch *copy) {
  const infer_gemm_arch *arch = infer_gemm_arch_get(isa);
  if (!arch || !blocking)
    return arch;
  *copy = *arch;
  if (blocking[0])
    copy->kc = blocking[0];
  if (blocking[1])
    copy->mc = blocking[1];
  if (blocking[2])
    copy->nc = blocking[2];
  if (blocking[3] < 0) /* always pack A */
    copy->kernel_direct_a = NULL;
  return copy;
}

EXPORT int64_t h_pack_size(int isa, const int32_t *blocking, int32_t side, int64_t rows, int64_t K) {
  infer_gemm_arch copy;
  const infer_gemm_arch *arch = arch_with(isa, blocking, &copy);
  return arch ? infer_gemm_pack_size(arch, side, rows, K) : -1;
}

EXPORT int h_pack(int isa, const int32_t *blocking, int32_t side, const float *x, int64_t ldx, int32_t trans,
                  int64_t rows, int64_t K, void *packed) {
  infer_gemm_arch copy;
  const infer_gemm_arch *arch = arch_with(isa, blocking, &copy);
  if (!arch)
    return -1;
  infer_gemm_pack(arch, side, x, ldx, trans, rows, K, packed);
  return 0;
}

/* kinds[0], kinds[1]: INFER_OPERAND_* of A and B; a PACKED operand is given as its packed buffer in `a` / `b`.
 * dims: batch, M, N, K; a_layout / b_layout: ld, stride, trans; c_layout: ldc, stride_c, ldr;
 * ep_ints: act, bias_axis; ep_floats: p0, p1. */
EXPORT int h_gemm_run(infer_model *ctx, int isa, const int32_t *blocking, const int32_t *kinds, const int64_t *dims, const float *a,
                      const int64_t *a_layout, const float *b, const int64_t *b_layout, float *c,
                      const int64_t *c_layout, const float *bias, const float *residual, const int32_t *ep_ints,
                      const float *ep_floats) {
  infer_gemm_problem p;
  memset(&p, 0, sizeof p);
  infer_gemm_arch copy;
  p.arch = arch_with(isa, blocking, &copy);
  if (!p.arch)
    return -1;
  p.batch = dims[0];
  p.M = dims[1];
  p.N = dims[2];
  p.K = dims[3];
  callback_source sources[2];
  const float *data[2] = {a, b};
  const int64_t *layouts[2] = {a_layout, b_layout};
  infer_gemm_operand *ops[2] = {&p.a, &p.b};
  for (int s = 0; s < 2; s++) {
    infer_gemm_operand *o = ops[s];
    o->kind = kinds[s];
    o->ld = layouts[s][0];
    o->stride = layouts[s][1];
    o->trans = (int32_t)layouts[s][2];
    if (o->kind == INFER_OPERAND_PLAIN) {
      o->data = data[s];
    } else if (o->kind == INFER_OPERAND_PACKED) {
      o->packed = data[s];
    } else {
      sources[s] = (callback_source){data[s], o->ld, o->stride, o->trans, s};
      o->pack = pack_callback;
      o->arg = &sources[s];
    }
  }
  p.c = c;
  p.ldc = c_layout[0];
  p.stride_c = c_layout[1];
  p.ep.act = ep_ints[0];
  p.ep.bias_axis = ep_ints[1];
  p.ep.p0 = ep_floats[0];
  p.ep.p1 = ep_floats[1];
  p.ep.bias = bias;
  p.ep.residual = residual;
  p.ep.ldr = c_layout[2];
  return infer_gemm_run(ctx, &p);
}

/* ------------------------------------------------------------------ epilogue */

EXPORT void h_activate(int32_t act, float p0, float p1, float *x, int64_t n) { infer_activate(act, p0, p1, x, n); }

EXPORT void h_epilogue_apply(const int32_t *ep_ints, const float *ep_floats, const float *bias, const float *residual,
                             int64_t ldr, float *c, int64_t ldc, int64_t row0, int64_t col0, int64_t m, int64_t n) {
  infer_epilogue ep = {ep_ints[0], ep_floats[0], ep_floats[1], bias, ep_ints[1], residual, ldr};
  infer_epilogue_apply(&ep, c, ldc, row0, col0, m, n);
}

/* ------------------------------------------------------------------ thread pool */

typedef struct {
  int64_t *visits;      /* per index: how many times a chunk covered it */
  pthread_t *seen;      /* distinct threads that ran chunks */
  int seen_count, seen_capacity;
  pthread_mutex_t lock;
  int64_t chunks, max_chunk;
  infer_model *ctx;
  int64_t inner_threads; /* infer_threads(ctx) seen inside a chunk */
  int nested;            /* run a nested parallel_for inside each chunk */
  int64_t *nested_visits;
  int64_t spin_ns;       /* busy work per index, so that chunks overlap */
} visit_job;

static void visit(void *arg, int64_t begin, int64_t end);

static void nested_visit(void *arg, int64_t begin, int64_t end) {
  visit_job *job = arg;
  for (int64_t i = begin; i < end; i++)
    __atomic_add_fetch(&job->nested_visits[i], 1, __ATOMIC_RELAXED);
}

static void busy(int64_t ns) {
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  do
    clock_gettime(CLOCK_MONOTONIC, &t);
  while ((t.tv_sec - t0.tv_sec) * 1000000000 + (t.tv_nsec - t0.tv_nsec) < ns);
}

static void visit(void *arg, int64_t begin, int64_t end) {
  visit_job *job = arg;
  pthread_t self = pthread_self();
  pthread_mutex_lock(&job->lock);
  int known = 0;
  for (int i = 0; i < job->seen_count; i++)
    known |= pthread_equal(job->seen[i], self);
  if (!known && job->seen_count < job->seen_capacity)
    job->seen[job->seen_count++] = self;
  job->chunks++;
  if (end - begin > job->max_chunk)
    job->max_chunk = end - begin;
  job->inner_threads = infer_threads(job->ctx);
  pthread_mutex_unlock(&job->lock);
  for (int64_t i = begin; i < end; i++) {
    if (job->spin_ns)
      busy(job->spin_ns);
    __atomic_add_fetch(&job->visits[i], 1, __ATOMIC_RELAXED);
  }
  if (job->nested)
    infer_parallel_for(job->ctx, 16, nested_visit, job);
}

/* Runs infer_parallel_for(_grain) over n indices; out: distinct threads, chunks,
 * largest chunk, infer_threads inside a chunk. grain 0: infer_parallel_for. */
EXPORT void h_parallel_visit(infer_model *ctx, int64_t n, int64_t grain, int nested, int64_t spin_ns, int64_t *visits,
                             int64_t *nested_visits, int64_t *out) {
  visit_job job;
  memset(&job, 0, sizeof job);
  pthread_t seen[64];
  job.visits = visits;
  job.seen = seen;
  job.seen_capacity = 64;
  job.ctx = ctx;
  job.nested = nested;
  job.nested_visits = nested_visits;
  job.spin_ns = spin_ns;
  job.inner_threads = -1;
  pthread_mutex_init(&job.lock, NULL);
  if (grain > 0)
    infer_parallel_for_grain(ctx, n, grain, visit, &job);
  else
    infer_parallel_for(ctx, n, visit, &job);
  pthread_mutex_destroy(&job.lock);
  out[0] = job.seen_count;
  out[1] = job.chunks;
  out[2] = job.max_chunk;
  out[3] = job.inner_threads;
}

EXPORT int h_threads(infer_model *ctx) { return infer_threads(ctx); }

/* Scratch: a buffer of at least `bytes`, 64-byte aligned, written whole (ASan checks the size). */
EXPORT int h_scratch(int slot, int64_t bytes) {
  char *p = infer_scratch(slot, (size_t)bytes);
  if (!p)
    return slot >= 0 && slot < INFER_SCRATCH_SLOTS ? -1 : 0;
  memset(p, 1, (size_t)bytes);
  return ((uintptr_t)p % 64) == 0 ? 1 : -2;
}
