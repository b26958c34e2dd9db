#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import WinnowNeighbours
import WinnowSession

/// The whole pipeline: `winnow import` + `winnow analyze` against the Python pipeline a
/// user would run instead, on the same synthetic dataset, in one run.
struct BenchPipeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Time winnow import + analyze against the Python pipeline (cleanlab, faiss, scipy) on one dataset.",
        discussion: """
            Generates a synthetic dataset (or reuses --dataset), then, per run: removes its \
            project state, times `winnow import` and `winnow analyze` (this executable, as \
            child processes), and times Benchmarks/reference/pipeline_bench.py on the same \
            folder: reading it, cleanlab's find_label_issues on each model, faiss \
            IndexFlatIP 10-NN, scipy connected components of the ≥ 0.95 graph. faiss's \
            bundled OpenBLAS gets the core type this CPU's features call for. Winnow's import \
            opens every image (1-pixel PNGs here); the Python pipeline reads none.
            """)

    @OptionGroup var options: SyntheticOptions
    @Option(help: ArgumentHelp("Use (and keep) this dataset folder; generated if it does not exist.", valueName: "dir"))
    var dataset: String?
    @Option(help: "Repetitions (Winnow and Python alternate).") var runs = 1
    @OptionGroup var reference: ReferenceTool

    struct Reference: Decodable {
        let seconds: Double
        let phases: [String: Double]
        let label_issues: [Int]
        let groups: Int
        let versions: [String: String]
    }

    func run() throws {
        let root = dataset ?? NSTemporaryDirectory() + "winnow-bench-pipeline-\(options.items)-\(options.models)m-\(options.embeddings.rawValue)"
        if access(root + "/items.csv", F_OK) != 0 {
            printError("generating \(options.items) items in \(root) …")
            try options.dataset.write(to: root, progress: TerminalProgress())
        }
        let (kernel, why) = SearchKernel.selected
        print("machine: \(CPUFeatures.current.summary)")
        print("  \(NeighbourSearch.activeProcessors) cores, load average \(loadAverage()); Winnow exact kernel \(kernel.rawValue) (\(why))")
        print(
            "dataset: \(options.items) items, \(options.classes) classes, \(options.models) models, \(options.dimension)-d \(options.embeddings.rawValue) embeddings (\(root))"
        )
        let coretype = FaissCoretype.candidates()[0]
        var winnow: [Double] = [], python: [Double] = []
        for run in 1...max(1, runs) {
            try? FileManager.default.removeItem(atPath: root + "/.winnow")
            let imported = try ChildRun.run(ChildRun.winnowExecutable, ["import", root])
            guard imported.status == 0 else { throw CLIFailure(message: "winnow import failed:\n\(imported.output)", exit: .projectError) }
            let analysed = try ChildRun.run(ChildRun.winnowExecutable, ["analyze", root])
            guard analysed.status == 0 else { throw CLIFailure(message: "winnow analyze failed:\n\(analysed.output)", exit: .projectError) }
            let result = try reference.run("Benchmarks/reference/pipeline_bench.py", [root], as: Reference.self, environment: coretype.environment)
            winnow.append(imported.seconds + analysed.seconds)
            python.append(result.seconds)
            print(
                String(
                    format:
                        "run %d: winnow import %.2f s + analyze %.2f s = %.2f s (%.1f CPU-s, peak RSS %.0f MB)   python %.2f s (%@; faiss's OpenBLAS: OPENBLAS_CORETYPE %@)   ratio %.2f",
                    run, imported.seconds, analysed.seconds, imported.seconds + analysed.seconds, imported.cpuSeconds + analysed.cpuSeconds,
                    Double(max(imported.peakResidentBytes, analysed.peakResidentBytes)) / 1e6,
                    result.seconds,
                    result.phases.sorted { $0.key < $1.key }.map { String(format: "%@ %.2f", $0.key, $0.value) }.joined(separator: ", "),
                    coretype.label, (imported.seconds + analysed.seconds) / result.seconds))
            if run == 1 {
                for line in analysed.output.split(separator: "\n").filter({
                    $0.hasPrefix("analysed") || $0.contains("neighbours ") || $0.contains("confident learning") || $0.contains("near-duplicates")
                }) {
                    print("  winnow: \(line.trimmingCharacters(in: .whitespaces))")
                }
                print(
                    "  python: cleanlab \(result.versions["cleanlab"] ?? "?") flagged \(result.label_issues.map(String.init).joined(separator: " and ")) items (one model each), \(result.groups) near-duplicate groups; faiss \(result.versions["faiss"] ?? "?")"
                )
            }
        }
        print(
            String(
                format: "→ winnow %@ s vs python %@ s: winnow takes %.2f–%.2f of python's time (load average after: %@)",
                range(winnow), range(python), winnow.min()! / python.max()!, winnow.max()! / python.min()!, loadAverage()))
    }
}
