import GRDB
import WinnowCore

extension ProjectStore {
    /// Every reviewer's rating of every item of the dataset, for the agreement figures:
    /// the same rule as `ItemHistory.ratings` (a reviewer's latest decision still in effect
    /// that judges the label), read without building each item's history. Two streaming
    /// passes over the log: the ids undo events took back, then the decisions in id order,
    /// the later decision of a reviewer on an item replacing the earlier. An undo always
    /// names an earlier event, so knowing the undone ids up front is all replay needs.
    /// Items whose image left the dataset are left out, as everywhere in the figures.
    public func ratings() throws(StoreError) -> [Rating] {
        try read { db in
            var undone = Set<Int64>()
            let undos = try Int64.fetchCursor(db, sql: "SELECT undoes FROM events WHERE action = 'undo' AND undoes IS NOT NULL")
            while let id = try undos.next() { undone.insert(id) }
            var removed = Set<Int64>()
            let gone = try Int64.fetchCursor(db, sql: "SELECT id FROM items WHERE row IS NULL")
            while let id = try gone.next() { removed.insert(id) }

            var replay = RatingsReplay(undone: undone, removedItems: removed)
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT id, item_id, reviewer, action, new_labels FROM events
                    WHERE action IN ('accept', 'relabel', 'exclude') ORDER BY id
                    """)
            while let row = try rows.next() {
                replay.event(id: row[0], item: row[1], reviewer: row[2], action: row[3], newLabels: row[4])
            }
            return replay.ratings
        }
    }
}
