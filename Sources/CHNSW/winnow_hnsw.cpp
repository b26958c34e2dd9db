#include "winnow_hnsw.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct winnow_hnsw {
    hnswlib::InnerProductSpace space;
    hnswlib::HierarchicalNSW<float> graph;
    size_t dimension;
    winnow_hnsw(int d, size_t capacity, size_t m, size_t efc, size_t seed)
        : space(d), graph(&space, capacity, m, efc, seed), dimension((size_t)d) {}
};

static void report(char *error, size_t size, const char *message) {
    if (error && size > 0) {
        std::strncpy(error, message, size - 1);
        error[size - 1] = 0;
    }
}

// Runs body(i) for i in [0, count) on `threads` threads; the first exception is rethrown.
template <typename Body>
static void parallel_for(size_t count, int threads, Body body) {
    size_t workers = std::max(1, threads);
    if (workers == 1 || count < 2) {
        for (size_t i = 0; i < count; i++) body(i);
        return;
    }
    std::atomic<size_t> next(0);
    std::exception_ptr failure = nullptr;
    std::mutex failure_lock;
    std::vector<std::thread> pool;
    for (size_t w = 0; w < workers; w++) {
        pool.emplace_back([&]() {
            while (true) {
                size_t i = next.fetch_add(1);
                if (i >= count) break;
                try {
                    body(i);
                } catch (...) {
                    std::lock_guard<std::mutex> guard(failure_lock);
                    if (!failure) failure = std::current_exception();
                    next.store(count);
                }
            }
        });
    }
    for (auto &t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
}

extern "C" winnow_hnsw *winnow_hnsw_create(int dimension, size_t capacity, size_t m, size_t ef_construction,
                                           size_t seed, char *error, size_t error_size) {
    try {
        return new winnow_hnsw(dimension, capacity, m, ef_construction, seed);
    } catch (const std::exception &e) {
        report(error, error_size, e.what());
    } catch (...) {
        report(error, error_size, "unknown error creating the HNSW index");
    }
    return nullptr;
}

extern "C" int winnow_hnsw_add(winnow_hnsw *index, const float *vectors, size_t count, size_t first_label,
                               int threads, char *error, size_t error_size) {
    try {
        // The first point alone: hnswlib's graph needs an entry point before parallel inserts.
        if (count == 0) return 0;
        index->graph.addPoint(vectors, first_label);
        parallel_for(count - 1, threads, [&](size_t i) {
            index->graph.addPoint(vectors + (i + 1) * index->dimension, first_label + i + 1);
        });
        return 0;
    } catch (const std::exception &e) {
        report(error, error_size, e.what());
    } catch (...) {
        report(error, error_size, "unknown error adding to the HNSW index");
    }
    return 1;
}

extern "C" int winnow_hnsw_search(winnow_hnsw *index, const float *queries, size_t count, size_t k, size_t ef,
                                  int threads, int64_t *labels, float *similarities, char *error, size_t error_size) {
    try {
        // setEf is global in hnswlib 0.6.2: set it once, before the parallel searches.
        index->graph.setEf(std::max(ef, k));
        parallel_for(count, threads, [&](size_t q) {
            auto result = index->graph.searchKnn(queries + q * index->dimension, k);
            // The priority queue yields the farthest first; fill from the back.
            size_t n = result.size();
            for (size_t j = n; j < k; j++) {
                labels[q * k + j] = -1;
                similarities[q * k + j] = 0;
            }
            for (size_t j = n; j-- > 0;) {
                labels[q * k + j] = (int64_t)result.top().second;
                similarities[q * k + j] = 1.0f - result.top().first;  // inner-product "distance" is 1 - ip
                result.pop();
            }
        });
        return 0;
    } catch (const std::exception &e) {
        report(error, error_size, e.what());
    } catch (...) {
        report(error, error_size, "unknown error searching the HNSW index");
    }
    return 1;
}

extern "C" void winnow_hnsw_free(winnow_hnsw *index) { delete index; }
