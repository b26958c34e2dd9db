/// What the workstation needs from the project. The application implements it over the
/// store and the analysis; tests implement it in memory. Calls run off the UI thread and
/// may block (a decision returns only once it is committed).
public protocol ReviewDataSource: Sendable {
    /// A queue's open entries in review order, and the open count of every queue.
    func queue(named name: String) throws -> (slots: [QueueSlot], counts: [String: Int])
    func details(of items: [Int]) throws -> [ItemDetails]
    /// Stores the decision; returns only after it is committed.
    func decide(_ command: DecisionCommand) throws -> (eventIDs: [Int64], message: String)
    /// Takes back the latest decision on each item; returns only after it is committed.
    func undo(items: [Int]) throws -> String
    func similar(to item: Int) throws -> [SimilarItem]
    func stats() throws -> ReviewStats
    /// The image file of `item` (absolute path).
    func imagePath(of item: Int) -> String
    /// Records that `item`'s image cannot be decoded (it shows in `winnow info` and the
    /// problems queue).
    func markImageProblem(item: Int, message: String)
    /// Holds `items` for this session (a lease, so other reviewers' queues skip them) and lets
    /// go of the rest; returns the items it could not hold, with why ("alice is reviewing it").
    func hold(items: [Int], queue: String) throws -> [Int: Unavailable]
    /// The session ends: let go of everything it holds.
    func close()
    /// Open entries of every queue, counted as `queue(named:)` would hand them out.
    func queueCounts() throws -> [String: Int]
    /// The queue again when other sessions changed the project since this source last
    /// looked (decided, released or took items); nil when nothing of theirs changed.
    func refreshedQueue(named name: String) throws -> (slots: [QueueSlot], counts: [String: Int])?
    /// Takes back this reviewer's latest decision still in effect, whichever session made
    /// it; nil when there is none.
    func undoEarlier() throws -> EarlierUndo?
    /// Calls `changed` (on any thread) whenever another process may have changed the
    /// project, until `close`.
    func watchForChanges(_ changed: @escaping @Sendable () -> Void)
    /// `changed` is called whenever the queues' order may have changed without a decision
    /// (a model retrained in the background), so the screen refreshes its queue
    /// (`refreshedQueue` then returns it).
    func observeQueueChanges(_ changed: @escaping @Sendable () -> Void)
    /// `changed` is called whenever a re-analysis after this session's own relabels re-ranked
    /// the queues (at once on small projects, in the background on large ones), so the
    /// screen refreshes its queue the same way (`refreshedQueue` then returns it).
    func observeReRanking(_ changed: @escaping @Sendable () -> Void)
    /// Keeps `text` as this reviewer's note on the image at `path` (its project-relative
    /// path) until a decision on it takes the note; nil: no note any more. Returns once kept.
    func keepNote(_ text: String?, forImage path: String) throws
    /// The notes kept so (by image path), from this session and earlier ones.
    func keptNotes() throws -> [String: String]
}

extension ReviewDataSource {
    /// One reviewer, nothing to hold.
    public func hold(items: [Int], queue: String) throws -> [Int: Unavailable] { [:] }
    public func close() {}
    public func queueCounts() throws -> [String: Int] { [:] }
    public func refreshedQueue(named name: String) throws -> (slots: [QueueSlot], counts: [String: Int])? { nil }
    public func undoEarlier() throws -> EarlierUndo? { nil }
    public func watchForChanges(_ changed: @escaping @Sendable () -> Void) {}
    /// Queues that change only with decisions.
    public func observeQueueChanges(_ changed: @escaping @Sendable () -> Void) {}
    public func observeReRanking(_ changed: @escaping @Sendable () -> Void) {}
    /// Notes live only on the screen, until a decision stores them.
    public func keepNote(_ text: String?, forImage path: String) throws {}
    public func keptNotes() throws -> [String: String] { [:] }
}

/// Why an item cannot be reviewed here now.
public struct Unavailable: Sendable, Hashable {
    /// In words for the status line: "alice is reviewing it".
    public var why: String
    /// Somebody else decided it since the queue was loaded: the queue is out of date.
    public var decidedElsewhere: Bool

    public init(_ why: String, decidedElsewhere: Bool = false) {
        self.why = why
        self.decidedElsewhere = decidedElsewhere
    }
}

/// A decision refused because its items cannot be reviewed here any more (another reviewer
/// holds them, or decided them a moment ago): they leave the queue.
public struct ItemsUnavailable: Error, Sendable, CustomStringConvertible {
    /// The items, each with why.
    public var items: [Int: Unavailable]
    public var message: String
    public var description: String { message }

    public init(items: [Int: Unavailable], message: String) {
        self.items = items
        self.message = message
    }
}

/// The store cannot be reached now (its server stopped or restarts, the network dropped):
/// nothing of the request was stored, and the same request may succeed later, so the
/// screen keeps it and tries again (the source's other errors are refusals, never retried).
public struct StoreUnreachable: Error, Sendable, CustomStringConvertible {
    /// Why, in words (the store's URL without its password).
    public var message: String
    public var description: String { message }

    public init(message: String) { self.message = message }
}
