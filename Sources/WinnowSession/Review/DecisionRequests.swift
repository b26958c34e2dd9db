import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowStore
import WinnowUI

/// Turns the screen's decision commands into the store's requests, and the store's outcomes
/// and refusals into what the screen says. Shared by the full source and the quick start.
enum DecisionRequests {
    /// The requests for `command`, from the live review state: each carries the flags and
    /// score of the queue entry decided on (for the log), and under blind review "accept"
    /// means the label this reviewer was shown.
    static func prepare(_ command: DecisionCommand, in model: ReviewModel, facts: ItemFacts) -> [DecisionRequest] {
        let items = command.items.map { (model.context.items[$0].path, model.context.items[$0].resolution.labels) }
        return zip(command.items, requests(for: command, items: items, reviewer: model.reviewer, taxonomy: model.taxonomy)).map { i, request in
            var request = request
            (request.score, request.flags) = model.flagging(of: i)
            if request.action == .accept, facts.isBlind(for: model.surfacedBy[i] ?? .triage) {
                // Blind: "accept" means the label this reviewer was shown (the given one),
                // not one another reviewer put there since.
                let shown = ItemFacts.shownLabels(of: i, in: model)
                let labels = LabelSet(shown.labels, in: model.taxonomy)
                if !shown.excluded, !shown.labels.isEmpty, labels != model.context.items[i].resolution.labels {
                    request.action = .relabel
                    request.labels = labels
                }
            }
            return request
        }
    }

    /// The store requests for a command on items (path and current labels of each).
    static func requests(
        for command: DecisionCommand, items: [(path: String, labels: LabelSet?)], reviewer: String,
        taxonomy: ClassTaxonomy
    ) -> [DecisionRequest] {
        items.map { item in
            var action: DecisionAction
            var labels: LabelSet?
            switch command.kind {
            case .accept: action = .accept
            case .relabel(let names):
                let set = LabelSet(names, in: taxonomy)
                // Relabelling to the label it already has is accepting it.
                if item.labels == set { action = .accept } else { action = .relabel; labels = set }
            case .exclude: action = .exclude
            case .skip: action = .skip
            case .splitOff: action = .split
            }
            // One item, the next of the queue: it must still need this reviewer. A group
            // decision is deliberate, and the roles decide whether it may change others' decisions.
            return DecisionRequest(
                imagePath: item.path, reviewer: reviewer, action: action, labels: labels,
                queue: command.queue, reason: command.reason, note: command.note, mustBeOpen: items.count == 1)
        }
    }

    /// The kinds of flag among an entry's reasons, once each, in order: model and neighbour
    /// lines are evidence for a flag, not flags.
    static func flagKinds(_ kinds: [FlagKind]) -> [String] {
        var flags: [String] = []
        for kind in kinds where kind != .model && kind != .neighbours && !flags.contains(kind.rawValue) { flags.append(kind.rawValue) }
        return flags
    }

    /// A single item another reviewer holds or has just decided is not this reviewer's any
    /// more: the refusal says so in a way that takes it off the screen.
    static func unavailableIfTaken<T>(_ items: [Int], _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as StoreError {
            switch error {
            case .leased(_, let reviewer, _) where items.count == 1:
                throw ItemsUnavailable(
                    items: [items[0]: Unavailable("\(TerminalText.sanitize(reviewer)) is reviewing it")], message: error.description)
            case .alreadyDecided(_, let reviewers) where items.count == 1:
                throw ItemsUnavailable(
                    items: [
                        items[0]: Unavailable(
                            "just decided by \(reviewers.map(TerminalText.sanitize).joined(separator: ", "))", decidedElsewhere: true)
                    ],
                    message: error.description)
            default: throw error
            }
        }
    }

    static func describe(_ outcomes: [DecisionOutcome], command: DecisionCommand, paths: [String]) -> String {
        guard let first = outcomes.first else { return "nothing saved" }
        let s = TerminalText.sanitize
        if outcomes.count == 1 {
            return DecisionText.describe(first, image: paths.first ?? "", showReviewer: false)
        }
        let ids = "#\(outcomes.first!.event.id)–#\(outcomes.last!.event.id)"
        switch command.kind {
        case .relabel(let names): return "saved \(outcomes.count) decisions \(ids): the group is now \(s(names.joined(separator: ", ")))"
        default: return "saved \(outcomes.count) decisions \(ids): \(command.kind.verb)"
        }
    }

    static func describeUndo(_ outcomes: [DecisionOutcome], paths: [String]) -> String {
        let taken = outcomes.compactMap { $0.undone.map { "#\($0.id) \($0.action.rawValue)" } }
        return "undone: " + taken.joined(separator: ", ") + (paths.count == 1 ? " · \(TerminalText.sanitize(paths[0]))" : " · \(paths.count) images")
    }

    /// The command that makes an earlier session's decision again (redo after `undoEarlier`),
    /// and the queue slot the item returns to; nil for an undo.
    static func redo(of event: DecisionEvent, item i: Int) -> (slot: QueueSlot, command: DecisionCommand)? {
        let kind: DecisionKind
        switch event.action {
        case .accept: kind = .accept
        case .relabel: kind = .relabel(event.newLabels?.names ?? [])
        case .exclude: kind = .exclude
        case .skip: kind = .skip
        case .split: kind = .splitOff
        case .undo: return nil
        }
        let source = event.reason ?? event.queue ?? QueueName.triage.rawValue
        let slot = QueueSlot(item: i, source: QueueName(rawValue: source) != nil ? source : QueueName.triage.rawValue, score: .nan)
        let command = DecisionCommand(items: [i], kind: kind, queue: event.queue ?? QueueName.triage.rawValue, reason: event.reason, note: event.note)
        return (slot, command)
    }
}
