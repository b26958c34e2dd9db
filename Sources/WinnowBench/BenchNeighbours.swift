#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import WinnowCore
import WinnowDataset
import WinnowNeighbours
import WinnowSession

struct BenchNeighbours: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neighbours",
        abstract: "Time all-pairs k-nearest-neighbour search against faiss on the same vectors.",
        discussion: """
            Runs Benchmarks/reference/faiss_bench.py (a Python with faiss-cpu, e.g. \
            `make bench-venv`) to generate clustered vectors and time faiss's IndexFlatIP \
            (exact) and IndexHNSWFlat (approximate), with faiss's bundled OpenBLAS given \
            the core type this CPU's features call for (and once more with the environment's \
            own OPENBLAS_CORETYPE, if set: the faster counts). Then times Winnow's exact \
            search with each kernel this CPU runs and its approximate (hnswlib) search on \
            the same vectors, checks the exact results against the float64 definition on \
            sampled rows and against faiss, and prints the rate reached against the \
            machine's measured peak. Every figure is printed with the kernel and the CPU's \
            features; the load average is printed before and after.
            """)

    @Option(help: "Number of vectors.") var items = 100_000
    @Option(help: "Dimension.") var dimension = 128
    @Option(name: .short, help: "Neighbours per item.") var k = 10
    @Option(help: "Random seed for the vectors.") var seed = 0
    @Option(help: "Noise around the cluster centres: 1 is clustered like real embeddings, 6 is nearly isotropic noise.") var noise = 1.0
    @Option(help: "HNSW search breadth, for both (faiss efSearch, hnswlib ef).") var ef = 32
    @Option(help: "Repetitions of the headline pair (faiss flat, Winnow exact with the selected kernel).") var runs = 1
    @Option(help: "Kernels to time besides the selected one: all (that this CPU runs), none, or a comma-separated list.") var kernels = "all"
    @Flag(help: "Also time the sgemm-based exact search Winnow used before (this process's OpenBLAS).") var openblas = false
    @Flag(help: "Skip the HNSW comparison.") var skipHNSW = false
    @OptionGroup var reference: ReferenceTool

    struct Reference: Decodable {
        let flat_seconds: Double?
        let hnsw_build_seconds: Double?
        let hnsw_search_seconds: Double?
        let hnsw_recall_vs_flat: Double?
        let faiss_version: String
        let openblas: String?
    }

    func run() throws {
        let threads = NeighbourSearch.activeProcessors
        let (selected, why) = SearchKernel.selected
        print("machine: \(CPUFeatures.current.summary)")
        print(
            "  \(threads) cores, load average \(loadAverage()); OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(unset)")"
        )
        print("  Winnow exact kernel: \(selected.rawValue) (\(why)); hnswlib build: \(NeighbourSearch.hnswBuild)")
        let fp32Peak = SearchKernel.measuredPeak(int8: false, threads: threads)
        let int8Peak = SearchKernel.measuredPeak(int8: true, threads: threads)
        print(
            String(
                format: "  measured peak on %d threads: float32 FMA %.0f GFLOP/s%@", threads, fp32Peak,
                int8Peak > 0 ? String(format: ", int8 VNNI %.0f GOP/s", int8Peak) : ""))

        let directory = NSTemporaryDirectory() + "winnow-nn-bench-\(items)x\(dimension)-\(seed)-noise\(noise)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let vectors = directory + "/vectors.npy"
        let generate = access(vectors, F_OK) == 0 ? [] : ["--generate", "\(items)", "\(dimension)", "--seed", "\(seed)", "--noise", "\(noise)"]
        let coretypes = FaissCoretype.candidates()
        var faissFlat: [(coretype: String, seconds: Double, openblas: String)] = []
        var faissVersion = ""
        var hnswReference: Reference?
        // faiss once per core type (the first also generates the vectors, and runs HNSW).
        for (position, coretype) in coretypes.enumerated() {
            let method = position == 0 && !skipHNSW ? "both" : "flat"
            let result = try self.reference.run(
                "Benchmarks/reference/faiss_bench.py",
                [
                    "--vectors", vectors, "--k", "\(k)", "--method", method, "--out", directory, "--ef-search", "\(ef)"
                ] + (position == 0 ? generate : []), as: Reference.self, environment: coretype.environment)
            faissFlat.append((coretype.label, result.flat_seconds ?? .nan, result.openblas ?? "?"))
            faissVersion = result.faiss_version
            if method == "both" { hnswReference = result }
        }
        let raw = try NPYMatrix(path: vectors, displayName: "vectors.npy")
        let matrix = EmbeddingMatrix(rows: raw.rows, dimension: raw.columns) { Float(raw.value(row: $0, column: $1)) }
        let faissIDs = try NPYIntegerVector.read(path: directory + "/flat_ids.npy", displayName: "flat_ids.npy", allowMatrix: true).map { Int32($0) }
        let faissExact = NeighbourGraph(count: matrix.rows, k: k, ids: faissIDs, similarities: [Float](repeating: 0, count: faissIDs.count))

        let work = 2 * Double(matrix.rows) * Double(matrix.rows) * Double(matrix.dimension)
        print(
            "\n\(matrix.rows) × \(matrix.dimension), k = \(k), all items queried (noise \(noise)); the float work of all pairs, 2·N²·d = \(String(format: "%.3g", work)) flops"
        )
        for f in faissFlat {
            print(
                String(
                    format: "  faiss %@ IndexFlatIP, OpenBLAS %@ (OPENBLAS_CORETYPE %@): %.2f s = %.0f GFLOP/s", faissVersion, f.openblas, f.coretype,
                    f.seconds, work / f.seconds / 1e9))
        }
        let bestFaiss = faissFlat.min { $0.seconds < $1.seconds }!

        var order = [selected]
        if kernels == "all" {
            order += SearchKernel.supported.reversed().filter { $0 != selected }
        } else if kernels != "none" {
            order += kernels.split(separator: ",").compactMap { SearchKernel(rawValue: String($0)) }.filter { $0 != selected && $0.isSupported }
        }
        var headline: [Double] = []
        var reference: NeighbourGraph?
        for (position, kernel) in order.enumerated() {
            let repetitions = position == 0 ? max(1, runs) : 1
            for run in 0..<repetitions {
                if run > 0 {
                    // Alternate with faiss so both see the same load.
                    let again = try self.reference.run(
                        "Benchmarks/reference/faiss_bench.py",
                        [
                            "--vectors", vectors, "--k", "\(k)", "--method", "flat", "--ef-search", "\(ef)"
                        ], as: Reference.self, environment: coretypes.first { $0.label == bestFaiss.coretype }?.environment ?? [:])
                    print(String(format: "  faiss IndexFlatIP (%@), run %d: %.2f s", bestFaiss.coretype, run + 1, again.flat_seconds ?? .nan))
                    faissFlat.append((bestFaiss.coretype, again.flat_seconds ?? .nan, again.openblas ?? "?"))
                }
                let start = MonotonicClock.now()
                let (graph, stats) = try NeighbourSearch.exactWithStatistics(matrix, k: k, threads: threads, kernel: kernel)
                let seconds = MonotonicClock.now() - start
                if position == 0 { headline.append(seconds) }
                let peak = kernel == .avx512VNNI ? int8Peak : fp32Peak
                print(
                    String(
                        format:
                            "  winnow exact, kernel %@: %.2f s (prepare %.2f, all pairs %.2f, re-rank %.2f) = %.0f GFLOP/s effective (%.2f× the float32 peak); kernel rate %.0f G%@/s = %.0f%% of its peak; %.1f candidates, %.1f exact similarities per item; recall vs faiss %.4f",
                        kernel.rawValue, seconds, stats.prepareSeconds, stats.scanSeconds, stats.rerankSeconds, work / seconds / 1e9,
                        work / seconds / 1e9 / fp32Peak,
                        stats.operations / stats.scanSeconds / 1e9, kernel == .avx512VNNI ? "OP" : "FLOP",
                        100 * stats.operations / stats.scanSeconds / 1e9 / peak,
                        Double(stats.candidates) / Double(matrix.rows), Double(stats.exactEvaluations) / Double(matrix.rows),
                        graph.recall(against: faissExact)))
                if let reference, graph != reference { print("  !! kernel \(kernel.rawValue) gave a different graph from \(order[0].rawValue)") }
                if reference == nil {
                    reference = graph
                    let mismatches = Self.checkAgainstDefinition(matrix, graph: graph, sample: 200, seed: UInt64(seed))
                    print("  exactness: \(mismatches) of 200 sampled rows differ from a float64 brute force (ids and similarities)")
                }
            }
        }
        let faissTimes = faissFlat.filter { $0.coretype == bestFaiss.coretype }.map(\.seconds)
        print(
            String(
                format: "  → winnow exact (%@) %@ s vs faiss IndexFlatIP (%@) %@ s: %.1f–%.1f× faster",
                selected.rawValue, range(headline), bestFaiss.coretype, range(faissTimes),
                faissTimes.min()! / headline.max()!, faissTimes.max()! / headline.min()!))

        if openblas {
            let start = MonotonicClock.now()
            let graph = OpenBLASExactSearch.search(matrix, k: k, threads: threads)
            let seconds = MonotonicClock.now() - start
            print(
                String(
                    format:
                        "  sgemm exact search (Winnow's before; OpenBLAS core %@ in this process): %.2f s = %.0f GFLOP/s; recall vs faiss %.4f, vs winnow exact %.4f",
                    OpenBLASExactSearch.coreName, seconds, work / seconds / 1e9, graph.recall(against: faissExact),
                    reference.map { graph.recall(against: $0) } ?? .nan))
        }

        if let hnsw = hnswReference, let build = hnsw.hnsw_build_seconds, let search = hnsw.hnsw_search_seconds {
            var settings = NeighbourSearch.HNSWSettings()
            settings.ef = ef
            let start = MonotonicClock.now()
            let (approximate, buildTime, searchTime) = try NeighbourSearch.approximateTimed(matrix, k: k, settings: settings)
            let seconds = MonotonicClock.now() - start
            print(
                String(
                    format:
                        "  HNSW (M 16, efConstruction 100, ef %d): winnow (hnswlib %@) %.2f s (build %.2f + search %.2f), faiss IndexHNSWFlat %.2f s (build %.2f + search %.2f): %.1f×; recall vs exact: winnow %.4f, faiss %.4f",
                    ef, NeighbourSearch.hnswBuild, seconds, buildTime.seconds, searchTime.seconds, build + search, build, search,
                    (build + search) / seconds,
                    approximate.recall(against: reference ?? faissExact), hnsw.hnsw_recall_vs_flat ?? .nan))
        }
        print("  load average after: \(loadAverage())")
    }

    /// Rows (a deterministic sample) whose ids or similarities differ from the brute-force
    /// float64 answer.
    static func checkAgainstDefinition(_ matrix: EmbeddingMatrix, graph: NeighbourGraph, sample: Int, seed: UInt64) -> Int {
        var rng = SplitMix64(seed: seed &+ 17)
        let d = matrix.dimension, n = matrix.rows
        return matrix.values.withUnsafeBufferPointer { v -> Int in
            var mismatches = 0
            for _ in 0..<min(sample, n) {
                let i = Int(rng.next() % UInt64(n))
                var best: [(Double, Int)] = []
                for j in 0..<n where j != i {
                    let s = NeighbourSearch.referenceSimilarity(v.baseAddress! + i * d, v.baseAddress! + j * d, dimension: d)
                    if best.count < graph.k || s > best[best.count - 1].0 || (s == best[best.count - 1].0 && j < best[best.count - 1].1) {
                        best.append((s, j))
                        best.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
                        if best.count > graph.k { best.removeLast() }
                    }
                }
                let got = graph.neighbours(of: i)
                if got.map(\.id) != best.map(\.1) || got.map(\.similarity) != best.map({ Float($0.0) }) { mismatches += 1 }
            }
            return mismatches
        }
    }
}

/// The OPENBLAS_CORETYPE that faiss's bundled OpenBLAS should get on this CPU, from its
/// features; and the environment's own setting, when there is one, to measure both.
struct FaissCoretype {
    let label: String
    let environment: [String: String]

    static func candidates() -> [FaissCoretype] {
        let flags = Set(CPUFeatures.current.flags)
        let byFeatures: String? =
            ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) && CPUFeatures.current.osSavesAVX512
            ? "SkylakeX"
            : ["avx2", "fma"].allSatisfy(flags.contains) ? "Haswell" : nil
        var result: [FaissCoretype] = []
        if let byFeatures {
            result.append(FaissCoretype(label: "\(byFeatures), from the CPU's features", environment: ["OPENBLAS_CORETYPE": byFeatures]))
        }
        let inherited = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        if inherited != byFeatures || result.isEmpty {
            result.append(FaissCoretype(label: inherited.map { "\($0), from the environment" } ?? "unset: OpenBLAS's own choice", environment: [:]))
        }
        return result
    }
}

func loadAverage() -> String {
    var loads = [Double](repeating: 0, count: 3)
    guard getloadavg(&loads, 3) == 3 else { return "?" }
    return String(format: "%.2f %.2f %.2f", loads[0], loads[1], loads[2])
}

func range(_ values: [Double]) -> String {
    guard let low = values.min(), let high = values.max() else { return "?" }
    return low == high ? String(format: "%.2f", low) : String(format: "%.2f–%.2f", low, high)
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
