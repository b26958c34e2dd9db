// A C face for hnswlib (Debian: libhnswlib-dev, header-only C++), so Swift can build and
// query an HNSW index. Cosine similarity: vectors must be unit length; the index uses inner
// product. Every function catches C++ exceptions and reports them through `error`.
#ifndef WINNOW_HNSW_H
#define WINNOW_HNSW_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct winnow_hnsw winnow_hnsw;

/// A new empty index for `capacity` vectors of `dimension` floats; NULL on failure.
winnow_hnsw *winnow_hnsw_create(int dimension, size_t capacity, size_t m, size_t ef_construction,
                                size_t seed, char *error, size_t error_size);

/// Adds `count` vectors (row-major), with labels first_label ..< first_label + count, using
/// `threads` threads. Returns 0 on success.
int winnow_hnsw_add(winnow_hnsw *index, const float *vectors, size_t count, size_t first_label,
                    int threads, char *error, size_t error_size);

/// For each of `count` queries, the `k` nearest labels (-1 when fewer exist) and their
/// inner products, best first. `ef` is the search breadth (>= k). Returns 0 on success.
int winnow_hnsw_search(winnow_hnsw *index, const float *queries, size_t count, size_t k, size_t ef,
                       int threads, int64_t *labels, float *similarities, char *error, size_t error_size);

void winnow_hnsw_free(winnow_hnsw *index);

/// The build of hnswlib this CPU runs: "avx512", "avx2" or "sse2" (portable).
const char *winnow_hnsw_build_name(void);

#ifdef __cplusplus
}
#endif

#endif
