import GRDB
import WinnowCore

extension ProjectStore {
    /// How many distinct annotators the dataset's labels.csv names ("" when it has no
    /// annotator column counts as one).
    public func annotatorCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT annotator) FROM annotations") ?? 0 }
    }

    /// Every annotation of the dataset's items, by item and annotator, for CROWDLAB.
    public func allAnnotations() throws(StoreError) -> [(itemID: Int64, annotator: String, labels: LabelSet)] {
        try read { db in
            var result: [(itemID: Int64, annotator: String, labels: LabelSet)] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT item_id, annotator, labels FROM annotations ORDER BY item_id, annotator")
            while let row = try rows.next() { result.append((row[0], row[1], LabelSet(storageText: row[2]))) }
            return result
        }
    }
}
