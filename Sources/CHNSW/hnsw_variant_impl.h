// The body of a winnow_hnsw_variant. Deliberately without an include guard: each build of
// hnswlib includes it once inside its own namespace, where `hnswlib::` names that build.

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

struct Variant : winnow_hnsw_variant {
    hnswlib::InnerProductSpace space;
    hnswlib::HierarchicalNSW<float> graph;
    size_t dimension;

    Variant(int d, size_t capacity, size_t m, size_t efc, size_t seed)
        : space(d), graph(&space, capacity, m, efc, seed), dimension((size_t)d) {}

    void add(const float *vectors, size_t count, size_t first_label, int threads) override {
        if (count == 0) return;
        // The first point alone: the graph needs an entry point before parallel inserts.
        graph.addPoint(vectors, first_label);
        parallel_for(count - 1, threads, [&](size_t i) {
            graph.addPoint(vectors + (i + 1) * dimension, first_label + i + 1);
        });
    }

    void search(const float *queries, size_t count, size_t k, size_t ef, int threads,
                int64_t *labels, float *similarities) override {
        // setEf is global in hnswlib 0.6.2: set it once, before the parallel searches.
        graph.setEf(std::max(ef, k));
        parallel_for(count, threads, [&](size_t q) {
            auto result = graph.searchKnn(queries + q * dimension, k);
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
    }
};
