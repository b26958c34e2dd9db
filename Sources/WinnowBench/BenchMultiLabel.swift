import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowDataset
import WinnowSession

struct BenchMultiLabel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multilabel",
        abstract: "Time multi-label find_label_issues against cleanlab on the same labels and probabilities.",
        discussion: """
            Runs Benchmarks/reference/multilabel_bench.py (with a Python that has cleanlab, \
            e.g. a venv made by `make bench-venv`): it generates noisy multi-label data (each \
            class with its own prevalence, missing and extra rates; sigmoid probabilities), \
            times cleanlab.multilabel_classification.filter.find_label_issues with its \
            default n_jobs and with n_jobs=1, and with return_indices_ranked_by= \
            "self_confidence", and saves the data and cleanlab's answers. Then times Winnow's \
            implementation on the same files, checks that both flag exactly the same items in \
            the same ranked order, and prints the speed-ups against cleanlab's faster run.
            """)

    @Option(help: "Number of items.") var items = 1_000_000
    @Option(help: "Number of classes.") var classes = 20
    @Option(help: "Random seed for the data.") var seed = 0
    @Option(help: "Repetitions of Winnow's timing (the median is reported).") var runs = 5
    @Flag(help: "Time Winnow alone on the data an earlier run saved (no cleanlab, no ratio; for profiling).") var winnowOnly = false
    @OptionGroup var reference: ReferenceTool

    struct Reference: Decodable {
        let seconds_default: Double
        let seconds_n_jobs_1: Double
        let seconds_ranked: Double
        let default_n_jobs: Int
        let issues_default: Int
    }

    func run() throws {
        let directory = NSTemporaryDirectory() + "winnow-multilabel-bench-\(items)x\(classes)-\(seed)"
        print("machine: \(MachineDescription.current())")
        let reference =
            winnowOnly
            ? nil
            : try self.reference.run(
                "Benchmarks/reference/multilabel_bench.py",
                ["--n", "\(items)", "--k", "\(classes)", "--seed", "\(seed)", "--out", directory], as: Reference.self)
        let labels = try Self.readLabels(directory, items: items, classes: classes)
        let probabilities = try Self.readMatrix(directory + "/pred_probs.npy")
        let wantIssues = try NPYIntegerVector.read(path: directory + "/issues.npy", displayName: "issues.npy").map { Int($0) }
        let wantRanked = try NPYIntegerVector.read(path: directory + "/ranked.npy", displayName: "ranked.npy").map { Int($0) }

        var times: [Double] = [], rankedTimes: [Double] = []
        var flagged: [Int] = [], ranked: [Int] = []
        for _ in 0..<max(1, runs) {
            var start = MonotonicClock.now()
            let cl = MultiLabelConfidentLearning(labels: labels, probabilities: probabilities)
            flagged = cl.findLabelIssues()
            times.append(MonotonicClock.now() - start)
            start = MonotonicClock.now()
            ranked = MultiLabelConfidentLearning(labels: labels, probabilities: probabilities).rankedLabelIssues(rankBy: .selfConfidence)
            rankedTimes.append(MonotonicClock.now() - start)
        }
        let ours = median(times), oursRanked = median(rankedTimes)
        guard let reference else {
            print(
                String(
                    format: "winnow alone: find_label_issues %.3f s (%.3f–%.3f), ranked %.3f s; %@", ours, times.min()!, times.max()!, oursRanked,
                    flagged == wantIssues && ranked == wantRanked
                        ? "the same results as the saved cleanlab run" : "DIFFERENT from the saved cleanlab run"))
            return
        }
        let best = min(reference.seconds_default, reference.seconds_n_jobs_1)
        print("\(items) × \(classes) multi-label, find_label_issues (prune_by_noise_rate):")
        print(
            String(
                format: "  cleanlab 2.9  default n_jobs (%d): %.2f s   n_jobs=1: %.2f s   flagged %d",
                reference.default_n_jobs, reference.seconds_default, reference.seconds_n_jobs_1, reference.issues_default))
        print(
            String(
                format: "  winnow        %.3f s (median of %d, %.3f–%.3f)   flagged %d%@", ours, times.count, times.min()!, times.max()!,
                flagged.count, flagged == wantIssues ? " (the same items)" : "  ← DIFFERENT ITEMS"))
        print(
            String(
                format: "  speed-up      %.1f× vs cleanlab's faster run (%.1f× vs default, %.1f× vs n_jobs=1)",
                best / ours, reference.seconds_default / ours, reference.seconds_n_jobs_1 / ours))
        print("ranked by self_confidence (return_indices_ranked_by):")
        print(
            String(
                format: "  cleanlab 2.9  %.2f s   winnow %.3f s   speed-up %.1f×   %@", reference.seconds_ranked, oursRanked,
                reference.seconds_ranked / oursRanked, ranked == wantRanked ? "the same order" : "← DIFFERENT ORDER"))
        print("load after: \(MachineDescription.load())")
        if flagged != wantIssues || ranked != wantRanked { throw ExitCode(1) }
    }

    /// The label sets from label_offsets.npy / label_classes.npy (CSR).
    static func readLabels(_ directory: String, items n: Int, classes k: Int) throws -> MultiLabelSets {
        let offsets = try NPYIntegerVector.read(path: directory + "/label_offsets.npy", displayName: "label_offsets.npy")
        let values = try NPYIntegerVector.read(path: directory + "/label_classes.npy", displayName: "label_classes.npy")
        guard offsets.count == n + 1 else {
            throw CLIFailure(message: "label_offsets.npy has \(offsets.count) entries, not \(n + 1)", exit: .projectError)
        }
        var members = [UInt8](repeating: 0, count: n * k)
        for i in 0..<n {
            for e in Int(offsets[i])..<Int(offsets[i + 1]) { members[Int(values[e]) * n + i] = 1 }
        }
        return MultiLabelSets(count: n, classes: k, members: members)
    }

    /// A float32 or float64 .npy matrix as row-major Floats.
    static func readMatrix(_ path: String) throws -> [Float] {
        let matrix = try NPYMatrix(path: path, displayName: (path as NSString).lastPathComponent)
        var values = [Float](repeating: 0, count: matrix.rows * matrix.columns)
        for r in 0..<matrix.rows { for c in 0..<matrix.columns { values[r * matrix.columns + c] = Float(matrix.value(row: r, column: c)) } }
        return values
    }
}
