/* infer_rt.h: what generated model code shares with the runtime (infer_rt.c).
 *
 * Not part of the public API (that is model.h): the model structure, the
 * tables a generated model describes itself with, the allocation and planning
 * entry points, and the inline helpers that give arith and math ops their
 * exact MLIR semantics where C leaves behaviour undefined.
 */
#ifndef INFER_RT_H
#define INFER_RT_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "model.h"

#define INFER_HIDDEN __attribute__((visibility("hidden")))
#define INFER_ALIGN 64

__extension__ typedef _Float16 infer_f16;
__extension__ typedef __int128 infer_i128;
__extension__ typedef unsigned __int128 infer_u128;

/* ------------------------------------------------------------------ tables */

typedef struct {
  const char *name;
  int32_t dtype;
  int32_t rank;
  const int64_t *dims;            /* -1: dynamic */
  const char *const *dim_symbols; /* one per dim, "" where none */
} infer_io_info;

enum { INFER_GLOBAL_CONSTANT = 1, INFER_GLOBAL_SPLAT = 2, INFER_GLOBAL_UNINITIALIZED = 4 };

typedef struct {
  const char *name;
  uint64_t offset; /* in the weights blob */
  uint64_t bytes;  /* in memory */
  uint64_t stored; /* in the blob: bytes, one element for a splat, 0 if uninitialized */
  uint32_t flags;
  uint32_t align;
  /* A global prepacked for a kernel (`infer.pack`; NULL otherwise): at create, its
   * elements are packed into a 64-byte aligned buffer of pack_size() bytes, which
   * is what ctx->globals[k] then points to (only kernels read it). */
  int64_t (*pack_size)(void);
  void (*pack)(const void *data, void *packed);
} infer_global_info;

typedef struct {
  const char *name;
  int32_t count;
  const int32_t *start; /* liveness intervals, in program order */
  const int32_t *end;
} infer_plan_info;

typedef int (*infer_entry_fn)(infer_model *ctx, const infer_tensor *inputs, void **outputs, int64_t **output_dims);

typedef struct {
  int32_t num_inputs, num_outputs;
  const infer_io_info *inputs, *outputs;
  int32_t num_globals;
  const infer_global_info *globals;
  uint64_t blob_bytes;
  uint64_t blob_key;
  int32_t num_plans;
  const infer_plan_info *plans;
  infer_entry_fn entry;
} infer_model_info;

/* Defined by the generated model.c. */
extern INFER_HIDDEN const infer_model_info infer__model_info;

/* ------------------------------------------------------------------ the model */

typedef struct {
  void *base;
  int64_t capacity;
  int64_t *sizes;   /* of the last plan, to reuse it while they do not change */
  int64_t *offsets;
  int64_t total, sum;
  int valid;
} infer_arena;

typedef struct {
  void *data;
  int64_t capacity;
  int64_t *dims;
} infer_output;

/* The thread pool of the kernel library (runtime/c/kernels/threads.c, declared
 * in infer_kernels.h): `threads` threads including the caller's. */
struct infer_pool;
INFER_HIDDEN struct infer_pool *infer_pool_create(int threads);
INFER_HIDDEN void infer_pool_destroy(struct infer_pool *pool);

struct infer_model {
  const infer_model_info *info;
  void *blob;
  size_t blob_size;
  int blob_mapped;
  void **globals;  /* data of each global */
  void **owned;    /* what the model allocated for a global (splats, mutable ones), or NULL */
  infer_arena *arenas;
  infer_output *outputs;
  void **heap; /* allocations of this run not freed yet */
  size_t heap_count, heap_capacity;
  int threads;
  struct infer_pool *pool; /* the kernels' threads (infer_rt_pool) */
  int status;
  int ran;
  char message[512];
};

/* ------------------------------------------------------------------ run time */

INFER_HIDDEN int infer_rt_fail(infer_model *m, int status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
/* Plans arena `plan` for buffers of the given byte sizes: result[0] is the arena
 * size, result[1 + i] the offset of buffer i. Reuses the last plan while the
 * sizes are the same, and grows the arena as needed. */
INFER_HIDDEN int infer_rt_plan(infer_model *m, int plan, const int64_t *sizes, int64_t *result);
/* Output buffer `index` with room for `bytes` (NULL on failure, with m->status set). */
INFER_HIDDEN void *infer_rt_output(infer_model *m, int index, int64_t bytes);
/* A heap buffer for this run (NULL on failure). */
INFER_HIDDEN void *infer_rt_alloc(infer_model *m, int64_t bytes);
INFER_HIDDEN void infer_rt_free(infer_model *m, void *p);
/* The model's thread pool, for the kernels' infer_parallel_for. */
INFER_HIDDEN struct infer_pool *infer_rt_pool(infer_model *m);

#define INFER_TRY(call)         \
  do {                          \
    int infer_status_ = (call); \
    if (infer_status_)          \
      return infer_status_;     \
  } while (0)

#define INFER_CHECK(pointer) \
  do {                       \
    if (!(pointer))          \
      return ctx->status;    \
  } while (0)

/* ------------------------------------------------------------------ arith helpers */

static inline float infer_f32_from_bits(uint32_t bits) {
  float x;
  memcpy(&x, &bits, sizeof x);
  return x;
}

static inline double infer_f64_from_bits(uint64_t bits) {
  double x;
  memcpy(&x, &bits, sizeof x);
  return x;
}

/* Division and remainder: by zero gives 0, INT_MIN / -1 wraps (no trap). */
#define INFER_DIVISION(W, S, U)                                                                                   \
  static inline S infer_divsi_##W(S a, S b) {                                                                   \
    if (b == 0)                                                                                                 \
      return 0;                                                                                                 \
    if (b == -1)                                                                                                \
      return (S)((U)0 - (U)a);                                                                                  \
    return a / b;                                                                                               \
  }                                                                                                             \
  static inline S infer_remsi_##W(S a, S b) {                                                                   \
    if (b == 0 || b == -1)                                                                                      \
      return 0;                                                                                                 \
    return a % b;                                                                                               \
  }                                                                                                             \
  static inline S infer_floordivsi_##W(S a, S b) {                                                              \
    if (b == 0)                                                                                                 \
      return 0;                                                                                                 \
    if (b == -1)                                                                                                \
      return (S)((U)0 - (U)a);                                                                                  \
    S q = a / b;                                                                                                \
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;                                                    \
  }                                                                                                             \
  static inline S infer_ceildivsi_##W(S a, S b) {                                                               \
    if (b == 0)                                                                                                 \
      return 0;                                                                                                 \
    if (b == -1)                                                                                                \
      return (S)((U)0 - (U)a);                                                                                  \
    S q = a / b;                                                                                                \
    return (a % b != 0 && ((a < 0) == (b < 0))) ? q + 1 : q;                                                    \
  }                                                                                                             \
  static inline U infer_divui_##W(U a, U b) { return b == 0 ? 0 : a / b; }                                      \
  static inline U infer_remui_##W(U a, U b) { return b == 0 ? 0 : a % b; }                                      \
  static inline U infer_ceildivui_##W(U a, U b) { return b == 0 ? 0 : a / b + (a % b != 0); }                   \
  /* Shifts by `bits` (the type's width) or more: 0, or the sign for shrsi. */                                  \
  static inline U infer_shli_##W(U a, U s, U bits) { return s >= bits ? 0 : (U)(a << s); }                      \
  static inline U infer_shrui_##W(U a, U s, U bits) { return s >= bits ? 0 : a >> s; }                          \
  static inline S infer_shrsi_##W(S a, U s, U bits) { return s >= bits ? (a < 0 ? -1 : 0) : a >> s; }

INFER_DIVISION(32, int32_t, uint32_t)
INFER_DIVISION(64, int64_t, uint64_t)

/* NaN propagates; -0.0 < +0.0 (IEEE 754-2019 maximum/minimum). */
#define INFER_FLOAT_MINMAX(SUFFIX, T)                                     \
  static inline T infer_maximumf_##SUFFIX(T a, T b) {                     \
    if (a != a || b != b)                                                 \
      return a + b;                                                       \
    if (a == b)                                                           \
      return signbit(a) ? b : a;                                          \
    return a > b ? a : b;                                                 \
  }                                                                       \
  static inline T infer_minimumf_##SUFFIX(T a, T b) {                     \
    if (a != a || b != b)                                                 \
      return a + b;                                                       \
    if (a == b)                                                           \
      return signbit(a) ? a : b;                                          \
    return a < b ? a : b;                                                 \
  }                                                                       \
  /* The number when one side is NaN (maxNum/minNum). */                  \
  static inline T infer_maxnumf_##SUFFIX(T a, T b) { return (a > b || b != b) ? a : b; } \
  static inline T infer_minnumf_##SUFFIX(T a, T b) { return (a < b || b != b) ? a : b; } \
  /* Saturating conversions: NaN gives 0. */                              \
  static inline int64_t infer_fptosi_##SUFFIX(T x, int64_t lo, int64_t hi) { \
    if (x != x)                                                           \
      return 0;                                                           \
    if (x <= (T)lo)                                                       \
      return lo;                                                          \
    if (x >= (T)hi)                                                       \
      return hi;                                                          \
    return (int64_t)x;                                                    \
  }                                                                       \
  static inline uint64_t infer_fptoui_##SUFFIX(T x, uint64_t hi) {        \
    if (x != x || x <= (T)0)                                              \
      return 0;                                                           \
    if (x >= (T)hi)                                                       \
      return hi;                                                          \
    return (uint64_t)x;                                                   \
  }

INFER_FLOAT_MINMAX(f32, float)
INFER_FLOAT_MINMAX(f64, double)

/* Integer power, wrapping; a negative exponent gives 0 unless the base is 1 or -1. */
static inline int64_t infer_ipowi_64(int64_t base, int64_t exponent) {
  if (exponent < 0) {
    if (base == 1)
      return 1;
    if (base == -1)
      return (exponent & 1) ? -1 : 1;
    return 0;
  }
  uint64_t result = 1, b = (uint64_t)base;
  uint64_t e = (uint64_t)exponent;
  while (e) {
    if (e & 1)
      result *= b;
    b *= b;
    e >>= 1;
  }
  return (int64_t)result;
}

/* Bit counts of the low `bits` bits; ctlz and cttz of 0 give `bits`. */
static inline uint32_t infer_ctlz_32(uint32_t x, uint32_t bits) {
  return x == 0 ? bits : (uint32_t)__builtin_clz(x) - (32 - bits);
}
static inline uint32_t infer_cttz_32(uint32_t x, uint32_t bits) {
  return x == 0 ? bits : (uint32_t)__builtin_ctz(x);
}
static inline uint32_t infer_ctpop_32(uint32_t x, uint32_t bits) {
  (void)bits;
  return (uint32_t)__builtin_popcount(x);
}
static inline uint64_t infer_ctlz_64(uint64_t x, uint64_t bits) {
  (void)bits;
  return x == 0 ? 64 : (uint64_t)__builtin_clzll(x);
}
static inline uint64_t infer_cttz_64(uint64_t x, uint64_t bits) {
  (void)bits;
  return x == 0 ? 64 : (uint64_t)__builtin_ctzll(x);
}
static inline uint64_t infer_ctpop_64(uint64_t x, uint64_t bits) {
  (void)bits;
  return (uint64_t)__builtin_popcountll(x);
}

#endif
