/* gemm_sanitize.c: a C driver of the GEMM kernels and the thread pool, built with
 * -fsanitize=address,undefined (with the kernel library built the same way) by
 * test_gemm.py: edge shapes on every micro-kernel and operand kind, transposes,
 * leading dimensions, batches, epilogues, 1 and 2 threads, against a naive
 * double-precision product. Every buffer is malloc'ed to its exact size, so an
 * access past one is reported. Prints "<n> passed, <m> failed"; exits 1 on any
 * failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infer_kernels.h"

/* From gemm_harness.c, linked in. */
infer_model *h_ctx_create(int threads);
void h_ctx_destroy(infer_model *m);
int h_gemm_run(infer_model *ctx, int isa, const int32_t *blocking, const int32_t *kinds, const int64_t *dims,
               const float *a, const int64_t *a_layout, const float *b, const int64_t *b_layout, float *c,
               const int64_t *c_layout, const float *bias, const float *residual, const int32_t *ep_ints,
               const float *ep_floats);
int64_t h_pack_size(int isa, const int32_t *blocking, int32_t side, int64_t rows, int64_t K);
int h_pack(int isa, const int32_t *blocking, int32_t side, const float *x, int64_t ldx, int32_t trans, int64_t rows,
           int64_t K, void *packed);
void h_parallel_visit(infer_model *ctx, int64_t n, int64_t grain, int nested, int64_t spin_ns, int64_t *visits,
                      int64_t *nested_visits, int64_t *out);

static int passed, failed;

static void *aligned64(int64_t bytes) {
  void *p = NULL;
  return posix_memalign(&p, 64, (size_t)bytes) == 0 ? p : NULL;
}
static uint64_t seed = 88172645463325252ull;

static float rnd(void) {
  seed ^= seed << 13;
  seed ^= seed >> 7;
  seed ^= seed << 17;
  return (float)((double)(seed >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static float *randoms(int64_t n) {
  float *x = malloc((size_t)(n > 0 ? n : 1) * sizeof *x);
  for (int64_t i = 0; i < n; i++)
    x[i] = rnd();
  return x;
}

static double act_ref(int act, double x) {
  switch (act) {
  case INFER_ACT_RELU: return x < 0 ? 0 : x;
  case INFER_ACT_SIGMOID: return 1 / (1 + exp(-x));
  case INFER_ACT_TANH: return tanh(x);
  case INFER_ACT_GELU: return 0.5 * x * (1 + erf(x / sqrt(2.0)));
  default: return x;
  }
}

/* One problem: C = act(op(A) x op(B) + bias[j] + residual), batch items with their own A and B. */
static void one(infer_model *ctx, int isa, int a_kind, int b_kind, int64_t batch, int64_t m, int64_t n, int64_t k,
                int ta, int tb, int64_t pad, int act, int with_bias, int with_residual) {
  const int64_t lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad;
  const int64_t a_rows = ta ? k : m, b_rows = tb ? n : k;
  const int64_t sa = a_kind == INFER_OPERAND_PACKED ? 0 : a_rows * lda, sb = b_kind == INFER_OPERAND_PACKED ? 0 : b_rows * ldb;
  const int64_t items_a = sa ? batch : 1, items_b = sb ? batch : 1;
  float *a = randoms(items_a * a_rows * lda), *b = randoms(items_b * b_rows * ldb);
  float *bias = with_bias ? randoms(n) : NULL;
  float *residual = with_residual ? randoms(batch * m * n) : NULL;
  float *c = malloc((size_t)(batch * m * n > 0 ? batch * m * n : 1) * sizeof *c);
  void *pa = NULL, *pb = NULL;
  const float *da = a, *db = b;
  if (a_kind == INFER_OPERAND_PACKED) {
    pa = aligned64(h_pack_size(isa, NULL, INFER_GEMM_A, m, k));
    h_pack(isa, NULL, INFER_GEMM_A, a, lda, ta, m, k, pa);
    da = pa;
  }
  if (b_kind == INFER_OPERAND_PACKED) {
    pb = aligned64(h_pack_size(isa, NULL, INFER_GEMM_B, n, k));
    h_pack(isa, NULL, INFER_GEMM_B, b, ldb, tb, n, k, pb);
    db = pb;
  }
  const int32_t kinds[2] = {a_kind, b_kind};
  const int64_t dims[4] = {batch, m, n, k};
  const int64_t la[3] = {lda, sa, ta}, lb[3] = {ldb, sb, tb}, lc[3] = {n, m * n, n};
  const int32_t ints[2] = {act, INFER_BIAS_COLUMN};
  const float floats[2] = {0, 0};
  int status = h_gemm_run(ctx, isa, NULL, kinds, dims, da, la, db, lb, c, lc, bias, residual, ints, floats);
  int bad = status != 0;
  for (int64_t t = 0; !bad && t < batch; t++)
    for (int64_t i = 0; !bad && i < m; i++)
      for (int64_t j = 0; !bad && j < n; j++) {
        double acc = 0, scale = 0;
        const float *at = a + (sa ? t * sa : 0), *bt = b + (sb ? t * sb : 0);
        for (int64_t q = 0; q < k; q++) {
          double x = ta ? at[q * lda + i] : at[i * lda + q];
          double y = tb ? bt[j * ldb + q] : bt[q * ldb + j];
          acc += x * y;
          scale += fabs(x * y);
        }
        if (bias)
          acc += bias[j];
        if (residual)
          acc += residual[(t * m + i) * n + j];
        double want = act_ref(act, acc), got = c[(t * m + i) * n + j];
        if (!(fabs(got - want) <= 1e-5 * (scale + fabs(acc)) + 1e-5)) {
          fprintf(stderr, "isa %d kinds %d/%d batch %lld %lldx%lldx%lld ta %d tb %d act %d: C[%lld][%lld][%lld] = %g, want %g\n",
                  isa, a_kind, b_kind, (long long)batch, (long long)m, (long long)n, (long long)k, ta, tb, act,
                  (long long)t, (long long)i, (long long)j, got, want);
          bad = 1;
        }
      }
  if (bad)
    failed++;
  else
    passed++;
  free(a);
  free(b);
  free(bias);
  free(residual);
  free(c);
  free(pa);
  free(pb);
}

int main(void) {
  static const int64_t shapes[][3] = {{1, 1, 1},   {1, 37, 5},   {5, 1, 9},    {7, 13, 17},  {15, 33, 257},
                                      {29, 97, 101}, {3, 5, 600}, {1, 130, 300}, {40, 70, 300}};
  const int nshapes = (int)(sizeof shapes / sizeof shapes[0]);
  static const int acts[] = {INFER_ACT_NONE, INFER_ACT_RELU, INFER_ACT_SIGMOID, INFER_ACT_TANH, INFER_ACT_GELU};
  for (int threads = 1; threads <= 2; threads++) {
    infer_model *ctx = h_ctx_create(threads);
    for (int isa = INFER_ISA_AVX512; isa >= INFER_ISA_GENERIC; isa--) {
      if (!infer_gemm_arch_get(isa))
        continue;
      for (int s = 0; s < nshapes; s++) {
        const int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        for (int a_kind = 0; a_kind < 3; a_kind++)
          for (int b_kind = 0; b_kind < 3; b_kind++)
            one(ctx, isa, a_kind, b_kind, 1, m, n, k, s & 1, (s >> 1) & 1, s % 3, acts[(a_kind + b_kind + s) % 5],
                (s + a_kind) & 1, (s + b_kind) & 1);
        one(ctx, isa, INFER_OPERAND_PLAIN, INFER_OPERAND_CALLBACK, 3, m, n, k, 0, 1, 1, INFER_ACT_RELU, 1, 1);
        one(ctx, isa, INFER_OPERAND_CALLBACK, INFER_OPERAND_PACKED, 2, m, n, k, 1, 0, 0, INFER_ACT_NONE, 0, 1);
      }
    }
    /* The pool alone. */
    int64_t visits[100] = {0}, nested[16] = {0}, out[4];
    h_parallel_visit(ctx, 100, 1, 1, 0, visits, nested, out);
    int ok = 1;
    for (int i = 0; i < 100; i++)
      ok &= visits[i] == 1;
    for (int i = 0; i < 16; i++)
      ok &= nested[i] == 100;
    ok ? passed++ : failed++;
    h_ctx_destroy(ctx);
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
