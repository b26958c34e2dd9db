import Foundation
import WinnowCore

/// What one decision will append, worked out from the item's history before anything is
/// written: the checks (team policy, leases, labels, undo) and the event with the item's
/// state before and after it. Pure, so every store (SQLite, PostgreSQL) decides alike; the
/// store supplies what it reads inside its transaction.
package struct DecisionPlan {
    /// The event to append; its `id` is chosen by the store (it is part of the hashed bytes).
    package var event: DecisionEvent
    package var before: ItemResolution
    package var after: ItemResolution
    /// For undo: the event it takes back.
    package var undone: DecisionEvent?

    /// - Parameters:
    ///   - foreignLease: the lease another reviewer holds on the item now, if any (asked
    ///     only when the request does not force its way through).
    ///   - validate: refuses labels that are not the project's classes (or too many).
    package init(
        _ request: DecisionRequest, itemID: Int64, given: LabelSet?, history: [DecisionEvent], policy: TeamPolicy,
        at date: Date, foreignLease: () throws -> (reviewer: String, until: Date)?,
        validate: (LabelSet) throws -> Void
    ) throws {
        before = ItemHistory.resolve(given: given, events: history)
        if request.action == .undo {
            guard let target = ItemHistory.undoTarget(history) else { throw StoreError.nothingToUndo(request.imagePath) }
            undone = target
        }
        try Self.authorize(request, history: history, undoing: undone, policy: policy, foreignLease: foreignLease)
        if request.action == .relabel {
            guard let labels = request.labels else { throw StoreError.invalidLabels("relabel needs the new label") }
            try validate(labels)
        }
        let newLabels: LabelSet? = request.action == .relabel ? request.labels : before.labels
        event = DecisionEvent(
            id: 0, itemID: itemID, reviewer: request.reviewer, action: request.action,
            oldLabels: before.labels, newLabels: newLabels, queue: request.queue,
            reason: request.reason, note: request.note, undoes: undone?.id, createdAt: date)
        after = ItemHistory.resolve(given: given, events: history + [event])
        event.newLabels = after.labels
    }

    /// Refuses what the team policy does not allow, before anything is written: deciding on
    /// an item another reviewer holds; acts beyond the reviewer's role; changing another
    /// reviewer's decision or a settled item, and settling a dispute, without being a lead.
    static func authorize(
        _ request: DecisionRequest, history: [DecisionEvent], undoing: DecisionEvent?, policy: TeamPolicy,
        foreignLease: () throws -> (reviewer: String, until: Date)?
    ) throws {
        let reviewer = request.reviewer
        do {
            try policy.authorize(reviewer, .decide(request.action == .undo ? (undoing?.action ?? .undo) : request.action))
            if request.force { try policy.authorize(reviewer, .breakLeases) }
        } catch { throw StoreError.refused(error) }
        if !request.force, let lease = try foreignLease() {
            throw StoreError.leased(image: request.imagePath, reviewer: lease.reviewer, until: Timestamp.string(from: lease.until))
        }
        if let undoing, undoing.reviewer != reviewer {
            do { try policy.authorize(reviewer, .overrideOthers) } catch { throw StoreError.refused(error) }
        }
        guard [.accept, .relabel, .exclude].contains(request.action) else { return }
        let consensus = policy.consensus(history)
        let others = consensus.reviews.filter { $0.reviewer != reviewer }
        if request.mustBeOpen, !others.isEmpty {
            let open = request.queue == "disputed" ? consensus.state == .disputed : consensus.isOpen(for: reviewer)
            if !open { throw StoreError.alreadyDecided(image: request.imagePath, reviewers: others.map(\.reviewer)) }
        }
        do {
            switch consensus.state {
            case .disputed: try policy.authorize(reviewer, .settleDisputes)
            case .final where !others.isEmpty: try policy.authorize(reviewer, .overrideOthers)
            default: break
            }
        } catch { throw StoreError.refused(error) }
    }

    /// Whether an item with `history` still needs `reviewer` (`settling`: the lead's disputed
    /// queue, where disputed items are the open ones). What a lease may be taken on.
    package static func isOpen(_ history: [DecisionEvent], for reviewer: String, policy: TeamPolicy, settling: Bool) -> (
        open: Bool, reviewers: [String]
    ) {
        let consensus = policy.consensus(history)
        return (settling ? consensus.state == .disputed : consensus.isOpen(for: reviewer), consensus.reviews.map(\.reviewer))
    }
}
