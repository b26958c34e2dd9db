// The machine's measured peak arithmetic rate, for benchmarks to print what fraction of it
// they reach: independent multiply-add chains on every thread until a deadline, in the
// widest float32 instructions (and int8 VNNI ones) this CPU has.
#include "winnow_knn.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

enum { CHAINS = 12, STEPS = 4096 };

typedef struct {
    int kind;  // 0 float32, 1 int8
    double deadline;
    double operations;
    float sink;
} peak_job;

static double portable_fp32(float *sink) {
    float a[CHAINS][4], b = 1.0001f, c = 0.9999f;
    for (int i = 0; i < CHAINS; i++)
        for (int l = 0; l < 4; l++) a[i][l] = (float)i;
    for (int s = 0; s < STEPS; s++)
        for (int i = 0; i < CHAINS; i++)
            for (int l = 0; l < 4; l++) a[i][l] = a[i][l] * b + c;
    float t = 0;
    for (int i = 0; i < CHAINS; i++) t += a[i][0];
    *sink += t;
    return (double)STEPS * CHAINS * 4 * 2;
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static double avx2_fp32(float *sink) {
    __m256 a[CHAINS], b = _mm256_set1_ps(1.0001f), c = _mm256_set1_ps(0.9999f);
    for (int i = 0; i < CHAINS; i++) a[i] = _mm256_set1_ps((float)i);
    for (int s = 0; s < STEPS; s++)
        for (int i = 0; i < CHAINS; i++) a[i] = _mm256_fmadd_ps(a[i], b, c);
    __m256 t = a[0];
    for (int i = 1; i < CHAINS; i++) t = _mm256_add_ps(t, a[i]);
    *sink += _mm256_cvtss_f32(t);
    return (double)STEPS * CHAINS * 8 * 2;
}

__attribute__((target("avx512f"))) static double avx512_fp32(float *sink) {
    __m512 a[CHAINS], b = _mm512_set1_ps(1.0001f), c = _mm512_set1_ps(0.9999f);
    for (int i = 0; i < CHAINS; i++) a[i] = _mm512_set1_ps((float)i);
    for (int s = 0; s < STEPS; s++)
        for (int i = 0; i < CHAINS; i++) a[i] = _mm512_fmadd_ps(a[i], b, c);
    __m512 t = a[0];
    for (int i = 1; i < CHAINS; i++) t = _mm512_add_ps(t, a[i]);
    *sink += _mm512_reduce_add_ps(t);
    return (double)STEPS * CHAINS * 16 * 2;
}

__attribute__((target("avx512f,avx512bw,avx512vnni"))) static double vnni_int8(float *sink) {
    __m512i a[CHAINS], b = _mm512_set1_epi8(1), c = _mm512_set1_epi8(1);
    for (int i = 0; i < CHAINS; i++) a[i] = _mm512_set1_epi32(i);
    for (int s = 0; s < STEPS; s++)
        for (int i = 0; i < CHAINS; i++) a[i] = _mm512_dpbusd_epi32(a[i], b, c);
    __m512i t = a[0];
    for (int i = 1; i < CHAINS; i++) t = _mm512_add_epi32(t, a[i]);
    *sink += (float)_mm512_reduce_add_epi32(t);
    return (double)STEPS * CHAINS * 64 * 2;
}
#endif

static void *peak_worker(void *argument) {
    peak_job *job = argument;
    double (*step)(float *) = portable_fp32;
#if defined(__x86_64__)
    if (job->kind == 1) step = vnni_int8;
    else if (winnow_knn_kernel_supported(WINNOW_KNN_AVX512)) step = avx512_fp32;
    else if (winnow_knn_kernel_supported(WINNOW_KNN_AVX2)) step = avx2_fp32;
#endif
    do job->operations += step(&job->sink);
    while (now_seconds() < job->deadline);
    return NULL;
}

double winnow_knn_measure_peak(int int8, int threads, double seconds) {
    if (int8 && !winnow_knn_kernel_supported(WINNOW_KNN_AVX512_VNNI)) return 0;
    if (threads < 1) threads = 1;
    if (threads > 256) threads = 256;
    peak_job jobs[256];
    pthread_t pool[256];
    double start = now_seconds();
    int started = 0;
    for (int t = 0; t < threads; t++) {
        jobs[t] = (peak_job){int8, start + seconds, 0, 0};
        if (t > 0 && pthread_create(&pool[t], NULL, peak_worker, &jobs[t]) != 0) break;
        started = t + 1;
    }
    peak_worker(&jobs[0]);
    for (int t = 1; t < started; t++) pthread_join(pool[t], NULL);
    double elapsed = now_seconds() - start, total = 0;
    for (int t = 0; t < started; t++) total += jobs[t].operations;
    return total / elapsed / 1e9;
}
