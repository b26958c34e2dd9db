// Shared by the driver (knn_exact.c) and the kernels (kernel_*.c): the search state and
// how a kernel hands over a candidate.
#ifndef WINNOW_KNN_INTERNAL_H
#define WINNOW_KNN_INTERNAL_H

#include "winnow_knn.h"

#include <stddef.h>
#include <stdint.h>

/// Columns per panel: what a kernel holds in registers across one row group.
#define KNN_PANEL 64
/// Blocks are multiples of this (a multiple of the panel and of every kernel's row group).
#define KNN_BLOCK_UNIT 192
/// Thresholds start here (finite, so "score + error >= threshold" is a plain comparison).
#define KNN_NO_THRESHOLD (-1e30f)

/// A build of winnow_knn_reference_similarity (all give the same bits).
typedef double (*knn_reference_fn)(const float *a, const float *b, size_t d);
knn_reference_fn knn_reference_function(winnow_knn_kernel kernel);

typedef struct {
    winnow_knn_kernel kernel;
    knn_reference_fn reference;
    size_t n, n_pad, d, dpad, k, capacity;
    const float *x;       // the caller's unit vectors, n × d (never copied)
    const float *zero_row;  // d zeros: the rows of the padding
    int8_t *q8;           // int8 kernel: quantised rows, n_pad × dpad
    int32_t *rowsum;      // int8 kernel: sum of each quantised row
    float *scale;         // per item: approximate score = (q_i · q_j) · scale_i · scale_j (1 for float32)
    float *err;           // per item: |approximate − exact| ≤ err_i + err_j (−inf for padding)
    float *thr;           // per item: a candidate j of i must reach approx + err_j ≥ thr_i (+inf: none wanted)
    float *bound;         // per item: a lower bound on its final k-th best similarity (rounded down)
    unsigned char *zero;  // per item: a zero (or non-finite) vector: similar to nothing
    // Lower bounds of the candidates' similarities: a min-heap of k per item.
    float *heap;
    int32_t *heap_count;
    // The best k exactly evaluated, best first.
    double *best;
    int32_t *best_id;
    int32_t *best_count;
    // Candidates not yet evaluated exactly: ids and upper bounds.
    int32_t *pending;
    float *pending_upper;
    int32_t *pending_count;
    // For tests: record every pair's approximate score and bound instead of searching.
    float *record_scores, *record_bounds;
} knn_ctx;

typedef struct {
    void *panel;  // one packed panel of columns (64-byte aligned)
    uint64_t candidates, exact_evaluations;
} knn_scratch;

/// Offers j to i (and nothing else): `approx` is the approximate similarity.
void knn_offer(knn_ctx *c, knn_scratch *s, size_t i, size_t j, float approx);

/// The approximate pass over rows [i0, i1) × columns [j0, j1) of one kernel; with
/// `diagonal` (the same block twice) only pairs j > i are looked at. Each pair (i, j)
/// offers j to i and i to j.
typedef void (*knn_tile_fn)(knn_ctx *c, knn_scratch *s, size_t i0, size_t i1, size_t j0, size_t j1, int diagonal);

void knn_tile_portable(knn_ctx *c, knn_scratch *s, size_t i0, size_t i1, size_t j0, size_t j1, int diagonal);
void knn_tile_avx2(knn_ctx *c, knn_scratch *s, size_t i0, size_t i1, size_t j0, size_t j1, int diagonal);
void knn_tile_avx512(knn_ctx *c, knn_scratch *s, size_t i0, size_t i1, size_t j0, size_t j1, int diagonal);
void knn_tile_avx512_vnni(knn_ctx *c, knn_scratch *s, size_t i0, size_t i1, size_t j0, size_t j1, int diagonal);

#endif
