// The exact search driver: prepares the kernel's representation and error bounds, runs
// the approximate all-pairs pass over a symmetric block schedule on several threads, keeps
// candidates per item, and re-ranks them with the exact (float64) similarity.
#include "knn_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <time.h>

/// Added to every item's error bound: covers the float32 rounding of the threshold tests
/// and of the bounds themselves (all below 1e-6 for similarities in [−1, 1]).
static const double SLACK = 2e-6;
/// Items per block of the schedule: 1536 int8 rows (192 KB) stay in L2 while a panel of
/// 64 columns stays in L1.
static const size_t DEFAULT_BLOCK = 1536;

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double reference(const knn_ctx *c, size_t i, size_t j) {
    if (c->zero[i] || c->zero[j]) return 0;
    return c->reference(c->x + i * c->d, c->x + j * c->d, c->d);
}

static float round_down(double v) {
    float f = (float)v;
    return (double)f > v ? nextafterf(f, -INFINITY) : f;
}

static float round_up(double v) {
    float f = (float)v;
    return (double)f < v ? nextafterf(f, INFINITY) : f;
}

/// Better = higher similarity, or the same similarity and a lower index.
static int better(double s, int32_t id, double t, int32_t tid) { return s > t || (s == t && id < tid); }

static void raise_bound(knn_ctx *c, size_t i, float b) {
    if (b > c->bound[i]) {
        c->bound[i] = b;
        c->thr[i] = round_down((double)b - (double)c->err[i]);
    }
}

/// Evaluates i's pending candidates exactly (those that can still reach its k best), the
/// most promising first: each one evaluated raises the bound, which drops the others.
static void flush(knn_ctx *c, knn_scratch *s, size_t i) {
    const size_t k = c->k;
    int32_t *pending = c->pending + i * c->capacity;
    float *upper = c->pending_upper + i * c->capacity;
    for (int32_t p = 1; p < c->pending_count[i]; p++) {
        float u = upper[p];
        int32_t id = pending[p], q = p;
        for (; q > 0 && upper[q - 1] < u; q--) {
            upper[q] = upper[q - 1];
            pending[q] = pending[q - 1];
        }
        upper[q] = u;
        pending[q] = id;
    }
    double *best = c->best + i * k;
    int32_t *best_id = c->best_id + i * k;
    size_t count = (size_t)c->best_count[i];
    float bound = c->bound[i];
    for (int32_t p = 0; p < c->pending_count[i]; p++) {
        if (upper[p] < bound) break;  // sorted: the rest cannot reach the k best either
        int32_t j = pending[p];
        double v = reference(c, i, (size_t)j);
        s->exact_evaluations++;
        if (count == k && !better(v, j, best[k - 1], best_id[k - 1])) continue;
        size_t position = count < k ? count++ : k - 1;
        while (position > 0 && better(v, j, best[position - 1], best_id[position - 1])) {
            best[position] = best[position - 1];
            best_id[position] = best_id[position - 1];
            position--;
        }
        best[position] = v;
        best_id[position] = j;
        if (count == k) {
            float exact = round_down(best[k - 1]);
            if (exact > bound) bound = exact;
        }
    }
    c->best_count[i] = (int32_t)count;
    c->pending_count[i] = 0;
    raise_bound(c, i, bound);
}

void knn_offer(knn_ctx *c, knn_scratch *s, size_t i, size_t j, float approx) {
    if (c->record_scores) {
        c->record_scores[i * c->n + j] = approx;
        c->record_bounds[i * c->n + j] = c->err[i] + c->err[j];
        return;
    }
    float upper = approx + c->err[i] + c->err[j];
    if (upper < c->bound[i]) return;
    s->candidates++;
    // The k largest lower bounds: k items at least that similar, so the k-th best is too.
    const size_t k = c->k;
    float lower = approx - c->err[i] - c->err[j];
    float *heap = c->heap + i * k;
    size_t count = (size_t)c->heap_count[i];
    if (count < k) {
        size_t at = count++;
        while (at > 0 && heap[(at - 1) / 2] > lower) {
            heap[at] = heap[(at - 1) / 2];
            at = (at - 1) / 2;
        }
        heap[at] = lower;
        c->heap_count[i] = (int32_t)count;
        if (count == k) raise_bound(c, i, heap[0]);
    } else if (lower > heap[0]) {
        size_t at = 0;
        for (;;) {
            size_t child = 2 * at + 1;
            if (child >= k) break;
            if (child + 1 < k && heap[child + 1] < heap[child]) child++;
            if (heap[child] >= lower) break;
            heap[at] = heap[child];
            at = child;
        }
        heap[at] = lower;
        raise_bound(c, i, heap[0]);
    }
    int32_t *pending = c->pending + i * c->capacity;
    float *pending_upper = c->pending_upper + i * c->capacity;
    int32_t n = c->pending_count[i];
    if ((size_t)n == c->capacity) {
        // Drop what can no longer reach the k best; evaluate the rest when that frees little.
        int32_t kept = 0;
        for (int32_t p = 0; p < n; p++) {
            if (pending_upper[p] < c->bound[i]) continue;
            pending[kept] = pending[p];
            pending_upper[kept] = pending_upper[p];
            kept++;
        }
        c->pending_count[i] = n = kept;
        if ((size_t)n > c->capacity / 2) {
            flush(c, s, i);
            n = 0;
            if (upper < c->bound[i]) return;
        }
    }
    pending[n] = (int32_t)j;
    pending_upper[n] = upper;
    c->pending_count[i] = n + 1;
}

static knn_tile_fn tile_function(winnow_knn_kernel kernel) {
    switch (kernel) {
    case WINNOW_KNN_AVX2: return knn_tile_avx2;
    case WINNOW_KNN_AVX512: return knn_tile_avx512;
    case WINNOW_KNN_AVX512_VNNI: return knn_tile_avx512_vnni;
    default: return knn_tile_portable;
    }
}

static void ctx_free(knn_ctx *c) {
    free(c->q8);
    free(c->rowsum);
    free(c->scale);
    free(c->err);
    free(c->thr);
    free(c->bound);
    free(c->zero);
    free((void *)c->zero_row);
    free(c->heap);
    free(c->heap_count);
    free(c->best);
    free(c->best_id);
    free(c->best_count);
    free(c->pending);
    free(c->pending_upper);
    free(c->pending_count);
}

/// Allocates the state and computes each item's representation and error bound.
static int ctx_prepare(knn_ctx *c, const float *x, size_t n, size_t d, size_t k, winnow_knn_kernel kernel, int search) {
    memset(c, 0, sizeof *c);
    c->kernel = kernel;
    c->reference = knn_reference_function(kernel);
    c->x = x;
    c->n = n;
    c->d = d;
    c->k = k;
    c->n_pad = (n + KNN_BLOCK_UNIT - 1) / KNN_BLOCK_UNIT * KNN_BLOCK_UNIT;
    c->dpad = (d + 3) / 4 * 4;
    c->capacity = k + 16;
    size_t np = c->n_pad;
    int int8 = kernel == WINNOW_KNN_AVX512_VNNI;
    c->scale = malloc(np * sizeof(float));
    c->err = malloc(np * sizeof(float));
    c->thr = malloc(np * sizeof(float));
    c->bound = malloc(np * sizeof(float));
    c->zero = calloc(np, 1);
    c->zero_row = calloc(d, sizeof(float));
    if (int8) {
        c->q8 = calloc(np * c->dpad, 1);
        c->rowsum = calloc(np, sizeof(int32_t));
    }
    if (search) {
        c->heap = malloc(np * k * sizeof(float));
        c->heap_count = calloc(np, sizeof(int32_t));
        c->best = malloc(np * k * sizeof(double));
        c->best_id = malloc(np * k * sizeof(int32_t));
        c->best_count = calloc(np, sizeof(int32_t));
        c->pending = malloc(np * c->capacity * sizeof(int32_t));
        c->pending_upper = malloc(np * c->capacity * sizeof(float));
        c->pending_count = calloc(np, sizeof(int32_t));
    }
    if (!c->scale || !c->err || !c->thr || !c->bound || !c->zero || !c->zero_row || (int8 && (!c->q8 || !c->rowsum)) ||
        (search && (!c->heap || !c->heap_count || !c->best || !c->best_id || !c->best_count || !c->pending ||
                    !c->pending_upper || !c->pending_count))) {
        ctx_free(c);
        return 1;
    }
    // Norms of what the kernel multiplies (a) and of what it leaves out (b), per item.
    double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double));
    if (!a || !b) {
        free(a);
        free(b);
        ctx_free(c);
        return 1;
    }
    double largest = 0;
    for (size_t i = 0; i < n; i++) {
        const float *row = x + i * d;
        float magnitude = 0;
        int finite = 1;
        for (size_t t = 0; t < d; t++) {
            if (!isfinite(row[t])) finite = 0;
            float m = fabsf(row[t]);
            if (m > magnitude) magnitude = m;
        }
        a[i] = b[i] = 0;
        c->scale[i] = 0;
        if (!finite || magnitude == 0) {
            c->zero[i] = 1;
            continue;
        }
        if (int8) {
            float step = magnitude / 127.0f;
            int8_t *q = c->q8 + i * c->dpad;
            int32_t sum = 0;
            double kept = 0, lost = 0;
            for (size_t t = 0; t < d; t++) {
                long v = lrintf(row[t] / step);
                if (v > 127) v = 127;
                if (v < -127) v = -127;
                q[t] = (int8_t)v;
                sum += (int32_t)v;
                double approx = (double)v * (double)step;
                kept += approx * approx;
                lost += ((double)row[t] - approx) * ((double)row[t] - approx);
            }
            c->scale[i] = step;
            c->rowsum[i] = sum;
            a[i] = sqrt(kept);
            b[i] = sqrt(lost);
        } else {
            double norm = 0;
            for (size_t t = 0; t < d; t++) norm += (double)row[t] * (double)row[t];
            a[i] = sqrt(norm);
            c->scale[i] = 1;
        }
        if (a[i] > largest) largest = a[i];
    }
    // float32: a sum of d products, each lane sequential: |error| ≤ γ(2d)·‖x‖‖y‖ ≤ γ(2d)(‖x‖² + ‖y‖²)/2.
    // int8: x·y − x̃·ỹ = x̃·r_y + r_x·ỹ + r_x·r_y ≤ A(b_x + b_y) + (b_x² + b_y²)/2, plus the
    // float rounding of the scaled integer sum (a few ulps of ‖x̃‖‖ỹ‖).
    double unit = ldexp(1.0, -24), gamma = 2.0 * (double)d * unit / (1 - 2.0 * (double)d * unit);
    for (size_t i = 0; i < np; i++) {
        c->bound[i] = KNN_NO_THRESHOLD;
        if (i >= n) {  // padding: never offered, never offering
            c->scale[i] = 0;
            c->err[i] = -INFINITY;
            c->thr[i] = INFINITY;
            continue;
        }
        double e = int8 ? largest * b[i] + 0.5 * b[i] * b[i] + 6e-7 * a[i] * a[i] : 0.5 * gamma * a[i] * a[i];
        c->err[i] = round_up(e + SLACK);
        // A zero vector is similar to nothing: its neighbours are the lowest indices (at 0).
        c->thr[i] = c->zero[i] ? INFINITY : KNN_NO_THRESHOLD;
    }
    free(a);
    free(b);
    return 0;
}

typedef struct {
    uint32_t a, b;
} knn_task;

typedef struct {
    knn_ctx *c;
    knn_tile_fn tile;
    size_t block, blocks, rounds;
    knn_task *tasks;
    size_t *round_start;  // tasks of round r: [round_start[r], round_start[r + 1])
    atomic_size_t *next;  // per round
    atomic_size_t next_row;
    pthread_barrier_t barrier;
    int32_t *ids;
    float *similarities;
    knn_scratch *scratch;
    size_t threads;
    atomic_int go;
    double scanned;  // when the approximate pass ended
} knn_job;

static void run_tile(knn_job *job, knn_scratch *s, knn_task t) {
    knn_ctx *c = job->c;
    size_t i0 = t.a * job->block, i1 = i0 + job->block, j0 = t.b * job->block, j1 = j0 + job->block;
    if (i1 > c->n_pad) i1 = c->n_pad;
    if (j1 > c->n_pad) j1 = c->n_pad;
    job->tile(c, s, i0, i1, j0, j1, t.a == t.b);
}

static void finish_row(knn_job *job, knn_scratch *s, size_t i) {
    knn_ctx *c = job->c;
    const size_t k = c->k;
    int32_t *ids = job->ids + i * k;
    float *sims = job->similarities + i * k;
    size_t filled = 0;
    if (c->zero[i]) {
        for (size_t j = 0; j < c->n && filled < k; j++)
            if (j != i) {
                ids[filled] = (int32_t)j;
                sims[filled++] = 0;
            }
    } else {
        flush(c, s, i);
        for (; filled < (size_t)c->best_count[i]; filled++) {
            ids[filled] = c->best_id[i * k + filled];
            sims[filled] = (float)c->best[i * k + filled];
        }
    }
    for (; filled < k; filled++) {
        ids[filled] = -1;
        sims[filled] = 0;
    }
}

static void *worker(void *argument) {
    knn_job *job = ((knn_job **)argument)[0];
    size_t w = (size_t)((knn_job **)argument)[1];
    knn_scratch *s = &job->scratch[w];
    while (!atomic_load(&job->go)) sched_yield();
    for (size_t r = 0; r < job->rounds; r++) {
        size_t count = job->round_start[r + 1] - job->round_start[r];
        for (size_t t; (t = atomic_fetch_add(&job->next[r], 1)) < count;) run_tile(job, s, job->tasks[job->round_start[r] + t]);
        pthread_barrier_wait(&job->barrier);
    }
    if (w == 0) job->scanned = now_seconds();
    const size_t chunk = 256;
    for (size_t start; (start = atomic_fetch_add(&job->next_row, chunk)) < job->c->n;) {
        size_t end = start + chunk < job->c->n ? start + chunk : job->c->n;
        for (size_t i = start; i < end; i++) finish_row(job, s, i);
    }
    return NULL;
}

/// Round 0: every block with itself. Then the circle method: every pair of blocks exactly
/// once, each block in at most one pair per round, so concurrent tiles never share an item.
static int make_schedule(knn_job *job) {
    size_t nb = job->blocks, m = nb + (nb & 1);
    size_t pairs = nb * (nb - 1) / 2;
    job->rounds = 1 + (m - 1);
    job->tasks = malloc((nb + pairs) * sizeof(knn_task));
    job->round_start = malloc((job->rounds + 1) * sizeof(size_t));
    job->next = malloc(job->rounds * sizeof(atomic_size_t));
    if (!job->tasks || !job->round_start || !job->next) return 1;
    size_t t = 0;
    job->round_start[0] = 0;
    for (size_t b = 0; b < nb; b++) job->tasks[t++] = (knn_task){(uint32_t)b, (uint32_t)b};
    for (size_t r = 0; r + 1 < m; r++) {
        job->round_start[r + 1] = t;
        if (m - 1 < nb) job->tasks[t++] = (knn_task){(uint32_t)r, (uint32_t)(m - 1)};
        for (size_t s = 1; s < m / 2; s++) {
            size_t a = (r + s) % (m - 1), b = (r + (m - 1) - s) % (m - 1);
            if (a < nb && b < nb) job->tasks[t++] = (knn_task){(uint32_t)(a < b ? a : b), (uint32_t)(a < b ? b : a)};
        }
    }
    job->round_start[job->rounds] = t;
    for (size_t r = 0; r < job->rounds; r++) atomic_init(&job->next[r], 0);
    return 0;
}

int winnow_knn_exact(const float *vectors, size_t n, size_t d, size_t k, int threads, winnow_knn_kernel kernel,
                     size_t block, int32_t *ids, float *similarities, winnow_knn_stats *stats) {
    winnow_knn_stats local;
    if (!stats) stats = &local;
    memset(stats, 0, sizeof *stats);
    if ((unsigned)kernel >= WINNOW_KNN_KERNEL_COUNT || d == 0 || n > INT32_MAX || k == 0 || k >= n) return 3;
    if (!winnow_knn_kernel_supported(kernel)) return 2;
    double started = now_seconds();
    knn_ctx c;
    if (ctx_prepare(&c, vectors, n, d, k, kernel, 1)) return 1;
    knn_job job;
    memset(&job, 0, sizeof job);
    job.c = &c;
    job.tile = tile_function(kernel);
    job.block = (block ? block : DEFAULT_BLOCK);
    job.block = (job.block + KNN_BLOCK_UNIT - 1) / KNN_BLOCK_UNIT * KNN_BLOCK_UNIT;
    job.blocks = (c.n_pad + job.block - 1) / job.block;
    job.ids = ids;
    job.similarities = similarities;
    job.threads = threads < 1 ? 1 : (size_t)threads;
    atomic_init(&job.next_row, 0);
    atomic_init(&job.go, 0);
    int status = make_schedule(&job);
    size_t workers = job.threads;
    job.scratch = calloc(workers, sizeof(knn_scratch));
    if (status || !job.scratch) status = 1;
    for (size_t w = 0; !status && w < workers; w++) {
        job.scratch[w].panel = aligned_alloc(64, (KNN_PANEL * c.dpad * sizeof(float) + 63) / 64 * 64);
        if (!job.scratch[w].panel) status = 1;
    }
    double prepared = now_seconds();
    pthread_t *pool = calloc(job.threads, sizeof(pthread_t));
    void *(*arguments)[2] = calloc(job.threads, sizeof *arguments);
    if (!pool || !arguments) status = 1;
    if (!status) {
        for (size_t w = 0; w < job.threads; w++) {
            arguments[w][0] = &job;
            arguments[w][1] = (void *)w;
        }
        // Worker 0 is this thread. The others wait for the go; if one cannot be started,
        // the job runs on those that were.
        size_t running = 1;
        while (running < job.threads && pthread_create(&pool[running], NULL, worker, arguments[running]) == 0) running++;
        job.threads = running;
        pthread_barrier_init(&job.barrier, NULL, (unsigned)running);
        atomic_store(&job.go, 1);
        worker(arguments[0]);
        for (size_t w = 1; w < running; w++) pthread_join(pool[w], NULL);
        pthread_barrier_destroy(&job.barrier);
    }
    free(pool);
    free(arguments);
    double finished = now_seconds();
    if (job.scratch) {
        for (size_t w = 0; w < workers; w++) {
            stats->candidates += job.scratch[w].candidates;
            stats->exact_evaluations += job.scratch[w].exact_evaluations;
            free(job.scratch[w].panel);
        }
    }
    stats->prepare_seconds = prepared - started;
    stats->scan_seconds = status ? 0 : job.scanned - prepared;
    stats->rerank_seconds = status ? 0 : finished - job.scanned;
    stats->approximate_ops = (double)c.n_pad * (double)c.n_pad * (double)(kernel == WINNOW_KNN_AVX512_VNNI ? c.dpad : d);
    free(job.scratch);
    free(job.tasks);
    free(job.round_start);
    free(job.next);
    ctx_free(&c);
    return status;
}

int winnow_knn_approximate_scores(const float *vectors, size_t n, size_t d, winnow_knn_kernel kernel, float *scores,
                                  float *bounds) {
    if ((unsigned)kernel >= WINNOW_KNN_KERNEL_COUNT || d == 0 || n < 2 || n > INT32_MAX) return 3;
    if (!winnow_knn_kernel_supported(kernel)) return 2;
    knn_ctx c;
    if (ctx_prepare(&c, vectors, n, d, 1, kernel, 0)) return 1;
    for (size_t i = 0; i < n; i++) c.thr[i] = KNN_NO_THRESHOLD;  // every pair passes
    c.record_scores = scores;
    c.record_bounds = bounds;
    knn_scratch s = {0};
    s.panel = aligned_alloc(64, (KNN_PANEL * c.dpad * sizeof(float) + 63) / 64 * 64);
    if (!s.panel) {
        ctx_free(&c);
        return 1;
    }
    knn_tile_fn tile = tile_function(kernel);
    size_t block = c.n_pad;
    tile(&c, &s, 0, block, 0, block, 1);
    free(s.panel);
    ctx_free(&c);
    return 0;
}
