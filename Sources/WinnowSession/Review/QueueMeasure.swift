import Foundation
import WinnowAnalysis
import WinnowCore

/// Why a queue ranks an item where it does, in words. Each queue orders by its own measure
/// (a label-issue score, a group's purity, a random draw, a typicality), and those numbers
/// do not compare across queues, so the screen says them in words and shows one number
/// that does compare: the item's label-issue score.
package enum QueueMeasure {
    package static func describe(_ queue: QueueName, item i: Int, builder: QueueBuilder) -> String? {
        let a = builder.analysis, input = builder.input
        let k = input.classes.count
        func two(_ x: Double) -> String { String(format: "%.2f", locale: nil, x) }
        func labelProbability() -> Double? {
            let label = Int(input.labels[i])
            guard label >= 0, !a.ensemble.isEmpty else { return nil }
            return Double(a.ensemble[i * k + label])
        }
        switch queue {
        case .labelIssues:
            return "the evidence disagrees with its label"
        case .confidentLearning:
            return labelProbability().map { "confident learning flags it; the models give its label \(two($0))" } ?? "confident learning flags it"
        case .lowConfidence:
            return labelProbability().map { "the models give its label only \(two($0))" }
        case .disagreement:
            return "the models disagree (divergence \(two(Double(a.divergence[i]))) bits)"
        case .badComponents, .duplicates:
            guard let c = a.components?.componentOf[i], c >= 0 else { return nil }
            let summary = a.componentSummaries[Int(c)]
            if queue == .duplicates { return "one of \(summary.members.count) near-duplicates" }
            return "its group of \(summary.members.count) near-duplicates has mixed labels (purity \(two(summary.purity)), the most mixed first)"
        case .outliers:
            return
                "typicality \(two(1 - Double(a.outlierScore[i]))): among the \(two(builder.settings.outlierShare * 100))% least like their neighbours"
        case .problems:
            return "the image cannot be used as it is"
        case .random:
            return "a random audit sample (not chosen by any signal)"
        case .stratified:
            return builder.strata.map { "a stratified audit sample (\(TerminalText.sanitize($0[i])))" }
                ?? "a random audit sample (not chosen by any signal)"
        case .disputed:
            return "its reviewers disagree"
        default:
            return nil
        }
    }

    /// The item's label-issue score when something judges its label (0–1, every queue).
    package static func labelIssueScore(item i: Int, analysis: LabelAnalysis) -> Double? {
        guard analysis.fusedScore.indices.contains(i) else { return nil }
        let score = analysis.fusedScore[i]
        return score.isNaN ? nil : Double(score)
    }

    /// A sub-queue named in the decision log, in words (`winnow log`).
    package static func phrase(forReason reason: String) -> String? {
        switch QueueName(rawValue: reason) {
        case .labelIssues?: return "label issue"
        case .confidentLearning?: return "confident learning"
        case .lowConfidence?: return "low model confidence"
        case .disagreement?: return "models disagree"
        case .badComponents?: return "mixed near-duplicate group"
        case .duplicates?: return "near-duplicate"
        case .outliers?: return "outlier"
        case .problems?: return "image problem"
        case .random?: return "random audit"
        case .stratified?: return "stratified audit"
        case .disputed?: return "reviewers disagree"
        default: return nil
        }
    }
}
