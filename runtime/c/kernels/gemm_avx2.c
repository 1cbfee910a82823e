/* gemm_avx2.c: the AVX2 + FMA micro-kernel, 6 x 16 (12 ymm accumulators).
 *
 * Same scheme as gemm_avx512.c: one function per row count 1..6, columns past
 * n masked on store, a function-level target attribute.
 */
#include <immintrin.h>

#include "gemm_internal.h"

#if defined(__x86_64__) && defined(__GNUC__)

#define MR 6
#define NV 2
#define NR (8 * NV)

#define AVX2_FN __attribute__((target("avx2,fma"), noinline))

#define UKR_BODY(ROWS)                                                                                          \
  __m256 acc[ROWS][NV];                                                                                         \
  _Pragma("GCC unroll 8") for (int i = 0; i < ROWS; i++) {                                                      \
    _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);                                                    \
    _mm_prefetch((const char *)(c + i * ldc + NR - 1), _MM_HINT_T0);                                           \
    _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) acc[i][v] = _mm256_setzero_ps();                       \
  }                                                                                                             \
  _Pragma("GCC unroll 4") for (int64_t k = 0; k < kc; k++) {                                                    \
    __m256 bv[NV];                                                                                              \
    _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) bv[v] = _mm256_loadu_ps(b + 8 * v);                    \
    _Pragma("GCC unroll 8") for (int i = 0; i < ROWS; i++) {                                                    \
      __m256 av = _mm256_broadcast_ss(a + i);                                                                   \
      _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) acc[i][v] = _mm256_fmadd_ps(av, bv[v], acc[i][v]);   \
    }                                                                                                           \
    a += MR;                                                                                                    \
    b += NR;                                                                                                    \
  }                                                                                                             \
  if (n == NR) {                                                                                                \
    _Pragma("GCC unroll 8") for (int i = 0; i < ROWS; i++) {                                                    \
      _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) {                                                    \
        float *p = c + i * ldc + 8 * v;                                                                         \
        __m256 x = accumulate ? _mm256_add_ps(_mm256_loadu_ps(p), acc[i][v]) : acc[i][v];                       \
        _mm256_storeu_ps(p, x);                                                                                 \
      }                                                                                                         \
    }                                                                                                           \
  } else {                                                                                                      \
    __m256i mask[NV];                                                                                           \
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);                                            \
    _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) {                                                      \
      int left = (int)(n - 8 * v);                                                                              \
      mask[v] = _mm256_cmpgt_epi32(_mm256_set1_epi32(left), lanes);                                             \
    }                                                                                                           \
    _Pragma("GCC unroll 8") for (int i = 0; i < ROWS; i++) {                                                    \
      _Pragma("GCC unroll 4") for (int v = 0; v < NV; v++) {                                                    \
        float *p = c + i * ldc + 8 * v;                                                                         \
        __m256 x = accumulate ? _mm256_add_ps(_mm256_maskload_ps(p, mask[v]), acc[i][v]) : acc[i][v];           \
        _mm256_maskstore_ps(p, mask[v], x);                                                                     \
      }                                                                                                         \
    }                                                                                                           \
  }

#define UKR(ROWS)                                                                                               \
  static AVX2_FN void ukr_##ROWS(int64_t kc, const float *restrict a, const float *restrict b, float *restrict c, \
                                 int64_t ldc, int64_t n, int accumulate) {                                      \
    UKR_BODY(ROWS)                                                                                              \
  }

typedef void (*rows_kernel)(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, int64_t n,
                            int accumulate);

UKR(1)
UKR(2)
UKR(3)
UKR(4)
UKR(5)
UKR(6)

static const rows_kernel by_rows[MR] = {ukr_1, ukr_2, ukr_3, ukr_4, ukr_5, ukr_6};

static void ukernel(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, int64_t m, int64_t n,
                    int accumulate) {
  if (m > 0 && n > 0)
    by_rows[m - 1](kc, a, b, c, ldc, n, accumulate);
}

const infer_gemm_arch infer_gemm_arch_avx2 = {
    .name = "avx2 6x16",
    .isa = INFER_ISA_AVX2,
    .mr = MR,
    .nr = NR,
    .kc = 256,
    .mc = MR * 24,
    .nc = NR * 256,
    .kernel = ukernel,
};

#else

const infer_gemm_arch infer_gemm_arch_avx2 = {
    .name = "avx2 (not built)", .isa = INFER_ISA_AVX2, .mr = 0, .nr = 0, .kc = 0, .mc = 0, .nc = 0, .kernel = 0};

#endif
