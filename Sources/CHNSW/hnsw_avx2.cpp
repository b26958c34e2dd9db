// hnswlib compiled for AVX2/FMA, in its own namespace so it cannot clash with the portable
// (SSE2) copy in winnow_hnsw.cpp or the AVX-512 one in hnsw_avx512.cpp. Every function in
// this file carries the AVX2 target attribute; winnow_hnsw.cpp calls into it only when the
// CPU supports AVX2 and FMA.
//
// The standard headers hnswlib uses are included first, outside the namespace (their
// include guards keep hnswlib from pulling them in again inside it).
#include <algorithm>
#include <assert.h>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <list>
#include <mutex>
#include <queue>
#include <random>
#include <stdexcept>
#include <stdlib.h>
#include <string.h>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>
#include <immintrin.h>
#include <x86intrin.h>
#include <cpuid.h>

#include "hnsw_variant.h"

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
// hnswlib chooses its kernels with these macros at compile time (without __AVX512F__: the AVX kernels).
#ifndef __AVX__
#define __AVX__ 1
#define WINNOW_DEFINED_AVX
#endif
namespace winnow_avx2 {
#include <hnswlib/hnswlib.h>
}
#ifdef WINNOW_DEFINED_AVX
#undef __AVX__
#endif

namespace winnow_avx2 {
#include "hnsw_variant_impl.h"
}
#pragma clang attribute pop

winnow_hnsw_variant *winnow_hnsw_make_avx2(int d, size_t capacity, size_t m, size_t efc, size_t seed) {
    return new winnow_avx2::Variant(d, capacity, m, efc, seed);
}
