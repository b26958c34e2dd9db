// Exact k-nearest-neighbour search over unit-length float32 vectors, with kernels chosen
// at run time from the CPU's features (CPUID), not from its model name.
//
// How it stays exact and deterministic whatever the kernel, blocking and threads:
//   1. A kernel computes every pair's similarity approximately (int8 with AVX-512 VNNI,
//      or float32) together with a rigorous bound on its error, and keeps, for each item,
//      every candidate whose similarity could still reach the item's k-th best.
//   2. Each candidate's similarity is then computed exactly as defined by
//      winnow_knn_reference_similarity (float64, a fixed summation order), and the k best
//      by (similarity descending, index ascending) are the answer.
// The answer therefore depends only on the vectors: the kernel only decides how many
// candidates are looked at.
#ifndef WINNOW_KNN_H
#define WINNOW_KNN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    /// Plain C, float32 candidates (SSE2 on x86-64; any CPU).
    WINNOW_KNN_PORTABLE = 0,
    /// float32 candidates with AVX2 and FMA (x86-64-v3).
    WINNOW_KNN_AVX2 = 1,
    /// float32 candidates with AVX-512 F.
    WINNOW_KNN_AVX512 = 2,
    /// int8 candidates with AVX-512 VNNI (vpdpbusd): four times the float32 rate.
    WINNOW_KNN_AVX512_VNNI = 3,
} winnow_knn_kernel;

enum { WINNOW_KNN_KERNEL_COUNT = 4 };

/// What CPUID (and XGETBV, for the operating system's support of the wide registers) says.
typedef struct {
    char vendor[13];
    char brand[49];
    int sse2, avx, fma, avx2, f16c;
    int avx512f, avx512dq, avx512cd, avx512bw, avx512vl, avx512ifma, avx512vbmi;
    int avx512vnni, avx512bf16, avx512fp16, avxvnni, amx_tile;
    /// The OS saves the YMM (AVX) and ZMM/opmask (AVX-512) state across context switches.
    int os_avx, os_avx512;
} winnow_cpu_features;

void winnow_cpu_features_get(winnow_cpu_features *out);

/// 1 when this CPU (and OS) can run `kernel`.
int winnow_knn_kernel_supported(winnow_knn_kernel kernel);

/// The fastest kernel this CPU supports.
winnow_knn_kernel winnow_knn_best_kernel(void);

/// "portable", "avx2", "avx512", "avx512-vnni".
const char *winnow_knn_kernel_name(winnow_knn_kernel kernel);

/// The kernel named `name`, or -1.
int winnow_knn_kernel_from_name(const char *name);

typedef struct {
    double prepare_seconds;   // quantising / packing the vectors
    double scan_seconds;      // the approximate all-pairs pass
    double rerank_seconds;    // exact similarities of the last candidates, the output
    uint64_t candidates;      // candidates kept by the approximate pass
    uint64_t exact_evaluations;  // exact (float64) similarities computed
    double approximate_ops;   // multiply-adds ×2 of the approximate pass (for GFLOP/s)
} winnow_knn_stats;

/// The exact k nearest other items of every item (itself excluded): `ids` and
/// `similarities` are n × k, best first; ties go to the lower index. `block` is the number
/// of items per block of the all-pairs schedule (rounded up to a multiple of 192; 0 for
/// the default). Returns 0, or 1 when memory ran out, 2 when the CPU cannot run `kernel`,
/// 3 for bad arguments.
int winnow_knn_exact(const float *vectors, size_t n, size_t d, size_t k, int threads, winnow_knn_kernel kernel,
                     size_t block, int32_t *ids, float *similarities, winnow_knn_stats *stats);

/// The similarity that defines the answer: sum over t of (double)a[t]·(double)b[t], lane
/// t mod 8 accumulating in increasing t, the lanes added as ((0+4)+(2+6))+((1+5)+(3+7)).
/// Products of two floats are exact in double, so the value is the same on every CPU.
double winnow_knn_reference_similarity(const float *a, const float *b, size_t d);

/// The same similarity computed by the build `kernel` uses (for tests: equal bits).
double winnow_knn_reference_similarity_using(winnow_knn_kernel kernel, const float *a, const float *b, size_t d);

/// For tests: every pair's approximate similarity through `kernel`'s real tile code
/// (`scores`, n × n) and its error bound (`bounds`, n × n); the diagonal is left as is.
/// Returns as winnow_knn_exact.
int winnow_knn_approximate_scores(const float *vectors, size_t n, size_t d, winnow_knn_kernel kernel,
                                  float *scores, float *bounds);

/// The machine's measured peak rate in G operations per second (2 per multiply-add) on
/// `threads` threads over about `seconds`: float32 multiply-adds in the widest vectors this
/// CPU has (int8 = 0), or int8 VNNI ones (int8 = 1; 0 when the CPU has none).
double winnow_knn_measure_peak(int int8, int threads, double seconds);

#ifdef __cplusplus
}
#endif

#endif
