/* gemm_avx512.c: the AVX-512 micro-kernel, MR x 32 (MR accumulator rows of two zmm).
 *
 * Per k: two 16-float loads of the B panel, MR broadcasts of the A panel, 2*MR
 * FMAs into 2*MR accumulators. One function per row count 1..MR (the count a
 * constant, so the accumulators live in registers): edge tiles and small M
 * (M = 1: fully connected layers) do only the FMAs they need. Columns past n
 * are masked on store. Built with a function-level target attribute, so the
 * library carries it whatever -march is; chosen at run time by CPU.
 */
#include <immintrin.h>

#include "gemm_internal.h"

#if defined(__x86_64__) && defined(__GNUC__)

#ifndef INFER_AVX512_MR
#define INFER_AVX512_MR 14
#endif
#define NV 2
#define NR (16 * NV)

#define AVX512_FN __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma"), noinline))

/* Stores the ROWS x NR accumulators ACC into C (adding C when accumulate); columns past n masked. */
#define STORE_TILE(ROWS, ACC)                                                                                       \
  if (n == NR) {                                                                                                    \
    _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; i++) {                                                       \
      _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) {                                                        \
        float *p = c + i * ldc + 16 * v;                                                                            \
        __m512 x = accumulate ? _mm512_add_ps(_mm512_loadu_ps(p), ACC[i][v]) : ACC[i][v];                           \
        _mm512_storeu_ps(p, x);                                                                                     \
      }                                                                                                             \
    }                                                                                                               \
  } else {                                                                                                          \
    __mmask16 mask[NV];                                                                                             \
    _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) {                                                          \
      int64_t left = n - 16 * v;                                                                                    \
      mask[v] = left >= 16 ? (__mmask16)0xFFFF : left <= 0 ? (__mmask16)0 : (__mmask16)((1u << left) - 1);          \
    }                                                                                                               \
    _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; i++) {                                                       \
      _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) {                                                        \
        float *p = c + i * ldc + 16 * v;                                                                            \
        __m512 x = accumulate ? _mm512_add_ps(_mm512_maskz_loadu_ps(mask[v], p), ACC[i][v]) : ACC[i][v];            \
        _mm512_mask_storeu_ps(p, mask[v], x);                                                                       \
      }                                                                                                             \
    }                                                                                                               \
  }

/* The body of the kernel for ROWS rows (a literal): accumulate, then store. */
#define UKR_BODY(ROWS, A_ELEM, A_STEP)                                                                                        \
  __m512 acc[ROWS][NV];                                                                                         \
  _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; i++) {                                                     \
    _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);                                                    \
    _mm_prefetch((const char *)(c + i * ldc + NR - 1), _MM_HINT_T0);                                           \
    _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) acc[i][v] = _mm512_setzero_ps();                       \
  }                                                                                                             \
  _Pragma("GCC unroll 4") for (int64_t k = 0; k < kc; k++) {                                                    \
    __m512 bv[NV];                                                                                              \
    _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) bv[v] = _mm512_loadu_ps(b + 16 * v);                   \
    _Pragma("GCC unroll 16") for (int i = 0; i < ROWS; i++) {                                                   \
      __m512 av = _mm512_set1_ps(A_ELEM(i));                                                                         \
      _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);   \
    }                                                                                                           \
    a += A_STEP;                                                                                                \
    b += NR;                                                                                                    \
  }                                                                                                             \
  STORE_TILE(ROWS, acc)

/* Few rows (GEMV-like: a fully connected layer at batch 1): one chain of FMAs per
 * accumulator would wait on the FMA latency, so WAYS interleaved partial sums
 * over k are kept and added at the end; B is prefetched ahead (it streams from
 * DRAM or L3 once). */
#define UKR_SPLIT_BODY(ROWS, WAYS, A_ELEM, A_STEP)                                                                              \
  __m512 acc[WAYS][ROWS][NV];                                                                                   \
  _Pragma("GCC unroll 4") for (int w = 0; w < WAYS; w++) _Pragma("GCC unroll 4") for (int i = 0; i < ROWS; i++) \
      _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) acc[w][i][v] = _mm512_setzero_ps();                 \
  int64_t k = 0;                                                                                                \
  for (; k + WAYS <= kc; k += WAYS) {                                                                           \
    _Pragma("GCC unroll 4") for (int w = 0; w < WAYS; w++) {                                                    \
      _mm_prefetch((const char *)(b + 16 * NR), _MM_HINT_T0);                                                  \
      _mm_prefetch((const char *)(b + 16 * NR + 16), _MM_HINT_T0);                                             \
      __m512 bv[NV];                                                                                            \
      _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) bv[v] = _mm512_loadu_ps(b + 16 * v);                 \
      _Pragma("GCC unroll 4") for (int i = 0; i < ROWS; i++) {                                                  \
        __m512 av = _mm512_set1_ps(A_ELEM(i));                                                                       \
        _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) acc[w][i][v] =                                     \
            _mm512_fmadd_ps(av, bv[v], acc[w][i][v]);                                                           \
      }                                                                                                         \
      a += A_STEP;                                                                                              \
      b += NR;                                                                                                  \
    }                                                                                                           \
  }                                                                                                             \
  for (; k < kc; k++) {                                                                                         \
    __m512 bv[NV];                                                                                              \
    _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) bv[v] = _mm512_loadu_ps(b + 16 * v);                   \
    _Pragma("GCC unroll 4") for (int i = 0; i < ROWS; i++) {                                                    \
      __m512 av = _mm512_set1_ps(A_ELEM(i));                                                                         \
      _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) acc[0][i][v] =                                       \
          _mm512_fmadd_ps(av, bv[v], acc[0][i][v]);                                                             \
    }                                                                                                           \
    a += A_STEP;                                                                                                \
    b += NR;                                                                                                    \
  }                                                                                                             \
  __m512 sum[ROWS][NV];                                                                                         \
  _Pragma("GCC unroll 4") for (int i = 0; i < ROWS; i++) _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) { \
    __m512 t = acc[0][i][v];                                                                                    \
    _Pragma("GCC unroll 4") for (int w = 1; w < WAYS; w++) t = _mm512_add_ps(t, acc[w][i][v]);                  \
    sum[i][v] = t;                                                                                              \
  }                                                                                                             \
  STORE_TILE(ROWS, sum)

/* A packed (a[k * MR + i]) or read in place from a row-major A (a[i * lda + k]). */
#define PACKED_A(i) a[i]
#define DIRECT_A(i) a[(i) * lda]

#define UKR_SPLIT(ROWS, WAYS)                                                                                   \
  static AVX512_FN void ukr_##ROWS(int64_t kc, const float *restrict a, const float *restrict b,                \
                                   float *restrict c, int64_t ldc, int64_t n, int accumulate) {                 \
    UKR_SPLIT_BODY(ROWS, WAYS, PACKED_A, INFER_AVX512_MR)                                                       \
  }                                                                                                             \
  static AVX512_FN void direct_##ROWS(int64_t kc, const float *restrict a, int64_t lda, const float *restrict b, \
                                      float *restrict c, int64_t ldc, int64_t n, int accumulate) {              \
    UKR_SPLIT_BODY(ROWS, WAYS, DIRECT_A, 1)                                                                     \
  }

#define UKR(ROWS)                                                                                               \
  static AVX512_FN void ukr_##ROWS(int64_t kc, const float *restrict a, const float *restrict b,                \
                                   float *restrict c, int64_t ldc, int64_t n, int accumulate) {                 \
    UKR_BODY(ROWS, PACKED_A, INFER_AVX512_MR)                                                                   \
  }                                                                                                             \
  static AVX512_FN void direct_##ROWS(int64_t kc, const float *restrict a, int64_t lda, const float *restrict b, \
                                      float *restrict c, int64_t ldc, int64_t n, int accumulate) {              \
    UKR_BODY(ROWS, DIRECT_A, 1)                                                                                 \
  }

typedef void (*direct_kernel)(int64_t kc, const float *a, int64_t lda, const float *b, float *c, int64_t ldc,
                              int64_t n, int accumulate);

typedef void (*rows_kernel)(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, int64_t n,
                            int accumulate);

UKR_SPLIT(1, 4)
UKR_SPLIT(2, 2)
UKR_SPLIT(3, 2)
UKR(4)
UKR(5)
UKR(6)
UKR(7)
UKR(8)
#if INFER_AVX512_MR > 8
UKR(9)
UKR(10)
UKR(11)
UKR(12)
#endif
#if INFER_AVX512_MR > 12
UKR(13)
UKR(14)
#endif
#if INFER_AVX512_MR > 14 || (INFER_AVX512_MR != 8 && INFER_AVX512_MR != 12 && INFER_AVX512_MR != 14)
#error "INFER_AVX512_MR must be 8, 12 or 14"
#endif

static const rows_kernel by_rows[INFER_AVX512_MR] = {
    ukr_1, ukr_2, ukr_3, ukr_4,  ukr_5,  ukr_6,  ukr_7, ukr_8,
#if INFER_AVX512_MR > 8
    ukr_9, ukr_10, ukr_11, ukr_12,
#endif
#if INFER_AVX512_MR > 12
    ukr_13, ukr_14,
#endif
};

static const direct_kernel direct_by_rows[INFER_AVX512_MR] = {
    direct_1, direct_2, direct_3, direct_4,  direct_5,  direct_6,  direct_7, direct_8,
#if INFER_AVX512_MR > 8
    direct_9, direct_10, direct_11, direct_12,
#endif
#if INFER_AVX512_MR > 12
    direct_13, direct_14,
#endif
};

static void ukernel(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, int64_t m, int64_t n,
                    int accumulate) {
  if (m > 0 && n > 0)
    by_rows[m - 1](kc, a, b, c, ldc, n, accumulate);
}

static void ukernel_direct(int64_t kc, const float *a, int64_t lda, const float *b, float *c, int64_t ldc, int64_t m,
                           int64_t n, int accumulate) {
  if (m > 0 && n > 0)
    direct_by_rows[m - 1](kc, a, lda, b, c, ldc, n, accumulate);
}

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

const infer_gemm_arch infer_gemm_arch_avx512 = {
    .name = "avx512 " STRINGIFY(INFER_AVX512_MR) "x32",
    .isa = INFER_ISA_AVX512,
    .mr = INFER_AVX512_MR,
    .nr = NR,
    .kc = 256,
    .mc = INFER_AVX512_MR * 24,
    .nc = 32 * 128,
    .kernel = ukernel,
    .kernel_direct_a = ukernel_direct,
};

#else /* not x86-64 gcc: no AVX-512 kernel (infer_gemm_arch_get never returns it) */

const infer_gemm_arch infer_gemm_arch_avx512 = {
    .name = "avx512 (not built)", .isa = INFER_ISA_AVX512, .mr = 0, .nr = 0, .kc = 0, .mc = 0, .nc = 0, .kernel = 0};

#endif
