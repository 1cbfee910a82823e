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

/* ------------------------------------------------------------------ narrow floats
 *
 * bf16, the float8 types, f8E8M0FNU and f4E2M1FN are stored as their bits
 * (uint16_t, uint8_t); ops widen them to float, compute, and round the result
 * back. Widening is exact. Narrowing rounds to nearest even in one step from a
 * double (which holds any f16, f32 or f64 exactly); beyond the largest finite
 * value it gives inf where the format has one, NaN where it has not, and with
 * `saturate` the largest finite value (NaN stays NaN). f4E2M1FN has neither
 * inf nor NaN: it always clamps, and NaN becomes a zero of the opposite sign.
 */

enum {
  INFER_NF_INF = 1,  /* has infinities (bf16, f8E5M2) */
  INFER_NF_UZ = 2,   /* unsigned zero: the bits of -0 are the one NaN (FNUZ types) */
  INFER_NF_NONAN = 4 /* no NaN, no inf (f4E2M1FN) */
};

static inline uint32_t infer_narrow_from_f64(double x, int man, int bias, uint32_t max_mag, uint32_t inf_mag,
                                             uint32_t nan_bits, int sign_shift, int flags, int saturate) {
  uint32_t sign = signbit(x) ? 1u << sign_shift : 0u;
  if (isnan(x)) {
    if (flags & INFER_NF_NONAN) return sign ^ (1u << sign_shift);
    return (flags & INFER_NF_UZ) ? nan_bits : (nan_bits | sign);
  }
  double a = fabs(x);
  uint64_t mag;
  if (isinf(a)) {
    mag = (uint64_t)max_mag + 1;
  } else {
    int e = 0;
    (void)frexp(a, &e); /* a = f * 2^e, 0.5 <= f < 1 */
    int emin = 1 - bias, ue = a == 0 ? emin : e - 1;
    if (ue < emin) ue = emin;                                  /* subnormal: the quantum is 2^(emin - man) */
    uint64_t r = (uint64_t)nearbyint(ldexp(a, man - ue));     /* to nearest even, < 2^(man+1) + 1 */
    if (r >> (man + 1)) {                                      /* rounded up into the next binade */
      r >>= 1;
      ue += 1;
    }
    if (r < (1u << man)) {
      mag = r;
    } else {
      int64_t biased = (int64_t)ue + bias;
      mag = biased > 4096 ? (uint64_t)max_mag + 1 : ((uint64_t)biased << man) | (r - (1u << man));
    }
  }
  if (mag > max_mag) {
    if (saturate || (flags & INFER_NF_NONAN)) mag = max_mag;
    else if (flags & INFER_NF_INF) mag = inf_mag;
    else return (flags & INFER_NF_UZ) ? nan_bits : (nan_bits | sign);
  }
  if (mag == 0 && (flags & INFER_NF_UZ)) return 0;
  return (uint32_t)mag | sign;
}

static inline float infer_narrow_to_f32(uint32_t bits, int man, int bias, int exp_bits, int sign_shift, int flags) {
  uint32_t sign = (bits >> sign_shift) & 1u, mag = bits & ((1u << sign_shift) - 1u);
  uint32_t e = mag >> man, m = mag & ((1u << man) - 1u);
  if (flags & INFER_NF_UZ) {
    if (sign && mag == 0) return NAN;
  } else if (flags & INFER_NF_INF) {
    if (e == (1u << exp_bits) - 1u) return m ? (sign ? -NAN : NAN) : (sign ? -INFINITY : INFINITY);
  } else if (!(flags & INFER_NF_NONAN)) {
    if (mag == (1u << sign_shift) - 1u) return sign ? -NAN : NAN;
  }
  float v = e ? ldexpf((float)(m | (1u << man)), (int)e - bias - man) : ldexpf((float)m, 1 - bias - man);
  return sign ? -v : v;
}

#define INFER_NARROW(NAME, T, MAN, BIAS, EXP, MAX, INF, NANB, SHIFT, FLAGS)                                      \
  static inline T infer_##NAME##_from_f64(double x, int saturate) {                                             \
    return (T)infer_narrow_from_f64(x, MAN, BIAS, MAX, INF, NANB, SHIFT, FLAGS, saturate);                      \
  }                                                                                                            \
  static inline float infer_##NAME##_to_f32(T bits) { return infer_narrow_to_f32(bits, MAN, BIAS, EXP, SHIFT, FLAGS); }
INFER_NARROW(bf16, uint16_t, 7, 127, 8, 0x7F7Fu, 0x7F80u, 0x7FC0u, 15, INFER_NF_INF)
INFER_NARROW(f8e4m3fn, uint8_t, 3, 7, 4, 0x7Eu, 0u, 0x7Fu, 7, 0)
INFER_NARROW(f8e4m3fnuz, uint8_t, 3, 8, 4, 0x7Fu, 0u, 0x80u, 7, INFER_NF_UZ)
INFER_NARROW(f8e5m2, uint8_t, 2, 15, 5, 0x7Bu, 0x7Cu, 0x7Eu, 7, INFER_NF_INF)
INFER_NARROW(f8e5m2fnuz, uint8_t, 2, 16, 5, 0x7Fu, 0u, 0x80u, 7, INFER_NF_UZ)
INFER_NARROW(f4e2m1fn, uint8_t, 1, 1, 2, 0x7u, 0u, 0u, 3, INFER_NF_NONAN)
#undef INFER_NARROW

/* bf16 from float in integer arithmetic (the common case): round to nearest even, NaN kept quiet. */
static inline uint16_t infer_bf16_from_f32(float x) {
  uint32_t b;
  memcpy(&b, &x, sizeof b);
  if ((b & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((b >> 16) | 0x40u);
  b += 0x7FFFu + ((b >> 16) & 1u);
  return (uint16_t)(b >> 16);
}

/* f8E8M0FNU: 2^(bits - 127), 0xFF is NaN. From the exponent of a float32, its sign ignored;
 * round_mode 0 "up" (any fraction adds one), 1 "down", 2 "nearest" (half rounds up but from
 * the subnormals' exponent 0 only beyond half). With saturate the largest exponent stays and
 * inf gives 2^127; without, they give NaN. */
static inline uint8_t infer_e8m0_from_f32(float x, int saturate, int round_mode) {
  uint32_t b;
  memcpy(&b, &x, sizeof b);
  uint32_t e = (b >> 23) & 0xFFu, f = b & 0x7FFFFFu;
  if (e == 0xFFu) return (uint8_t)(f == 0 && saturate ? 0xFEu : 0xFFu);
  uint32_t up = round_mode == 0 ? f != 0 : round_mode == 2 ? (b & 0x400000u) && ((b & 0x3FFFFFu) || e > 0) : 0;
  e += up;
  if (saturate && e > 0xFEu) e = 0xFEu;
  return (uint8_t)e;
}

static inline float infer_e8m0_to_f32(uint8_t bits) { return bits == 0xFFu ? NAN : ldexpf(1.0f, (int)bits - 127); }

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
