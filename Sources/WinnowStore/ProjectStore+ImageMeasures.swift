import Foundation
import GRDB
import WinnowCore

/// One item's cached measure: what its file gave, at a given size and time.
public struct ImageMeasureRecord: Sendable, Equatable {
    public var itemID: Int64
    public var kind: ImageMeasureKind
    public var size: Int64
    public var modificationTime: Double
    /// The measure's bytes; nil when the image gave none (cached too, so that a broken file
    /// is not read again on every run).
    public var value: Data?

    public init(itemID: Int64, kind: ImageMeasureKind, size: Int64, modificationTime: Double, value: Data?) {
        self.itemID = itemID
        self.kind = kind
        self.size = size
        self.modificationTime = modificationTime
        self.value = value
    }
}

extension ProjectStore {
    /// The cached values of `kind` still valid for the dataset as last imported, by item id
    /// (`.some(nil)`: measured, and the image gave no value): computed by this version of the
    /// measure, from a file whose size and time match what the import recorded for the item.
    /// Anything else is stale and left out (it is replaced when saved again).
    public func freshImageMeasures(_ kind: ImageMeasureKind) throws(StoreError) -> [Int64: Data?] {
        try read { db in
            var result: [Int64: Data?] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT m.item_id, m.value FROM image_measures m JOIN items i ON i.id = m.item_id
                    WHERE m.measure = ? AND m.version = ? AND m.file_size = i.file_size AND m.file_mtime = i.file_mtime AND i.row IS NOT NULL
                    """, arguments: [kind.name, kind.version])
            while let row = try rows.next() {
                let value: Data? = row[1]
                result[row[0] as Int64] = .some(value)
            }
            return result
        }
    }

    /// Every item of the dataset in items order, with its fresh value of `kind`: `measured`
    /// is false when the last analysis did not measure the file as it is now.
    public func imageMeasuresInItemsOrder(_ kind: ImageMeasureKind) throws(StoreError) -> [(path: String, measured: Bool, value: Data?)] {
        try read { db in
            var result: [(path: String, measured: Bool, value: Data?)] = []
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT i.path, m.item_id, m.value FROM items i LEFT JOIN image_measures m
                        ON m.item_id = i.id AND m.measure = ? AND m.version = ? AND m.file_size = i.file_size AND m.file_mtime = i.file_mtime
                    WHERE i.row IS NOT NULL ORDER BY i.row
                    """, arguments: [kind.name, kind.version])
            while let row = try rows.next() { result.append((row[0], (row[1] as Int64?) != nil, row[2])) }
            return result
        }
    }

    /// Stores freshly computed measures in one transaction, replacing older values of the
    /// same measure for the same items.
    public func saveImageMeasures(_ records: [ImageMeasureRecord]) throws(StoreError) {
        guard !records.isEmpty else { return }
        try write { db in
            let statement = try db.makeStatement(
                sql: """
                    INSERT OR REPLACE INTO image_measures(item_id, measure, version, file_size, file_mtime, value) VALUES (?, ?, ?, ?, ?, ?)
                    """)
            for record in records {
                try statement.execute(arguments: [
                    record.itemID, record.kind.name, record.kind.version, record.size,
                    record.modificationTime, record.value
                ])
            }
        }
    }

    /// An item's problem as SQL over `items`: the one the import found (missing, empty, not
    /// an image), else why its file does not decode, as the last analysis found it for the
    /// file's current size and time (`ImageMeasureKind.decode`).
    static let itemProblemSQL = """
        COALESCE(items.problem, (SELECT CAST(m.value AS TEXT) FROM image_measures m
            WHERE m.item_id = items.id AND m.measure = '\(ImageMeasureKind.decode.name)' AND m.value IS NOT NULL
              AND m.version = \(ImageMeasureKind.decode.version) AND m.file_size = items.file_size AND m.file_mtime = items.file_mtime))
        """

    /// Items whose image does not decode (by item id), with the decoder's reason; the
    /// problems the import found are not included.
    public func decodeFailures() throws(StoreError) -> [Int64: String] {
        try read { db in
            var result: [Int64: String] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT m.item_id, CAST(m.value AS TEXT) FROM image_measures m JOIN items i ON i.id = m.item_id
                    WHERE m.measure = ? AND m.value IS NOT NULL AND m.version = ? AND m.file_size = i.file_size AND m.file_mtime = i.file_mtime
                    """, arguments: [ImageMeasureKind.decode.name, ImageMeasureKind.decode.version])
            while let row = try rows.next() { result[row[0]] = row[1] }
            return result
        }
    }
}
