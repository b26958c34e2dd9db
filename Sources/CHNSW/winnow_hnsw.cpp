#include "winnow_hnsw.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <hnswlib/hnswlib.h>

#include "hnsw_variant.h"

// The portable build (this target is compiled for the x86-64 baseline: SSE2).
namespace winnow_portable {
#include "hnsw_variant_impl.h"
}

winnow_hnsw_variant *winnow_hnsw_make_portable(int d, size_t capacity, size_t m, size_t efc, size_t seed) {
    return new winnow_portable::Variant(d, capacity, m, efc, seed);
}

struct winnow_hnsw {
    winnow_hnsw_variant *variant;
};

static void report(char *error, size_t size, const char *message) {
    if (error && size > 0) {
        std::strncpy(error, message, size - 1);
        error[size - 1] = 0;
    }
}

// AVX-512 distance kernels build the graph about 1.5x faster than SSE where the CPU has
// them; AVX2 sits between. The build is chosen from CPUID (never from the CPU's name).
static bool has_avx2() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static bool has_avx512() {
    __builtin_cpu_init();
    return has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
}

extern "C" const char *winnow_hnsw_build_name(void) { return has_avx512() ? "avx512" : has_avx2() ? "avx2" : "sse2"; }

// Runs body; a C++ exception becomes `what` (plus its message) in `error` and a nonzero result.
template <typename Body>
static int guarded(char *error, size_t error_size, const char *what, Body body) {
    try {
        body();
        return 0;
    } catch (const std::exception &e) {
        report(error, error_size, (std::string(what) + ": " + e.what()).c_str());
    } catch (...) {
        report(error, error_size, what);
    }
    return 1;
}

extern "C" winnow_hnsw *winnow_hnsw_create(int dimension, size_t capacity, size_t m, size_t ef_construction,
                                           size_t seed, char *error, size_t error_size) {
    winnow_hnsw *index = nullptr;
    guarded(error, error_size, "cannot create the HNSW index", [&] {
        winnow_hnsw_variant *variant = has_avx512() ? winnow_hnsw_make_avx512(dimension, capacity, m, ef_construction, seed)
                                       : has_avx2() ? winnow_hnsw_make_avx2(dimension, capacity, m, ef_construction, seed)
                                                    : winnow_hnsw_make_portable(dimension, capacity, m, ef_construction, seed);
        index = new winnow_hnsw{variant};
    });
    return index;
}

extern "C" int winnow_hnsw_add(winnow_hnsw *index, const float *vectors, size_t count, size_t first_label,
                               int threads, char *error, size_t error_size) {
    return guarded(error, error_size, "cannot add to the HNSW index",
                   [&] { index->variant->add(vectors, count, first_label, threads); });
}

extern "C" int winnow_hnsw_search(winnow_hnsw *index, const float *queries, size_t count, size_t k, size_t ef,
                                  int threads, int64_t *labels, float *similarities, char *error, size_t error_size) {
    return guarded(error, error_size, "cannot search the HNSW index",
                   [&] { index->variant->search(queries, count, k, ef, threads, labels, similarities); });
}

extern "C" void winnow_hnsw_free(winnow_hnsw *index) {
    if (!index) return;
    delete index->variant;
    delete index;
}
