import Foundation
import PostgresNIO
import WinnowCore
import WinnowStore

extension PostgresProjectStore {
    /// Items are read this many at a time (by row), inside one snapshot.
    static let itemBatch: Int64 = 5_000

    /// The newest decision in the log (nil before the first).
    public func lastEventID() throws(StoreError) -> Int64? {
        try read { db in try db.row("SELECT MAX(id) FROM events", as: Int64?.self) ?? nil }
    }

    /// The items decided after `eventID` (all decided items when nil), with their current
    /// state, read in one snapshot with the newest event id it includes.
    public func itemsChanged(after eventID: Int64?) throws(StoreError) -> (lastEventID: Int64?, items: [ItemState]) {
        try read { db in
            let ids = try db.rows("SELECT DISTINCT item_id FROM events WHERE id > \(eventID ?? 0)", as: Int64.self)
            return (try db.row("SELECT MAX(id) FROM events", as: Int64?.self) ?? nil, try Self.itemStates(db, ids: ids))
        }
    }

    /// The items `reviewer` has ever decided on (by id).
    public func itemsReviewed(by reviewer: String) throws(StoreError) -> [Int64] {
        try read { db in try db.rows("SELECT DISTINCT item_id FROM events WHERE reviewer = \(reviewer)", as: Int64.self) }
    }

    /// The current state of the given items (by id; unknown ids are left out), in the order given.
    public func itemStates(ids: [Int64]) throws(StoreError) -> [ItemState] {
        try read { db in try Self.itemStates(db, ids: ids) }
    }

    static func itemStates(_ db: PostgresTransaction, ids: [Int64]) throws -> [ItemState] {
        var rows: [Int64: (Int64?, String, String?, String?)] = [:]
        for (id, row, path, given, problem) in try db.rows(#"SELECT id, "row", path, given_labels, problem FROM items WHERE id = ANY(\#(ids))"#,
                                                           as: (Int64, Int64?, String, String?, String?).self) {
            rows[id] = (row, path, given, problem)
        }
        var events: [Int64: [DecisionEvent]] = [:]
        for row in try db.rows(PostgresQuery(unsafeSQL: "SELECT \(eventColumns) FROM events WHERE item_id = ANY($1) ORDER BY id", binds: {
            var binds = PostgresBindings(); binds.append(ids); return binds }()), as: EventRow.self) {
            events[row.1, default: []].append(event(from: row))
        }
        return ids.compactMap { id in
            guard let (row, path, givenText, problem) = rows[id] else { return nil }
            let given = givenText.map(LabelSet.init(storageText:))
            let history = events[id] ?? []
            return ItemState(id: id, row: row.map(Int.init), path: path, given: given,
                             resolution: ItemHistory.resolve(given: given, events: history), problem: problem, events: history)
        }
    }

    /// Visits every item in the dataset (in items order) with its current state, all read in
    /// one REPEATABLE READ snapshot (with the log's head of exactly that snapshot), a batch
    /// of items at a time: reviewers may keep deciding meanwhile without tearing the export.
    public func exportItems(_ visit: (ExportHead, ExportRecord) throws -> Void) throws -> ExportHead {
        try exportItems(itemBatch: Self.itemBatch, logBatch: Self.logBatch, visit)
    }

    func exportItems(itemBatch: Int64, logBatch: Int64, _ visit: (ExportHead, ExportRecord) throws -> Void) throws -> ExportHead {
        try connections.transactionPassingErrors(.snapshot) { db in
            guard try db.row("SELECT COUNT(*) FROM imports", as: Int64.self) ?? 0 > 0 else { throw StoreError.notImported }
            let logHead = try Self.decisionLogHead(db)
            let head = ExportHead(
                datasetRoot: try db.row("SELECT value FROM project WHERE key = 'dataset_root'", as: String.self) ?? "",
                multiLabel: try db.row("SELECT value FROM project WHERE key = 'multi_label'", as: String.self) == "true",
                classes: try db.rows("SELECT name FROM classes WHERE position IS NOT NULL ORDER BY position", as: String.self),
                items: Int(try db.row(#"SELECT COUNT(*) FROM items WHERE "row" IS NOT NULL"#, as: Int64.self) ?? 0),
                lastEventID: logHead?.eventID, decisions: logHead?.events ?? 0, decisionLog: logHead)
            var events: [Int64: [DecisionEvent]] = [:]
            var afterEvent = Int64.min
            while true {
                let batch = try db.rows(PostgresQuery(unsafeSQL: "SELECT \(Self.eventColumns) FROM events WHERE id > $1 ORDER BY id LIMIT \(logBatch)", binds: Self.binds(afterEvent)),
                                        as: EventRow.self)
                for row in batch { events[row.1, default: []].append(Self.event(from: row)) }
                guard let last = batch.last, batch.count == Int(logBatch) else { break }
                afterEvent = last.0
            }
            var index = 0
            var afterRow = Int64.min
            while true {
                let batch = try db.rows(PostgresQuery(unsafeSQL: #"SELECT id, "row", path, metadata, given_labels, problem FROM items WHERE "row" > $1 ORDER BY "row" LIMIT \#(itemBatch)"#,
                                                      binds: Self.binds(afterRow)), as: (Int64, Int64, String, String, String?, String?).self)
                for (id, _, path, metadata, givenText, problem) in batch {
                    let given = givenText.map(LabelSet.init(storageText:))
                    let history = events[id] ?? []
                    try visit(head, ExportRecord(index: index, itemID: id, path: path, metadataJSON: metadata, given: given,
                                                 resolution: ItemHistory.resolve(given: given, events: history), events: history, problem: problem))
                    index += 1
                }
                guard let last = batch.last, batch.count == Int(itemBatch) else { break }
                afterRow = last.1
            }
            return head
        }
    }
}
