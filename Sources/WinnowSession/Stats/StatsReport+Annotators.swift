import WinnowAnalysis
import WinnowCore
import WinnowUI

/// The dataset's annotators as CROWDLAB judges them (several annotators and a model): how
/// many items each labelled, how often they agree with the consensus, their quality and
/// the class they get wrong most. Shown beside the reviewers' agreement: the annotators
/// made the given labels, the reviewers judge them.
extension StatsReport {
    /// CROWDLAB's annotator statistics of the project (empty when it does not apply).
    package static func annotatorQuality(_ project: Project) throws -> [CrowdConsensus.Annotator] {
        let session = try AnalysisSession(project, progress: SilentProgress())
        guard !session.context.multiLabel else { return [] }
        let models = try session.models().map(\.values)
        guard let crowd = try session.crowdConsensus(ensemble: CrowdConsensus.meanProbabilities(models)) else { return [] }
        return crowd.annotators
    }

    /// The table section (no trailing newline), or nil without annotator statistics.
    package func annotatorTable() -> String? {
        guard !annotators.isEmpty else { return nil }
        let s = TerminalText.sanitize
        var lines = ["", "Annotators of the dataset (CROWDLAB: quality · agreement with the consensus)"]
        for a in annotators {
            let quality = a.quality.map { String(format: "%.2f", locale: nil, $0) } ?? "–"
            lines.append(
                "  " + DisplayWidth.fit(s(a.name), to: Self.labelWidth) + " "
                    + DisplayWidth.fit(BarChart.bar(a.quality ?? .nan, width: Self.barWidth), to: Self.barWidth)
                    + " quality \(quality) · agrees \(Self.percent(a.agreementWithConsensus)) of \(a.itemsLabelled) · worst '\(s(a.worstClass))'")
        }
        return lines.joined(separator: "\n")
    }

    package var annotatorsJSON: JSONValue {
        .array(
            annotators.map { a in
                .object([
                    ("annotator", .string(a.name)), ("items", .int(a.itemsLabelled)), ("quality", .number(a.quality)),
                    ("agreement_with_consensus", .number(a.agreementWithConsensus)), ("worst_class", .string(a.worstClass))
                ])
            })
    }
}
