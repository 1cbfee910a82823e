/* threads.c: the thread pool of a model, infer_parallel_for, per-thread scratch.
 *
 * A pool of `threads` runs jobs on threads - 1 workers plus the calling thread.
 * A job is [0, n) handed out in chunks of `grain` indices from an atomic
 * counter, so a thread that finishes early takes the next chunk. Between jobs
 * workers spin for a short while (back-to-back kernels of one model run are
 * microseconds apart) and then sleep on a condition variable: an idle model
 * burns no CPU.
 *
 * Scratch: each pool thread has its own buffers (infer_scratch), freed with
 * the pool; outside a pool job a thread uses buffers of its own, kept for the
 * thread's later calls.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "infer_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

/* Spin iterations before sleeping, between jobs and while the caller waits for
 * workers: a pause is 32 ns on this project's machine (10-140 cycles elsewhere),
 * so about 50 us: well under a scheduler tick, longer than the usual gap between
 * two kernels of a run. */
#define SPIN_LIMIT 1500

typedef struct {
  void *data;
  size_t size;
} scratch_buffer;

typedef struct {
  scratch_buffer slot[INFER_SCRATCH_SLOTS];
  char pad[64];
} thread_scratch;

/* The job counter holds the job's generation in its high bits and the next
 * index to hand out in the low ones: a worker that wakes up late, after the
 * caller has moved on, cannot take a chunk of a job it did not read. */
#define TICKET_BITS 40
#define TICKET_INDEX ((INT64_C(1) << TICKET_BITS) - 1)
#define TICKET_GENERATIONS ((INT64_C(1) << (62 - TICKET_BITS)) - 1)

typedef struct {
  infer_task_fn fn;
  void *arg;
  int64_t n, grain, generation;
} job;

struct infer_pool {
  int threads;
  pthread_t *workers;
  int started;     /* workers running */
  int spawn_tried; /* start_workers ran */
  thread_scratch *scratch; /* [threads]: 0 is the caller's */
  pthread_mutex_t lock;
  pthread_cond_t wake; /* a new job, or stop */
  pthread_cond_t done; /* the job's last chunk finished */
  job current;         /* written under lock */
  int64_t ticket __attribute__((aligned(64)));   /* generation << TICKET_BITS | next index */
  int64_t finished __attribute__((aligned(64))); /* indices done in the current job */
  int64_t generation __attribute__((aligned(64)));
  int sleeping;       /* workers waiting on `wake` */
  int caller_waiting; /* the caller waits on `done` */
  int stop;
};

typedef struct {
  infer_pool *pool;
  int index;
} worker_start;

static __thread thread_scratch *current_scratch; /* set while a pool thread runs a job */
static __thread int in_job;
static __thread thread_scratch own_scratch; /* outside pool jobs */

void *infer_scratch(int slot, size_t bytes) {
  if (slot < 0 || slot >= INFER_SCRATCH_SLOTS)
    return NULL;
  thread_scratch *s = current_scratch ? current_scratch : &own_scratch;
  scratch_buffer *b = &s->slot[slot];
  if (b->size < bytes || b->data == NULL) {
    size_t size = bytes < 4096 ? 4096 : bytes + bytes / 4;
    void *p = NULL;
    if (posix_memalign(&p, 64, size) != 0)
      return NULL;
    free(b->data);
    b->data = p;
    b->size = size;
  }
  return b->data;
}

static void free_scratch(thread_scratch *s) {
  for (int i = 0; i < INFER_SCRATCH_SLOTS; i++) {
    free(s->slot[i].data);
    s->slot[i].data = NULL;
    s->slot[i].size = 0;
  }
}

/* Runs chunks of job `j` until none is left (or another job has started). */
static void run_chunks(infer_pool *pool, const job *j, thread_scratch *scratch) {
  thread_scratch *saved = current_scratch;
  current_scratch = scratch;
  in_job = 1;
  const int64_t tag = (j->generation & TICKET_GENERATIONS) << TICKET_BITS;
  for (;;) {
    int64_t ticket = __atomic_load_n(&pool->ticket, __ATOMIC_ACQUIRE);
    int64_t begin;
    do {
      begin = ticket & TICKET_INDEX;
      if ((ticket & ~TICKET_INDEX) != tag || begin >= j->n)
        goto out;
    } while (!__atomic_compare_exchange_n(&pool->ticket, &ticket, ticket + j->grain, 0, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
    int64_t end = j->n - begin < j->grain ? j->n : begin + j->grain;
    j->fn(j->arg, begin, end);
    if (__atomic_add_fetch(&pool->finished, end - begin, __ATOMIC_ACQ_REL) == j->n) {
      pthread_mutex_lock(&pool->lock);
      if (pool->caller_waiting)
        pthread_cond_signal(&pool->done);
      pthread_mutex_unlock(&pool->lock);
    }
  }
out:
  in_job = 0;
  current_scratch = saved;
}

static void *worker_main(void *p) {
  worker_start start = *(worker_start *)p;
  free(p);
  infer_pool *pool = start.pool;
  int64_t seen = 0;
  for (;;) {
    /* Wait for a new job: spin briefly, then sleep. */
    for (int spins = 0; spins < SPIN_LIMIT; spins++) {
      if (__atomic_load_n(&pool->generation, __ATOMIC_ACQUIRE) != seen || __atomic_load_n(&pool->stop, __ATOMIC_ACQUIRE))
        break;
      CPU_RELAX();
    }
    pthread_mutex_lock(&pool->lock);
    while (pool->generation == seen && !pool->stop) {
      pool->sleeping++;
      pthread_cond_wait(&pool->wake, &pool->lock);
      pool->sleeping--;
    }
    if (pool->stop) {
      pthread_mutex_unlock(&pool->lock);
      break;
    }
    job j = pool->current;
    seen = j.generation;
    pthread_mutex_unlock(&pool->lock);
    run_chunks(pool, &j, &pool->scratch[start.index]);
  }
  free_scratch(&pool->scratch[start.index]);
  return NULL;
}

infer_pool *infer_pool_create(int threads) {
  if (threads < 1)
    threads = 1;
  infer_pool *pool = calloc(1, sizeof *pool);
  if (!pool)
    return NULL;
  pool->threads = threads;
  pool->scratch = calloc((size_t)threads, sizeof *pool->scratch);
  pool->workers = calloc((size_t)threads, sizeof *pool->workers);
  if (!pool->scratch || !pool->workers) {
    free(pool->scratch);
    free(pool->workers);
    free(pool);
    return NULL;
  }
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->wake, NULL);
  pthread_cond_init(&pool->done, NULL);
  return pool;
}

/* Starts the workers on the first parallel job (a model that never runs one
 * never has threads); fewer if the system refuses some. */
static void start_workers(infer_pool *pool) {
  while (pool->started < pool->threads - 1) {
    worker_start *start = malloc(sizeof *start);
    if (!start)
      break;
    start->pool = pool;
    start->index = pool->started + 1;
    if (pthread_create(&pool->workers[pool->started], NULL, worker_main, start) != 0) {
      free(start);
      break;
    }
    pool->started++;
  }
  pool->spawn_tried = 1;
}

void infer_pool_destroy(infer_pool *pool) {
  if (!pool)
    return;
  pthread_mutex_lock(&pool->lock);
  __atomic_store_n(&pool->stop, 1, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
  for (int i = 0; i < pool->started; i++)
    pthread_join(pool->workers[i], NULL);
  free_scratch(&pool->scratch[0]);
  pthread_mutex_destroy(&pool->lock);
  pthread_cond_destroy(&pool->wake);
  pthread_cond_destroy(&pool->done);
  free(pool->scratch);
  free(pool->workers);
  free(pool);
}

int infer_pool_threads(const infer_pool *pool) { return pool ? pool->threads : 1; }

static void run_here(int64_t n, int64_t grain, infer_task_fn fn, void *arg) {
  for (int64_t begin = 0; begin < n; begin += grain)
    fn(arg, begin, n - begin < grain ? n : begin + grain);
}

void infer_pool_run(infer_pool *pool, int64_t n, int64_t grain, infer_task_fn fn, void *arg) {
  if (n <= 0)
    return;
  if (grain < 1)
    grain = 1;
  if (pool && !in_job && !pool->spawn_tried && pool->threads > 1 && n > grain)
    start_workers(pool);
  if (in_job || !pool || pool->started == 0 || n <= grain || n > TICKET_INDEX / 2) {
    if (pool && !in_job) { /* the caller's own scratch, freed with the pool */
      thread_scratch *saved = current_scratch;
      current_scratch = &pool->scratch[0];
      in_job = 1;
      run_here(n, grain, fn, arg);
      in_job = 0;
      current_scratch = saved;
    } else {
      run_here(n, grain, fn, arg);
    }
    return;
  }
  pthread_mutex_lock(&pool->lock);
  job j = {fn, arg, n, grain, pool->generation + 1};
  pool->current = j;
  __atomic_store_n(&pool->finished, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&pool->ticket, (j.generation & TICKET_GENERATIONS) << TICKET_BITS, __ATOMIC_RELEASE);
  __atomic_store_n(&pool->generation, j.generation, __ATOMIC_RELEASE);
  if (pool->sleeping)
    pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
  run_chunks(pool, &j, &pool->scratch[0]);
  /* Wait for chunks other threads still run: spin briefly, then sleep. A worker
   * that has not woken up yet is not waited for: it will find no chunk left. */
  for (int spins = 0; spins < SPIN_LIMIT && __atomic_load_n(&pool->finished, __ATOMIC_ACQUIRE) < n; spins++)
    CPU_RELAX();
  if (__atomic_load_n(&pool->finished, __ATOMIC_ACQUIRE) < n) {
    pthread_mutex_lock(&pool->lock);
    pool->caller_waiting = 1;
    while (__atomic_load_n(&pool->finished, __ATOMIC_ACQUIRE) < n)
      pthread_cond_wait(&pool->done, &pool->lock);
    pool->caller_waiting = 0;
    pthread_mutex_unlock(&pool->lock);
  }
}

void infer_parallel_for_grain(struct infer_model *ctx, int64_t n, int64_t grain, infer_task_fn fn, void *arg) {
  infer_pool_run(ctx ? infer_rt_pool(ctx) : NULL, n, grain, fn, arg);
}

void infer_parallel_for(struct infer_model *ctx, int64_t n, infer_task_fn fn, void *arg) {
  infer_pool *pool = ctx ? infer_rt_pool(ctx) : NULL;
  int threads = in_job ? 1 : infer_pool_threads(pool);
  /* About four chunks per thread: balance without much overhead. */
  int64_t grain = threads > 1 ? (n + 4 * threads - 1) / (4 * threads) : n;
  infer_pool_run(pool, n, grain, fn, arg);
}

int infer_threads(struct infer_model *ctx) {
  if (in_job || !ctx)
    return 1;
  return infer_pool_threads(infer_rt_pool(ctx));
}
