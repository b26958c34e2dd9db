import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowDataset
import WinnowSession

struct BenchConfidentLearning: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confident-learning",
        abstract: "Time find_label_issues against cleanlab on the same labels and probabilities.",
        discussion: """
            Runs Benchmarks/reference/cleanlab_bench.py (with a Python that has cleanlab, \
            e.g. a venv made by `make bench-venv`) to generate synthetic labels and \
            probabilities and time cleanlab's find_label_issues on them, then times Winnow's \
            implementation on the same files and checks that both flag the same number of items.
            """)

    @Option(help: "Number of items.") var items = 1_000_000
    @Option(help: "Number of classes.") var classes = 10
    @Option(help: "Random seed for the data.") var seed = 0
    @Option(help: "Repetitions of Winnow's timing (the median is reported).") var runs = 5
    @OptionGroup var reference: ReferenceTool

    struct Reference: Decodable { let seconds_n_jobs_1: Double; let seconds_default: Double; let issues: Int; let default_n_jobs: Int? }

    func run() throws {
        let directory = NSTemporaryDirectory() + "winnow-cl-bench-\(items)x\(classes)-\(seed)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let reference = try self.reference.run(
            "Benchmarks/reference/cleanlab_bench.py",
            ["--n", "\(items)", "--k", "\(classes)", "--seed", "\(seed)", "--out", directory], as: Reference.self)

        let labels = try NPYIntegerVector.read(path: directory + "/labels.npy", displayName: "labels.npy").map { Int32($0) }
        let matrix = try NPYMatrix(path: directory + "/pred_probs.npy", displayName: "pred_probs.npy")
        var probabilities = [Float](repeating: 0, count: matrix.rows * matrix.columns)
        for r in 0..<matrix.rows { for c in 0..<matrix.columns { probabilities[r * matrix.columns + c] = Float(matrix.value(row: r, column: c)) } }
        let cl = ConfidentLearning(labels: labels, probabilities: probabilities, classes: matrix.columns)
        var times: [Double] = []
        var flagged = 0
        for _ in 0..<max(1, runs) {
            let start = MonotonicClock.now()
            flagged = cl.findLabelIssues().count
            times.append(MonotonicClock.now() - start)
        }
        let ours = median(times)
        if ProcessInfo.processInfo.environment["WINNOW_BENCH_PHASES"] != nil {
            var t = MonotonicClock.now()
            func lap(_ name: String) { let n = MonotonicClock.now(); print(String(format: "    %.1f ms  %@", (n - t) * 1000, name)); t = n }
            let groups = cl.itemsByClass(); lap("group by class")
            let thresholds = cl.confidentThresholds(groups); lap("thresholds")
            let (joint, _) = cl.confidentJoint(thresholds: thresholds); lap("confident joint")
            let prune = ConfidentLearning.pruneCountMatrix(cl.calibrated(joint), keep: 1); lap("calibrate + prune matrix")
            _ = cl.pruneMasks(prune, groups: groups, wantByClass: false, wantByNoiseRate: true); lap("prune by noise rate")
        }
        print("\(items) × \(classes), find_label_issues (prune_by_noise_rate):")
        print(
            String(
                format: "  cleanlab %@ n_jobs=1: %.3f s   default n_jobs (%d): %.3f s   flagged %d",
                "2.9", reference.seconds_n_jobs_1, reference.default_n_jobs ?? 0, reference.seconds_default, reference.issues))
        print(
            String(
                format: "  winnow: %.3f s (median of %d)   flagged %d%@", ours, times.count, flagged,
                flagged == reference.issues ? " (same count)" : "  ← DIFFERENT COUNT"))
        print(
            String(
                format: "  speed-up: %.1f× vs cleanlab's default, %.1f× vs n_jobs=1", reference.seconds_default / ours,
                reference.seconds_n_jobs_1 / ours))
    }
}
