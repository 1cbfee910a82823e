/* conv_harness.c: the convolution, depthwise convolution and pooling kernels, callable from ctypes.
 *
 * Linked with the kernel library as build.py builds it (same flags). Stands in
 * for the runtime: a context that holds only a pool (infer_rt_pool) and a
 * message (infer_rt_fail). Every function here is exported; the library's are
 * hidden, as in a model.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

EXPORT int64_t h_pack_conv2d_size(int64_t out_channels, int64_t in_per_group, int64_t kh, int64_t kw,
                                  int64_t groups) {
  return infer_pack_conv2d_f32_size(out_channels, in_per_group, kh, kw, groups);
}

EXPORT void h_pack_conv2d(const float *w, int64_t out_channels, int64_t in_per_group, int64_t kh, int64_t kw,
                          int64_t groups, void *packed) {
  infer_pack_conv2d_f32(w, out_channels, in_per_group, kh, kw, groups, packed);
}

/* The window parameters of every kernel: strides, dilations, pads (top, left, bottom, right). */
EXPORT int h_conv2d(infer_model *ctx, const float *x, const int64_t *xdims, const void *packed, const float *bias,
                    const float *residual, float *y, const int64_t *window, int32_t act, float p0, float p1) {
  return infer_conv2d_f32(ctx, x, xdims[0], xdims[1], xdims[2], xdims[3], packed, bias, residual, y, window[0],
                          window[1], window[2], window[3], window[4], window[5], window[6], window[7], act, p0, p1);
}

EXPORT int h_depthwise_conv2d(infer_model *ctx, const float *x, const int64_t *xdims, const float *w,
                              int64_t multiplier, int64_t kh, int64_t kw, const float *bias, const float *residual,
                              float *y, const int64_t *window, int32_t act, float p0, float p1) {
  return infer_depthwise_conv2d_f32(ctx, x, xdims[0], xdims[1], xdims[2], xdims[3], w, multiplier, kh, kw, bias,
                                    residual, y, window[0], window[1], window[2], window[3], window[4], window[5],
                                    window[6], window[7], act, p0, p1);
}

EXPORT int h_max_pool2d(infer_model *ctx, const float *x, const int64_t *xdims, float *y, int64_t kh, int64_t kw,
                        const int64_t *window, int32_t ceil_mode) {
  return infer_max_pool2d_f32(ctx, x, xdims[0], xdims[1], xdims[2], xdims[3], y, kh, kw, window[0], window[1],
                              window[2], window[3], window[4], window[5], window[6], window[7], ceil_mode);
}

EXPORT int h_avg_pool2d(infer_model *ctx, const float *x, const int64_t *xdims, float *y, int64_t kh, int64_t kw,
                        const int64_t *window, int32_t ceil_mode, int32_t count_include_pad) {
  return infer_avg_pool2d_f32(ctx, x, xdims[0], xdims[1], xdims[2], xdims[3], y, kh, kw, window[0], window[1],
                              window[2], window[3], window[4], window[5], window[6], window[7], ceil_mode,
                              count_include_pad);
}

/* ------------------------------------------------------------------ timing (bench/conv.py)
 *
 * The same calls `reps` times, each call's seconds into `seconds`: the kernels' own time,
 * without the Python call around them. */

static double h_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

EXPORT int h_conv2d_timed(infer_model *ctx, const float *x, const int64_t *xdims, const void *packed, const float *bias,
                          const float *residual, float *y, const int64_t *window, int32_t act, float p0, float p1,
                          int64_t reps, double *seconds) {
  int status = 0;
  for (int64_t i = 0; i < reps && !status; i++) {
    double start = h_now();
    status = h_conv2d(ctx, x, xdims, packed, bias, residual, y, window, act, p0, p1);
    seconds[i] = h_now() - start;
  }
  return status;
}

EXPORT int h_depthwise_conv2d_timed(infer_model *ctx, const float *x, const int64_t *xdims, const float *w,
                                    int64_t multiplier, int64_t kh, int64_t kw, const float *bias,
                                    const float *residual, float *y, const int64_t *window, int32_t act, float p0,
                                    float p1, int64_t reps, double *seconds) {
  int status = 0;
  for (int64_t i = 0; i < reps && !status; i++) {
    double start = h_now();
    status = h_depthwise_conv2d(ctx, x, xdims, w, multiplier, kh, kw, bias, residual, y, window, act, p0, p1);
    seconds[i] = h_now() - start;
  }
  return status;
}

EXPORT int h_pool2d_timed(infer_model *ctx, int32_t average, const float *x, const int64_t *xdims, float *y, int64_t kh,
                          int64_t kw, const int64_t *window, int32_t ceil_mode, int32_t count_include_pad, int64_t reps,
                          double *seconds) {
  int status = 0;
  for (int64_t i = 0; i < reps && !status; i++) {
    double start = h_now();
    status = average ? h_avg_pool2d(ctx, x, xdims, y, kh, kw, window, ceil_mode, count_include_pad)
                     : h_max_pool2d(ctx, x, xdims, y, kh, kw, window, ceil_mode);
    seconds[i] = h_now() - start;
  }
  return status;
}
