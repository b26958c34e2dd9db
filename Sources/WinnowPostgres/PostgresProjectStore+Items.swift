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
        for (id, row, path, given, problem) in try db.rows(
            #"SELECT id, "row", path, given_labels, problem FROM items WHERE id = ANY(\#(ids))"#,
            as: (Int64, Int64?, String, String?, String?).self)
        {
            rows[id] = (row, path, given, problem)
        }
        var events: [Int64: [DecisionEvent]] = [:]
        for row in try db.rows(
            PostgresQuery(
                unsafeSQL: "SELECT \(eventColumns) FROM events WHERE item_id = ANY($1) ORDER BY id",
                binds: {
                    var binds = PostgresBindings(); binds.append(ids); return binds
                }()), as: EventRow.self)
        {
            events[row.1, default: []].append(event(from: row))
        }
        return ids.compactMap { id in
            guard let (row, path, givenText, problem) = rows[id] else { return nil }
            let given = givenText.map(LabelSet.init(storageText:))
            let history = events[id] ?? []
            return ItemState(
                id: id, row: row.map(Int.init), path: path, given: given,
                resolution: ItemHistory.resolve(given: given, events: history), problem: problem, events: history)
        }
    }

    /// Runs `body` on one consistent snapshot of the project (one REPEATABLE READ
    /// transaction), with the decision log's head read in that same snapshot: reviewers may
    /// keep deciding meanwhile, and every pass over the items sees the same project. Errors
    /// thrown by `body` pass through as they are.
    public func exportSnapshot<T>(_ body: (any ExportSnapshot) throws -> T) throws -> T {
        try exportSnapshot(itemBatch: Self.itemBatch, logBatch: Self.logBatch, body)
    }

    func exportSnapshot<T>(itemBatch: Int64, logBatch: Int64, _ body: (any ExportSnapshot) throws -> T) throws -> T {
        try connections.transactionPassingErrors(.snapshot) { db in
            guard try db.row("SELECT COUNT(*) FROM imports", as: Int64.self) ?? 0 > 0 else { throw StoreError.notImported }
            let logHead = try Self.decisionLogHead(db)
            let head = ExportHead(
                datasetRoot: try Self.setting(.datasetRoot, db) ?? "",
                multiLabel: try Self.setting(.multiLabel, db) == "true",
                classes: try db.rows("SELECT name FROM classes WHERE position IS NOT NULL ORDER BY position", as: String.self),
                items: Int(try db.row(#"SELECT COUNT(*) FROM items WHERE "row" IS NOT NULL"#, as: Int64.self) ?? 0),
                lastEventID: logHead?.eventID, decisions: logHead?.events ?? 0, decisionLog: logHead)
            var events: [Int64: [DecisionEvent]] = [:]
            var afterEvent = Int64.min
            while true {
                let batch = try db.rows(
                    PostgresQuery(
                        unsafeSQL: "SELECT \(Self.eventColumns) FROM events WHERE id > $1 ORDER BY id LIMIT \(logBatch)",
                        binds: Self.binds(afterEvent)),
                    as: EventRow.self)
                for row in batch { events[row.1, default: []].append(Self.event(from: row)) }
                guard let last = batch.last, batch.count == Int(logBatch) else { break }
                afterEvent = last.0
            }
            return try body(PostgresExportSnapshot(head: head, db: db, events: events, itemBatch: itemBatch))
        }
    }

    /// Visits every item in the dataset (in items order) with its current state, all read in
    /// one snapshot (`exportSnapshot`).
    public func exportItems(_ visit: (ExportHead, ExportRecord) throws -> Void) throws -> ExportHead {
        try exportItems(itemBatch: Self.itemBatch, logBatch: Self.logBatch, visit)
    }

    func exportItems(itemBatch: Int64, logBatch: Int64, _ visit: (ExportHead, ExportRecord) throws -> Void) throws -> ExportHead {
        try exportSnapshot(itemBatch: itemBatch, logBatch: logBatch) { snapshot in
            try snapshot.forEachItem { try visit(snapshot.head, $0) }
            return snapshot.head
        }
    }
}

/// `ExportSnapshot` in one REPEATABLE READ transaction: items are read a batch at a time,
/// every pass in the same snapshot.
struct PostgresExportSnapshot: ExportSnapshot {
    let head: ExportHead
    let db: PostgresTransaction
    let events: [Int64: [DecisionEvent]]
    let itemBatch: Int64

    func forEachItem(metadata: Bool, _ visit: (ExportRecord) throws -> Void) throws {
        var index = 0
        var afterRow = Int64.min
        while true {
            let sql =
                #"SELECT id, "row", path, \#(metadata ? "metadata" : "'{}'"), given_labels, problem FROM items WHERE "row" > $1 ORDER BY "row" LIMIT \#(itemBatch)"#
            let batch = try db.rows(
                PostgresQuery(unsafeSQL: sql, binds: PostgresProjectStore.binds(afterRow)),
                as: (Int64, Int64, String, String, String?, String?).self)
            for (id, _, path, metadataJSON, givenText, problem) in batch {
                let given = givenText.map(LabelSet.init(storageText:))
                let history = events[id] ?? []
                try visit(
                    ExportRecord(
                        index: index, itemID: id, path: path, metadataJSON: metadataJSON, given: given,
                        resolution: ItemHistory.resolve(given: given, events: history), events: history, problem: problem))
                index += 1
            }
            guard let last = batch.last, batch.count == Int(itemBatch) else { break }
            afterRow = last.1
        }
    }
}
