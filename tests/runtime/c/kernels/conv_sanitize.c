/* conv_sanitize.c: the convolution, depthwise convolution and pooling kernels under
 * AddressSanitizer and UndefinedBehaviorSanitizer (test_conv2d.py::test_sanitizers).
 *
 * Random shapes (groups, kernels, strides, dilations, asymmetric pads, ceil mode,
 * count_include_pad, every activation, bias and residual) against naive
 * references computed here in double, on 1 and 2 threads. Every buffer a kernel
 * reads or writes ends at a page boundary followed by an inaccessible page (and,
 * in a second pass, starts right after one): masked vector loads that the
 * sanitizers do not see would fault on any element outside their buffer. Prints
 * "<cases> cases, <failures> failed".
 */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "infer_kernels.h"

infer_model *h_ctx_create(int threads);
void h_ctx_destroy(infer_model *m);

static uint64_t seed = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
  seed ^= seed << 13;
  seed ^= seed >> 7;
  seed ^= seed << 17;
  return seed;
}
static int64_t pick(int64_t lo, int64_t hi) { return lo + (int64_t)(next() % (uint64_t)(hi - lo + 1)); }
static float frand(void) { return (float)((double)(next() % 2000001) / 1000000.0 - 1.0); }

/* ------------------------------------------------------------------ guarded buffers */

typedef struct {
  void *map;
  size_t map_bytes;
} guard;

static size_t page(void) { return (size_t)sysconf(_SC_PAGESIZE); }

/* `bytes` accessible bytes whose end touches an inaccessible page (at_start: whose start follows one),
 * aligned to `align` (a power of two; the end is then within align - 1 bytes of the guard). */
static void *guarded(size_t bytes, int at_start, size_t align, guard *g) {
  size_t ps = page();
  size_t body = (bytes + align + ps - 1) / ps * ps;
  g->map_bytes = body + 2 * ps;
  g->map = mmap(NULL, g->map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (g->map == MAP_FAILED) {
    perror("mmap");
    exit(2);
  }
  char *base = (char *)g->map + ps;
  mprotect(g->map, ps, PROT_NONE);
  mprotect(base + body, ps, PROT_NONE);
  if (at_start)
    return base;
  uintptr_t end = (uintptr_t)(base + body);
  return (void *)((end - bytes) & ~(uintptr_t)(align - 1));
}

static void release(guard *g) { munmap(g->map, g->map_bytes); }

static float *floats(int64_t n, int at_start, guard *g) {
  float *p = (float *)guarded((size_t)(n > 0 ? n : 1) * sizeof(float), at_start, 4, g);
  for (int64_t i = 0; i < n; i++)
    p[i] = frand();
  return p;
}

/* ------------------------------------------------------------------ references */

static double activate(int act, double x, double p0, double p1) {
  switch (act) {
  case INFER_ACT_RELU:
    return x > 0 ? x : 0;
  case INFER_ACT_CLIP:
    return x < p0 ? p0 : x > p1 ? p1 : x;
  case INFER_ACT_LEAKY_RELU:
    return x < 0 ? p0 * x : x;
  case INFER_ACT_SIGMOID:
    return 1 / (1 + exp(-x));
  case INFER_ACT_HARD_SIGMOID: {
    double v = p0 * x + p1;
    return v < 0 ? 0 : v > 1 ? 1 : v;
  }
  case INFER_ACT_HARD_SWISH: {
    double v = x / 6 + 0.5;
    return x * (v < 0 ? 0 : v > 1 ? 1 : v);
  }
  case INFER_ACT_SILU:
    return x / (1 + exp(-x));
  case INFER_ACT_TANH:
    return tanh(x);
  case INFER_ACT_GELU:
    return 0.5 * x * (1 + erf(x / sqrt(2.0)));
  case INFER_ACT_GELU_TANH:
    return 0.5 * x * (1 + tanh(sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
  default:
    return x;
  }
}

static int64_t out_dim(int64_t size, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe, int ceil_mode) {
  int64_t span = size + pb + pe - d * (k - 1) - 1;
  if (span < 0)
    return -1;
  if (!ceil_mode)
    return span / s + 1;
  int64_t out = (span + s - 1) / s + 1;
  if ((out - 1) * s >= size + pb)
    out--;
  return out;
}

typedef struct {
  int64_t n, c, h, w, o, groups, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  int act, bias, residual;
  float p0, p1;
} conv_case;

static int failures, cases;

static void compare(const char *what, const float *got, const double *want, const double *scale, int64_t n,
                    const conv_case *k) {
  cases++;
  for (int64_t i = 0; i < n; i++) {
    double tol = 1e-4 * scale[i] + 1e-5;
    if (!(got[i] == want[i] || fabs(got[i] - want[i]) <= tol) && !(isnan(got[i]) && isnan(want[i]))) {
      failures++;
      printf("FAIL %s n%ld c%ld %ldx%ld o%ld g%ld k%ldx%ld s%ld,%ld d%ld,%ld p%ld,%ld,%ld,%ld act%d at %ld: got %g, want %g\n",
             what, (long)k->n, (long)k->c, (long)k->h, (long)k->w, (long)k->o, (long)k->groups, (long)k->kh,
             (long)k->kw, (long)k->sh, (long)k->sw, (long)k->dh, (long)k->dw, (long)k->pt, (long)k->pl, (long)k->pb,
             (long)k->pr, k->act, (long)i, got[i], want[i]);
      return;
    }
  }
}

/* The convolution of `k` in double: want (with the epilogue) and scale (sum of |terms|). */
static void conv_reference(const conv_case *k, const float *x, const float *w, const float *b, const float *r,
                           int64_t oh_n, int64_t ow_n, double *want, double *scale) {
  int64_t cg = k->c / k->groups, og = k->o / k->groups;
  for (int64_t n = 0; n < k->n; n++)
    for (int64_t o = 0; o < k->o; o++)
      for (int64_t oh = 0; oh < oh_n; oh++)
        for (int64_t ow = 0; ow < ow_n; ow++) {
          int64_t g = o / og, at = ((n * k->o + o) * oh_n + oh) * ow_n + ow;
          double s = 0, a = 0;
          for (int64_t c = 0; c < cg; c++)
            for (int64_t i = 0; i < k->kh; i++)
              for (int64_t j = 0; j < k->kw; j++) {
                int64_t ih = oh * k->sh - k->pt + i * k->dh, iw = ow * k->sw - k->pl + j * k->dw;
                if (ih < 0 || ih >= k->h || iw < 0 || iw >= k->w)
                  continue;
                double t = (double)x[((n * k->c + g * cg + c) * k->h + ih) * k->w + iw] *
                           w[((o * cg + c) * k->kh + i) * k->kw + j];
                s += t;
                a += fabs(t);
              }
          if (b) {
            s += b[o];
            a += fabs(b[o]);
          }
          if (r) {
            s += r[at];
            a += fabs(r[at]);
          }
          want[at] = activate(k->act, s, k->p0, k->p1);
          scale[at] = a;
        }
}

static void random_conv(conv_case *k, int depthwise) {
  memset(k, 0, sizeof *k);
  k->n = pick(1, 2);
  k->groups = depthwise ? 0 : (next() % 3 == 0 ? pick(2, 3) : 1);
  k->c = depthwise ? pick(1, 6) : k->groups * pick(1, 9);
  if (depthwise)
    k->groups = k->c;
  k->o = depthwise ? k->c * pick(1, 2) : k->groups * pick(1, 40);
  k->kh = pick(1, 5);
  k->kw = pick(1, 5);
  k->sh = pick(1, 3);
  k->sw = pick(1, 3);
  k->dh = pick(1, 2);
  k->dw = pick(1, 2);
  k->pt = pick(0, 3);
  k->pl = pick(0, 3);
  k->pb = pick(0, 3);
  k->pr = pick(0, 3);
  k->h = pick(1, 30);
  k->w = pick(1, 40);
  k->act = (int)pick(0, 10);
  k->p0 = -0.25f;
  k->p1 = 0.5f;
  if (k->act == INFER_ACT_LEAKY_RELU)
    k->p0 = 0.1f;
  if (k->act == INFER_ACT_HARD_SIGMOID)
    k->p0 = 0.2f;
  k->bias = (int)pick(0, 1);
  k->residual = (int)pick(0, 1);
}

static void run_conv(infer_model *ctx, int at_start, int depthwise) {
  conv_case k;
  int64_t oh, ow;
  do {
    random_conv(&k, depthwise);
    oh = out_dim(k.h, k.kh, k.sh, k.dh, k.pt, k.pb, 0);
    ow = out_dim(k.w, k.kw, k.sw, k.dw, k.pl, k.pr, 0);
  } while (oh < 1 || ow < 1);
  guard gx, gw, gb, gr, gy, gp;
  int64_t cg = k.c / k.groups, ny = k.n * k.o * oh * ow;
  float *x = floats(k.n * k.c * k.h * k.w, at_start, &gx);
  float *w = floats(k.o * cg * k.kh * k.kw, at_start, &gw);
  float *b = k.bias ? floats(k.o, at_start, &gb) : NULL;
  float *r = k.residual ? floats(ny, at_start, &gr) : NULL;
  float *y = floats(ny, at_start, &gy);
  double *want = malloc((size_t)ny * sizeof(double)), *scale = malloc((size_t)ny * sizeof(double));
  conv_reference(&k, x, w, b, r, oh, ow, want, scale);
  int status;
  if (depthwise) {
    status = infer_depthwise_conv2d_f32(ctx, x, k.n, k.c, k.h, k.w, w, k.o / k.c, k.kh, k.kw, b, r, y, k.sh, k.sw,
                                        k.dh, k.dw, k.pt, k.pl, k.pb, k.pr, k.act, k.p0, k.p1);
  } else {
    int64_t size = infer_pack_conv2d_f32_size(k.o, cg, k.kh, k.kw, k.groups);
    void *packed = guarded((size_t)size, at_start, 64, &gp);
    infer_pack_conv2d_f32(w, k.o, cg, k.kh, k.kw, k.groups, packed);
    status = infer_conv2d_f32(ctx, x, k.n, k.c, k.h, k.w, packed, b, r, y, k.sh, k.sw, k.dh, k.dw, k.pt, k.pl, k.pb,
                              k.pr, k.act, k.p0, k.p1);
    release(&gp);
  }
  if (status != INFER_OK) {
    cases++;
    failures++;
    printf("FAIL %s: status %d\n", depthwise ? "depthwise" : "conv", status);
  } else {
    compare(depthwise ? "depthwise" : "conv", y, want, scale, ny, &k);
  }
  free(want);
  free(scale);
  release(&gx);
  release(&gw);
  if (b)
    release(&gb);
  if (r)
    release(&gr);
  release(&gy);
}

static void run_pool(infer_model *ctx, int at_start, int average) {
  conv_case k;
  int ceil_mode, include;
  int64_t oh, ow;
  do {
    random_conv(&k, 0);
    k.o = k.c;
    ceil_mode = (int)pick(0, 1);
    include = (int)pick(0, 1);
    oh = out_dim(k.h, k.kh, k.sh, k.dh, k.pt, k.pb, ceil_mode);
    ow = out_dim(k.w, k.kw, k.sw, k.dw, k.pl, k.pr, ceil_mode);
  } while (oh < 1 || ow < 1);
  guard gx, gy;
  int64_t ny = k.n * k.c * oh * ow;
  float *x = floats(k.n * k.c * k.h * k.w, at_start, &gx);
  float *y = floats(ny, at_start, &gy);
  double *want = malloc((size_t)ny * sizeof(double)), *scale = malloc((size_t)ny * sizeof(double));
  for (int64_t p = 0; p < k.n * k.c; p++)
    for (int64_t i = 0; i < oh; i++)
      for (int64_t j = 0; j < ow; j++) {
        double m = -INFINITY, s = 0, a = 0;
        int64_t ch = 0, cw = 0;
        for (int64_t t = 0; t < k.kh; t++) {
          int64_t ih = i * k.sh - k.pt + t * k.dh;
          ch += include ? (ih >= -k.pt && ih < k.h + k.pb) : (ih >= 0 && ih < k.h);
        }
        for (int64_t t = 0; t < k.kw; t++) {
          int64_t iw = j * k.sw - k.pl + t * k.dw;
          cw += include ? (iw >= -k.pl && iw < k.w + k.pr) : (iw >= 0 && iw < k.w);
        }
        for (int64_t u = 0; u < k.kh; u++)
          for (int64_t v = 0; v < k.kw; v++) {
            int64_t ih = i * k.sh - k.pt + u * k.dh, iw = j * k.sw - k.pl + v * k.dw;
            if (ih < 0 || ih >= k.h || iw < 0 || iw >= k.w)
              continue;
            double e = x[(p * k.h + ih) * k.w + iw];
            m = e > m ? e : m;
            s += e;
            a += fabs(e);
          }
        int64_t at = (p * oh + i) * ow + j;
        want[at] = average ? s / (double)(ch * cw) : m;
        scale[at] = average ? a / (double)(ch * cw > 0 ? ch * cw : 1) : 0;
      }
  int status = average ? infer_avg_pool2d_f32(ctx, x, k.n, k.c, k.h, k.w, y, k.kh, k.kw, k.sh, k.sw, k.dh, k.dw, k.pt,
                                              k.pl, k.pb, k.pr, ceil_mode, include)
                       : infer_max_pool2d_f32(ctx, x, k.n, k.c, k.h, k.w, y, k.kh, k.kw, k.sh, k.sw, k.dh, k.dw, k.pt,
                                              k.pl, k.pb, k.pr, ceil_mode);
  if (status != INFER_OK) {
    cases++;
    failures++;
    printf("FAIL pool: status %d\n", status);
  } else {
    compare(average ? "avg_pool" : "max_pool", y, want, scale, ny, &k);
  }
  free(want);
  free(scale);
  release(&gx);
  release(&gy);
}

int main(int argc, char **argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 60;
  for (int threads = 1; threads <= 2; threads++) {
    infer_model *ctx = h_ctx_create(threads);
    if (!ctx) {
      printf("no context\n");
      return 2;
    }
    for (int at_start = 0; at_start <= 1; at_start++)
      for (int i = 0; i < rounds; i++) {
        run_conv(ctx, at_start, 0);
        run_conv(ctx, at_start, 1);
        run_pool(ctx, at_start, 0);
        run_pool(ctx, at_start, 1);
      }
    h_ctx_destroy(ctx);
  }
  /* no context: the calling thread alone */
  for (int i = 0; i < rounds / 4; i++) {
    run_conv(NULL, 0, 0);
    run_conv(NULL, 0, 1);
    run_pool(NULL, 0, 0);
    run_pool(NULL, 0, 1);
  }
  printf("%d cases, %d failed\n", cases, failures);
  return failures != 0;
}
