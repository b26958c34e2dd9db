#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import WinnowCore
import WinnowDataset
import WinnowNeighbours
import WinnowSession

/// A full `winnow analyze` of an imported dataset, timed as a child process with its peak
/// memory, and the recall of its neighbour graph against faiss's exact search on a sample.
struct BenchAnalyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Time a full winnow analyze (and its peak memory) and measure its neighbours' recall@k on a sample.",
        discussion: """
            Runs `winnow analyze DIR` (this executable, as a child process: wall time, peak \
            resident memory from wait4), then picks --sample items at random and finds \
            their exact k nearest neighbours with faiss IndexFlatIP over all items \
            (Benchmarks/reference/knn_sample.py), and compares with the graph the analysis \
            cached: recall@k. The dataset must have been imported (`make bench-analyze` \
            generates and imports one).
            """)

    @Argument(help: ArgumentHelp("An imported dataset folder.", valueName: "dir")) var dataset: String
    @Option(help: "Items whose neighbours are checked against exact search.") var sample = 10_000
    @Option(help: "Repetitions of the analysis.") var runs = 1
    @OptionGroup var reference: ReferenceTool

    struct Reference: Decodable { let seconds: Double; let faiss_version: String }

    func run() throws {
        let (kernel, why) = SearchKernel.selected
        print("machine: \(CPUFeatures.current.summary)")
        print("  \(NeighbourSearch.activeProcessors) cores, load average \(loadAverage()); Winnow exact kernel \(kernel.rawValue) (\(why))")
        var times: [Double] = [], cpu: [Double] = [], peaks: [Int] = []
        for run in 1...max(1, runs) {
            let analysed = try ChildRun.run(ChildRun.winnowExecutable, ["analyze", dataset])
            guard analysed.status == 0 else { throw CLIFailure(message: "winnow analyze failed:\n\(analysed.output)", exit: .projectError) }
            times.append(analysed.seconds)
            cpu.append(analysed.cpuSeconds)
            peaks.append(analysed.peakResidentBytes)
            print(
                String(
                    format:
                        "run %d: winnow analyze %.1f s wall, %.1f CPU-seconds (%.1f s on %d idle cores at best), peak RSS %.2f GB (load average %@)",
                    run, analysed.seconds, analysed.cpuSeconds, analysed.cpuSeconds / Double(NeighbourSearch.activeProcessors),
                    NeighbourSearch.activeProcessors, Double(analysed.peakResidentBytes) / 1e9, loadAverage()))
            if run == 1 { for line in analysed.output.split(separator: "\n") { print("  | \(line)") } }
        }
        let project = try Project.open(ProjectOptions.parse([dataset]))
        let session = try AnalysisSession(project, progress: SilentProgress())
        guard let embeddings = session.context.embeddings else { throw CLIFailure(message: "the dataset has no embeddings", exit: .dataError) }
        let graph = try AnalysisSession.loadGraph(session.cachePath(embeddings))
        var rng = SplitMix64(seed: 2026)
        var chosen = Set<Int>()
        while chosen.count < min(sample, graph.count) { chosen.insert(Int(rng.next() % UInt64(graph.count))) }
        let queries = chosen.sorted()
        let directory = NSTemporaryDirectory() + "winnow-bench-analyze-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.writeIndices(queries, to: directory + "/queries.npy")
        let result = try reference.run(
            "Benchmarks/reference/knn_sample.py",
            [
                "--vectors", session.context.datasetRoot + "/" + embeddings.source, "--queries", directory + "/queries.npy",
                "--k", "\(graph.k)", "--out", directory + "/exact.npy"
            ], as: Reference.self, environment: FaissCoretype.candidates()[0].environment)
        let exact = try NPYIntegerVector.read(path: directory + "/exact.npy", displayName: "exact.npy", allowMatrix: true)
        var found = 0
        for (row, item) in queries.enumerated() {
            let mine = Set(graph.neighbours(of: item).map(\.id))
            found += exact[(row * graph.k)..<((row + 1) * graph.k)].filter { mine.contains(Int($0)) }.count
        }
        let recall = Double(found) / Double(queries.count * graph.k)
        print(
            String(
                format:
                    "→ winnow analyze of %d items: %@ s wall (%@ CPU-seconds), peak RSS %.2f–%.2f GB; recall@%d %.4f against faiss %@ exact search of %d sampled items (%.1f s)",
                graph.count, range(times), range(cpu), Double(peaks.min()!) / 1e9, Double(peaks.max()!) / 1e9, graph.k, recall,
                result.faiss_version, queries.count, result.seconds))
    }

    /// A 1-d int64 `.npy` of `values`.
    static func writeIndices(_ values: [Int], to path: String) throws {
        var dictionary = "{'descr': '<i8', 'fortran_order': False, 'shape': (\(values.count),), }"
        dictionary += String(repeating: " ", count: (64 - (10 + dictionary.utf8.count + 1) % 64) % 64) + "\n"
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(dictionary.utf8.count & 0xFF), UInt8(dictionary.utf8.count >> 8)])
        data.append(contentsOf: Array(dictionary.utf8))
        values.map { Int64($0).littleEndian }.withUnsafeBytes { data.append(contentsOf: $0) }
        try data.write(to: URL(fileURLWithPath: path))
    }
}
