#if canImport(Glibc)
import Glibc
#endif
import CHNSW
import COpenBLAS
import Dispatch
import WinnowCore

/// k-nearest-neighbour search over unit-length embeddings.
///
/// Exact search multiplies blocks of queries by blocks of the database with OpenBLAS
/// (`sgemm`) and keeps each query's best k in a small sorted list: O(N²·d) work at BLAS
/// speed, right up to ~150k items. Beyond that an HNSW graph (hnswlib) answers in
/// O(N log N); its recall is measured against exact search in the tests and benchmark.
public enum NeighbourSearch {
    public enum Method: String, Sendable, CaseIterable {
        /// Exact below `exactLimit` items, approximate above.
        case auto
        case exact
        case approximate
    }

    /// HNSW parameters (`winnow.toml`: [neighbours] m, ef_construction, ef).
    public struct HNSWSettings: Sendable, Equatable {
        public var m = 16
        public var efConstruction = 100
        public var ef = 64
        public var seed = 42
        public init() {}
    }

    /// Items above which `.auto` switches to approximate search.
    public static let exactLimit = 150_000

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func search(_ matrix: EmbeddingMatrix, k: Int, method: Method = .auto,
                              settings: HNSWSettings = HNSWSettings(), threads: Int = activeProcessors) throws(Failure) -> (graph: NeighbourGraph, method: Method) {
        let useExact = method == .exact || (method == .auto && matrix.rows <= exactLimit)
        if useExact { return (exact(matrix, k: k, threads: threads), .exact) }
        return (try approximate(matrix, k: k, settings: settings, threads: threads), .approximate)
    }

    public static var activeProcessors: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    // MARK: - Exact

    /// Queries and database rows per `sgemm` call: 256 × 8192 scores (8 MB) per worker.
    public static let queryBlock = 256
    public static let databaseBlock = 8192

    /// Exact k nearest neighbours of every item (itself excluded). `blocks` sets how many
    /// queries and database rows one `sgemm` call covers (tests make them small).
    public static func exact(_ matrix: EmbeddingMatrix, k: Int, threads: Int = activeProcessors,
                             blocks blockSizes: (queries: Int, database: Int) = (queryBlock, databaseBlock)) -> NeighbourGraph {
        let queryBlock = blockSizes.queries, databaseBlock = blockSizes.database
        let n = matrix.rows, d = matrix.dimension
        let k = min(k, max(n - 1, 0))
        var ids = [Int32](repeating: -1, count: n * k)
        var sims = [Float](repeating: 0, count: n * k)
        guard n > 1, k > 0 else { return NeighbourGraph(count: n, k: k, ids: ids, similarities: sims) }
        // One BLAS thread per worker: as fast as letting OpenBLAS thread, and predictable.
        openblas_set_num_threads(1)
        let blocks = (n + queryBlock - 1) / queryBlock
        ids.withUnsafeMutableBufferPointer { idsOut in
            sims.withUnsafeMutableBufferPointer { simsOut in
                let output = UnsafeSendable((ids: idsOut, sims: simsOut))
                matrix.values.withUnsafeBufferPointer { v in
                    let vectors = UnsafeSendable(v.baseAddress!)
                    let workers = min(max(1, threads), blocks)
                    let next = SharedCounter()
                    DispatchQueue.concurrentPerform(iterations: workers) { _ in
                        var scores = [Float](repeating: 0, count: queryBlock * databaseBlock)
                        var best = TopK(k: k)
                        while let block = next.take(below: blocks) {
                            let q0 = block * queryBlock, qn = min(queryBlock, n - q0)
                            var lists = [TopK](repeating: best, count: qn)
                            var d0 = 0
                            while d0 < n {
                                let dn = min(databaseBlock, n - d0)
                                scores.withUnsafeMutableBufferPointer { s in
                                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(qn), Int32(dn), Int32(d),
                                                1, vectors.value + q0 * d, Int32(d), vectors.value + d0 * d, Int32(d),
                                                0, s.baseAddress, Int32(dn))
                                    for q in 0..<qn {
                                        let row = s.baseAddress! + q * dn
                                        let own = q0 + q
                                        for j in 0..<dn where row[j] >= lists[q].worst && d0 + j != own {
                                            lists[q].offer(row[j], Int32(d0 + j))
                                        }
                                    }
                                }
                                d0 += dn
                            }
                            for q in 0..<qn { lists[q].write(into: output, row: q0 + q) }
                            best = TopK(k: k)
                        }
                    }
                }
            }
        }
        return NeighbourGraph(count: n, k: k, ids: ids, similarities: sims)
    }

    /// The best k (similarity, id) pairs seen, sorted best first; ties go to the lower id.
    struct TopK {
        let k: Int
        var sims: [Float]
        var ids: [Int32]
        var count = 0

        init(k: Int) {
            self.k = k
            sims = [Float](repeating: -.infinity, count: k)
            ids = [Int32](repeating: .max, count: k)
        }

        /// The k-th best similarity so far (−∞ until k were seen): anything below cannot enter.
        var worst: Float { sims[k - 1] }

        @inline(__always) mutating func offer(_ sim: Float, _ id: Int32) {
            // Better = higher similarity, or equal similarity and lower id.
            if sim < sims[k - 1] || (sim == sims[k - 1] && id > ids[k - 1]) { return }
            var position = k - 1
            while position > 0 && (sims[position - 1] < sim || (sims[position - 1] == sim && ids[position - 1] > id)) {
                sims[position] = sims[position - 1]
                ids[position] = ids[position - 1]
                position -= 1
            }
            sims[position] = sim
            ids[position] = id
            count += 1
        }

        func write(into output: UnsafeSendable<(ids: UnsafeMutableBufferPointer<Int32>, sims: UnsafeMutableBufferPointer<Float>)>, row: Int) {
            for j in 0..<k where ids[j] != .max {
                output.value.ids[row * k + j] = ids[j]
                output.value.sims[row * k + j] = sims[j]
            }
        }
    }

    // MARK: - Approximate

    /// Approximate k nearest neighbours from an HNSW graph (hnswlib), itself excluded.
    public static func approximate(_ matrix: EmbeddingMatrix, k: Int, settings: HNSWSettings = HNSWSettings(),
                                   threads: Int = activeProcessors) throws(Failure) -> NeighbourGraph {
        try approximateTimed(matrix, k: k, settings: settings, threads: threads).graph
    }

    /// `approximate`, also reporting how long building and searching the index took.
    public static func approximateTimed(_ matrix: EmbeddingMatrix, k: Int, settings: HNSWSettings = HNSWSettings(),
                                        threads: Int = activeProcessors) throws(Failure) -> (graph: NeighbourGraph, build: Duration, search: Duration) {
        let n = matrix.rows
        let k = min(k, max(n - 1, 0))
        guard n > 1, k > 0 else { return (NeighbourGraph(count: n, k: k, ids: [Int32](repeating: -1, count: n * k), similarities: [Float](repeating: 0, count: n * k)), .zero, .zero) }
        let started = ContinuousClock.now
        var error = [CChar](repeating: 0, count: 512)
        guard let index = winnow_hnsw_create(Int32(matrix.dimension), n, settings.m, settings.efConstruction, settings.seed, &error, error.count) else {
            throw Failure(description: errorText(error))
        }
        defer { winnow_hnsw_free(index) }
        guard matrix.values.withUnsafeBufferPointer({ winnow_hnsw_add(index, $0.baseAddress, n, 0, Int32(threads), &error, error.count) }) == 0 else {
            throw Failure(description: errorText(error))
        }
        let built = ContinuousClock.now
        // Ask for one more than k: the item itself is (almost always) its own best match.
        let wanted = k + 1
        var labels = [Int64](repeating: -1, count: n * wanted)
        var found = [Float](repeating: 0, count: n * wanted)
        guard matrix.values.withUnsafeBufferPointer({ v in
            winnow_hnsw_search(index, v.baseAddress, n, wanted, max(settings.ef, wanted), Int32(threads), &labels, &found, &error, error.count)
        }) == 0 else {
            throw Failure(description: errorText(error))
        }
        let searched = ContinuousClock.now
        var ids = [Int32](repeating: -1, count: n * k)
        var sims = [Float](repeating: 0, count: n * k)
        for item in 0..<n {
            var j = 0
            for r in 0..<wanted where j < k {
                let label = labels[item * wanted + r]
                guard label >= 0, label != Int64(item) else { continue }
                ids[item * k + j] = Int32(label)
                sims[item * k + j] = found[item * wanted + r]
                j += 1
            }
        }
        return (NeighbourGraph(count: n, k: k, ids: ids, similarities: sims), built - started, searched - built)
    }
}

/// The text of a NUL-terminated C error buffer.
func errorText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
