import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowStore

struct BenchLabelIssues: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label-issues",
        abstract: "Precision at K of label-error rankings on a dataset with known errors.",
        discussion: """
            Needs ground_truth.csv in the dataset folder (columns image and is_label_error; \
            the sample projects and `winnow bench generate` write one). K is the number of \
            real errors. Compares Winnow's fused label-issue score with cleanlab's rankings: \
            each model's self-confidence and, with several models, cleanlab's \
            accuracy-weighted ensemble score.
            """)

    @OptionGroup var project: ProjectOptions

    func run() throws {
        let opened = try Project.open(project)
        let truthText = try String(contentsOfFile: opened.root + "/ground_truth.csv", encoding: .utf8)
        var isErrorByPath: [String: Bool] = [:]
        let lines = truthText.split(separator: "\n")
        let header = lines.first.map { $0.split(separator: ",").map(String.init) } ?? []
        guard let imageColumn = header.firstIndex(of: "image"), let errorColumn = header.firstIndex(of: "is_label_error") else {
            throw CLIFailure(message: "ground_truth.csv needs the columns image and is_label_error", exit: .dataError)
        }
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            isErrorByPath[String(fields[imageColumn])] = fields[errorColumn] == "1"
        }
        let session = try AnalysisSession(opened)
        let graph = try session.neighbourGraph()?.graph
        let input = try session.input(graph: graph)
        let judged = (0..<input.count).filter(input.isJudged)
        let isError = session.context.items.map { isErrorByPath[$0.path] ?? false }
        let k = judged.filter { isError[$0] }.count
        guard k > 0 else { throw CLIFailure(message: "ground_truth.csv marks no label errors among the labelled items", exit: .dataError) }

        func precision(_ scoreOfJudged: (Int) -> Double) -> Double {
            // Most suspicious (lowest quality score) first, ties by index.
            let ranked = judged.sorted { scoreOfJudged($0) != scoreOfJudged($1) ? scoreOfJudged($0) < scoreOfJudged($1) : $0 < $1 }
            return Double(ranked.prefix(k).filter { isError[$0] }.count) / Double(k)
        }
        let classes = input.classes.count
        var rows: [(String, Double)] = []
        for model in input.models {
            rows.append(("cleanlab self-confidence, \(model.name)", precision { Double(model.values[$0 * classes + Int(input.labels[$0])]) }))
        }
        if input.models.count > 1 {
            let labels = judged.map { input.labels[$0] }
            let subsets = input.models.map { model in judged.flatMap { model.values[($0 * classes)..<(($0 + 1) * classes)] } }
            let (scores, _) = EnsembleLabelQuality.scores(labels: labels, models: subsets, classes: classes)
            var byItem: [Int: Double] = [:]
            for (position, item) in judged.enumerated() { byItem[item] = scores[position] }
            rows.append(("cleanlab ensemble (accuracy-weighted)", precision { byItem[$0]! }))
        }
        let analysis = LabelAnalysis(input, settings: session.settings())
        rows.append(("winnow fused label-issue score", precision { -Double(analysis.fusedScore[$0]) }))
        print("precision at K = \(k) (real label errors among \(judged.count) labelled items):")
        for (name, value) in rows { print(String(format: "  %.3f  %@", value, name)) }
    }
}
