import Foundation
import Testing
import WinnowCore
import WinnowTestSupport
@testable import WinnowAnalysis
@testable import WinnowDataset
import WinnowNeighbours

/// A dataset with known label errors, read through the real importer.
struct KnownErrors {
    let snapshot: DatasetSnapshot
    let labels: [Int32]
    let isError: [Bool]
    let embeddings: EmbeddingMatrix

    static func shapes() throws -> KnownErrors {
        let root = Repository.sampleShapes
        let snapshot = try DatasetReader(root: root, config: WinnowConfig()).read()
        let labels = snapshot.items.map { Int32(snapshot.taxonomy.position(of: $0.givenLabels!.first!)!) }
        let truth = try String(contentsOfFile: root + "/ground_truth.csv", encoding: .utf8)
        var errorByPath: [String: Bool] = [:]
        for line in truth.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            errorByPath[String(fields[0])] = fields[3] == "1"
        }
        let matrix = try NPYMatrix(path: root + "/embeddings.npy", displayName: "embeddings.npy")
        let embeddings = EmbeddingMatrix(rows: matrix.rows, dimension: matrix.columns) { Float(matrix.value(row: $0, column: $1)) }
        return KnownErrors(snapshot: snapshot, labels: labels, isError: snapshot.items.map { errorByPath[$0.path]! }, embeddings: embeddings)
    }

    /// Precision at K (K = the number of real errors) of a ranking, most suspicious first.
    func precisionAtK(_ ranking: [Int]) -> Double {
        let k = isError.filter { $0 }.count
        return Double(ranking.prefix(k).filter { isError[$0] }.count) / Double(k)
    }

    func models(_ names: [String]) -> [ModelProbabilities] {
        names.map { name in ModelProbabilities(name: name, values: snapshot.models.first { $0.name == name }!.probabilities) }
    }
}

@Suite("Label-issue ranking against cleanlab")
struct LabelIssueRankingTests {
    /// Ascending by score (most suspicious first for cleanlab's quality scores), ties by index.
    func ascending(_ scores: [Double]) -> [Int] { scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] < scores[$1] : $0 < $1 } }

    @Test func fusedScoreBeatsCleanlabOnTheShapesSample() throws {
        let data = try KnownErrors.shapes()
        let k = data.snapshot.taxonomy.count
        let graph = try NeighbourSearch.exact(data.embeddings, k: 10)
        var report: [String] = []
        var bestCleanlab = 0.0

        for name in ["logreg", "forest"] {
            let p = data.models([name])[0].values
            let cleanlab = ascending((0..<data.labels.count).map { Double(p[$0 * k + Int(data.labels[$0])]) })
            let ours = LabelAnalysis(
                AnalysisInput(
                    classes: data.snapshot.taxonomy.names, labels: data.labels,
                    excluded: [Bool](repeating: false, count: data.labels.count),
                    models: data.models([name]), neighbours: graph))
            let fused = ascending(ours.fusedScore.map { -Double($0) })
            bestCleanlab = max(bestCleanlab, data.precisionAtK(cleanlab))
            report.append("\(name): cleanlab self-confidence P@K \(data.precisionAtK(cleanlab)), Winnow fused \(data.precisionAtK(fused))")
            #expect(data.precisionAtK(fused) > data.precisionAtK(cleanlab), "\(name)")
        }
        let both = data.models(["logreg", "forest"])
        let (ensemble, _) = EnsembleLabelQuality.scores(labels: data.labels, models: both.map(\.values), classes: k)
        let ours = LabelAnalysis(
            AnalysisInput(
                classes: data.snapshot.taxonomy.names, labels: data.labels,
                excluded: [Bool](repeating: false, count: data.labels.count), models: both, neighbours: graph))
        let fused = ascending(ours.fusedScore.map { -Double($0) })
        bestCleanlab = max(bestCleanlab, data.precisionAtK(ascending(ensemble)))
        report.append(
            "both: cleanlab ensemble P@K \(data.precisionAtK(ascending(ensemble))), Winnow fused \(data.precisionAtK(fused)); sources \(ours.sources.map { "\($0.name) \(String(format: "%.3f", $0.weight))" })"
        )
        print(report.joined(separator: "\n"))
        #expect(data.precisionAtK(fused) > bestCleanlab, "\(report)")
    }
}
