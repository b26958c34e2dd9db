import WinnowCore
import WinnowUI

/// Blind review (`[team] blind`): what a reviewer may see of an item while others review
/// it too. They see the label the item was given, or their own decision once they made
/// one, never another reviewer's: a second opinion formed after reading the first is no
/// second opinion, and agreement figures would measure copying.
package enum BlindView {
    package struct Shown {
        package var labels: [String]
        /// Their own review excluded the item.
        package var excluded: Bool
        /// The labels are their own review's (else the given ones).
        package var own: Bool
    }

    /// The labels `reviewer` is shown for an item: their own review's, else the given ones.
    package static func shown(consensus: ReviewConsensus, given: [String], reviewer: String) -> Shown {
        guard let mine = consensus.reviews.last(where: { $0.reviewer == reviewer }) else { return Shown(labels: given, excluded: false, own: false) }
        if mine.category == Rating.excluded { return Shown(labels: given, excluded: true, own: true) }
        if mine.category == Rating.unlabelled { return Shown(labels: [], excluded: false, own: true) }
        return Shown(labels: LabelSet(storageText: mine.category).names, excluded: false, own: true)
    }

    /// `details` as `reviewer` may see them. `component`: the item's group counted with
    /// the labels this reviewer is shown for its members (nil: leave it as it is).
    package static func mask(_ details: ItemDetails, consensus: ReviewConsensus, reviewer: String, component: ComponentInfo? = nil) -> ItemDetails {
        var masked = details
        let shown = shown(consensus: consensus, given: details.givenLabels, reviewer: reviewer)
        masked.currentLabels = shown.labels
        masked.status =
            shown.own ? (shown.excluded ? "excluded" : (shown.labels == details.givenLabels ? "accepted" : "relabelled")) + " by you" : "pending"
        masked.reviews = []
        // A reason that names a label someone else gave it would tell their decision.
        let hidden = Set(details.currentLabels).subtracting(shown.labels).subtracting(details.givenLabels)
        if !hidden.isEmpty {
            masked.reasons = details.reasons.filter { reason in !hidden.contains { reason.text.contains("'\($0)'") } }
        }
        if let component { masked.component = component }
        return masked
    }
}
