import Foundation
import PostgresNIO
import WinnowCore
import WinnowStore

/// The annotators' labels as imported. Annotators are ordered by their bytes (`COLLATE "C"`),
/// as SQLite orders them, whatever the database's locale.
extension PostgresProjectStore {
    public func annotatorCount() throws(StoreError) -> Int {
        try read { db in Int(try db.row("SELECT COUNT(DISTINCT annotator) FROM annotations", as: Int64.self) ?? 0) }
    }

    /// Every annotation of the dataset's items, by item and annotator, for CROWDLAB.
    public func allAnnotations() throws(StoreError) -> [(itemID: Int64, annotator: String, labels: LabelSet)] {
        try read { db in
            try db.rows(
                #"SELECT item_id, annotator, labels FROM annotations ORDER BY item_id, annotator COLLATE "C""#,
                as: (Int64, String, String).self
            ).map { (itemID: $0.0, annotator: $0.1, labels: LabelSet(storageText: $0.2)) }
        }
    }

    /// Each annotator's labels for the given items (by item id), annotators in name order.
    public func annotations(ofItems ids: [Int64]) throws(StoreError) -> [Int64: [(annotator: String, labels: LabelSet)]] {
        guard !ids.isEmpty else { return [:] }
        return try read { db in
            var result: [Int64: [(annotator: String, labels: LabelSet)]] = [:]
            var binds = PostgresBindings()
            binds.append(ids)
            for (item, annotator, labels) in try db.rows(
                PostgresQuery(
                    unsafeSQL: #"SELECT item_id, annotator, labels FROM annotations WHERE item_id = ANY($1) ORDER BY annotator COLLATE "C""#,
                    binds: binds),
                as: (Int64, String, String).self)
            {
                result[item, default: []].append((annotator, LabelSet(storageText: labels)))
            }
            return result
        }
    }
}

extension PostgresProjectStore {
    /// What the project gives the analysis to judge labels with, read in one snapshot.
    public func evidence() throws(StoreError) -> ProjectStore.Evidence {
        try read { db in
            ProjectStore.Evidence(
                labelledItems: Int(
                    try db.row(
                        #"SELECT COUNT(*) FROM items WHERE "row" IS NOT NULL AND given_labels IS NOT NULL AND given_labels <> ''"#, as: Int64.self)
                        ?? 0),
                models: Int(try db.row("SELECT COUNT(*) FROM models", as: Int64.self) ?? 0),
                hasEmbeddings: (try db.row("SELECT COUNT(*) FROM embeddings", as: Int64.self) ?? 0) > 0,
                classesFromFile: try Self.setting(.classesFromFile, db) == "true",
                classes: Int(try db.row("SELECT COUNT(*) FROM classes WHERE position IS NOT NULL", as: Int64.self) ?? 0))
        }
    }
}
