import Foundation
import PostgresNIO
import WinnowCore
import WinnowStore

/// What the review screen and `winnow stats` read beyond deciding: figures, ratings, the
/// reviewer's latest decision still in effect, broken images found while reviewing.
extension PostgresProjectStore {
    /// Items are read this many at a time, with their events, for the figures.
    static let figuresBatch: Int64 = 5_000

    /// Records that an image cannot be decoded (found while reviewing), as the SQLite store does.
    public func markProblem(imagePath: String, problem: String) throws(StoreError) {
        try write { db in
            _ = try db.query(#"UPDATE items SET problem = \#(problem) WHERE path = \#(imagePath) AND problem IS NULL"#)
        }
    }

    /// `reviewer`'s newest decision that an undo of its image would take back now, with the
    /// image's row and path; nil when there is none among their `searched` newest.
    public func latestDecisionInEffect(by reviewer: String, searched: Int = 500) throws(StoreError) -> (event: DecisionEvent, row: Int, path: String)?
    {
        try read { db in
            let candidates = try db.rows(
                #"""
                SELECT e.id, e.item_id, i."row", i.path FROM events e JOIN items i ON i.id = e.item_id
                WHERE e.reviewer = \#(reviewer) AND e.action <> 'undo' AND i."row" IS NOT NULL ORDER BY e.id DESC LIMIT \#(Int64(max(0, searched)))
                """#, as: (Int64, Int64, Int64, String).self)
            var checked = Set<Int64>()
            for (id, itemID, row, path) in candidates {
                // Only the newest of the reviewer's decisions on an image can be its undo target.
                guard checked.insert(itemID).inserted else { continue }
                guard let target = ItemHistory.undoTarget(try Self.events(db, itemID: itemID)), target.id == id else { continue }
                return (target, Int(row), path)
            }
            return nil
        }
    }

    /// Every reviewer's rating of every item of the dataset (the SQLite store's rule, `RatingsReplay`).
    public func ratings() throws(StoreError) -> [Rating] {
        try read { db in
            let undone = Set(try db.rows("SELECT undoes FROM events WHERE action = 'undo' AND undoes IS NOT NULL", as: Int64.self))
            let removed = Set(try db.rows(#"SELECT id FROM items WHERE "row" IS NULL"#, as: Int64.self))
            var replay = RatingsReplay(undone: undone, removedItems: removed)
            var after = Int64.min
            while true {
                let rows = try db.rows(
                    """
                    SELECT id, item_id, reviewer, action, new_labels FROM events
                    WHERE action IN ('accept', 'relabel', 'exclude') AND id > \(after) ORDER BY id LIMIT \(Self.logBatch)
                    """, as: (Int64, Int64, String, String, String?).self)
                for row in rows { replay.event(id: row.0, item: row.1, reviewer: row.2, action: row.3, newLabels: row.4) }
                guard let last = rows.last, rows.count == Int(Self.logBatch) else { break }
                after = last.0
            }
            return replay.ratings
        }
    }

    /// The figures of the review screen's stats view (the SQLite store's, `ReviewFiguresTally`),
    /// read in one snapshot a batch of items (with their events) at a time.
    public func reviewFigures() throws(StoreError) -> ReviewFigures {
        try reviewFigures(batch: Self.figuresBatch)
    }

    func reviewFigures(batch: Int64) throws(StoreError) -> ReviewFigures {
        try read { db in
            var tally = ReviewFiguresTally()
            for (reviewer, action, n) in try db.rows(
                "SELECT reviewer, action, COUNT(*) FROM events GROUP BY reviewer, action",
                as: (String, String, Int64).self)
            {
                tally.count(reviewer: reviewer, action: action, Int(n))
            }
            var after = Int64.min
            while true {
                let items = try db.rows(
                    #"SELECT id, given_labels FROM items WHERE "row" IS NOT NULL AND id > \#(after) ORDER BY id LIMIT \#(batch)"#,
                    as: (Int64, String?).self)
                guard let first = items.first, let last = items.last else { break }
                let events = try db.rows(
                    PostgresQuery(
                        unsafeSQL: """
                            SELECT \(Self.eventColumns), flags FROM events WHERE item_id BETWEEN $1 AND $2 ORDER BY item_id, id
                            """, binds: Self.binds(first.0, last.0)), as: FlaggedEventRow.self)
                var next = 0
                for (id, given) in items {
                    var history: [DecisionEvent] = [], flags: [String?] = []
                    // Events of items that left the dataset (ids between the current ones) are passed over.
                    while next < events.count, events[next].1 <= id {
                        let row = events[next]
                        if row.1 == id {
                            history.append(Self.event(from: (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10)))
                            flags.append(row.11)
                        }
                        next += 1
                    }
                    tally.item(given: given, history: history, storedFlags: flags)
                }
                guard items.count == Int(batch) else { break }
                after = last.0
            }
            return tally.figures
        }
    }

    typealias FlaggedEventRow = (Int64, Int64, String, String, String?, String?, String?, String?, String?, Int64?, String, String?)
}
