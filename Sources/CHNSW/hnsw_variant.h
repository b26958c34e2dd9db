// One build of hnswlib behind a common interface: the portable (SSE2) build, the AVX2
// build (hnsw_avx2.cpp) and the AVX-512 build (hnsw_avx512.cpp) each provide one;
// winnow_hnsw.cpp picks at run time from CPUID.
#pragma once

#include <cstddef>
#include <cstdint>

struct winnow_hnsw_variant {
    virtual ~winnow_hnsw_variant() {}
    virtual void add(const float *vectors, size_t count, size_t first_label, int threads) = 0;
    virtual void search(const float *queries, size_t count, size_t k, size_t ef, int threads,
                        int64_t *labels, float *similarities) = 0;
};

winnow_hnsw_variant *winnow_hnsw_make_portable(int d, size_t capacity, size_t m, size_t efc, size_t seed);
winnow_hnsw_variant *winnow_hnsw_make_avx2(int d, size_t capacity, size_t m, size_t efc, size_t seed);
winnow_hnsw_variant *winnow_hnsw_make_avx512(int d, size_t capacity, size_t m, size_t efc, size_t seed);
