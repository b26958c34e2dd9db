import Foundation
import GRDB
import WinnowCore

/// What reviewing has done so far: the figures of the review screen's stats view.
public struct ReviewFigures: Sendable, Equatable {
    public struct Flow: Sendable, Equatable {
        public var from: String
        public var to: String
        public var count: Int
    }
    public struct FlagOutcome: Sendable, Equatable {
        /// The flag source that surfaced the items (the sub-queue: label-issues,
        /// confident-learning, disagreement, bad-components, random for the audit, …).
        public var flag: String
        /// Items decided (accepted, relabelled or excluded) after this flag surfaced them.
        public var decided: Int
        public var relabelled: Int
        public var excluded: Int
        public var accepted: Int { decided - relabelled - excluded }
        /// The flag's measured precision: the share of its decided items that were wrong
        /// (relabelled, or excluded from the dataset).
        public var precision: Double { decided == 0 ? 0 : Double(relabelled + excluded) / Double(decided) }
        /// The share of its decided items that were relabelled.
        public var relabelledShare: Double { decided == 0 ? 0 : Double(relabelled) / Double(decided) }
    }

    /// Every event by action, undo included.
    public var decisionsByAction: [String: Int]
    /// Every event by reviewer, then action.
    public var decisionsByReviewer: [String: [String: Int]]
    /// Items by current status.
    public var status: [String: Int]
    /// Given label → current label, for items relabelled and still so, most common first.
    public var flows: [Flow]
    /// Per flag source, most decided first.
    public var flags: [FlagOutcome]
    /// Items decided while working through each queue (the queue the reviewer had open).
    public var decidedByQueue: [String: Int]

    package init(
        decisionsByAction: [String: Int], decisionsByReviewer: [String: [String: Int]], status: [String: Int],
        flows: [Flow], flags: [FlagOutcome], decidedByQueue: [String: Int]
    ) {
        self.decisionsByAction = decisionsByAction
        self.decisionsByReviewer = decisionsByReviewer
        self.status = status
        self.flows = flows
        self.flags = flags
        self.decidedByQueue = decidedByQueue
    }
}

/// What reviewing concluded about the items each flag surfaced. Fed one decided item at
/// a time with every flag that surfaced it (see `flags(of:stored:)`).
public struct FlagTally: Sendable {
    private var outcomes: [String: ReviewFigures.FlagOutcome] = [:]

    public init() {}

    /// Counts an item under each of `flags` (repeats counted once). Only the settled
    /// statuses (accepted, relabelled, excluded) are outcomes; others are ignored.
    public mutating func record(flags: [String], outcome: ItemStatus) {
        guard [.accepted, .relabelled, .excluded].contains(outcome) else { return }
        for flag in Set(flags) {
            var tally = outcomes[flag] ?? .init(flag: flag, decided: 0, relabelled: 0, excluded: 0)
            tally.decided += 1
            if outcome == .relabelled { tally.relabelled += 1 }
            if outcome == .excluded { tally.excluded += 1 }
            outcomes[flag] = tally
        }
    }

    /// Most decided first, then by name.
    public var results: [ReviewFigures.FlagOutcome] {
        outcomes.values.sorted { $0.decided != $1.decided ? $0.decided > $1.decided : $0.flag < $1.flag }
    }

    /// The flags the log records for a decision: the kinds of flag behind the queue entry
    /// it was made on (`stored`, the event's `flags` column: confident learning, bad
    /// component, …, each counted), else the sub-queue that surfaced the item (decisions
    /// logged before flags were), else the queue, else "manual" (winnow decide on a name).
    public static func flags(of decision: DecisionEvent, stored: [String]? = nil) -> [String] {
        if let stored, !stored.isEmpty { return stored.map { $0.replacingOccurrences(of: "_", with: "-") } }
        return [decision.reason ?? decision.queue ?? "manual"]
    }
}

extension ProjectStore {
    public func reviewFigures() throws(StoreError) -> ReviewFigures {
        try read { db in
            var tally = ReviewFiguresTally()
            for row in try Row.fetchAll(db, sql: "SELECT reviewer, action, COUNT(*) AS n FROM events GROUP BY reviewer, action") {
                tally.count(reviewer: row["reviewer"], action: row["action"], row["n"])
            }
            try Self.forEachItemHistory(db) { given, history, storedFlags in
                tally.item(given: given, history: history, storedFlags: storedFlags)
            }
            return tally.figures
        }
    }

    /// Calls `body` with every item of the dataset (its given labels' storage text, its
    /// events oldest first, and each event's stored `flags` text), in id order. Items and
    /// events are read side by side in item order (the log's item index), so only one
    /// item's history is in memory at a time: a million-event log is not grouped into a
    /// dictionary first.
    static func forEachItemHistory(_ db: Database, _ body: (String?, [DecisionEvent], [String?]) throws -> Void) throws {
        let items = try Row.fetchCursor(db, sql: "SELECT id, given_labels FROM items WHERE row IS NOT NULL ORDER BY id")
        let events = try Row.fetchCursor(db, sql: "SELECT * FROM events ORDER BY item_id, id")
        func next() throws -> (event: DecisionEvent, flags: String?)? { try events.next().map { (event(from: $0), $0["flags"]) } }
        var pending = try next()
        var history: [DecisionEvent] = []
        var flags: [String?] = []
        while let item = try items.next() {
            let id: Int64 = item[0]
            history.removeAll(keepingCapacity: true)
            flags.removeAll(keepingCapacity: true)
            // Events of items that left the dataset (ids between the current ones) are passed over.
            while let (event, stored) = pending, event.itemID <= id {
                if event.itemID == id {
                    history.append(event)
                    flags.append(stored)
                }
                pending = try next()
            }
            try body(item[1], history, flags)
        }
    }
}
