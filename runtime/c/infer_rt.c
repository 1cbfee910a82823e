/* infer_rt.c: the run time of a compiled model (compiled with the generated code).
 *
 * Weights: weights.bin is mmapped read-only; a splat is stored as one element
 * and filled into a buffer at create; a mutable global gets its own copy; a
 * global marked for a kernel's packer is packed at create into a buffer of its
 * own (and its unpacked pages are given back).
 * Inputs are checked against the signature tables before anything runs.
 * Intermediate buffers live in arenas planned at run time (infer_rt_plan);
 * outputs in buffers the model keeps until the next run; any other allocation
 * of a run is freed at its end, whatever path the run took.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* madvise */
#endif
#include "infer_rt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Under AddressSanitizer, the slots of an arena are separated by poisoned red
 * zones, and the unused tail of a reused buffer is poisoned: an overflow of a
 * generated loop is reported even inside the model's own allocations. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define INFER_REDZONE 64
#define INFER_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define INFER_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define INFER_REDZONE 0
#define INFER_POISON(p, n) ((void)(p), (void)(n))
#define INFER_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define INFER_BLOB_MAGIC "INFERWB1"
#define INFER_BLOB_HEADER 64

static __thread char create_error[512];

static void *aligned_alloc64(int64_t bytes) {
  void *p = NULL;
  size_t size = bytes > 0 ? (size_t)bytes : 1;
  if (posix_memalign(&p, INFER_ALIGN, size) != 0)
    return NULL;
  return p;
}

int infer_rt_fail(infer_model *m, int status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(m->message, sizeof m->message, format, args);
  va_end(args);
  m->status = status;
  return status;
}

static int create_fail(int status, const char *format, ...) __attribute__((format(printf, 2, 3)));
static int create_fail(int status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(create_error, sizeof create_error, format, args);
  va_end(args);
  return status;
}

/* ------------------------------------------------------------------ memory */

static int check_size(infer_model *m, int64_t bytes, const char *what) {
  if (bytes < 0)
    return infer_rt_fail(m, INFER_ERR_SHAPE,
                         "%s would have a negative size (%lld bytes): an input dim is too small for the model", what,
                         (long long)bytes);
  return INFER_OK;
}

void *infer_rt_output(infer_model *m, int index, int64_t bytes) {
  infer_output *out = &m->outputs[index];
  if (check_size(m, bytes, "an output") != INFER_OK)
    return NULL;
  if (out->data != NULL && out->capacity >= bytes) {
    INFER_UNPOISON(out->data, (size_t)out->capacity);
    INFER_POISON((char *)out->data + bytes, (size_t)(out->capacity - bytes));
  } else {
    free(out->data);
    out->capacity = 0;
    out->data = aligned_alloc64(bytes);
    if (!out->data) {
      infer_rt_fail(m, INFER_ERR_MEMORY, "out of memory for output '%s' (%lld bytes)",
                    m->info->outputs[index].name, (long long)bytes);
      return NULL;
    }
    out->capacity = bytes;
  }
  return out->data;
}

void *infer_rt_alloc(infer_model *m, int64_t bytes) {
  if (check_size(m, bytes, "a buffer") != INFER_OK)
    return NULL;
  if (m->heap_count == m->heap_capacity) {
    size_t capacity = m->heap_capacity ? 2 * m->heap_capacity : 16;
    void **heap = realloc(m->heap, capacity * sizeof *heap);
    if (!heap) {
      infer_rt_fail(m, INFER_ERR_MEMORY, "out of memory");
      return NULL;
    }
    m->heap = heap;
    m->heap_capacity = capacity;
  }
  void *p = aligned_alloc64(bytes);
  if (!p) {
    infer_rt_fail(m, INFER_ERR_MEMORY, "out of memory for a buffer of %lld bytes", (long long)bytes);
    return NULL;
  }
  m->heap[m->heap_count++] = p;
  return p;
}

void infer_rt_free(infer_model *m, void *p) {
  for (size_t i = m->heap_count; i-- > 0;) {
    if (m->heap[i] == p) {
      free(p);
      m->heap[i] = m->heap[--m->heap_count];
      return;
    }
  }
}

static void free_heap(infer_model *m) {
  for (size_t i = 0; i < m->heap_count; i++)
    free(m->heap[i]);
  m->heap_count = 0;
}

static int64_t slot(int64_t size) { return (size + INFER_REDZONE + INFER_ALIGN - 1) / INFER_ALIGN * INFER_ALIGN; }

typedef struct {
  int64_t key, tie;
} ranked;

static int by_key(const void *a, const void *b) {
  const ranked *x = a, *y = b;
  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return x->tie < y->tie ? -1 : x->tie > y->tie;
}

/* Offsets by greedy first fit: buffers in decreasing size (then program order), each
 * at the lowest offset where it overlaps no placed buffer whose liveness interval
 * meets its own. `order` and `taken` have room for `count` entries. */
static int64_t place(const infer_plan_info *plan, const int64_t *sizes, int64_t *offsets, ranked *order,
                     ranked *taken) {
  int32_t n = plan->count;
  for (int32_t i = 0; i < n; i++)
    order[i] = (ranked){-sizes[i], i};
  qsort(order, (size_t)n, sizeof *order, by_key);
  int64_t total = 0;
  for (int32_t p = 0; p < n; p++) {
    int32_t b = (int32_t)order[p].tie;
    int64_t size = slot(sizes[b]);
    size_t count = 0;
    for (int32_t q = 0; q < p; q++) { /* placed buffers live at the same time */
      int32_t c = (int32_t)order[q].tie;
      if (plan->start[c] > plan->end[b] || plan->start[b] > plan->end[c])
        continue;
      taken[count++] = (ranked){offsets[c], offsets[c] + slot(sizes[c])};
    }
    qsort(taken, count, sizeof *taken, by_key); /* by offset */
    int64_t offset = 0;
    for (size_t j = 0; j < count; j++) {
      if (taken[j].key - offset >= size)
        break;
      if (taken[j].tie > offset)
        offset = taken[j].tie;
    }
    offsets[b] = offset;
    if (offset + size > total)
      total = offset + size;
  }
  return total;
}

int infer_rt_plan(infer_model *m, int index, const int64_t *sizes, int64_t *result) {
  const infer_plan_info *plan = &m->info->plans[index];
  infer_arena *arena = &m->arenas[index];
  int32_t n = plan->count;
  if (!arena->valid || memcmp(arena->sizes, sizes, (size_t)n * sizeof *sizes) != 0) {
    int64_t sum = 0;
    for (int32_t i = 0; i < n; i++) {
      int status = check_size(m, sizes[i], "an intermediate buffer");
      if (status != INFER_OK)
        return status;
      sum += sizes[i];
    }
    ranked *scratch = malloc(2 * ((size_t)n + 1) * sizeof *scratch);
    if (!scratch)
      return infer_rt_fail(m, INFER_ERR_MEMORY, "out of memory");
    int64_t total = place(plan, sizes, arena->offsets, scratch, scratch + n + 1);
    free(scratch);
    if (total > arena->capacity) {
      INFER_UNPOISON(arena->base, (size_t)arena->capacity);
      free(arena->base);
      arena->capacity = 0;
      arena->base = aligned_alloc64(total);
      if (!arena->base) {
        arena->valid = 0;
        return infer_rt_fail(m, INFER_ERR_MEMORY, "out of memory for intermediate buffers (%lld bytes)",
                             (long long)total);
      }
      arena->capacity = total;
    }
    INFER_POISON(arena->base, (size_t)arena->capacity);
    for (int32_t i = 0; i < n; i++)
      INFER_UNPOISON((char *)arena->base + arena->offsets[i], (size_t)sizes[i]);
    memcpy(arena->sizes, sizes, (size_t)n * sizeof *sizes);
    arena->total = total;
    arena->sum = sum;
    arena->valid = 1;
  }
  result[0] = arena->total;
  memcpy(result + 1, arena->offsets, (size_t)n * sizeof *result);
  return INFER_OK;
}

/* ------------------------------------------------------------------ weights */

static int load_blob(infer_model *m, const char *path) {
  const infer_model_info *info = m->info;
  char file[4096];
  struct stat st;
  if (path == NULL)
    return create_fail(INFER_ERR_WEIGHTS, "the model has weights: give the path of weights.bin or of its directory");
  if (stat(path, &st) != 0)
    return create_fail(INFER_ERR_WEIGHTS, "%s: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode)) {
    if ((size_t)snprintf(file, sizeof file, "%s/weights.bin", path) >= sizeof file)
      return create_fail(INFER_ERR_WEIGHTS, "%s: path too long", path);
  } else {
    if ((size_t)snprintf(file, sizeof file, "%s", path) >= sizeof file)
      return create_fail(INFER_ERR_WEIGHTS, "%s: path too long", path);
  }
  int fd = open(file, O_RDONLY);
  if (fd < 0)
    return create_fail(INFER_ERR_WEIGHTS, "%s: %s", file, strerror(errno));
  if (fstat(fd, &st) != 0 || (uint64_t)st.st_size != info->blob_bytes) {
    close(fd);
    return create_fail(INFER_ERR_WEIGHTS, "%s: %lld bytes, expected %llu: not the weights of this model", file,
                       (long long)st.st_size, (unsigned long long)info->blob_bytes);
  }
  void *blob = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (blob == MAP_FAILED) { /* read it instead */
    blob = aligned_alloc64((int64_t)st.st_size);
    size_t done = 0;
    while (blob && done < (size_t)st.st_size) {
      ssize_t got = read(fd, (char *)blob + done, (size_t)st.st_size - done);
      if (got <= 0) {
        free(blob);
        blob = NULL;
        break;
      }
      done += (size_t)got;
    }
    if (!blob) {
      close(fd);
      return create_fail(INFER_ERR_WEIGHTS, "%s: cannot read it", file);
    }
  } else {
    m->blob_mapped = 1;
  }
  close(fd);
  m->blob = blob;
  m->blob_size = (size_t)st.st_size;
  uint64_t key;
  memcpy(&key, (const char *)blob + 16, sizeof key);
  if (memcmp(blob, INFER_BLOB_MAGIC, 8) != 0 || key != info->blob_key)
    return create_fail(INFER_ERR_WEIGHTS, "%s: not the weights of this model (built from other weights)", file);
  return INFER_OK;
}

/* Fills `data` with a global's elements (a splat repeated, zeros if uninitialized). */
static void fill_global(const infer_global_info *g, const char *stored, char *data) {
  if (g->flags & INFER_GLOBAL_UNINITIALIZED || g->stored == 0) {
    memset(data, 0, g->bytes);
  } else if (g->flags & INFER_GLOBAL_SPLAT) {
    for (uint64_t i = 0; i < g->bytes; i += g->stored)
      memcpy(data + i, stored, g->stored);
  } else {
    memcpy(data, stored, g->bytes);
  }
}

/* Packs global k for its kernel into a buffer the model owns. The unpacked
 * elements are read once: a splat is expanded into a temporary buffer, and the
 * pages of the mapped blob they came from are given back to the kernel. */
static int pack_global(infer_model *m, int32_t k, const char *stored) {
  const infer_global_info *g = &m->info->globals[k];
  const void *data = stored;
  char *expanded = NULL;
  if ((g->flags & INFER_GLOBAL_SPLAT) || g->stored != g->bytes) {
    expanded = aligned_alloc64((int64_t)g->bytes);
    if (!expanded)
      return create_fail(INFER_ERR_MEMORY, "out of memory for global %s (%llu bytes)", g->name,
                         (unsigned long long)g->bytes);
    fill_global(g, stored, expanded);
    data = expanded;
  }
  int64_t size = g->pack_size();
  void *packed = size > 0 ? aligned_alloc64(size) : NULL;
  if (!packed) {
    free(expanded);
    return create_fail(INFER_ERR_MEMORY, "out of memory for the packed global %s (%lld bytes)", g->name,
                       (long long)size);
  }
  g->pack(data, packed);
  free(expanded);
  m->owned[k] = packed;
  m->globals[k] = packed;
  if (m->blob_mapped && data == stored && g->bytes > 0) {
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t begin = ((uintptr_t)stored + (uintptr_t)page - 1) / (uintptr_t)page * (uintptr_t)page;
    uintptr_t end = ((uintptr_t)stored + g->bytes) / (uintptr_t)page * (uintptr_t)page;
    if (page > 0 && end > begin) /* whole pages of this global only; the file keeps them */
      madvise((void *)begin, end - begin, MADV_DONTNEED);
  }
  return INFER_OK;
}

static int init_globals(infer_model *m) {
  const infer_model_info *info = m->info;
  for (int32_t k = 0; k < info->num_globals; k++) {
    const infer_global_info *g = &info->globals[k];
    const char *stored = m->blob ? (const char *)m->blob + g->offset : NULL;
    if (g->pack) {
      int status = pack_global(m, k, stored);
      if (status != INFER_OK)
        return status;
      continue;
    }
    if ((g->flags & INFER_GLOBAL_CONSTANT) && !(g->flags & INFER_GLOBAL_SPLAT) && g->stored == g->bytes) {
      m->globals[k] = (void *)stored;
      continue;
    }
    char *data = aligned_alloc64((int64_t)g->bytes);
    if (!data)
      return create_fail(INFER_ERR_MEMORY, "out of memory for global %s (%llu bytes)", g->name,
                         (unsigned long long)g->bytes);
    m->owned[k] = data;
    m->globals[k] = data;
    fill_global(g, stored, data);
  }
  return INFER_OK;
}

/* ------------------------------------------------------------------ the API */

/* threads = 0: one per CPU this process may run on. */
static int default_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

struct infer_pool *infer_rt_pool(infer_model *m) { return m->pool; }

void infer_model_destroy(infer_model *m) {
  if (!m)
    return;
  const infer_model_info *info = m->info;
  infer_pool_destroy(m->pool);
  free_heap(m);
  free(m->heap);
  if (m->owned)
    for (int32_t k = 0; k < info->num_globals; k++)
      free(m->owned[k]);
  free(m->owned);
  free(m->globals);
  if (m->arenas)
    for (int32_t k = 0; k < info->num_plans; k++) {
      INFER_UNPOISON(m->arenas[k].base, (size_t)m->arenas[k].capacity);
      free(m->arenas[k].base);
      free(m->arenas[k].sizes);
      free(m->arenas[k].offsets);
    }
  free(m->arenas);
  if (m->outputs)
    for (int32_t k = 0; k < info->num_outputs; k++) {
      INFER_UNPOISON(m->outputs[k].data, (size_t)m->outputs[k].capacity);
      free(m->outputs[k].data);
      free(m->outputs[k].dims);
    }
  free(m->outputs);
  if (m->blob) {
    if (m->blob_mapped)
      munmap(m->blob, m->blob_size);
    else
      free(m->blob);
  }
  free(m);
}

int infer_model_create(const char *weights, int threads, infer_model **model) {
  const infer_model_info *info = &infer__model_info;
  create_error[0] = '\0';
  if (!model)
    return create_fail(INFER_ERR_ARGUMENT, "infer_model_create: model is NULL");
  *model = NULL;
  if (threads < 0)
    return create_fail(INFER_ERR_ARGUMENT, "infer_model_create: threads is %d; give 0 (default) or a count >= 1",
                       threads);
  infer_model *m = calloc(1, sizeof *m);
  if (!m)
    return create_fail(INFER_ERR_MEMORY, "out of memory");
  m->info = info;
  m->threads = threads == 0 ? default_threads() : threads;
  m->pool = infer_pool_create(m->threads); /* its threads start with the first parallel kernel */
  m->globals = calloc((size_t)info->num_globals + 1, sizeof *m->globals);
  m->owned = calloc((size_t)info->num_globals + 1, sizeof *m->owned);
  m->arenas = calloc((size_t)info->num_plans + 1, sizeof *m->arenas);
  m->outputs = calloc((size_t)info->num_outputs + 1, sizeof *m->outputs);
  int status = (m->globals && m->owned && m->arenas && m->outputs && m->pool) ? INFER_OK : INFER_ERR_MEMORY;
  for (int32_t k = 0; status == INFER_OK && k < info->num_plans; k++) {
    size_t n = (size_t)info->plans[k].count + 1;
    m->arenas[k].sizes = calloc(n, sizeof(int64_t));
    m->arenas[k].offsets = calloc(n, sizeof(int64_t));
    if (!m->arenas[k].sizes || !m->arenas[k].offsets)
      status = INFER_ERR_MEMORY;
  }
  for (int32_t k = 0; status == INFER_OK && k < info->num_outputs; k++) {
    m->outputs[k].dims = calloc((size_t)info->outputs[k].rank + 1, sizeof(int64_t));
    if (!m->outputs[k].dims)
      status = INFER_ERR_MEMORY;
  }
  if (status != INFER_OK) {
    infer_model_destroy(m);
    return create_fail(status, "out of memory");
  }
  int has_data = 0;
  for (int32_t k = 0; k < info->num_globals; k++)
    has_data |= info->globals[k].stored != 0;
  if (has_data || weights != NULL)
    status = load_blob(m, weights);
  if (status == INFER_OK)
    status = init_globals(m);
  if (status != INFER_OK) {
    infer_model_destroy(m);
    return status;
  }
  *model = m;
  return INFER_OK;
}

static const char *dtype_name(int32_t dtype) {
  switch (dtype) {
  case INFER_FLOAT32: return "float32";
  case INFER_UINT8: return "uint8";
  case INFER_INT8: return "int8";
  case INFER_UINT16: return "uint16";
  case INFER_INT16: return "int16";
  case INFER_INT32: return "int32";
  case INFER_INT64: return "int64";
  case INFER_BOOL: return "bool";
  case INFER_FLOAT16: return "float16";
  case INFER_FLOAT64: return "float64";
  case INFER_UINT32: return "uint32";
  case INFER_UINT64: return "uint64";
  case INFER_BFLOAT16: return "bfloat16";
  case INFER_FLOAT8E4M3FN: return "float8e4m3fn";
  case INFER_FLOAT8E4M3FNUZ: return "float8e4m3fnuz";
  case INFER_FLOAT8E5M2: return "float8e5m2";
  case INFER_FLOAT8E5M2FNUZ: return "float8e5m2fnuz";
  case INFER_UINT4: return "uint4";
  case INFER_INT4: return "int4";
  case INFER_FLOAT4E2M1: return "float4e2m1";
  case INFER_FLOAT8E8M0: return "float8e8m0";
  case INFER_UINT2: return "uint2";
  case INFER_INT2: return "int2";
  default: return "an unknown dtype";
  }
}

static int dtype_size(int32_t dtype) {
  switch (dtype) {
  case INFER_FLOAT64: case INFER_INT64: case INFER_UINT64: return 8;
  case INFER_FLOAT32: case INFER_INT32: case INFER_UINT32: return 4;
  case INFER_FLOAT16: case INFER_INT16: case INFER_UINT16: case INFER_BFLOAT16: return 2;
  default: return 1;
  }
}

static void first_with_symbol(const infer_model_info *info, const char *symbol, int32_t *input, int32_t *dim) {
  for (int32_t j = 0; j < info->num_inputs; j++)
    for (int32_t e = 0; e < info->inputs[j].rank; e++)
      if (strcmp(info->inputs[j].dim_symbols[e], symbol) == 0) {
        *input = j;
        *dim = e;
        return;
      }
}

static int check_inputs(infer_model *m, const infer_tensor *inputs) {
  const infer_model_info *info = m->info;
  for (int32_t i = 0; i < info->num_inputs; i++) {
    const infer_io_info *want = &info->inputs[i];
    const infer_tensor *got = &inputs[i];
    if (got->dtype != want->dtype)
      return infer_rt_fail(m, INFER_ERR_DTYPE, "input '%s': dtype is %s (%d), expected %s", want->name,
                           dtype_name(got->dtype), got->dtype, dtype_name(want->dtype));
    if (got->rank != want->rank)
      return infer_rt_fail(m, INFER_ERR_SHAPE, "input '%s': rank is %d, expected %d", want->name, got->rank,
                           want->rank);
    if (got->rank > 0 && !got->dims)
      return infer_rt_fail(m, INFER_ERR_ARGUMENT, "input '%s': dims is NULL", want->name);
    int64_t count = 1;
    for (int32_t d = 0; d < want->rank; d++) {
      int64_t size = got->dims[d];
      if (size < 0)
        return infer_rt_fail(m, INFER_ERR_SHAPE, "input '%s': dim %d is %lld", want->name, d, (long long)size);
      if (want->dims[d] >= 0 && size != want->dims[d])
        return infer_rt_fail(m, INFER_ERR_SHAPE, "input '%s': dim %d is %lld, expected %lld", want->name, d,
                             (long long)size, (long long)want->dims[d]);
      count *= size;
      const char *symbol = want->dim_symbols[d];
      if (!symbol[0])
        continue;
      /* The first input dim with this symbol fixes its size. */
      int32_t j = i, e = d;
      first_with_symbol(info, symbol, &j, &e);
      if ((j != i || e != d) && inputs[j].dims[e] != size)
        return infer_rt_fail(m, INFER_ERR_SHAPE,
                             "input '%s': dim %d is %lld, but dim %d of input '%s' is %lld and both are '%s'",
                             want->name, d, (long long)size, e, info->inputs[j].name, (long long)inputs[j].dims[e],
                             symbol);
    }
    if (count > 0 && !got->data)
      return infer_rt_fail(m, INFER_ERR_ARGUMENT, "input '%s': data is NULL", want->name);
  }
  return INFER_OK;
}

int infer_model_run(infer_model *m, const infer_tensor *inputs, int num_inputs, infer_tensor *outputs,
                    int num_outputs) {
  if (!m)
    return INFER_ERR_ARGUMENT;
  const infer_model_info *info = m->info;
  m->message[0] = '\0';
  m->status = INFER_OK;
  if (num_inputs != info->num_inputs || (num_inputs > 0 && !inputs))
    return infer_rt_fail(m, INFER_ERR_ARGUMENT, "the model takes %d inputs, got %d", info->num_inputs, num_inputs);
  if (num_outputs != info->num_outputs || (num_outputs > 0 && !outputs))
    return infer_rt_fail(m, INFER_ERR_ARGUMENT, "the model has %d outputs, got room for %d", info->num_outputs,
                         num_outputs);
  int status = check_inputs(m, inputs);
  if (status != INFER_OK)
    return status;
  /* Empty inputs may have NULL data: give the generated code a valid pointer. */
  infer_tensor *safe = malloc(((size_t)num_inputs + 1) * sizeof *safe);
  void **data = calloc((size_t)num_outputs + 1, sizeof *data);
  int64_t **dims = calloc((size_t)num_outputs + 1, sizeof *dims);
  static const int64_t empty[8] __attribute__((aligned(64)));
  if (!safe || !data || !dims) {
    free(safe);
    free(data);
    free(dims);
    return infer_rt_fail(m, INFER_ERR_MEMORY, "out of memory");
  }
  for (int i = 0; i < num_inputs; i++) {
    safe[i] = inputs[i];
    if (!safe[i].data)
      safe[i].data = (void *)empty;
  }
  for (int k = 0; k < num_outputs; k++) {
    const infer_io_info *o = &info->outputs[k];
    for (int32_t d = 0; d < o->rank; d++)
      m->outputs[k].dims[d] = o->dims[d];
    dims[k] = m->outputs[k].dims;
  }
  status = info->entry(m, safe, data, dims);
  /* Outputs the code did not compute in place (an input, a constant, a buffer
   * returned twice) are copied into the model's own buffers. */
  for (int k = 0; status == INFER_OK && k < num_outputs; k++) {
    const infer_io_info *o = &info->outputs[k];
    int64_t count = 1;
    for (int32_t d = 0; d < o->rank; d++)
      count *= m->outputs[k].dims[d];
    int64_t bytes = count * dtype_size(o->dtype);
    if (data[k] != m->outputs[k].data || m->outputs[k].data == NULL) {
      void *own = infer_rt_output(m, k, bytes);
      if (!own) {
        status = m->status;
        break;
      }
      if (bytes > 0)
        memmove(own, data[k], (size_t)bytes);
    }
    outputs[k].data = m->outputs[k].data;
    outputs[k].dtype = o->dtype;
    outputs[k].rank = o->rank;
    outputs[k].dims = m->outputs[k].dims;
  }
  free_heap(m);
  free(safe);
  free(data);
  free(dims);
  if (status == INFER_OK)
    m->ran = 1;
  else if (m->status == INFER_OK)
    infer_rt_fail(m, status, "the model failed with status %d", status);
  return status;
}

const char *infer_model_error(const infer_model *m) { return m ? m->message : create_error; }

int infer_model_memory(const infer_model *m, int64_t *arena_bytes, int64_t *intermediate_bytes) {
  if (!m || !m->ran)
    return INFER_ERR_ARGUMENT;
  int64_t arena = 0, sum = 0;
  for (int32_t k = 0; k < m->info->num_plans; k++) {
    arena += m->arenas[k].total;
    sum += m->arenas[k].sum;
  }
  if (arena_bytes)
    *arena_bytes = arena;
  if (intermediate_bytes)
    *intermediate_bytes = sum;
  return INFER_OK;
}

/* ------------------------------------------------------------------ signature */

static const infer_io_info *io(int output, int index) {
  const infer_model_info *info = &infer__model_info;
  if (output)
    return index >= 0 && index < info->num_outputs ? &info->outputs[index] : NULL;
  return index >= 0 && index < info->num_inputs ? &info->inputs[index] : NULL;
}

int infer_model_num_inputs(void) { return infer__model_info.num_inputs; }
int infer_model_num_outputs(void) { return infer__model_info.num_outputs; }
const char *infer_model_input_name(int i) { return io(0, i) ? io(0, i)->name : NULL; }
const char *infer_model_output_name(int i) { return io(1, i) ? io(1, i)->name : NULL; }
int infer_model_input_dtype(int i) { return io(0, i) ? io(0, i)->dtype : 0; }
int infer_model_output_dtype(int i) { return io(1, i) ? io(1, i)->dtype : 0; }
int infer_model_input_rank(int i) { return io(0, i) ? io(0, i)->rank : -1; }
int infer_model_output_rank(int i) { return io(1, i) ? io(1, i)->rank : -1; }

int64_t infer_model_input_dim(int i, int d) {
  const infer_io_info *x = io(0, i);
  return x && d >= 0 && d < x->rank ? x->dims[d] : -1;
}

int64_t infer_model_output_dim(int i, int d) {
  const infer_io_info *x = io(1, i);
  return x && d >= 0 && d < x->rank ? x->dims[d] : -1;
}

const char *infer_model_input_dim_symbol(int i, int d) {
  const infer_io_info *x = io(0, i);
  return x && d >= 0 && d < x->rank ? x->dim_symbols[d] : NULL;
}

const char *infer_model_output_dim_symbol(int i, int d) {
  const infer_io_info *x = io(1, i);
  return x && d >= 0 && d < x->rank ? x->dim_symbols[d] : NULL;
}
