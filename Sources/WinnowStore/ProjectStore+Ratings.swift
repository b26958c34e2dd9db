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

            struct Key: Hashable { var item: Int64; var reviewer: Int32 }
            var reviewers: [String] = [], reviewerCodes: [String: Int32] = [:]
            var latest: [Key: String] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, item_id, reviewer, action, new_labels FROM events
                WHERE action IN ('accept', 'relabel', 'exclude') ORDER BY id
                """)
            while let row = try rows.next() {
                let id: Int64 = row[0], item: Int64 = row[1]
                guard !undone.contains(id), !removed.contains(item),
                      let action = DecisionAction(rawValue: row[3]),
                      let category = Rating.category(of: action, storedLabels: row[4])
                else { continue }
                let name: String = row[2]
                let code = reviewerCodes[name] ?? {
                    reviewers.append(name)
                    reviewerCodes[name] = Int32(reviewers.count - 1)
                    return Int32(reviewers.count - 1)
                }()
                latest[Key(item: item, reviewer: code)] = category
            }
            return latest.map { Rating(item: $0.key.item, rater: reviewers[Int($0.key.reviewer)], category: $0.value) }
                .sorted { $0.item != $1.item ? $0.item < $1.item : $0.rater < $1.rater }
        }
    }
}
