import Foundation
import PostgresNIO
import WinnowCore
import WinnowStore

extension PostgresProjectStore {
    /// Events are read this many at a time (by id), in one snapshot: a million never sit in
    /// memory at once.
    static let logBatch: Int64 = 10_000

    /// `DecisionLogChain.columns`: the hashed fields in canonical order, then the stored hash.
    static let chainColumns =
        "e.id, e.item_id, i.path, e.reviewer, e.action, e.old_labels, e.new_labels, e.queue, e.reason, e.note, e.undoes, e.created_at, e.score, e.flags, e.hash"
    typealias ChainRow = (
        Int64, Int64, String?, String, String, String?, String?, String?, String?, String?, Int64?, String, Double?, String?, String?
    )

    /// Visits the events after `filter` in id order, `logBatch` at a time, inside `db`'s snapshot.
    static func forEachChainRow(
        _ db: PostgresTransaction, filter: String = "", binds extra: PostgresBindings = PostgresBindings(),
        batch: Int64 = logBatch, _ visit: (ChainRow) throws -> Bool
    ) throws {
        var after = Int64.min
        while true {
            var binds = extra
            binds.append(after)
            let condition = (filter.isEmpty ? "" : filter + " AND ") + "e.id > $\(binds.count)"
            let rows = try db.rows(
                PostgresQuery(
                    unsafeSQL:
                        "SELECT \(chainColumns) FROM events e LEFT JOIN items i ON i.id = e.item_id WHERE \(condition) ORDER BY e.id LIMIT \(batch)",
                    binds: binds),
                as: ChainRow.self)
            for row in rows where try !visit(row) { return }
            guard let last = rows.last, rows.count == Int(batch) else { return }
            after = last.0
        }
    }

    /// Recomputes every event's hash, in id order, and compares it with the stored one: the
    /// SQLite store's check (`ChainVerifier`), over the same canonical bytes. Stops at the
    /// first broken link. `expectingHead`: a head hash recorded earlier (or a prefix of at
    /// least 12 hex digits); the result says whether it is still in the chain.
    public func verifyDecisionLog(expectingHead recorded: String? = nil) throws(StoreError) -> LogVerification {
        try verifyDecisionLog(expectingHead: recorded, batch: Self.logBatch)
    }

    func verifyDecisionLog(expectingHead recorded: String?, batch: Int64) throws(StoreError) -> LogVerification {
        try read { db in try Self.verifyDecisionLog(db, expectingHead: recorded, batch: batch) }
    }

    /// `verifyDecisionLog` inside an open transaction (a copy checks what it wrote before committing).
    static func verifyDecisionLog(_ db: PostgresTransaction, expectingHead recorded: String?, batch: Int64 = logBatch) throws -> LogVerification {
        var verifier = ChainVerifier(recordedHead: recorded?.lowercased())
        try forEachChainRow(db, batch: batch) { row in check(row, &verifier) }
        return verifier.finish()
    }

    /// Hands one chain row to `verifier`; false once the first broken link is known.
    static func check(_ row: ChainRow, _ verifier: inout ChainVerifier) -> Bool {
        let fields = { (encoder: inout DecisionLogChain.Encoder) in
            encoder.integer(row.0)
            encoder.integer(row.1)
            encoder.text(row.2)
            encoder.text(row.3)
            encoder.text(row.4)
            encoder.text(row.5)
            encoder.text(row.6)
            encoder.text(row.7)
            encoder.text(row.8)
            encoder.text(row.9)
            encoder.integer(row.10)
            encoder.text(row.11)
            encoder.real(row.12)
            encoder.text(row.13)
        }
        guard var stored = row.14 else {
            return verifier.check(id: row.0, idIsNumber: true, idText: String(row.0), storedHash: nil, appendFields: fields)
        }
        return stored.withUTF8 { verifier.check(id: row.0, idIsNumber: true, idText: String(row.0), storedHash: $0, appendFields: fields) }
    }

    /// The decision log's head: its newest event and that event's hash (nil: no decisions yet).
    public func decisionLogHead() throws(StoreError) -> DecisionLogHead? {
        try read { db in try Self.decisionLogHead(db) }
    }

    static func decisionLogHead(_ db: PostgresTransaction) throws -> DecisionLogHead? {
        guard let (id, hash) = try db.row("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1", as: (Int64, String?).self) else { return nil }
        return DecisionLogHead(eventID: id, hash: hash ?? "", events: Int(try db.row("SELECT COUNT(*) FROM events", as: Int64.self) ?? 0))
    }

    /// Visits the decision log's events in id order, keeping those on `image` (a path
    /// relative to images/), by `reviewer`, and made at or after `since`, in one snapshot,
    /// a batch at a time. Returns how many were visited.
    @discardableResult
    public func logEntries(image: String?, reviewer: String?, since: Date?, _ visit: (DecisionLogEntry) throws -> Void) throws(StoreError) -> Int {
        try read { db in
            var conditions: [String] = []
            var binds = PostgresBindings()
            if let image {
                guard let id = try db.row("SELECT id FROM items WHERE path = \(image)", as: Int64.self) else { throw StoreError.unknownImage(image) }
                binds.append(id)
                conditions.append("e.item_id = $\(binds.count)")
            }
            if let reviewer {
                binds.append(reviewer)
                conditions.append("e.reviewer = $\(binds.count)")
            }
            if let since {
                // Stored times are ISO 8601 UTC text, which sorts in time order.
                binds.append(Timestamp.string(from: since))
                conditions.append("e.created_at >= $\(binds.count)")
            }
            var count = 0
            try Self.forEachChainRow(db, filter: conditions.joined(separator: " AND "), binds: binds) { row in
                try visit(Self.logEntry(row))
                count += 1
                return true
            }
            return count
        }
    }

    /// A chain row as the log shows it, read leniently as the SQLite store does: an action or
    /// time the typed event cannot say is kept as its stored text.
    static func logEntry(_ row: ChainRow) -> DecisionLogEntry {
        let canonicalTime = Timestamp.storedDate(from: row.11)
        let event = DecisionEvent(
            id: row.0, itemID: row.1, reviewer: row.3, action: ProjectStore.typedAction(row.4),
            oldLabels: row.5.map(LabelSet.init(storageText:)), newLabels: row.6.map(LabelSet.init(storageText:)),
            queue: row.7, reason: row.8, note: row.9, undoes: row.10,
            createdAt: canonicalTime ?? ProjectStore.typedDate(row.11))
        return DecisionLogEntry(
            event: event, imagePath: row.2 ?? "", score: row.12, flags: row.13.map(ProjectStore.flagNames) ?? [], hash: row.14,
            unknownAction: DecisionAction(rawValue: row.4) == nil ? row.4 : nil,
            irregularCreatedAt: canonicalTime == nil ? row.11 : nil)
    }
}
