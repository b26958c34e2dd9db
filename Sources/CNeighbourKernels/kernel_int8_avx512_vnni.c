// The int8 kernel with AVX-512 VNNI: each vector is quantised to int8 with its own scale
// (the driver bounds the error this makes), and vpdpbusd multiplies and adds 64 int8 pairs
// per instruction, four times the float32 rate. A row group is 6 rows × 64 columns in 24
// ZMM accumulators; the 64 columns are one packed panel in L1, the rows stream from L2.
//
// vpdpbusd multiplies unsigned by signed bytes: the panel holds q + 128 (unsigned), the
// rows q (signed, broadcast from memory), and each accumulator starts at −128·Σq_row so it
// ends at exactly Σ q_row·q_col.
#include "knn_internal.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <string.h>

#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni,avx2,fma"))), apply_to = function)

enum { ROWS = 6, COLV = 4 };

static inline __attribute__((always_inline)) void epilogue(knn_ctx *c, knn_scratch *s, size_t i, size_t p, __m512i acc[COLV], const __m512 cs[COLV],
                            const __m512 ce[COLV], int diagonal) {
    const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512 rs = _mm512_set1_ps(c->scale[i]), re = _mm512_set1_ps(c->err[i]), rt = _mm512_set1_ps(c->thr[i]);
    for (int v = 0; v < COLV; v++) {
        size_t j0 = p + 16 * (size_t)v;
        __m512 sc = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(acc[v]), cs[v]), rs);
        __mmask16 m = _mm512_cmp_ps_mask(_mm512_add_ps(sc, ce[v]), rt, _CMP_GE_OQ) |
                      _mm512_cmp_ps_mask(_mm512_add_ps(sc, re), _mm512_loadu_ps(c->thr + j0), _CMP_GE_OQ);
        if (diagonal) m &= _mm512_cmpgt_epi32_mask(_mm512_add_epi32(iota, _mm512_set1_epi32((int)j0)), _mm512_set1_epi32((int)i));
        if (!m) continue;
        float lanes[16];
        _mm512_storeu_ps(lanes, sc);
        while (m) {
            int l = __builtin_ctz(m);
            m &= m - 1;
            size_t j = j0 + (size_t)l;
            if (lanes[l] + c->err[j] >= c->thr[i]) knn_offer(c, s, i, j, lanes[l]);
            if (lanes[l] + c->err[i] >= c->thr[j]) knn_offer(c, s, j, i, lanes[l]);
        }
    }
}

void knn_tile_avx512_vnni(knn_ctx *c, knn_scratch *s, size_t i0, size_t i1, size_t j0, size_t j1, int diagonal) {
    const size_t dp = c->dpad, groups = dp / 4;
    uint8_t *panel = (uint8_t *)s->panel;  // groups × (64 columns × 4 bytes)
    for (size_t p = j0; p < j1; p += KNN_PANEL) {
        for (size_t l = 0; l < KNN_PANEL; l++) {
            const int8_t *q = c->q8 + (p + l) * dp;
            for (size_t g = 0; g < groups; g++)
                for (int b = 0; b < 4; b++) panel[g * 256 + l * 4 + b] = (uint8_t)(q[4 * g + b] + 128);
        }
        __m512 cs[COLV], ce[COLV];
        for (int v = 0; v < COLV; v++) {
            cs[v] = _mm512_loadu_ps(c->scale + p + 16 * v);
            ce[v] = _mm512_loadu_ps(c->err + p + 16 * v);
        }
        for (size_t i = i0; i < i1; i += ROWS) {
            if (diagonal && p + KNN_PANEL - 1 <= i) break;
            __m512i acc[ROWS][COLV];
            for (int r = 0; r < ROWS; r++) {
                __m512i start = _mm512_set1_epi32(-128 * c->rowsum[i + r]);
                for (int v = 0; v < COLV; v++) acc[r][v] = start;
            }
            const int8_t *rows = c->q8 + i * dp;
            const uint8_t *column = panel;
            for (size_t g = 0; g < groups; g++, column += 256) {
                __m512i b0 = _mm512_load_si512(column), b1 = _mm512_load_si512(column + 64);
                __m512i b2 = _mm512_load_si512(column + 128), b3 = _mm512_load_si512(column + 192);
                for (int r = 0; r < ROWS; r++) {
                    int32_t four;
                    memcpy(&four, rows + r * dp + 4 * g, 4);
                    __m512i a = _mm512_set1_epi32(four);
                    acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], b0, a);
                    acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], b1, a);
                    acc[r][2] = _mm512_dpbusd_epi32(acc[r][2], b2, a);
                    acc[r][3] = _mm512_dpbusd_epi32(acc[r][3], b3, a);
                }
            }
            for (int r = 0; r < ROWS; r++) epilogue(c, s, i + (size_t)r, p, acc[r], cs, ce, diagonal);
        }
    }
}

#pragma clang attribute pop
#else
void knn_tile_avx512_vnni(knn_ctx *c, knn_scratch *s, size_t i0, size_t i1, size_t j0, size_t j1, int diagonal) {
    knn_tile_portable(c, s, i0, i1, j0, j1, diagonal);
}
#endif
