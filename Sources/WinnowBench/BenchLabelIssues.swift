#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowDataset
import WinnowStore
import WinnowSession

struct BenchLabelIssues: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label-issues",
        abstract: "How well label errors are ranked, on datasets with known errors, against cleanlab.",
        discussion: """
            Each dataset folder needs ground_truth.csv (columns image and is_label_error; the \
            sample projects, `winnow-bench generate` and the suite write one). For every \
            ranking (Winnow's fused label-issue score, neighbour agreement alone, and \
            cleanlab's: each model's self-confidence and normalized margin, and its \
            accuracy-weighted ensemble score) it prints precision at K (K = the number of \
            real errors), AUROC and AUPRC, and the fused score's margin over the best other \
            ranking. cleanlab's scores come from cleanlab itself when the folder holds \
            cleanlab_scores.npy (the suite writes it in the same run), else from Winnow's \
            exact implementation of them.

            --suite generates the benchmark's datasets (Benchmarks/reference/\
            label_issue_datasets.py, with scikit-learn and cleanlab: make bench-venv) and \
            runs on every one of them, ending with the worst margin. --seeds runs the suite \
            for several seeds (each in <suite-directory>/s<seed>) and ends with each \
            dataset's margins over the seeds. A seed whose folder already holds a generated \
            suite (suite.json, written after generation with cleanlab's scores) is reused, \
            not generated again.
            """)

    @Argument(help: ArgumentHelp("Dataset folders with a ground_truth.csv.", valueName: "dir"), completion: .directory)
    var datasets: [String] = []

    @Flag(help: "Generate the benchmark suite (and run on it as well as on any folders given).")
    var suite = false

    @Option(help: "Seed of the suite's datasets.") var seed = 0
    @Option(help: ArgumentHelp("Several suite seeds, comma-separated (overrides --seed).", valueName: "seeds")) var seeds: String?
    @Option(help: ArgumentHelp("Keep the suite here, one folder per seed (default: a temporary folder).", valueName: "dir")) var suiteDirectory:
        String?
    @Option(help: ArgumentHelp("Only these suite datasets (comma-separated names).", valueName: "names")) var only: String?
    @OptionGroup var reference: ReferenceTool

    struct SuiteResult: Codable {
        struct Dataset: Codable { let name: String }
        let cleanlab_version: String
        let datasets: [Dataset]
    }

    func run() throws {
        var folders = datasets.map { (folder: $0, seed: Int?.none) }
        var cleanlabVersion: String?
        var suiteSeeds: [Int] = []
        if suite {
            suiteSeeds =
                try seeds.map { list in
                    try list.split(separator: ",").map { item in
                        guard let value = Int(item.trimmingCharacters(in: .whitespaces)) else {
                            throw ValidationError("--seeds: '\(item)' is not a whole number")
                        }
                        return value
                    }
                } ?? [seed]
            let root = suiteDirectory ?? NSTemporaryDirectory() + "winnow-label-issue-suite"
            let wanted = only.map { Set($0.split(separator: ",").map(String.init)) }
            for suiteSeed in suiteSeeds {
                let directory = root + "/s\(suiteSeed)"
                let made = try generatedSuite(in: directory, seed: suiteSeed)
                cleanlabVersion = made.cleanlab_version
                folders += made.datasets.filter { wanted?.contains($0.name) ?? true }.map { (directory + "/" + $0.name, suiteSeed) }
            }
        }
        guard !folders.isEmpty else { throw ValidationError("give dataset folders, or --suite") }
        print(Self.machine())
        if let cleanlabVersion {
            print(
                "reference: cleanlab \(cleanlabVersion), run on the same data when the suite was generated (suite seeds \(suiteSeeds.map(String.init).joined(separator: ", ")))"
            )
        }
        var reports: [(report: Report, seed: Int?)] = []
        for (folder, folderSeed) in folders {
            let report = try Self.evaluate(folder)
            print((folderSeed.map { "[seed \($0)] " } ?? "") + report.table)
            reports.append((report, folderSeed))
        }
        if suiteSeeds.count > 1 {
            print("margins over seeds \(suiteSeeds.map(String.init).joined(separator: ", ")) (fused P@K minus the best other ranking's):")
            var names: [String] = []
            for (report, _) in reports where !names.contains(report.name) { names.append(report.name) }
            for name in names {
                let margins = reports.filter { $0.report.name == name }.map { ($0.seed.map(String.init) ?? "-", $0.report.margin) }
                print(
                    "  " + name + ": " + margins.map { String(format: "%@ %+.3f", $0.0, $0.1) }.joined(separator: ", ")
                        + String(format: "; worst %+.3f", margins.map(\.1).min()!))
            }
        }
        let met = reports.filter { $0.report.margin >= 0 }.count
        if let worst = reports.min(by: { $0.report.margin < $1.report.margin }) {
            print(
                String(
                    format: "fused ≥ best other ranking (precision at K) on %d of %d datasets; worst margin %+.3f (%@%@)",
                    met, reports.count, worst.report.margin, worst.report.name, worst.seed.map { ", seed \($0)" } ?? ""))
        }
    }

    /// The suite of `seed` in `directory`: the one generated there before (its suite.json),
    /// else generated now (all of it, or the --only datasets).
    func generatedSuite(in directory: String, seed: Int) throws -> SuiteResult {
        let record = directory + "/suite.json"
        if let data = FileManager.default.contents(atPath: record), let made = try? JSONDecoder().decode(SuiteResult.self, from: data) {
            printError("reusing the suite generated in \(directory)")
            return made
        }
        // With --only, only those datasets are generated, and not recorded as the whole suite.
        let made = try reference.run(
            Self.suiteScript, ["--out", directory, "--seed", String(seed)] + (only.map { ["--only", $0] } ?? []), as: SuiteResult.self)
        if only == nil { try JSONEncoder().encode(made).write(to: URL(fileURLWithPath: record)) }
        return made
    }

    static let suiteScript = "Benchmarks/reference/label_issue_datasets.py"

    struct Report {
        var name: String
        var table: String
        /// Fused precision at K minus the best other ranking's.
        var margin: Double
    }

    /// Imports and analyses one dataset and measures every ranking on it.
    static func evaluate(_ folder: String) throws -> Report {
        let options = try ProjectOptions.parse([folder])
        let opened = try Project.open(options)
        let isErrorByPath = try groundTruth(opened.root + "/ground_truth.csv")
        let session = try AnalysisSession(opened)
        let graph = try session.neighbourGraph()?.graph
        let input = try session.input(graph: graph)
        let analysis = LabelAnalysis(input, settings: session.settings())
        let judged = (0..<input.count).filter(input.isJudged)
        let isError = judged.map { isErrorByPath[session.context.items[$0].path] ?? false }
        let errors = isError.filter { $0 }.count
        guard errors > 0 else {
            throw CLIFailure(message: "\(folder)/ground_truth.csv marks no label errors among the labelled items", exit: .dataError)
        }

        // Rankings as suspicion (higher = more likely wrong), over the judged items.
        var rankings: [(name: String, suspicion: [Double])] = []
        rankings.append(("winnow fused label-issue score", judged.map { Double(analysis.fusedScore[$0]) }))
        if input.neighbours != nil {
            rankings.append(("neighbour agreement alone", judged.map { -Double(analysis.neighbourAgreement[$0]) }))
        }
        rankings += try cleanlabRankings(folder: folder, input: input, judged: judged)

        var lines = [
            "\(URL(fileURLWithPath: folder).lastPathComponent): \(judged.count) labelled items, \(input.classes.count) classes, "
                + "\(input.models.count) model\(input.models.count == 1 ? "" : "s"), \(input.neighbours == nil ? "no embeddings" : "embeddings"), "
                + "K = \(errors) real errors (\(String(format: "%.1f", 100 * Double(errors) / Double(judged.count)))%)"
        ]
        lines.append("  P@K    AUROC  AUPRC  ranking")
        var measured: [(String, RankingMetrics)] = []
        for (name, suspicion) in rankings {
            guard let metrics = RankingMetrics(suspicion: suspicion, isError: isError) else { continue }
            measured.append((name, metrics))
            lines.append(String(format: "  %.3f  %.4f %.4f %@", metrics.precisionAtK, metrics.auroc, metrics.auprc, name))
        }
        let weights = analysis.sources.map { String(format: "%@ %.2f", $0.name, $0.weight) }.joined(separator: ", ")
        lines.append("  fused weights: \(weights); form: \(analysis.fusedForm.rawValue)")
        let fused = measured[0].1.precisionAtK
        let best = measured.dropFirst().max { $0.1.precisionAtK < $1.1.precisionAtK }
        let margin = best.map { fused - $0.1.precisionAtK } ?? 0
        if let best { lines.append(String(format: "  margin %+.3f over the best other ranking (%@)", margin, best.0)) }
        return Report(name: URL(fileURLWithPath: folder).lastPathComponent, table: lines.joined(separator: "\n"), margin: margin)
    }

    /// The kernel and the load the figures were measured under (the machine is shared).
    static func machine() -> String {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        return "kernel \(release), load average \(load)"
    }

    /// image → is_label_error from ground_truth.csv.
    static func groundTruth(_ path: String) throws -> [String: Bool] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        let header = lines.first.map { $0.split(separator: ",").map(String.init) } ?? []
        guard let imageColumn = header.firstIndex(of: "image"), let errorColumn = header.firstIndex(of: "is_label_error") else {
            throw CLIFailure(message: "\(path) needs the columns image and is_label_error", exit: .dataError)
        }
        var isError: [String: Bool] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count > max(imageColumn, errorColumn) else { continue }
            isError[String(fields[imageColumn])] = fields[errorColumn] == "1"
        }
        return isError
    }

    /// cleanlab's rankings: computed by cleanlab in the same run (cleanlab_scores.npy, rows in
    /// items order, one column per ranking named in cleanlab_scores.txt), else by Winnow's
    /// implementation of them (exact to cleanlab; see `LabelQuality`).
    static func cleanlabRankings(folder: String, input: AnalysisInput, judged: [Int]) throws -> [(name: String, suspicion: [Double])] {
        let scoresPath = folder + "/cleanlab_scores.npy"
        if FileManager.default.fileExists(atPath: scoresPath) {
            let matrix = try NPYMatrix(path: scoresPath, displayName: "cleanlab_scores.npy")
            let names = try String(contentsOfFile: folder + "/cleanlab_scores.txt", encoding: .utf8).split(separator: "\n").map(String.init)
            guard matrix.rows == input.count, names.count == matrix.columns else {
                throw CLIFailure(
                    message: "\(scoresPath) does not match the dataset (\(matrix.rows) rows, \(matrix.columns) columns)", exit: .dataError)
            }
            return names.enumerated().map { column, name in (name, judged.map { -matrix.value(row: $0, column: column) }) }
        }
        let k = input.classes.count
        var rankings: [(name: String, suspicion: [Double])] = []
        for model in input.models {
            for method in [LabelQuality.Method.selfConfidence, .normalizedMargin] {
                rankings.append(
                    (
                        "winnow's cleanlab \(method.rawValue), \(model.name)",
                        judged.map {
                            -LabelQuality.score(method, row: model.values[($0 * k)..<(($0 + 1) * k)], label: Int(input.labels[$0]))
                        }
                    ))
            }
        }
        if input.models.count > 1 {
            let subsets = input.models.map { model in judged.flatMap { model.values[($0 * k)..<(($0 + 1) * k)] } }
            let (scores, _) = EnsembleLabelQuality.scores(labels: judged.map { input.labels[$0] }, models: subsets, classes: k)
            rankings.append(("winnow's cleanlab ensemble (accuracy-weighted)", scores.map { -$0 }))
        }
        return rankings
    }
}
