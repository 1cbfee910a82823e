/* gemm_openblas.c: infer_gemm_openblas_f32, the GEMM entry point on OpenBLAS.
 *
 * Only for models where select-kernels{gemm=openblas} chose it: build.py then
 * compiles this file into the model and links scipy-openblas32's library
 * (symbols with a scipy_ prefix; 32-bit integers). Same contract as
 * infer_gemm_f32 (infer_kernels.h): cblas_sgemm per batch item, then the
 * epilogue in a second pass over C, on the context's threads. OpenBLAS's own
 * thread count is set to the context's (a process-wide setting of OpenBLAS).
 */
#include <limits.h>
#include <string.h>

#include "infer_kernels.h"

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

/* scipy-openblas32's cblas.h, the two functions used. */
extern void scipy_cblas_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a,
                              int lda, const float *b, int ldb, float beta, float *c, int ldc);
extern void scipy_openblas_set_num_threads(int threads);
extern int scipy_openblas_get_num_threads(void);

/* Defined by the runtime (infer_rt.c). */
INFER_KERNEL_API int infer_rt_fail(infer_model *m, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

typedef struct {
  infer_epilogue ep;
  float *c;
  int64_t M, N, ldc, stride_c;
} epilogue_job;

static void epilogue_rows(void *arg, int64_t begin, int64_t end) {
  const epilogue_job *job = arg;
  for (int64_t r = begin; r < end; r++) { /* r: a row of a batch item */
    const int64_t b = r / job->M, i = r % job->M;
    infer_epilogue ep = job->ep;
    if (ep.residual)
      ep.residual += b * job->stride_c;
    infer_epilogue_apply(&ep, job->c + b * job->stride_c + i * job->ldc, job->ldc, i, 0, 1, job->N);
  }
}

int infer_gemm_openblas_f32(infer_model *ctx, int64_t batch, int64_t M, int64_t N, int64_t K, const float *A,
                            int64_t lda, int64_t stride_a, int32_t trans_a, const float *B, int64_t ldb,
                            int64_t stride_b, int32_t trans_b, float *C, int64_t ldc, int64_t stride_c,
                            const float *bias, const float *residual, int32_t act, float p0, float p1) {
  if (batch <= 0 || M <= 0 || N <= 0)
    return INFER_OK;
  if (M > INT_MAX || N > INT_MAX || K > INT_MAX || lda > INT_MAX || ldb > INT_MAX || ldc > INT_MAX) {
    if (ctx)
      infer_rt_fail(ctx, INFER_ERR_ARGUMENT, "gemm: sizes beyond OpenBLAS's 32-bit integers");
    return INFER_ERR_ARGUMENT;
  }
  const int threads = infer_threads(ctx);
  if (scipy_openblas_get_num_threads() != threads)
    scipy_openblas_set_num_threads(threads);
  for (int64_t b = 0; b < batch; b++) {
    float *c = C + b * stride_c;
    if (K == 0) {
      for (int64_t i = 0; i < M; i++)
        memset(c + i * ldc, 0, (size_t)N * sizeof(float));
      continue;
    }
    scipy_cblas_sgemm(ROW_MAJOR, trans_a ? TRANS : NO_TRANS, trans_b ? TRANS : NO_TRANS, (int)M, (int)N, (int)K, 1.0f,
                      A + b * stride_a, (int)lda, B + b * stride_b, (int)ldb, 0.0f, c, (int)ldc);
  }
  if (act != INFER_ACT_NONE || bias || residual) {
    epilogue_job job = {{act, p0, p1, bias, INFER_BIAS_COLUMN, residual, ldc}, C, M, N, ldc, stride_c};
    infer_parallel_for(ctx, batch * M, epilogue_rows, &job);
  }
  return INFER_OK;
}
