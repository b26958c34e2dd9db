import Foundation
import GRDB
import WinnowCore

/// One item as an export sees it.
public struct ExportRecord: Sendable {
    public var path: String
    public var metadataJSON: String
    public var given: LabelSet?
    public var resolution: ItemResolution
}

/// What an export was read from: enough for a manifest to say exactly which labels it holds.
public struct ExportHead: Sendable, Codable {
    public var datasetRoot: String
    public var multiLabel: Bool
    public var classes: [String]
    /// The newest decision the export includes (nil: none yet).
    public var lastEventID: Int64?
    public var decisions: Int
}

extension ProjectStore {
    /// Visits every item in the dataset (in items order) with its current state, all read
    /// in one snapshot: reviewers may keep deciding meanwhile without tearing the export.
    public func exportItems(_ visit: (ExportHead, ExportRecord) throws -> Void) throws -> ExportHead {
        try read { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM imports") ?? 0 > 0 else { throw StoreError.notImported }
            let head = ExportHead(
                datasetRoot: try String.fetchOne(db, sql: "SELECT value FROM project WHERE key = 'dataset_root'") ?? "",
                multiLabel: try String.fetchOne(db, sql: "SELECT value FROM project WHERE key = 'multi_label'") == "true",
                classes: try String.fetchAll(db, sql: "SELECT name FROM classes WHERE position IS NOT NULL ORDER BY position"),
                lastEventID: try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM events"),
                decisions: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0)
            let events = try Self.eventsByItem(db)
            let rows = try Row.fetchCursor(db, sql: "SELECT id, path, metadata, given_labels FROM items WHERE row IS NOT NULL ORDER BY row")
            while let row = try rows.next() {
                let given = (row["given_labels"] as String?).map(LabelSet.init(storageText:))
                let resolution = ItemHistory.resolve(given: given, events: events[row["id"]] ?? [])
                try visit(head, ExportRecord(path: row["path"], metadataJSON: row["metadata"], given: given, resolution: resolution))
            }
            return head
        }
    }
}
