import ArgumentParser
import Foundation
import WinnowDataset
import WinnowNeighbours

struct BenchNeighbours: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neighbours",
        abstract: "Time all-pairs k-nearest-neighbour search against faiss on the same vectors.",
        discussion: """
            Runs Benchmarks/reference/faiss_bench.py (a Python with faiss-cpu, e.g. \
            `make bench-venv`) to generate clustered vectors and time faiss's IndexFlatIP \
            (exact) and IndexHNSWFlat (approximate), then times Winnow's exact (OpenBLAS) \
            and approximate (hnswlib) search on the same vectors and measures recall@k of \
            both against faiss's exact result.
            """)

    @Option(help: "Number of vectors.") var items = 100_000
    @Option(help: "Dimension.") var dimension = 128
    @Option(name: .short, help: "Neighbours per item.") var k = 10
    @Option(help: "Random seed for the vectors.") var seed = 0
    @Option(help: "HNSW search breadth, for both (faiss efSearch, hnswlib ef).") var ef = 32
    @OptionGroup var reference: ReferenceTool

    struct Reference: Decodable { let flat_seconds: Double; let hnsw_build_seconds: Double; let hnsw_search_seconds: Double; let hnsw_recall_vs_flat: Double; let faiss_version: String }

    func run() throws {
        let directory = NSTemporaryDirectory() + "winnow-nn-bench-\(items)x\(dimension)-\(seed)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let vectors = directory + "/vectors.npy"
        let reference = try self.reference.run("Benchmarks/reference/faiss_bench.py", [
            "--vectors", vectors, "--k", "\(k)", "--method", "both", "--out", directory,
            "--generate", "\(items)", "\(dimension)", "--seed", "\(seed)", "--ef-search", "\(ef)",
        ], as: Reference.self)
        let raw = try NPYMatrix(path: vectors, displayName: "vectors.npy")
        let matrix = EmbeddingMatrix(rows: raw.rows, dimension: raw.columns) { Float(raw.value(row: $0, column: $1)) }
        let faissIDs = try NPYIntegerVector.read(path: directory + "/flat_ids.npy", displayName: "flat_ids.npy", allowMatrix: true).map { Int32($0) }
        let faissExact = NeighbourGraph(count: matrix.rows, k: k, ids: faissIDs, similarities: [Float](repeating: 0, count: faissIDs.count))

        var start = MonotonicClock.now()
        let exact = NeighbourSearch.exact(matrix, k: k)
        let exactSeconds = MonotonicClock.now() - start
        start = MonotonicClock.now()
        var settings = NeighbourSearch.HNSWSettings()
        settings.ef = ef
        let (approximate, buildTime, searchTime) = try NeighbourSearch.approximateTimed(matrix, k: k, settings: settings)
        let approximateSeconds = MonotonicClock.now() - start

        print("\(items) × \(dimension), k = \(k), all items queried, HNSW M 16, efConstruction 100, ef \(ef) (faiss \(reference.faiss_version)):")
        print(String(format: "  exact:       winnow %.2f s   faiss IndexFlatIP %.2f s   → %.1f× faster   recall vs faiss exact %.4f",
                     exactSeconds, reference.flat_seconds, reference.flat_seconds / exactSeconds, exact.recall(against: faissExact)))
        let faissHNSW = reference.hnsw_build_seconds + reference.hnsw_search_seconds
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        print(String(format: "  (winnow HNSW build %.2f s + search %.2f s)", seconds(buildTime), seconds(searchTime)))
        print(String(format: "  approximate: winnow %.2f s   faiss IndexHNSWFlat %.2f s (build %.2f + search %.2f)   → %.1f×   recall vs faiss exact %.4f (faiss's own %.4f)",
                     approximateSeconds, faissHNSW, reference.hnsw_build_seconds, reference.hnsw_search_seconds, faissHNSW / approximateSeconds,
                     approximate.recall(against: faissExact), reference.hnsw_recall_vs_flat))
    }
}
