import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowDataset
import WinnowSession

struct BenchCrowdlab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crowdlab",
        abstract: "Time CROWDLAB (multi-annotator consensus and quality) against cleanlab on the same labels.",
        discussion: """
            Runs Benchmarks/reference/crowdlab_bench.py (with a Python that has cleanlab, e.g. \
            a venv made by `make bench-venv`): it generates items labelled by 1 to M \
            annotators of different accuracy and a model's probabilities, times \
            cleanlab.multiannotator.get_label_quality_multiannotator with its defaults, and \
            saves the data and cleanlab's answers. Then times Winnow's implementation on the \
            same files and checks its consensus labels, consensus quality scores, agreement \
            and annotator statistics are cleanlab's, bit for bit.
            """)

    @Option(help: "Number of items.") var items = 100_000
    @Option(help: "Number of annotators.") var annotators = 5
    @Option(help: "Number of classes.") var classes = 10
    @Option(help: "Random seed for the data.") var seed = 0
    @Option(help: "Repetitions of Winnow's timing (the median is reported).") var runs = 5
    @Flag(help: "Time Winnow alone on the data an earlier run saved (no cleanlab, no ratio; for profiling).") var winnowOnly = false
    @OptionGroup var reference: ReferenceTool

    struct Reference: Decodable {
        let seconds: Double
        let seconds_all: [Double]
        let seconds_majority_vote: Double
        let consensus_differs_from_majority_vote: Int
    }

    func run() throws {
        let directory = NSTemporaryDirectory() + "winnow-crowdlab-bench-\(items)x\(annotators)x\(classes)-\(seed)"
        print("machine: \(MachineDescription.current())")
        let reference =
            winnowOnly
            ? nil
            : try self.reference.run(
                "Benchmarks/reference/crowdlab_bench.py",
                ["--n", "\(items)", "--m", "\(annotators)", "--k", "\(classes)", "--seed", "\(seed)", "--out", directory],
                as: Reference.self)
        let dense = try NPYIntegerVector.read(path: directory + "/labels.npy", displayName: "labels.npy", allowMatrix: true)
        let m = annotators
        let rows = (0..<items).map { i in
            (0..<m).compactMap { a -> (annotator: Int32, label: Int32)? in
                dense[i * m + a] < 0 ? nil : (Int32(a), Int32(dense[i * m + a]))
            }
        }
        let labels = AnnotatorLabels(rows, annotators: m)
        let probabilities = try BenchMultiLabel.readMatrix(directory + "/pred_probs.npy")
        let itemsWant = try NPYMatrix(path: directory + "/items.npy", displayName: "items.npy")
        let annotatorsWant = try NPYMatrix(path: directory + "/annotators.npy", displayName: "annotators.npy")

        var times: [Double] = [], majorityTimes: [Double] = []
        var result: Crowdlab.Result?
        for _ in 0..<max(1, runs) {
            var start = MonotonicClock.now()
            result = Crowdlab.analyse(labels, probabilities: probabilities, classes: classes)
            times.append(MonotonicClock.now() - start)
            start = MonotonicClock.now()
            _ = Crowdlab.majorityVote(labels, probabilities: probabilities, classes: classes)
            majorityTimes.append(MonotonicClock.now() - start)
        }
        let r = result!
        var differences: [String] = []
        let labelDiffs = (0..<items).count { Double(r.consensusLabel[$0]) != itemsWant.value(row: $0, column: 0) }
        let qualityDiffs = (0..<items).count { r.consensusQuality[$0] != itemsWant.value(row: $0, column: 1) }
        let agreementDiffs = (0..<items).count { r.annotatorAgreement[$0] != itemsWant.value(row: $0, column: 2) }
        if labelDiffs > 0 { differences.append("\(labelDiffs) consensus labels") }
        if qualityDiffs > 0 { differences.append("\(qualityDiffs) consensus quality scores") }
        if agreementDiffs > 0 { differences.append("\(agreementDiffs) agreements") }
        for a in 0..<m {
            let want = annotatorsWant.value(row: a, column: 0)
            let got = r.annotators[a]
            if (got.quality ?? .nan).bitPattern != want.bitPattern && !(got.quality == nil && want.isNaN) {
                differences.append("annotator \(a) quality")
            }
            if got.agreementWithConsensus != annotatorsWant.value(row: a, column: 1) { differences.append("annotator \(a) agreement") }
            if Double(got.worstClass) != annotatorsWant.value(row: a, column: 2) { differences.append("annotator \(a) worst class") }
        }
        let ours = median(times), oursMajority = median(majorityTimes)
        guard let reference else {
            print(
                String(
                    format: "winnow alone: CROWDLAB %.3f s (%.3f–%.3f), majority vote %.4f s; %@", ours, times.min()!, times.max()!, oursMajority,
                    differences.isEmpty ? "the same results as the saved cleanlab run" : "DIFFERENT: " + differences.joined(separator: ", ")))
            return
        }
        print("\(items) items × \(annotators) annotators × \(classes) classes, get_label_quality_multiannotator (defaults):")
        print(
            String(
                format: "  cleanlab 2.9  %.2f s (median of %d, %.2f–%.2f)   winnow %.3f s (median of %d, %.3f–%.3f)",
                reference.seconds, reference.seconds_all.count, reference.seconds_all.min() ?? 0, reference.seconds_all.max() ?? 0,
                ours, times.count, times.min()!, times.max()!))
        print(
            String(
                format: "  speed-up      %.1f× (medians), %.1f× (fastest runs)", reference.seconds / ours,
                (reference.seconds_all.min() ?? 0) / times.min()!))
        print(
            "  results: "
                + (differences.isEmpty
                    ? "identical (consensus labels, quality scores, agreement, annotator quality, agreement and worst class)"
                    : "DIFFERENT: " + differences.joined(separator: ", ")))
        print(String(format: "  consensus differs from majority vote on %d items", reference.consensus_differs_from_majority_vote))
        print(
            String(
                format: "get_majority_vote_label: cleanlab %.3f s   winnow %.4f s   speed-up %.1f×", reference.seconds_majority_vote, oursMajority,
                reference.seconds_majority_vote / oursMajority))
        print("load after: \(MachineDescription.load())")
        if !differences.isEmpty { throw ExitCode(1) }
    }
}
