// The exact similarity that defines the search's answer (see winnow_knn.h), in three
// builds that give the same bits: lane l of 8 accumulates the products of dimensions
// t ≡ l (mod 8) in increasing t, in float64, and the lanes are added as
// ((0+4)+(2+6))+((1+5)+(3+7)). A product of two floats is exact in float64, so a fused
// multiply-add and a multiply then add round identically: only the order matters.
#include "knn_internal.h"

static double portable(const float *a, const float *b, size_t d) {
    double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t t = 0;
    for (; t + 8 <= d; t += 8)
        for (int l = 0; l < 8; l++) lane[l] += (double)a[t + l] * (double)b[t + l];
    for (int l = 0; t < d; t++, l++) lane[l] += (double)a[t] * (double)b[t];
    return ((lane[0] + lane[4]) + (lane[2] + lane[6])) + ((lane[1] + lane[5]) + (lane[3] + lane[7]));
}

double winnow_knn_reference_similarity(const float *a, const float *b, size_t d) { return portable(a, b, d); }

#if defined(__x86_64__)
#include <immintrin.h>

// Lanes 0–3 in one register, 4–7 in the other.
__attribute__((target("avx2,fma"))) static double avx2(const float *a, const float *b, size_t d) {
    __m256d low = _mm256_setzero_pd(), high = _mm256_setzero_pd();
    size_t t = 0;
    for (; t + 8 <= d; t += 8) {
        low = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm_loadu_ps(a + t)), _mm256_cvtps_pd(_mm_loadu_ps(b + t)), low);
        high = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm_loadu_ps(a + t + 4)), _mm256_cvtps_pd(_mm_loadu_ps(b + t + 4)), high);
    }
    double lane[8];
    _mm256_storeu_pd(lane, low);
    _mm256_storeu_pd(lane + 4, high);
    for (int l = 0; t < d; t++, l++) lane[l] += (double)a[t] * (double)b[t];
    return ((lane[0] + lane[4]) + (lane[2] + lane[6])) + ((lane[1] + lane[5]) + (lane[3] + lane[7]));
}

__attribute__((target("avx512f,avx512vl,avx2,fma"))) static double avx512(const float *a, const float *b, size_t d) {
    __m512d acc = _mm512_setzero_pd();
    size_t t = 0;
    for (; t + 8 <= d; t += 8)
        acc = _mm512_fmadd_pd(_mm512_cvtps_pd(_mm256_loadu_ps(a + t)), _mm512_cvtps_pd(_mm256_loadu_ps(b + t)), acc);
    if (t < d) {
        __mmask8 m = (__mmask8)((1u << (d - t)) - 1);
        acc = _mm512_mask3_fmadd_pd(_mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, a + t)),
                                    _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, b + t)), acc, m);
    }
    // (l, l+4) pairs, then (0+4, 2+6) and (1+5, 3+7), then those two.
    __m256d pairs = _mm256_add_pd(_mm512_castpd512_pd256(acc), _mm512_extractf64x4_pd(acc, 1));
    __m128d halves = _mm_add_pd(_mm256_castpd256_pd128(pairs), _mm256_extractf128_pd(pairs, 1));
    return _mm_cvtsd_f64(halves) + _mm_cvtsd_f64(_mm_unpackhi_pd(halves, halves));
}
#endif

knn_reference_fn knn_reference_function(winnow_knn_kernel kernel) {
#if defined(__x86_64__)
    if (kernel >= WINNOW_KNN_AVX512 && winnow_knn_kernel_supported(WINNOW_KNN_AVX512)) return avx512;
    if (kernel >= WINNOW_KNN_AVX2 && winnow_knn_kernel_supported(WINNOW_KNN_AVX2)) return avx2;
#else
    (void)kernel;
#endif
    return portable;
}

double winnow_knn_reference_similarity_using(winnow_knn_kernel kernel, const float *a, const float *b, size_t d) {
    return knn_reference_function(kernel)(a, b, d);
}
