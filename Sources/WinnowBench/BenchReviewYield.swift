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
import WinnowStore
import WinnowUI
import WinnowSession

struct BenchReviewYield: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review-yield",
        abstract: "How fast a reviewer who knows the truth fixes the real errors, in each review order.",
        discussion: """
            For a dataset with a ground_truth.csv (image, true_label, is_label_error, and \
            optionally exclude), a simulated reviewer works through the items one at a time \
            and decides each correctly: relabels it to its true label, excludes it where \
            ground_truth.csv says so, accepts it otherwise; having emptied label-issues, they \
            go on with triage. The orders compared: cleanlab's \
            static ranking (Benchmarks/reference/static_ranking.py on the dataset's models, \
            or on scikit-learn's out-of-fold logistic regression of the embeddings), random \
            order, and Winnow's own queues through the review screen's data source (every \
            decision stored, the analysis recomputed as in the screen): without the helper \
            model, with the helper trained once, and with the helper retrained every \
            [helper] retrain_every decisions (the simulation waits for each retrain, and \
            loads the queue again after it as the screen does). Prints the real errors \
            fixed after 50, 100, 200 and 500 decisions, the decisions needed to fix 50 %, \
            80 % and 90 % of them, and the curves.
            """)

    @Argument(help: ArgumentHelp("Dataset folders with a ground_truth.csv.", valueName: "dataset")) var datasets: [String]
    @Option(help: "Winnow queues to work through (comma-separated).") var queues = "label-issues,triage"
    @Option(help: "Stop each run after this many decisions (default: when 95 % of the errors are fixed or the order is exhausted).")
    var maxDecisions: Int?
    @Option(help: "Winnow's variants to run (comma-separated: off, once, retrained).") var variants = "off,once,retrained"
    @Option(help: "Seed of the random order.") var seed: UInt64 = 0
    @Flag(help: "Leave out the curves.") var noPlot = false
    @OptionGroup var reference: ReferenceTool

    func run() throws {
        print(BenchEnvironment.describe())
        for dataset in datasets { try bench(dataset) }
    }

    func bench(_ dataset: String) throws {
        let truth = try GroundTruth(datasetRoot: dataset)
        let base = NSTemporaryDirectory() + "winnow-review-yield-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let first = try ReviewSimulation.open(dataset: dataset, state: base + "/import", change: { _ in })
        let context = first.session.context
        let errors = truth.errorCount(context)
        print(
            "\n\(TerminalText.sanitize(dataset)): \(context.items.count) items, \(context.classes.count) classes, \(errors) real errors, "
                + "\(context.models.count) model(s), " + (context.embeddings.map { "\($0.dimension)-d embeddings" } ?? "no embeddings"))
        guard errors > 0 else { throw CLIFailure(message: "ground_truth.csv marks no errors", exit: .dataError) }
        let limit = maxDecisions ?? context.items.count
        var runs: [(name: String, fixed: [Bool], seconds: Double)] = []

        // cleanlab's static ranking, and a random order.
        let start = MonotonicClock.now()
        if let order = try cleanlabOrder(first) {
            runs.append(("cleanlab static ranking", order.prefix(limit).map { truth.isError(context.items[$0]) }, MonotonicClock.now() - start))
        } else {
            print("  (cleanlab: no models and no embeddings to rank with)")
        }
        var rng = SplitMix64(seed: seed)
        let labelled = context.items.indices.filter { context.items[$0].resolution.labels != nil }
        runs.append(("random order", labelled.shuffled(using: &rng).prefix(limit).map { truth.isError(context.items[$0]) }, 0))

        for queue in queues.split(separator: ",").map(String.init) {
            guard QueueName(rawValue: queue) != nil else { throw CLIFailure(message: UnknownQueue(name: queue).description, exit: .usage) }
            // A reviewer who empties label-issues goes on with triage.
            let then: String? = queue == QueueName.triage.rawValue ? nil : QueueName.triage.rawValue
            let name = "winnow " + queue + (then.map { ", then \($0)" } ?? "")
            let made: [(String, (inout WinnowConfig) -> Void, ReviewSimulation.Helper)] = [
                ("\(name), no helper", { $0.helperEnabled = false }, .off),
                (
                    "\(name), helper trained once",
                    {
                        $0.helperEnabled = true; $0.helperRetrainEvery = 1_000_000
                    }, .once
                ),
                ("\(name), helper retrained", { $0.helperEnabled = true }, .retrained)
            ]
            let wanted = Set(variants.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            for (index, (name, change, helper)) in made.enumerated() where wanted.contains("\(helper)") {
                let simulation = try ReviewSimulation.open(dataset: dataset, state: base + "/\(queue)-\(index)", change: change)
                let started = MonotonicClock.now()
                let fixed = try simulation.run(queue: queue, then: then, truth: truth, helper: helper, limit: limit, target: errors)
                runs.append((name, fixed, MonotonicClock.now() - started))
            }
        }
        report(runs, errors: errors)
    }

    /// cleanlab's order through `static_ranking.py`: on the project's models, else its
    /// embeddings; nil with neither.
    func cleanlabOrder(_ simulation: ReviewSimulation) throws -> [Int]? {
        let session = simulation.session
        let context = session.context
        let directory = NSTemporaryDirectory() + "winnow-review-yield-ranking-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let input = try session.input(graph: nil, withHelper: false)
        try NPYFiles.write(input.labels.map(Float.init), rows: input.count, columns: 1, to: directory + "/labels.npy")
        var arguments = ["--labels", directory + "/labels.npy", "--out", directory + "/order.npy", "--seed", "\(seed)"]
        if !context.models.isEmpty {
            arguments += ["--pred-probs"] + context.models.map(\.matrixPath)
        } else if let embeddings = context.embeddings {
            arguments += ["--features", context.datasetRoot + "/" + embeddings.source]
        } else {
            // No embeddings: the same image features Winnow's helper learns from.
            let vectors = try ImageFeatureIndex.vectors(of: context, store: session.project.store, progress: SilentProgress())
            guard vectors.presentCount > 1 else { return nil }
            try NPYFiles.write(vectors.values, rows: context.items.count, columns: ImageFeatureIndex.dimension, to: directory + "/features.npy")
            arguments += ["--features", directory + "/features.npy"]
        }
        struct Done: Decodable { let seconds: Double }
        _ = try reference.run("Benchmarks/reference/static_ranking.py", arguments, as: Done.self)
        return try NPYIntegerVector.read(path: directory + "/order.npy", displayName: "order.npy").map { Int($0) }
    }

    static let checkpoints = [50, 100, 200, 500]
    static let targets = [0.5, 0.8, 0.9]

    func report(_ runs: [(name: String, fixed: [Bool], seconds: Double)], errors: Int) {
        let width = max(34, runs.map(\.name.count).max() ?? 0)
        var header = "order".padding(toLength: width, withPad: " ", startingAt: 0)
        func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        header += Self.checkpoints.map { right("@\($0)", 7) }.joined() + Self.targets.map { right("\(Int($0 * 100))%", 8) }.joined()
        print("  real errors fixed after N decisions, and decisions needed to fix a share of the \(errors):")
        print("  " + header)
        for run in runs {
            var line = run.name.padding(toLength: width, withPad: " ", startingAt: 0)
            var cumulative = 0
            var counts: [Int] = []
            for flag in run.fixed {
                if flag { cumulative += 1 }
                counts.append(cumulative)
            }
            for n in Self.checkpoints { line += String(format: "%7d", n <= counts.count ? counts[n - 1] : cumulative) }
            for t in Self.targets {
                let needed = Int((Double(errors) * t).rounded(.up))
                let index = counts.firstIndex { $0 >= needed }
                line += index.map { String(format: "%8d", $0 + 1) } ?? "       –"
            }
            print("  " + line)
        }
        // The curves up to where the slowest targeted order stopped (random order runs far longer).
        let span =
            runs.filter { $0.name != "random order" }.map { run -> Int in
                var found = 0
                for (i, flag) in run.fixed.enumerated() where flag {
                    found += 1
                    if found * 20 >= errors * 19 { return i + 1 }
                }
                return run.fixed.count
            }.max() ?? 1
        if !noPlot { print(Self.plot(runs.map { ($0.name, Array($0.fixed.prefix(span))) }, errors: errors)) }
    }

    /// The curves as text: share of errors fixed (up) against decisions (across).
    static func plot(_ runs: [(name: String, fixed: [Bool])], errors: Int, width: Int = 64, height: Int = 14) -> String {
        let marks = Array("CRNOH*+#")
        let longest = max(1, runs.map(\.fixed.count).max() ?? 1)
        var grid = [[Character]](repeating: [Character](repeating: " ", count: width), count: height)
        for (r, run) in runs.enumerated() {
            var cumulative = 0
            var shareAt = [Double](repeating: -1, count: width)
            for (i, flag) in run.fixed.enumerated() {
                if flag { cumulative += 1 }
                let column = min(width - 1, i * width / longest)
                shareAt[column] = Double(cumulative) / Double(errors)
            }
            for column in 0..<width where shareAt[column] >= 0 {
                let row = height - 1 - min(height - 1, Int(shareAt[column] * Double(height - 1) + 0.5))
                grid[row][column] = marks[r % marks.count]
            }
        }
        var out = "  errors fixed\n"
        for (row, line) in grid.enumerated() {
            let share = Double(height - 1 - row) / Double(height - 1)
            out += String(format: "  %4.0f%% |", share * 100) + String(line) + "\n"
        }
        out += "        +" + String(repeating: "-", count: width) + "\n"
        out += "         0" + String(repeating: " ", count: max(0, width - 12)) + "\(longest) decisions\n"
        out += runs.enumerated().map { "  \(marks[$0.offset % marks.count]) \($0.element.name)" }.joined(separator: "\n")
        return out
    }
}

/// The truth of a dataset (`ground_truth.csv`): each image's true label, whether its given
/// label is an injected error, and whether it should be excluded.
struct GroundTruth {
    var trueLabel: [String: String] = [:]
    var error: [String: Bool] = [:]
    var exclude: [String: Bool] = [:]

    init(datasetRoot: String) throws {
        let text: String
        do { text = try String(contentsOfFile: datasetRoot + "/ground_truth.csv", encoding: .utf8) } catch {
            throw CLIFailure(
                message:
                    "\(TerminalText.sanitize(datasetRoot))/ground_truth.csv cannot be read: \(error.localizedDescription)\n    fix: the benchmark needs a dataset with known errors (winnow-bench generate writes one)",
                exit: .dataError)
        }
        let lines = text.split(whereSeparator: \.isNewline)
        let header = lines.first.map { $0.split(separator: ",").map(String.init) } ?? []
        guard let image = header.firstIndex(of: "image"), let isError = header.firstIndex(of: "is_label_error") else {
            throw CLIFailure(message: "ground_truth.csv needs the columns image and is_label_error (and true_label to relabel)", exit: .dataError)
        }
        let truthColumn = header.firstIndex(of: "true_label"), excludeColumn = header.firstIndex(of: "exclude")
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == header.count else { continue }
            let path = fields[image]
            error[path] = fields[isError] == "1"
            if let truthColumn { trueLabel[path] = fields[truthColumn] }
            if let excludeColumn { exclude[path] = fields[excludeColumn] == "1" }
        }
    }

    /// An item whose review fixes a real error: a wrong given label, or one to exclude.
    func isError(_ item: AnalysisContext.Item) -> Bool { (error[item.path] ?? false) || (exclude[item.path] ?? false) }

    func errorCount(_ context: AnalysisContext) -> Int { context.items.filter(isError).count }

    /// What a reviewer who knows the truth decides.
    func decision(for item: AnalysisContext.Item) -> DecisionKind {
        if exclude[item.path] ?? false { return .exclude }
        if let truth = trueLabel[item.path], item.resolution.labels?.names != [truth] { return .relabel([truth]) }
        return .accept
    }
}
