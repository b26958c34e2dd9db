import Foundation
import GRDB
import WinnowCore

/// A decision to record. `labels` is required for `.relabel` and ignored otherwise.
public struct DecisionRequest: Sendable {
    public var imagePath: String
    public var reviewer: String
    public var action: DecisionAction
    public var labels: LabelSet?
    public var queue: String?
    public var reason: String?
    public var note: String?
    /// Decide even when another reviewer holds the item (leads only).
    public var force: Bool
    /// The reviewer decides the item as the next one of their queue (the review screen,
    /// `winnow decide --next`): refused when it no longer needs them, say because another
    /// reviewer decided it a moment ago. Off for deliberate decisions on a named image.
    public var mustBeOpen: Bool
    /// The score of the queue entry the decision was made on (nil: none, or not finite).
    public var score: Double?
    /// The kinds of flag behind that entry (`FlagKind` raw values, most important first).
    public var flags: [String]

    public init(
        imagePath: String, reviewer: String, action: DecisionAction, labels: LabelSet? = nil,
        queue: String? = nil, reason: String? = nil, note: String? = nil, score: Double? = nil, flags: [String] = [],
        force: Bool = false, mustBeOpen: Bool = false
    ) {
        self.force = force
        self.mustBeOpen = mustBeOpen
        self.imagePath = imagePath
        self.reviewer = reviewer
        self.action = action
        self.labels = labels
        self.queue = queue
        self.reason = reason
        self.note = note
        self.score = score
        self.flags = flags
    }
}

public struct DecisionOutcome: Sendable {
    public var event: DecisionEvent
    public var before: ItemResolution
    public var after: ItemResolution
    /// For undo: the event that was taken back.
    public var undone: DecisionEvent?
    /// The event's link in the decision log's hash chain (lower-case hex SHA-256).
    public var hash: String
    /// Every event of the item as committed, this one last (read in the decision's own
    /// transaction, so it includes other reviewers' decisions up to that moment).
    public var history: [DecisionEvent]

    package init(event: DecisionEvent, before: ItemResolution, after: ItemResolution, undone: DecisionEvent?, hash: String, history: [DecisionEvent])
    {
        self.event = event
        self.before = before
        self.after = after
        self.undone = undone
        self.hash = hash
        self.history = history
    }
}

extension ProjectStore {
    /// Appends a decision to the log. Returns only after the transaction has committed
    /// (with `synchronous = FULL`), so a caller may show the decision as saved.
    ///
    /// `policy` decides who may do what: an item another reviewer holds (a lease) is refused,
    /// and so are acts the reviewer's role does not allow (see `TeamPolicy`).
    public func decide(_ request: DecisionRequest, policy: TeamPolicy = TeamPolicy(), at date: Date = Date()) throws(StoreError) -> DecisionOutcome {
        try decide([request], policy: policy, at: date)[0]
    }

    /// Appends several decisions in one transaction: all are stored, or none (a whole
    /// near-duplicate group relabelled with one key).
    public func decide(_ requests: [DecisionRequest], policy: TeamPolicy = TeamPolicy(), at date: Date = Date()) throws(StoreError)
        -> [DecisionOutcome]
    {
        for request in requests { try request.checkStorableText() }
        return try write { db in try requests.map { try Self.decide($0, policy: policy, at: date, db) } }
    }

    static func decide(_ request: DecisionRequest, policy: TeamPolicy, at date: Date, _ db: Database) throws -> DecisionOutcome {
        guard let item = try Row.fetchOne(db, sql: "SELECT id, path, row, given_labels FROM items WHERE path = ?", arguments: [request.imagePath])
        else {
            throw StoreError.unknownImage(request.imagePath)
        }
        guard (item["row"] as Int?) != nil else { throw StoreError.removedImage(request.imagePath) }
        let itemID: Int64 = item["id"]
        let given = (item["given_labels"] as String?).map(LabelSet.init(storageText:))
        let history = try Self.events(db, itemID: itemID)
        let plan = try DecisionPlan(
            request, itemID: itemID, given: given, history: history, policy: policy, at: date,
            foreignLease: { try foreignLease(db, itemID: itemID, reviewer: request.reviewer, now: date) },
            validate: { try Self.validate($0, db) })
        var event = plan.event
        let before = plan.before, after = plan.after, undone = plan.undone
        // The chain: this event's hash covers the newest event's hash. The transaction is
        // IMMEDIATE, so no other writer can append between this read and the insert. The id
        // is chosen here (as AUTOINCREMENT would) because it is part of the hashed bytes.
        let newest = try Row.fetchOne(db, sql: "SELECT id, hash FROM events ORDER BY id DESC LIMIT 1")
        let sequence = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'events'") ?? 0
        event.id = max(sequence, newest?["id"] ?? 0) + 1
        let itemPath: String = item["path"]
        let createdAt = Timestamp.string(from: date)
        let score = DecisionLogChain.storedScore(request.score)
        let flags = DecisionLogChain.storedFlags(request.flags)
        let hash = DecisionLogChain.hash(
            of: event, previous: newest?["hash"] ?? DecisionLogChain.genesis, itemPath: itemPath,
            createdAt: createdAt, score: score, flags: flags)
        // Bound with explicit byte lengths (GRDB's text binding stops at a NUL), so the
        // stored bytes are exactly the hashed ones.
        let insert = try BulkInsert(
            db,
            sql: """
                INSERT INTO events(id, item_id, reviewer, action, old_labels, new_labels, queue, reason, note, undoes, created_at, score, flags, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        insert.bind(1, event.id)
        insert.bind(2, itemID)
        insert.bind(3, event.reviewer)
        insert.bind(4, event.action.rawValue)
        insert.bind(5, event.oldLabels?.storageText)
        insert.bind(6, event.newLabels?.storageText)
        insert.bind(7, event.queue)
        insert.bind(8, event.reason)
        insert.bind(9, event.note)
        insert.bind(10, event.undoes)
        insert.bind(11, createdAt)
        insert.bind(12, score)
        insert.bind(13, flags)
        insert.bind(14, hash)
        try insert.step()
        return DecisionOutcome(event: event, before: before, after: after, undone: undone, hash: hash, history: history + [event])
    }

    /// Records that an image cannot be decoded (found while reviewing). It shows in
    /// `winnow info` and the problems queue until the next import checks the file again.
    public func markProblem(imagePath: String, problem: String) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE items SET problem = ? WHERE path = ? AND problem IS NULL", arguments: [problem, imagePath])
        }
    }

    static func validate(_ labels: LabelSet, _ db: Database) throws {
        let known = Set(try Self.classNames(db))
        let multi = try Self.isMultiLabel(db)
        if let unknown = labels.names.first(where: { !known.contains($0) }) {
            throw StoreError.invalidLabels(
                "\"\(TerminalText.sanitize(unknown))\" is not a class of this project\n    fix: use one of the classes listed by winnow info")
        }
        if !multi && labels.names.count != 1 {
            throw StoreError.invalidLabels("this dataset has one label per image; give exactly one class")
        }
    }

    static func events(_ db: Database, itemID: Int64) throws -> [DecisionEvent] {
        try Row.fetchAll(db, sql: "SELECT * FROM events WHERE item_id = ? ORDER BY id", arguments: [itemID]).map(event(from:))
    }

    static func event(from row: Row) -> DecisionEvent {
        DecisionEvent(
            id: row["id"], itemID: row["item_id"], reviewer: row["reviewer"],
            action: typedAction(row["action"]),
            oldLabels: (row["old_labels"] as String?).map(LabelSet.init(storageText:)),
            newLabels: (row["new_labels"] as String?).map(LabelSet.init(storageText:)),
            queue: row["queue"], reason: row["reason"], note: row["note"], undoes: row["undoes"],
            createdAt: typedDate(row["created_at"]))
    }

    /// Every event, grouped by item, oldest first.
    static func eventsByItem(_ db: Database) throws -> [Int64: [DecisionEvent]] {
        var grouped: [Int64: [DecisionEvent]] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT * FROM events ORDER BY id")
        while let row = try rows.next() {
            let event = event(from: row)
            grouped[event.itemID, default: []].append(event)
        }
        return grouped
    }

    /// The decision history of one image, oldest first.
    public func history(ofImage path: String) throws(StoreError) -> [DecisionEvent] {
        try read { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM items WHERE path = ?", arguments: [path]) else {
                throw StoreError.unknownImage(path)
            }
            return try Self.events(db, itemID: id)
        }
    }

    /// The current state of one image.
    public func resolution(ofImage path: String) throws(StoreError) -> ItemResolution {
        try read { db in
            guard let item = try Row.fetchOne(db, sql: "SELECT id, given_labels FROM items WHERE path = ?", arguments: [path]) else {
                throw StoreError.unknownImage(path)
            }
            let given = (item["given_labels"] as String?).map(LabelSet.init(storageText:))
            return ItemHistory.resolve(given: given, events: try Self.events(db, itemID: item["id"]))
        }
    }
}
