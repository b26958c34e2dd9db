import Foundation
import WinnowCore

/// The queues' multi-label and multi-annotator parts: on multi-label data the
/// confident-learning and label-issues queues are cleanlab's multi-label flags, each
/// reason naming the class it is about; with several annotators and a model, the
/// low-consensus queue holds the items whose CROWDLAB consensus is doubtful.
extension QueueBuilder {
    /// Multi-label data, `confident-learning` and `label-issues`: exactly the items cleanlab's
    /// multi-label `find_label_issues` flags, worst label quality first (its
    /// `return_indices_ranked_by="self_confidence"` order). nil for other data or queues.
    func multiLabelCandidates(_ queue: QueueName) -> [QueueEntry]? {
        guard let m = multiLabel, queue == .confidentLearning || queue == .labelIssues else { return nil }
        return m.judged.filter { m.issue[$0] }
            .map { QueueEntry(item: $0, score: 1 - m.quality[$0], source: queue, reasons: []) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.item < $1.item }
    }

    /// The per-class evidence of a multi-label item, for every queue that judges labels.
    func multiLabelReasons(for item: Int, in queue: QueueName) -> [FlagReason] {
        guard let m = multiLabel, m.issue[item] || !m.classIssues[item].isEmpty,
            ![.problems, .random, .stratified].contains(queue)
        else { return [] }
        var reasons: [FlagReason] = []
        if m.issue[item] {
            let quality = String(format: "%.2f", locale: nil, m.quality[item])
            reasons.append(
                FlagReason(.confidentLearning, "confident learning (\(m.filterBy.rawValue), per class) flags it: label quality \(quality)"))
        }
        for issue in m.classIssues[item] { reasons.append(FlagReason(.labelIssue, m.describe(issue))) }
        return reasons
    }

    /// Items several annotators labelled whose CROWDLAB consensus quality is below
    /// `settings.lowConsensus`, lowest first.
    func lowConsensusCandidates() -> [QueueEntry] {
        guard let crowd else { return [] }
        return (0..<input.count).filter { i in
            !input.excluded[i] && crowd.numAnnotations[i] > 1 && crowd.quality[i] < settings.lowConsensus
        }
        .map { QueueEntry(item: $0, score: 1 - crowd.quality[$0], source: .lowConsensus, reasons: []) }
        .sorted { $0.score != $1.score ? $0.score > $1.score : $0.item < $1.item }
    }

    /// The consensus of an item several annotators labelled, when it is low (or the item is
    /// in the low-consensus queue).
    func consensusReasons(for item: Int, in queue: QueueName) -> [FlagReason] {
        guard let crowd, crowd.numAnnotations[item] > 1, ![.problems, .random, .stratified].contains(queue),
            queue == .lowConsensus || crowd.quality[item] < settings.lowConsensus
        else { return [] }
        let label = crowd.consensus[item]
        let agreeing = Int((crowd.agreement[item] * Double(crowd.numAnnotations[item])).rounded())
        let quality = String(format: "%.2f", locale: nil, crowd.quality[item])
        return [
            FlagReason(
                .lowConsensus,
                "low consensus: CROWDLAB's consensus \(name(label)) has quality \(quality) (\(agreeing) of \(crowd.numAnnotations[item]) annotators chose it)"
            )
        ]
    }
}
