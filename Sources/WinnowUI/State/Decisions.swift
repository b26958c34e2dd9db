/// A decision the reviewer made, to be stored.
public enum DecisionKind: Sendable, Hashable {
    case accept
    /// The new label(s): one for single-label data.
    case relabel([String])
    case exclude
    case skip
    /// Component view: the image is not a duplicate of the others.
    case splitOff

    /// Whether the decision settles the item (it leaves the queue).
    public var settles: Bool {
        switch self {
        case .accept, .relabel, .exclude: return true
        case .skip, .splitOff: return false
        }
    }

    public var verb: String {
        switch self {
        case .accept: return "accept"
        case .relabel: return "relabel"
        case .exclude: return "exclude"
        case .skip: return "skip"
        case .splitOff: return "split off"
        }
    }
}

/// A decision on one or more items (a whole component at once), with where it was made.
public struct DecisionCommand: Sendable, Hashable {
    public var items: [Int]
    public var kind: DecisionKind
    /// The queue the reviewer was working through.
    public var queue: String
    /// The flag that surfaced the item (the sub-queue, for triage).
    public var reason: String?
    /// The reviewer's note, logged with the decision.
    public var note: String?

    public init(items: [Int], kind: DecisionKind, queue: String, reason: String? = nil, note: String? = nil) {
        self.items = items
        self.kind = kind
        self.queue = queue
        self.reason = reason
        self.note = note
    }
}

/// What the store reports once a decision is committed.
public struct SavedDecision: Sendable, Hashable {
    public var command: DecisionCommand
    /// One per item that got an event, in order.
    public var eventIDs: [Int64]
    /// E.g. "saved #412: relabel batch-01/img_0007.png circle → square".
    public var message: String
    /// Seconds on the session's clock when it was committed (for the pace figure).
    public var time: Double

    public init(command: DecisionCommand, eventIDs: [Int64], message: String, time: Double) {
        self.command = command
        self.eventIDs = eventIDs
        self.message = message
        self.time = time
    }
}

/// A decision of this session that `undo` can take back, with the queue slots its items
/// had so they return where they were.
public struct SessionDecision: Sendable, Hashable {
    public var command: DecisionCommand
    public var slots: [QueueSlot]
    public init(command: DecisionCommand, slots: [QueueSlot]) {
        self.command = command
        self.slots = slots
    }
}

/// A decision of an earlier session taken back: its items return to the queue (with the
/// slots the source gives them), and redo can make it again.
public struct EarlierUndo: Sendable, Hashable {
    public var slots: [QueueSlot]
    /// The decision that was taken back, as a command (for redo).
    public var command: DecisionCommand
    public var message: String
    public init(slots: [QueueSlot], command: DecisionCommand, message: String) {
        self.slots = slots
        self.command = command
        self.message = message
    }
}
