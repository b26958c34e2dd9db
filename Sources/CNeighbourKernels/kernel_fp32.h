// The float32 tile kernel, written once with vector extensions and compiled three times
// (kernel_fp32_portable.c, _avx2.c, _avx512.c) for the instruction sets. The including
// file defines KNN_FP32_NAME, KNN_ROWS (rows per group) and KNN_COLV (16-lane vectors of
// columns per group), chosen so the accumulators fit the registers.
//
// Each lane accumulates one dot product sequentially over the dimensions, so
// |computed − exact| ≤ γ(2d)·‖x‖‖y‖ (Higham's bound for a sum of d products, with or
// without fused multiply-adds); the driver sets the error bounds from it.
#include "knn_internal.h"

// Every function taking or returning a 16-float vector is static and always inlined, so
// no such value crosses a call: the ABI note clang gives for AVX2 and SSE builds is moot.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float knn_v16 __attribute__((vector_size(64)));
typedef int knn_v16i __attribute__((vector_size(64)));

static inline __attribute__((always_inline)) knn_v16 knn_splat(float x) {
    return (knn_v16){x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x};
}

static inline __attribute__((always_inline)) knn_v16 knn_load(const float *p) {
    knn_v16 v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

/// Offers the pairs of one 16-column vector that pass either threshold test.
static inline __attribute__((always_inline)) void knn_fp32_epilogue(knn_ctx *c, knn_scratch *s, size_t i, size_t j0, knn_v16 sc, int diagonal) {
    const knn_v16i iota = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    knn_v16 ce = knn_load(c->err + j0), ct = knn_load(c->thr + j0);
    knn_v16i m = ((sc + ce) >= knn_splat(c->thr[i])) | ((sc + knn_splat(c->err[i])) >= ct);
    if (diagonal) m &= (iota + (int)j0) > (int)i;
    if (!__builtin_reduce_or(m)) return;
    float lanes[16];
    __builtin_memcpy(lanes, &sc, sizeof lanes);
    for (int l = 0; l < 16; l++) {
        if (!m[l]) continue;
        size_t j = j0 + (size_t)l;
        if (lanes[l] + c->err[j] >= c->thr[i]) knn_offer(c, s, i, j, lanes[l]);
        if (lanes[l] + c->err[i] >= c->thr[j]) knn_offer(c, s, j, i, lanes[l]);
    }
}

void KNN_FP32_NAME(knn_ctx *c, knn_scratch *s, size_t i0, size_t i1, size_t j0, size_t j1, int diagonal) {
    const size_t d = c->d;
    float *panel = (float *)s->panel;  // d × KNN_PANEL, the panel's columns side by side
    for (size_t p = j0; p < j1; p += KNN_PANEL) {
        for (size_t l = 0; l < KNN_PANEL; l++) {
            const float *col = p + l < c->n ? c->x + (p + l) * d : c->zero_row;
            for (size_t t = 0; t < d; t++) panel[t * KNN_PANEL + l] = col[t];
        }
        for (size_t i = i0; i < i1; i += KNN_ROWS) {
            // In a diagonal tile only pairs j > i count; rows only grow from here.
            if (diagonal && p + KNN_PANEL - 1 <= i) break;
            const float *rows[KNN_ROWS];
            for (int r = 0; r < KNN_ROWS; r++) rows[r] = i + r < c->n ? c->x + (i + r) * d : c->zero_row;
            for (size_t cg = 0; cg < KNN_PANEL; cg += 16 * KNN_COLV) {
                knn_v16 acc[KNN_ROWS][KNN_COLV];
                for (int r = 0; r < KNN_ROWS; r++)
                    for (int v = 0; v < KNN_COLV; v++) acc[r][v] = knn_splat(0);
                const float *column = panel + cg;
                for (size_t t = 0; t < d; t++, column += KNN_PANEL) {
                    knn_v16 b[KNN_COLV];
                    for (int v = 0; v < KNN_COLV; v++) b[v] = knn_load(column + 16 * v);
                    for (int r = 0; r < KNN_ROWS; r++) {
                        knn_v16 a = knn_splat(rows[r][t]);
                        for (int v = 0; v < KNN_COLV; v++) acc[r][v] += a * b[v];
                    }
                }
                for (int r = 0; r < KNN_ROWS; r++)
                    for (int v = 0; v < KNN_COLV; v++)
                        knn_fp32_epilogue(c, s, i + r, p + cg + 16 * v, acc[r][v], diagonal);
            }
        }
    }
}
