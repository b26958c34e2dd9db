import struct Foundation.Date

/// What a reviewer did to an item.
public enum DecisionAction: String, Sendable, CaseIterable, Codable {
    /// The current label is right.
    case accept
    /// The item gets a new label (set).
    case relabel
    /// The item is removed from the dataset (corrupt, off-topic, forbidden content).
    case exclude
    /// Not now: the item comes back later.
    case skip
    /// Takes back the item's most recent decision that is still in effect.
    case undo
    /// The item is not a duplicate of the near-duplicate group it was put in: it leaves
    /// the group (its label is untouched).
    case split
}

/// One entry of the append-only decision log. Events are never changed or deleted:
/// an item's current label is derived by replaying its events (see `ItemHistory`).
public struct DecisionEvent: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var itemID: Int64
    public var reviewer: String
    public var action: DecisionAction
    /// The item's labels before this event (nil: unlabelled).
    public var oldLabels: LabelSet?
    /// The item's labels after this event.
    public var newLabels: LabelSet?
    /// The queue and reason that surfaced the item, when it came from a queue.
    public var queue: String?
    public var reason: String?
    public var note: String?
    /// For `undo`: the event taken back.
    public var undoes: Int64?
    public var createdAt: Date

    public init(
        id: Int64, itemID: Int64, reviewer: String, action: DecisionAction, oldLabels: LabelSet?,
        newLabels: LabelSet?, queue: String? = nil, reason: String? = nil, note: String? = nil,
        undoes: Int64? = nil, createdAt: Date
    ) {
        self.id = id
        self.itemID = itemID
        self.reviewer = reviewer
        self.action = action
        self.oldLabels = oldLabels
        self.newLabels = newLabels
        self.queue = queue
        self.reason = reason
        self.note = note
        self.undoes = undoes
        self.createdAt = createdAt
    }
}

/// Where an item stands after all its decisions.
public enum ItemStatus: String, Sendable, CaseIterable, Codable {
    case unreviewed, skipped, accepted, relabelled, excluded
}

public struct ItemResolution: Sendable, Equatable {
    /// Current labels (nil: unlabelled and never relabelled).
    public var labels: LabelSet?
    public var status: ItemStatus
    /// The last decision in effect that was not a skip: who decided, when (provenance).
    public var decidedBy: DecisionEvent?
    /// A reviewer split the item off its near-duplicate group.
    public var isSplitOff: Bool = false

    public var isExcluded: Bool { status == .excluded }
}

/// Replays an item's decision log. Pure, so the store, the exporter and (later) the
/// review screen all agree on what an item's label is.
public enum ItemHistory {
    /// The decisions still in effect, oldest first: undo events and the events they took back removed.
    public static func effectiveDecisions(_ events: [DecisionEvent]) -> [DecisionEvent] {
        let undone = Set(events.compactMap { $0.action == .undo ? $0.undoes : nil })
        return events.filter { $0.action != .undo && !undone.contains($0.id) }
    }

    /// The event an `undo` now would take back: the newest decision still in effect.
    public static func undoTarget(_ events: [DecisionEvent]) -> DecisionEvent? {
        effectiveDecisions(events).last
    }

    /// The item's current state, given its annotators' consensus label and its events (oldest first).
    public static func resolve(given: LabelSet?, events: [DecisionEvent]) -> ItemResolution {
        var labels = given
        var excluded = false
        var decided = false
        var skipped = false
        var decidedBy: DecisionEvent?
        var splitOff = false
        for event in effectiveDecisions(events) {
            switch event.action {
            case .accept:
                excluded = false; decided = true; decidedBy = event
            case .relabel:
                labels = event.newLabels; excluded = false; decided = true; decidedBy = event
            case .exclude:
                excluded = true; decidedBy = event
            case .skip:
                skipped = true
            case .split:
                splitOff = true
            case .undo:
                break
            }
        }
        let status: ItemStatus
        if excluded {
            status = .excluded
        } else if decided {
            status = labels == given ? .accepted : .relabelled
        } else if skipped {
            status = .skipped
        } else {
            status = .unreviewed
        }
        return ItemResolution(labels: labels, status: status, decidedBy: decidedBy, isSplitOff: splitOff)
    }
}
