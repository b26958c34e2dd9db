import WinnowUI

/// A small review session in memory: three classes, five queued items with details.
enum Sample {
    static let classes = ["circle", "square", "triangle"]

    static func setup(multiLabel: Bool = false, sensitive: Set<String> = []) -> ReviewSetup {
        ReviewSetup(
            projectName: "shapes", reviewer: "alice", classes: classes, multiLabel: multiLabel,
            queues: ["triage", "label-issues", "bad-components", "random"], graphics: "blocks",
            sensitiveClasses: sensitive)
    }

    static func details(_ item: Int, label: String = "circle") -> ItemDetails {
        var details = ItemDetails(
            item: item, path: "batch-01/img_000\(item).png", currentLabels: [label], givenLabels: [label],
            annotators: [.init(name: "ann-a", value: label), .init(name: "ann-b", value: "square")],
            suggested: "square",
            reasons: [
                ReasonLine(kind: .labelIssue, text: "the evidence favours 'square' over '\(label)' (label-issue score 0.93)"),
                ReasonLine(kind: .duplicate, text: "3 of 3 nearest neighbours say 'square'")
            ],
            models: [ModelTop(model: "logreg", top: [.init(label: "square", probability: 0.91), .init(label: label, probability: 0.04)])],
            component: ComponentInfo(
                id: 12, members: [item, 100 + item], labelCounts: [.init(label: label, count: 1), .init(label: "square", count: 1)],
                purity: 0.5, isBad: true, majority: label),
            metadata: [.init(name: "source", value: "web")])
        details.labelIssueScore = 0.93
        details.flagMeasure = "the evidence disagrees with its label"
        return details
    }

    /// A state with the queue and details loaded.
    static func state(size: TerminalSize = TerminalSize(columns: 120, rows: 40), setup: ReviewSetup = setup(), items: Int = 5) -> AppState {
        var state = AppState(setup: setup, size: size, queueName: "triage")
        _ = Reducer.reduce(
            &state,
            .queueLoaded(
                name: "triage", slots: (0..<items).map { QueueSlot(item: $0, source: "label-issues", score: 0.9) },
                counts: ["triage": items, "label-issues": 3]))
        _ = Reducer.reduce(&state, .detailsLoaded((0..<items).map { details($0) } + (0..<items).map { details(100 + $0, label: "square") }))
        return state
    }

    /// Feeds keys; returns every effect.
    @discardableResult
    static func press(_ keys: [Key], _ state: inout AppState) -> [Effect] {
        keys.flatMap { Reducer.reduce(&state, .key($0)) }
    }

    /// Confirms the decision in flight as the store would.
    @discardableResult
    static func confirm(_ state: inout AppState, id: Int64 = 1) -> [Effect] {
        guard let command = state.inFlight else { return [] }
        return Reducer.reduce(
            &state, .decisionSaved(SavedDecision(command: command, eventIDs: command.items.map { _ in id }, message: "saved #\(id)", time: 1)))
    }
}

extension Effect {
    var decision: DecisionCommand? {
        if case .decide(let command) = self { return command }
        return nil
    }
}
