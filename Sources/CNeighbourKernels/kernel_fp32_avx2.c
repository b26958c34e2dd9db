// The float32 kernel with AVX2 and FMA (6 rows × 16 columns in 12 YMM accumulators). Only
// called when CPUID reports AVX2 and FMA and the OS saves the YMM state.
#include "knn_internal.h"

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define KNN_FP32_NAME knn_tile_avx2
#define KNN_ROWS 6
#define KNN_COLV 1
#include "kernel_fp32.h"
#pragma clang attribute pop
#else
void knn_tile_avx2(knn_ctx *c, knn_scratch *s, size_t i0, size_t i1, size_t j0, size_t j1, int diagonal) {
    knn_tile_portable(c, s, i0, i1, j0, j1, diagonal);
}
#endif
