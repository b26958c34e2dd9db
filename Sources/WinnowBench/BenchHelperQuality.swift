#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowDataset
import WinnowHelperModel
import WinnowStore
import WinnowSession

struct BenchHelperQuality: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "helper-quality",
        abstract: "Label-issue precision at K from features alone (no predictions): Winnow with its helper against Datalab and neighbour agreement.",
        discussion: """
            For each dataset with a ground_truth.csv, the dataset's own models are left out and \
            the label errors are ranked from the features only (embeddings.npy, else Winnow's \
            image features). Precision at K (K = the number of real errors among the labelled \
            items) of: Winnow's fused label-issue score with the helper model and the \
            embedding neighbours; neighbour agreement alone (Winnow's fused score without \
            the helper); the helper alone (its self-confidence); Datalab's label issues from \
            the same features (probabilities derived from its k-nearest-neighbour graph); and \
            cleanlab's self-confidence on scikit-learn's out-of-fold logistic regression of \
            the features. The references run through Benchmarks/reference/static_ranking.py \
            in the same run.
            """)

    @Argument(help: ArgumentHelp("Dataset folders with a ground_truth.csv.", valueName: "dataset")) var datasets: [String]
    @OptionGroup var reference: ReferenceTool

    func run() throws {
        print(BenchEnvironment.describe())
        var margins: [(String, Double)] = []
        for dataset in datasets {
            // One dataset that cannot be ranked (no features at all) does not end the run.
            do {
                if let margin = try bench(dataset) { margins.append((dataset, margin)) }
            } catch {
                print("  \(TerminalText.sanitize(dataset)): \(error)")
            }
        }
        guard let worst = margins.min(by: { $0.1 < $1.1 }) else { return }
        print("\nmargin of Winnow's fused score over the better of Datalab and neighbour agreement alone, per dataset:")
        for (dataset, margin) in margins { print(String(format: "  %+.3f  %@", margin, TerminalText.sanitize(dataset))) }
        print(
            String(
                format: "worst %+.3f (%@); at least as good on %d of %d", worst.1, TerminalText.sanitize(worst.0),
                margins.filter { $0.1 >= 0 }.count, margins.count))
    }

    /// Prints the dataset's precisions; returns the fused score's margin over the better of
    /// Datalab and neighbour agreement alone (nil when one of them is missing).
    func bench(_ dataset: String) throws -> Double? {
        let truth = try GroundTruth(datasetRoot: dataset)
        let base = NSTemporaryDirectory() + "winnow-helper-quality-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let simulation = try ReviewSimulation.open(dataset: dataset, state: base + "/state", change: { $0.helperEnabled = true })
        let session = simulation.session
        let context = session.context
        let graph = try session.neighbourGraph()?.graph
        var input = try session.input(graph: graph, withHelper: false)
        input.models = []
        let judged = (0..<input.count).filter(input.isJudged)
        let isError = context.items.map { truth.isError($0) }
        let k = judged.filter { isError[$0] }.count
        guard k > 0 else { throw CLIFailure(message: "ground_truth.csv marks no errors among the labelled items", exit: .dataError) }
        print(
            "\n\(TerminalText.sanitize(dataset)): \(judged.count) labelled items, K = \(k) real errors, features: "
                + HelperEvidence.featuresDescription(context) + (input.neighbours == nil ? " (no neighbour label evidence)" : ""))

        func precision(_ suspicion: (Int) -> Double) -> Double {
            let ranked = judged.sorted { suspicion($0) != suspicion($1) ? suspicion($0) > suspicion($1) : $0 < $1 }
            return Double(ranked.prefix(k).filter { isError[$0] }.count) / Double(k)
        }
        func precision(order: [Int]) -> Double {
            Double(order.filter { input.isJudged($0) }.prefix(k).filter { isError[$0] }.count) / Double(k)
        }
        var rows: [(String, Double)] = []
        let (labels, weights) = HelperEvidence.training(input: input, items: context.items)
        let start = MonotonicClock.now()
        let helper = try HelperEvidence.train(session: session, labels: labels, weights: weights, from: nil)
        let seconds = MonotonicClock.now() - start
        if helper.summary.parameters > 0, helper.summary.unused == nil {
            var withHelper = input
            withHelper.models = [ModelProbabilities(name: HelperEvidence.modelName, values: helper.probabilities)]
            let fused = LabelAnalysis(withHelper, settings: session.settings())
            rows.append(("winnow fused: helper + neighbours", precision { Double(fused.fusedScore[$0]) }))
            let classes = input.classes.count
            rows.append(
                ("winnow helper alone (self-confidence)", precision { 1 - Double(helper.probabilities[$0 * classes + Int(input.labels[$0])]) }))
        } else {
            print("  helper: " + (helper.summary.unused ?? "unavailable"))
        }
        if input.neighbours != nil {
            let neighboursOnly = LabelAnalysis(input, settings: session.settings())
            rows.append(("neighbour agreement alone", precision { Double(neighboursOnly.fusedScore[$0]) }))
        }
        let features = try featuresFile(session, directory: base)
        try NPYFiles.write(input.labels.map(Float.init), rows: input.count, columns: 1, to: base + "/labels.npy")
        struct Done: Decodable { let seconds: Double }
        for (name, extra) in [
            ("Datalab label issues (kNN probabilities)", ["--datalab"]), ("cleanlab self-confidence, sklearn logistic regression", [])
        ] {
            guard
                let done = try? reference.run(
                    "Benchmarks/reference/static_ranking.py",
                    [
                        "--labels", base + "/labels.npy", "--out", base + "/order.npy",
                        "--features", features
                    ] + extra, as: Done.self)
            else {
                print("  \(name): failed (see above)")
                continue
            }
            let order = try NPYIntegerVector.read(path: base + "/order.npy", displayName: "order.npy").map { Int($0) }
            rows.append((name + String(format: " (%.1f s)", done.seconds), precision(order: order)))
        }
        print(
            String(
                format: "  precision at K (the helper trained in %.1f s: %@):", seconds,
                helper.summary.regularisation.isEmpty
                    ? "—"
                    : "\(helper.summary.folds) folds, C "
                        + Set(helper.summary.regularisation).sorted().map { String(format: "%g", $0) }.joined(separator: "/")))
        for (name, value) in rows { print(String(format: "    %.3f  %@", value, name)) }
        func row(_ prefix: String) -> Double? { rows.first { $0.0.hasPrefix(prefix) }?.1 }
        guard let fused = row("winnow fused"), let neighbours = row("neighbour agreement alone"), let datalab = row("Datalab") else { return nil }
        return fused - max(neighbours, datalab)
    }

    /// The features as a float32 .npy: the embeddings' own file, or the image features written out.
    func featuresFile(_ session: AnalysisSession, directory: String) throws -> String {
        let context = session.context
        if let embeddings = context.embeddings { return context.datasetRoot + "/" + embeddings.source }
        let vectors = try ImageFeatureIndex.vectors(of: context, store: session.project.store, progress: SilentProgress())
        try NPYFiles.write(vectors.values, rows: context.items.count, columns: ImageFeatureIndex.dimension, to: directory + "/features.npy")
        return directory + "/features.npy"
    }
}
