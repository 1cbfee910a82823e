/* infer_kernels.h: the kernel library of the C target (docs/kernels.md).
 *
 * Everything is f32, row-major. Kernels take the model context first
 * (`struct infer_model *ctx`, the `infer_model` of model.h): it owns the
 * thread pool. `ctx` may be NULL: the kernel then runs on the calling thread
 * (packers at create time, tests).
 *
 * Sections: the epilogue (activation codes, per-element epilogue), the thread
 * pool (`infer_parallel_for`), GEMM (entry points for generated code, packers,
 * and the blocks the convolution kernels build on), then the convolution and
 * pooling kernels (their own sections, below).
 *
 * Status: kernels that can fail return INFER_OK (0) or an INFER_ERR_* code of
 * model.h (out of memory for scratch, a packed buffer made for another
 * micro-kernel); with a non-NULL ctx the message is set on the model.
 *
 * Alignment: plain matrices need only float alignment; packed buffers (from
 * the infer_pack_* packers) must start on a 64-byte boundary (the runtime's
 * buffers all do). Leading dimensions are in elements and at least the row
 * length of what is stored row by row (K for A, N for B, K for a transposed B,
 * M for a transposed A, N for C).
 */
#ifndef INFER_KERNELS_H
#define INFER_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h" /* infer_model, the INFER_OK / INFER_ERR_* status codes */

#ifdef __cplusplus
extern "C" {
#endif

#ifndef INFER_KERNEL_API
#define INFER_KERNEL_API __attribute__((visibility("hidden")))
#endif

/* ================================================================== epilogue
 *
 * Every kernel ends with, per output element C[i][j]:
 *
 *     y = act(acc + bias[channel] + residual[i][j])
 *
 * added in that order, in f32; `channel` is the column j for GEMM (a bias per
 * output feature) and the row i for an NCHW convolution computed as
 * W (Cout x K) x patches (K x H*W). bias and residual are optional (NULL).
 *
 * Activations, exactly as dialects/infer/epilogue.py and
 * runtime/reference/nn.py define them (p0, p1 are activation_params):
 */
enum {
  INFER_ACT_NONE = 0,
  INFER_ACT_RELU = 1,         /* max(x, 0); NaN stays NaN */
  INFER_ACT_CLIP = 2,         /* min(max(x, p0), p1) */
  INFER_ACT_LEAKY_RELU = 3,   /* x < 0 ? p0 * x : x */
  INFER_ACT_SIGMOID = 4,      /* 1 / (1 + exp(-x)) */
  INFER_ACT_HARD_SIGMOID = 5, /* max(0, min(1, p0 * x + p1)) */
  INFER_ACT_HARD_SWISH = 6,   /* x * max(0, min(1, x / 6 + 1 / 2)) */
  INFER_ACT_SILU = 7,         /* x * sigmoid(x) */
  INFER_ACT_TANH = 8,         /* tanh(x) */
  INFER_ACT_GELU = 9,         /* 0.5 * x * (1 + erf(x / sqrt(2))) */
  INFER_ACT_GELU_TANH = 10    /* 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))) */
};

enum { INFER_BIAS_COLUMN = 0, INFER_BIAS_ROW = 1 };

typedef struct {
  int32_t act;           /* INFER_ACT_* */
  float p0, p1;          /* the activation's parameters (unused ones are ignored) */
  const float *bias;     /* NULL, or one value per channel */
  int32_t bias_axis;     /* INFER_BIAS_COLUMN: bias[j]; INFER_BIAS_ROW: bias[i] */
  const float *residual; /* NULL, or a matrix the shape of the output */
  int64_t ldr;           /* the residual's leading dimension */
} infer_epilogue;

/* Applies the epilogue to the block C[row0 : row0 + m][col0 : col0 + n] of an
 * output, in place: `c` points at C[row0][col0], `ldc` is C's leading dimension;
 * bias and residual are indexed with the block's absolute row and column. */
INFER_KERNEL_API void infer_epilogue_apply(const infer_epilogue *ep, float *c, int64_t ldc, int64_t row0, int64_t col0,
                                           int64_t m, int64_t n);

/* x[i] = act(x[i]) for i < n, in place (the epilogue's activations alone). */
INFER_KERNEL_API void infer_activate(int32_t act, float p0, float p1, float *x, int64_t n);

/* ================================================================== thread pool
 *
 * The model context owns a pool of `threads` threads including the calling
 * one (infer_model_create's `threads`): 1 runs everything on the calling
 * thread. Idle workers sleep (no busy-waiting between runs).
 *
 * infer_parallel_for runs fn(arg, begin, end) over disjoint chunks covering
 * [0, n) on the context's threads (the caller works too) and returns when all
 * are done. Chunks are handed out dynamically: fn must not rely on which
 * thread runs which chunk. Called from inside a chunk (nested), from a NULL
 * ctx, or with a one-thread pool, it runs on the calling thread alone
 * (infer_parallel_for: one chunk, fn(arg, 0, n)). */
typedef void (*infer_task_fn)(void *arg, int64_t begin, int64_t end);
INFER_KERNEL_API void infer_parallel_for(struct infer_model *ctx, int64_t n, infer_task_fn fn, void *arg);
/* Same, with chunks of at most `grain` indices (grain >= 1; e.g. 1 to hand out
 * one tile per chunk when tiles are few and heavy). */
INFER_KERNEL_API void infer_parallel_for_grain(struct infer_model *ctx, int64_t n, int64_t grain, infer_task_fn fn,
                                               void *arg);
/* The number of threads kernels may use for ctx (1 for NULL, or while inside a chunk). */
INFER_KERNEL_API int infer_threads(struct infer_model *ctx);

/* A per-thread scratch buffer of at least `bytes` bytes, 64-byte aligned, kept
 * by the thread for later calls (freed when the thread exits); NULL when out of
 * memory. Slots are independent buffers: GEMM uses INFER_SCRATCH_GEMM_A and
 * _GEMM_B on whatever thread it runs; other kernels use INFER_SCRATCH_KERNEL
 * (and must not hold it across a call to GEMM's entry points, which do not use it). */
enum { INFER_SCRATCH_GEMM_A = 0, INFER_SCRATCH_GEMM_B = 1, INFER_SCRATCH_KERNEL = 2, INFER_SCRATCH_SLOTS = 3 };
INFER_KERNEL_API void *infer_scratch(int slot, size_t bytes);

/* The pool itself; the runtime (infer_rt.c) creates one per model and hands it
 * out with infer_rt_pool(ctx). */
typedef struct infer_pool infer_pool;
/* NULL when out of memory; the workers start on the first parallel job. */
INFER_KERNEL_API infer_pool *infer_pool_create(int threads);
INFER_KERNEL_API void infer_pool_destroy(infer_pool *pool);
INFER_KERNEL_API int infer_pool_threads(const infer_pool *pool);
INFER_KERNEL_API void infer_pool_run(infer_pool *pool, int64_t n, int64_t grain, infer_task_fn fn, void *arg);
/* Defined by the runtime: the pool of a model (NULL: run on the calling thread). */
INFER_KERNEL_API infer_pool *infer_rt_pool(struct infer_model *ctx);

/* ================================================================== GEMM
 *
 * C = A x B, then the epilogue with a per-column bias (bias[j], j < N) and a
 * residual the shape of C with C's leading dimension. A is M x K (K x M when
 * trans_a), B is K x N (N x K when trans_b), C is M x N. Any M, N, K >= 0
 * (K = 0 gives the epilogue of 0). C must not overlap A, B, bias or the
 * residual.
 *
 * Batched: `batch` products, item b at A + b * stride_a, B + b * stride_b,
 * C and the residual + b * stride_c (a stride 0 broadcasts the operand). */
INFER_KERNEL_API int infer_gemm_f32(struct infer_model *ctx, int64_t batch, int64_t M, int64_t N, int64_t K,
                                    const float *A, int64_t lda, int64_t stride_a, int32_t trans_a, const float *B,
                                    int64_t ldb, int64_t stride_b, int32_t trans_b, float *C, int64_t ldc,
                                    int64_t stride_c, const float *bias, const float *residual, int32_t act, float p0,
                                    float p1);

/* Same with B prepacked by infer_pack_gemm_b (constant weights, packed once
 * when the model is created); every batch item uses the same B. */
INFER_KERNEL_API int infer_gemm_packed_f32(struct infer_model *ctx, int64_t batch, int64_t M, int64_t N, int64_t K,
                                           const float *A, int64_t lda, int64_t stride_a, int32_t trans_a,
                                           const void *packed_b, float *C, int64_t ldc, int64_t stride_c,
                                           const float *bias, const float *residual, int32_t act, float p0, float p1);

/* The packer of constant B operands: `infer.pack = "gemm_b"`. B is K x N
 * (N x K when trans_b, as ONNX Gemm's transB weights), leading dimension ldb.
 * The size is in bytes; the buffer must be 64-byte aligned. The layout is the
 * micro-kernel's of this CPU (recorded in the buffer, checked when used). */
INFER_KERNEL_API int64_t infer_pack_gemm_b_size(int64_t K, int64_t N);
INFER_KERNEL_API void infer_pack_gemm_b(const float *B, int64_t ldb, int32_t trans_b, int64_t K, int64_t N,
                                        void *packed);

/* The same entry point on OpenBLAS (scipy-openblas32's cblas_sgemm, then our
 * epilogue in a second pass): only when `select-kernels{gemm=openblas}` chose
 * it; the build links libscipy_openblas then. OpenBLAS's own threads are set to
 * the context's count. Defined in gemm_openblas.c, which is compiled only for
 * such models. */
INFER_KERNEL_API int infer_gemm_openblas_f32(struct infer_model *ctx, int64_t batch, int64_t M, int64_t N, int64_t K,
                                             const float *A, int64_t lda, int64_t stride_a, int32_t trans_a,
                                             const float *B, int64_t ldb, int64_t stride_b, int32_t trans_b, float *C,
                                             int64_t ldc, int64_t stride_c, const float *bias, const float *residual,
                                             int32_t act, float p0, float p1);

/* ------------------------------------------------------------------ GEMM building blocks
 *
 * For kernels that are GEMMs underneath (implicit-GEMM convolution): the
 * micro-kernel of this CPU, the packed panel layouts, and the blocked driver
 * with operands that may be plain, prepacked, or packed by a callback.
 *
 * Panel layouts, for a K block [k0, k0 + kc):
 *   A: rows in panels of mr; panel p holds rows [p*mr, p*mr + mr) as kc
 *      groups of mr floats: a[k * mr + r] = A[p*mr + r][k0 + k] (rows past M: 0).
 *   B: columns in panels of nr; panel q: b[k * nr + c] = B[k0 + k][q*nr + c]
 *      (columns past N: 0).
 * A prepacked operand (infer_gemm_pack) holds, after a 64-byte header, the K
 * blocks of infer_gemm_block_k(arch, K) (the last one shorter) one after
 * another, each block the panels of all rows (columns) in order.
 */
enum { INFER_ISA_GENERIC = 0, INFER_ISA_AVX2 = 1, INFER_ISA_AVX512 = 2, INFER_ISA_AUTO = -1 };

/* C[0:m][0:n] = (accumulate ? C : 0) + a x b, for an mr x kc A panel and a
 * kc x nr B panel (m <= mr, n <= nr; only that corner of C is written). */
typedef void (*infer_gemm_ukernel)(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, int64_t m,
                                   int64_t n, int accumulate);
/* The same with A read in place from a row-major matrix: row r's k-th element at
 * a[r * lda + k] (a at the block's first row and k), instead of a packed panel. */
typedef void (*infer_gemm_ukernel_direct_a)(int64_t kc, const float *a, int64_t lda, const float *b, float *c,
                                            int64_t ldc, int64_t m, int64_t n, int accumulate);

typedef struct {
  const char *name; /* "avx512 14x32", ... */
  int32_t isa;      /* INFER_ISA_* */
  int32_t mr, nr;   /* register tile */
  int32_t kc;       /* K block (A and B panels of one block: L1 / L2) */
  int32_t mc, nc;   /* rows of A per L2 block, columns of B per L3 block (multiples of mr, nr) */
  infer_gemm_ukernel kernel;
  infer_gemm_ukernel_direct_a kernel_direct_a; /* NULL where A is always packed */
} infer_gemm_arch;

/* The micro-kernel for `isa` (INFER_ISA_AUTO: the best this CPU runs, or the
 * one the library was built to prefer with -DINFER_KERNELS_ISA=n); NULL if the
 * CPU cannot run it. */
INFER_KERNEL_API const infer_gemm_arch *infer_gemm_arch_get(int32_t isa);

/* The depth of the K blocks of a product of depth K: K split into as few blocks
 * of at most arch->kc as it takes, of about equal depth (a multiple of 8). */
INFER_KERNEL_API int64_t infer_gemm_block_k(const infer_gemm_arch *arch, int64_t K);

/* Packs rows [r0, r0 + rows) x k [k0, k0 + kc) of a matrix X (X[r][k] at
 * x[r * ldx + k], or x[k * ldx + r] when trans) into panels of `width`
 * (mr for A, nr for B, with X = B transposed for B), zero-padded to whole
 * panels: dst gets ceil(rows / width) * width * kc floats. */
INFER_KERNEL_API void infer_gemm_pack_panels(const float *x, int64_t ldx, int32_t trans, int64_t r0, int64_t rows,
                                             int64_t k0, int64_t kc, int32_t width, float *dst);

enum { INFER_GEMM_A = 0, INFER_GEMM_B = 1 };

/* Prepacks a whole operand for `arch`. side INFER_GEMM_A: X is A (M x K, rows
 * = M); INFER_GEMM_B: X is B (K x N), given as x[k * ldx + n], or as
 * x[n * ldx + k] when trans (rows = N). Size in bytes. */
INFER_KERNEL_API int64_t infer_gemm_pack_size(const infer_gemm_arch *arch, int32_t side, int64_t rows, int64_t K);
INFER_KERNEL_API void infer_gemm_pack(const infer_gemm_arch *arch, int32_t side, const float *x, int64_t ldx,
                                      int32_t trans, int64_t rows, int64_t K, void *packed);

/* One operand of the driver. */
enum { INFER_OPERAND_PLAIN = 0, INFER_OPERAND_PACKED = 1, INFER_OPERAND_CALLBACK = 2 };
typedef struct {
  int32_t kind;
  /* PLAIN: A is a[m * ld + k] (trans: a[k * ld + m]); B is b[k * ld + n] (trans: b[n * ld + k]). */
  const float *data;
  int64_t ld;
  int32_t trans;
  int64_t stride; /* PLAIN: between batch items (0: shared) */
  /* PACKED: from infer_gemm_pack for the same arch and side (shared by all batch items). */
  const void *packed;
  /* CALLBACK: fills dst with panels (the layout above) of rows [r0, r0 + rows)
   * (M rows for A, N columns for B) and k [k0, k0 + kc) of batch item `b`;
   * called from several threads at once, with dst of
   * ceil(rows / width) * width * kc floats. */
  void (*pack)(void *arg, int64_t b, int64_t r0, int64_t rows, int64_t k0, int64_t kc, int32_t width, float *dst);
  void *arg;
} infer_gemm_operand;

typedef struct {
  int64_t batch, M, N, K;
  infer_gemm_operand a, b;
  float *c;
  int64_t ldc, stride_c;
  infer_epilogue ep;        /* bias and residual of item 0; the residual advances by stride_c */
  const infer_gemm_arch *arch; /* NULL: infer_gemm_arch_get(INFER_ISA_AUTO) */
} infer_gemm_problem;

/* Runs a GEMM problem on ctx's threads: split over batch items and M/N tiles,
 * blocked by the arch's mc/kc/nc, the epilogue applied as each C tile is
 * finished. */
INFER_KERNEL_API int infer_gemm_run(struct infer_model *ctx, const infer_gemm_problem *p);

/* ================================================================== convolution
 *
 * 2-D convolution, f32, NCHW: x [batch, channels, height, width], weight
 * [out_channels, channels / groups, kh, kw] (OIHW), y [batch, out_channels,
 * OH, OW] with OH = (height + pad_top + pad_bottom - dilation_h * (kh - 1) - 1)
 * / stride_h + 1 (floor; OW likewise). Pads are zeros. The epilogue is
 * y = act(conv + bias[o] + residual) (bias [out_channels] or NULL, residual
 * the shape of y or NULL; y must not overlap x, bias or the residual).
 * Returns INFER_OK, INFER_ERR_ARGUMENT (bad parameters, a weight packed for
 * other shapes), or INFER_ERR_MEMORY (scratch).
 *
 * infer_conv2d_f32 (conv2d.c): any groups, strides, dilations and pads. The
 * weight is prepacked once by the packer `conv2d_f32` (`infer.pack =
 * "conv2d_f32"`; infer_pack_conv2d_f32_size gives the bytes of the 64-byte
 * aligned buffer) into blocks of 32 output channels. Usually a direct
 * convolution vectorized along the output channels (register tiles of 14
 * positions x 32 channels; the input read in place, or from one zero-padded
 * copy when there are pads); for tiny K or channel counts far from a multiple
 * of 32, an implicit GEMM vectorized along the output positions (patches
 * packed panel by panel into per-thread scratch, never a whole im2col matrix).
 * The epilogue is fused. Parallel over batch items, groups, channel blocks and
 * output rows; the same results for any number of threads. */
INFER_KERNEL_API int64_t infer_pack_conv2d_f32_size(int64_t out_channels, int64_t in_per_group, int64_t kh,
                                                    int64_t kw, int64_t groups);
INFER_KERNEL_API void infer_pack_conv2d_f32(const float *weight, int64_t out_channels, int64_t in_per_group,
                                            int64_t kh, int64_t kw, int64_t groups, void *packed);
INFER_KERNEL_API int infer_conv2d_f32(struct infer_model *ctx, const float *x, int64_t batch, int64_t channels,
                                      int64_t height, int64_t width, const void *packed_weight, const float *bias,
                                      const float *residual, float *y, int64_t stride_h, int64_t stride_w,
                                      int64_t dilation_h, int64_t dilation_w, int64_t pad_top, int64_t pad_left,
                                      int64_t pad_bottom, int64_t pad_right, int32_t act, float p0, float p1);

/* infer_depthwise_conv2d_f32 (depthwise_conv2d.c): groups == channels, with
 * `multiplier` output channels per input channel (out_channels = channels *
 * multiplier; output channel o reads input channel o / multiplier). The weight
 * is the op's [out_channels, 1, kh, kw] as it is (no packing). Direct, vectorized
 * along the output width, parallel over planes. INFER_ERR_SHAPE when the
 * window does not fit the padded input. */
INFER_KERNEL_API int infer_depthwise_conv2d_f32(struct infer_model *ctx, const float *x, int64_t batch,
                                                int64_t channels, int64_t height, int64_t width,
                                                const float *weight, int64_t multiplier, int64_t kh, int64_t kw,
                                                const float *bias, const float *residual, float *y, int64_t stride_h,
                                                int64_t stride_w, int64_t dilation_h, int64_t dilation_w,
                                                int64_t pad_top, int64_t pad_left, int64_t pad_bottom,
                                                int64_t pad_right, int32_t act, float p0, float p1);

/* ================================================================== pooling
 *
 * Max and average pooling 2-D, f32, NCHW (pool2d.c), exactly infer.max_pool /
 * infer.avg_pool: x [batch, channels, height, width] -> y [batch, channels, OH,
 * OW], OH = floor((height + pad_top + pad_bottom - dilation_h * (kh - 1) - 1)
 * / stride_h) + 1, rounded up when ceil_mode, minus a last window that would
 * start at or after height + pad_top (OW likewise). Max: pads never win, NaN
 * propagates, a window of padding only gives -inf. Average: the sum of the
 * window's input elements / (count_h * count_w), each the taps of its dim
 * inside the input, or with count_include_pad inside [-pad_begin, size +
 * pad_end). Parallel over planes. INFER_ERR_SHAPE when the window does not fit
 * the padded input, INFER_ERR_ARGUMENT for bad parameters. */
INFER_KERNEL_API int infer_max_pool2d_f32(struct infer_model *ctx, const float *x, int64_t batch, int64_t channels,
                                          int64_t height, int64_t width, float *y, int64_t kh, int64_t kw,
                                          int64_t stride_h, int64_t stride_w, int64_t dilation_h, int64_t dilation_w,
                                          int64_t pad_top, int64_t pad_left, int64_t pad_bottom, int64_t pad_right,
                                          int32_t ceil_mode);
INFER_KERNEL_API int infer_avg_pool2d_f32(struct infer_model *ctx, const float *x, int64_t batch, int64_t channels,
                                          int64_t height, int64_t width, float *y, int64_t kh, int64_t kw,
                                          int64_t stride_h, int64_t stride_w, int64_t dilation_h, int64_t dilation_w,
                                          int64_t pad_top, int64_t pad_left, int64_t pad_bottom, int64_t pad_right,
                                          int32_t ceil_mode, int32_t count_include_pad);

#ifdef __cplusplus
}
#endif
#endif
