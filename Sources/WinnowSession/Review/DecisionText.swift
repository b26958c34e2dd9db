import WinnowCore
import WinnowStore

/// One decision as a line of text: `winnow decide` prints it, the review screen shows it.
package enum DecisionText {
    package static func describe(_ outcome: DecisionOutcome, image: String, showReviewer: Bool = true) -> String {
        func show(_ labels: LabelSet?) -> String {
            labels.map { $0.isEmpty ? "(no labels)" : TerminalText.sanitize($0.description) } ?? "(unlabelled)"
        }
        let event = outcome.event
        var text = "saved #\(event.id): \(event.action.rawValue) \(TerminalText.sanitize(image))"
        switch event.action {
        case .relabel: text += "  \(show(outcome.before.labels)) → \(show(outcome.after.labels))"
        case .undo:
            if let undone = outcome.undone { text += "  (took back #\(undone.id) \(undone.action.rawValue))" }
            text += "  now \(outcome.after.status.rawValue): \(show(outcome.after.labels))"
        default: text += "  \(show(outcome.after.labels))"
        }
        return showReviewer ? text + "  by \(TerminalText.sanitize(event.reviewer))" : text
    }
}
