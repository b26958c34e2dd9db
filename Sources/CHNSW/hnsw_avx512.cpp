// hnswlib compiled for AVX-512, in its own namespace so it cannot clash with the portable
// (SSE2) copy in winnow_hnsw.cpp or the AVX2 one in hnsw_avx2.cpp. Every function in this
// file carries the AVX-512 target attribute; winnow_hnsw.cpp calls into it only when the
// CPU supports AVX-512.
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

#pragma clang attribute push(__attribute__((target("avx2,fma,avx512f,avx512dq,avx512bw,avx512vl"))), apply_to = function)
// hnswlib chooses its kernels with these macros at compile time (AVX-512 only inside AVX).
#ifndef __AVX__
#define __AVX__ 1
#define WINNOW_DEFINED_AVX
#endif
#ifndef __AVX512F__
#define __AVX512F__ 1
#define WINNOW_DEFINED_AVX512F
#endif
namespace winnow_avx512 {
#include <hnswlib/hnswlib.h>
}
#ifdef WINNOW_DEFINED_AVX512F
#undef __AVX512F__
#endif
#ifdef WINNOW_DEFINED_AVX
#undef __AVX__
#endif

namespace winnow_avx512 {
#include "hnsw_variant_impl.h"
}
#pragma clang attribute pop

winnow_hnsw_variant *winnow_hnsw_make_avx512(int d, size_t capacity, size_t m, size_t efc, size_t seed) {
    return new winnow_avx512::Variant(d, capacity, m, efc, seed);
}
