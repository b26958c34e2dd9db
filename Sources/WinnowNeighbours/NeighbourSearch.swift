#if canImport(Glibc)
import Glibc
#endif
import CHNSW
import CNeighbourKernels
import Dispatch
import WinnowCore

/// k-nearest-neighbour search over unit-length embeddings.
///
/// Exact search (CNeighbourKernels) computes all pairs once (the similarity is symmetric)
/// with a kernel chosen from the CPU's features, int8 with AVX-512 VNNI where it exists,
/// keeps every candidate its error bound cannot rule out, and re-ranks those exactly in
/// float64: O(N²·d) work, exact and the same on every machine. `.auto` uses it while the
/// work fits the kernel's budget (1M × 128 with VNNI); above, an HNSW graph (hnswlib)
/// answers in O(N log N), its recall measured against exact search in tests and benchmarks.
public enum NeighbourSearch {
    public enum Method: String, Sendable, CaseIterable {
        /// Exact while the work fits the kernel's budget, approximate above.
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

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func search(
        _ matrix: EmbeddingMatrix, k: Int, method: Method = .auto,
        settings: HNSWSettings = HNSWSettings(), threads: Int = activeProcessors
    ) throws(Failure) -> (graph: NeighbourGraph, method: Method) {
        let useExact = method == .exact || (method == .auto && autoIsExact(rows: matrix.rows, dimension: matrix.dimension))
        if useExact { return (try exact(matrix, k: k, threads: threads), .exact) }
        return (try approximate(matrix, k: k, settings: settings, threads: threads), .approximate)
    }

    /// The build of hnswlib this CPU runs ("avx512", "avx2" or "sse2"), chosen from CPUID.
    public static var hnswBuild: String { String(cString: winnow_hnsw_build_name()) }

    public static var activeProcessors: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    // MARK: - Exact

    /// Items per block of the exact search's all-pairs schedule (0: the kernel's default).
    public static let defaultBlock = 0

    /// What one exact search did: for benchmarks.
    public struct ExactStatistics: Sendable {
        public var kernel: SearchKernel
        public var prepareSeconds = 0.0
        /// The approximate all-pairs pass (the kernel).
        public var scanSeconds = 0.0
        /// Exact similarities of the last candidates, and the output.
        public var rerankSeconds = 0.0
        public var candidates = 0
        public var exactEvaluations = 0
        /// Arithmetic operations (2 per multiply-add) of the approximate pass.
        public var operations = 0.0
    }

    /// Exact k nearest neighbours of every item (itself excluded), best first; ties go to
    /// the lower index. The similarity is float64 in a fixed order
    /// (`referenceSimilarity`), so the result is the same whatever the kernel, `block` and
    /// `threads`. `kernel` defaults to the one chosen from the CPU's features.
    public static func exact(
        _ matrix: EmbeddingMatrix, k: Int, threads: Int = activeProcessors,
        kernel: SearchKernel = SearchKernel.selected.kernel, block: Int = defaultBlock
    ) throws(Failure) -> NeighbourGraph {
        try exactWithStatistics(matrix, k: k, threads: threads, kernel: kernel, block: block).graph
    }

    public static func exactWithStatistics(
        _ matrix: EmbeddingMatrix, k: Int, threads: Int = activeProcessors,
        kernel: SearchKernel = SearchKernel.selected.kernel,
        block: Int = defaultBlock
    ) throws(Failure) -> (graph: NeighbourGraph, statistics: ExactStatistics) {
        let n = matrix.rows, d = matrix.dimension
        let k = min(k, max(n - 1, 0))
        var statistics = ExactStatistics(kernel: kernel)
        var ids = [Int32](repeating: -1, count: n * k)
        var sims = [Float](repeating: 0, count: n * k)
        guard n > 1, k > 0, d > 0 else { return (NeighbourGraph(count: n, k: k, ids: ids, similarities: sims), statistics) }
        guard n <= Int(Int32.max) else { throw Failure(description: "exact search takes at most \(Int32.max) items") }
        var c = winnow_knn_stats()
        let status = matrix.values.withUnsafeBufferPointer { v in
            ids.withUnsafeMutableBufferPointer { idsOut in
                sims.withUnsafeMutableBufferPointer { simsOut in
                    winnow_knn_exact(
                        v.baseAddress, n, d, k, Int32(max(1, threads)), kernel.c, max(0, block), idsOut.baseAddress, simsOut.baseAddress, &c)
                }
            }
        }
        switch status {
        case 0: break
        case 1: throw Failure(description: "not enough memory for exact search of \(n) × \(d) vectors")
        case 2: throw Failure(description: "this CPU cannot run the \(kernel.rawValue) kernel (it needs \(kernel.requires))")
        default: throw Failure(description: "exact search refused its arguments (\(n) × \(d), k \(k))")
        }
        statistics.prepareSeconds = c.prepare_seconds
        statistics.scanSeconds = c.scan_seconds
        statistics.rerankSeconds = c.rerank_seconds
        statistics.candidates = Int(c.candidates)
        statistics.exactEvaluations = Int(c.exact_evaluations)
        statistics.operations = c.approximate_ops
        return (NeighbourGraph(count: n, k: k, ids: ids, similarities: sims), statistics)
    }

    /// The similarity exact search ranks by: float64 products of the float32 values, summed
    /// in a fixed order (lane t mod 8 in increasing t, lanes added ((0+4)+(2+6))+((1+5)+(3+7))).
    public static func referenceSimilarity(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, dimension: Int) -> Double {
        winnow_knn_reference_similarity(a, b, dimension)
    }

    /// Whether `.auto` searches n × d exactly with `kernel`: when the work fits the
    /// kernel's budget (`SearchKernel.exactWorkLimit`).
    public static func autoIsExact(rows n: Int, dimension d: Int, kernel: SearchKernel = SearchKernel.selected.kernel) -> Bool {
        Double(n) * Double(n) * Double(max(d, 1)) <= kernel.exactWorkLimit
    }

    // MARK: - Approximate

    /// Approximate k nearest neighbours from an HNSW graph (hnswlib), itself excluded.
    public static func approximate(
        _ matrix: EmbeddingMatrix, k: Int, settings: HNSWSettings = HNSWSettings(),
        threads: Int = activeProcessors
    ) throws(Failure) -> NeighbourGraph {
        try approximateTimed(matrix, k: k, settings: settings, threads: threads).graph
    }

    /// `approximate`, also reporting how long building and searching the index took.
    public static func approximateTimed(
        _ matrix: EmbeddingMatrix, k: Int, settings: HNSWSettings = HNSWSettings(),
        threads: Int = activeProcessors
    ) throws(Failure) -> (graph: NeighbourGraph, build: Duration, search: Duration) {
        let n = matrix.rows
        let k = min(k, max(n - 1, 0))
        guard n > 1, k > 0 else {
            return (
                NeighbourGraph(count: n, k: k, ids: [Int32](repeating: -1, count: n * k), similarities: [Float](repeating: 0, count: n * k)), .zero,
                .zero
            )
        }
        let started = ContinuousClock.now
        var error = [CChar](repeating: 0, count: 512)
        guard let index = winnow_hnsw_create(Int32(matrix.dimension), n, settings.m, settings.efConstruction, settings.seed, &error, error.count)
        else {
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
        guard
            matrix.values.withUnsafeBufferPointer({ v in
                winnow_hnsw_search(index, v.baseAddress, n, wanted, max(settings.ef, wanted), Int32(threads), &labels, &found, &error, error.count)
            }) == 0
        else {
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
