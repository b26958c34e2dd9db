import Foundation
import PostgresNIO
import WinnowCore
import WinnowStore

extension PostgresProjectStore {
    /// Appends a decision to the log. Returns only after the transaction has committed, so a
    /// caller may show the decision as saved. Checked as in the SQLite store (`DecisionPlan`):
    /// leases, the team policy, labels, undo.
    public func decide(_ request: DecisionRequest, policy: TeamPolicy = TeamPolicy(), at date: Date = Date()) throws(StoreError) -> DecisionOutcome {
        try decide([request], policy: policy, at: date)[0]
    }

    /// Appends several decisions in one transaction: all are stored, or none.
    public func decide(_ requests: [DecisionRequest], policy: TeamPolicy = TeamPolicy(), at date: Date = Date()) throws(StoreError)
        -> [DecisionOutcome]
    {
        for request in requests { try request.checkStorableText() }
        return try write { db in
            // Appenders take turns (readers do not wait): each event's id and hash follow
            // the newest event, which no other writer may change until this commits.
            try db.run("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE")
            return try requests.map { try Self.decide($0, policy: policy, at: date, db) }
        }
    }

    static func decide(_ request: DecisionRequest, policy: TeamPolicy, at date: Date, _ db: PostgresTransaction) throws -> DecisionOutcome {
        guard
            let (itemID, itemPath, row, givenText) = try db.row(
                #"SELECT id, path, "row", given_labels FROM items WHERE path = \#(request.imagePath)"#, as: (Int64, String, Int64?, String?).self)
        else {
            throw StoreError.unknownImage(request.imagePath)
        }
        guard row != nil else { throw StoreError.removedImage(request.imagePath) }
        let given = givenText.map(LabelSet.init(storageText:))
        let history = try events(db, itemID: itemID)
        let plan = try DecisionPlan(
            request, itemID: itemID, given: given, history: history, policy: policy, at: date,
            foreignLease: { try foreignLease(db, itemID: itemID, reviewer: request.reviewer, now: date) },
            validate: { try validate($0, db) })
        var event = plan.event
        let newest = try db.row("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1", as: (Int64, String?).self)
        event.id = (newest?.0 ?? 0) + 1
        let createdAt = Timestamp.string(from: date)
        let score = DecisionLogChain.storedScore(request.score)
        let flags = DecisionLogChain.storedFlags(request.flags)
        let hash = DecisionLogChain.hash(
            of: event, previous: newest?.1 ?? DecisionLogChain.genesis, itemPath: itemPath,
            createdAt: createdAt, score: score, flags: flags)
        try db.query(
            """
            INSERT INTO events(id, item_id, reviewer, action, old_labels, new_labels, queue, reason, note, undoes, created_at, score, flags, hash)
            VALUES (\(event.id), \(itemID), \(event.reviewer), \(event.action.rawValue), \(event.oldLabels?.storageText),
                    \(event.newLabels?.storageText), \(event.queue), \(event.reason), \(event.note), \(event.undoes), \(createdAt),
                    \(score), \(flags), \(hash))
            """)
        return DecisionOutcome(event: event, before: plan.before, after: plan.after, undone: plan.undone, hash: hash, history: history + [event])
    }

    static func validate(_ labels: LabelSet, _ db: PostgresTransaction) throws {
        let known = Set(try db.rows("SELECT name FROM classes WHERE position IS NOT NULL", as: String.self))
        let multi = try setting(.multiLabel, db) == "true"
        if let unknown = labels.names.first(where: { !known.contains($0) }) {
            throw StoreError.invalidLabels(
                "\"\(TerminalText.sanitize(unknown))\" is not a class of this project\n    fix: use one of the classes listed by winnow info")
        }
        if !multi && labels.names.count != 1 {
            throw StoreError.invalidLabels("this dataset has one label per image; give exactly one class")
        }
    }

    static let eventColumns = "id, item_id, reviewer, action, old_labels, new_labels, queue, reason, note, undoes, created_at"

    static func events(_ db: PostgresTransaction, itemID: Int64) throws(StoreError) -> [DecisionEvent] {
        try db.rows(
            PostgresQuery(unsafeSQL: "SELECT \(eventColumns) FROM events WHERE item_id = $1 ORDER BY id", binds: binds(itemID)),
            as: EventRow.self
        ).map(event(from:))
    }

    typealias EventRow = (Int64, Int64, String, String, String?, String?, String?, String?, String?, Int64?, String)

    static func event(from row: EventRow) -> DecisionEvent {
        DecisionEvent(
            id: row.0, itemID: row.1, reviewer: row.2, action: DecisionAction(rawValue: row.3) ?? .skip,
            oldLabels: row.4.map(LabelSet.init(storageText:)), newLabels: row.5.map(LabelSet.init(storageText:)),
            queue: row.6, reason: row.7, note: row.8, undoes: row.9,
            createdAt: Timestamp.date(from: row.10) ?? Date(timeIntervalSince1970: 0))
    }

    static func binds(_ values: Int64...) -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { binds.append(value) }
        return binds
    }

    /// The decision history of one image, oldest first.
    public func history(ofImage path: String) throws(StoreError) -> [DecisionEvent] {
        try read { db in
            guard let id = try db.row("SELECT id FROM items WHERE path = \(path)", as: Int64.self) else { throw StoreError.unknownImage(path) }
            return try Self.events(db, itemID: id)
        }
    }

    /// The current state of one image.
    public func resolution(ofImage path: String) throws(StoreError) -> ItemResolution {
        try read { db in
            guard let (id, given) = try db.row("SELECT id, given_labels FROM items WHERE path = \(path)", as: (Int64, String?).self) else {
                throw StoreError.unknownImage(path)
            }
            return ItemHistory.resolve(given: given.map(LabelSet.init(storageText:)), events: try Self.events(db, itemID: id))
        }
    }
}
