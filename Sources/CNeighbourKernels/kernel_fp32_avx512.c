// The float32 kernel with AVX-512 F (6 rows × 64 columns in 24 ZMM accumulators), for
// AVX-512 CPUs without VNNI. Only called when CPUID and XGETBV allow it.
#include "knn_internal.h"

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma"))), apply_to = function)
#define KNN_FP32_NAME knn_tile_avx512
#define KNN_ROWS 6
#define KNN_COLV 4
#include "kernel_fp32.h"
#pragma clang attribute pop
#else
void knn_tile_avx512(knn_ctx *c, knn_scratch *s, size_t i0, size_t i1, size_t j0, size_t j1, int diagonal) {
    knn_tile_portable(c, s, i0, i1, j0, j1, diagonal);
}
#endif
