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
            // the newest event, which no other writer may change until this commits. Sent
            // with the first decision's read, which runs after it (see PendingStatements).
            db.send("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE")
            return try requests.map { try Self.decide($0, policy: policy, at: date, db) }
        }
    }

    /// One decision: everything it is checked against in one statement (`DecisionFacts`),
    /// then its event, sent to be checked with the next statement or the COMMIT.
    static func decide(_ request: DecisionRequest, policy: TeamPolicy, at date: Date, _ db: PostgresTransaction) throws -> DecisionOutcome {
        let facts = try DecisionFacts.read(request, at: date, db)
        guard facts.row != nil else { throw StoreError.removedImage(request.imagePath) }
        let history = facts.history
        let plan = try DecisionPlan(
            request, itemID: facts.itemID, given: facts.given, history: history, policy: policy, at: date,
            foreignLease: { facts.foreignLease },
            validate: { try facts.validate($0) })
        var event = plan.event
        event.id = (facts.newestID ?? 0) + 1
        let createdAt = Timestamp.string(from: date)
        let score = DecisionLogChain.storedScore(request.score)
        let flags = DecisionLogChain.storedFlags(request.flags)
        let hash = DecisionLogChain.hash(
            of: event, previous: facts.newestHash ?? DecisionLogChain.genesis, itemPath: facts.path,
            createdAt: createdAt, score: score, flags: flags)
        db.send(
            """
            INSERT INTO events(id, item_id, reviewer, action, old_labels, new_labels, queue, reason, note, undoes, created_at, score, flags, hash)
            VALUES (\(event.id), \(facts.itemID), \(event.reviewer), \(event.action.rawValue), \(event.oldLabels?.storageText),
                    \(event.newLabels?.storageText), \(event.queue), \(event.reason), \(event.note), \(event.undoes), \(createdAt),
                    \(score), \(flags), \(hash))
            """)
        return DecisionOutcome(event: event, before: plan.before, after: plan.after, undone: plan.undone, hash: hash, history: history + [event])
    }

    /// Refuses labels that are not the project's classes (`known`), or several where the
    /// dataset has one label per image.
    static func validate(_ labels: LabelSet, known: Set<String>, multiLabel: Bool) throws {
        if let unknown = labels.names.first(where: { !known.contains($0) }) {
            throw StoreError.invalidLabels(
                "\"\(TerminalText.sanitize(unknown))\" is not a class of this project\n    fix: use one of the classes listed by winnow info")
        }
        if !multiLabel && labels.names.count != 1 {
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
