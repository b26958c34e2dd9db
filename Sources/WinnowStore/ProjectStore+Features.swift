import Foundation
import GRDB
import WinnowCore

/// One item's cached image features: what its file gave at a given size and time.
public struct ImageFeatureRecord: Sendable, Equatable {
    public var itemID: Int64
    public var size: Int64
    public var modificationTime: Double
    /// The feature vector; nil when the file gave none (it cannot be decoded, or is too small
    /// to describe), which is cached too so that a broken file is not decoded on every run.
    public var vector: [Float]?
    /// The picture's grey levels for confirming near-duplicates (`DuplicateDescriptor`), from
    /// the same decode; nil when the file gave none.
    public var descriptor: [UInt8]?

    public init(itemID: Int64, size: Int64, modificationTime: Double, vector: [Float]?, descriptor: [UInt8]? = nil) {
        self.itemID = itemID
        self.size = size
        self.modificationTime = modificationTime
        self.vector = vector
        self.descriptor = descriptor
    }
}

extension ProjectStore {
    /// The cached image features still valid for the dataset as last imported, by item id:
    /// those computed by features `version` with `dimension` floats, from a file whose size
    /// and time match what the import recorded for the item. Anything else is stale and
    /// left out (it is replaced when saved again).
    public func freshImageFeatures(version: Int, dimension: Int) throws(StoreError) -> [Int64: ImageFeatureRecord] {
        try read { db in
            var result: [Int64: ImageFeatureRecord] = [:]
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT f.item_id, f.file_size, f.file_mtime, f.vector, f.descriptor FROM image_features f JOIN items i ON i.id = f.item_id
                    WHERE f.version = ? AND f.dimension = ? AND f.file_size = i.file_size AND f.file_mtime = i.file_mtime
                    """, arguments: [version, dimension])
            while let row = try rows.next() {
                let blob: Data? = row["vector"]
                let vector: [Float]?
                if let blob {
                    guard let decoded = Self.floats(fromLittleEndian: blob), decoded.count == dimension else { continue } // damaged: recompute
                    vector = decoded
                } else {
                    vector = nil
                }
                let id: Int64 = row["item_id"]
                let descriptor: Data? = row["descriptor"]
                result[id] = ImageFeatureRecord(
                    itemID: id, size: row["file_size"], modificationTime: row["file_mtime"], vector: vector,
                    descriptor: descriptor.map { [UInt8]($0) })
            }
            return result
        }
    }

    /// Stores freshly computed image features in one transaction, replacing older ones for
    /// the same items. Every vector must have `dimension` floats.
    public func saveImageFeatures(_ records: [ImageFeatureRecord], version: Int, dimension: Int) throws(StoreError) {
        guard !records.isEmpty else { return }
        precondition(records.allSatisfy { $0.vector == nil || $0.vector!.count == dimension }, "image feature vectors of the wrong dimension")
        try write { db in
            let statement = try db.makeStatement(
                sql: """
                    INSERT OR REPLACE INTO image_features(item_id, file_size, file_mtime, version, dimension, vector, descriptor) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            for record in records {
                try statement.execute(arguments: [
                    record.itemID, record.size, record.modificationTime, version, dimension,
                    record.vector.map(Self.littleEndianBytes(of:)), record.descriptor.map { Data($0) }
                ])
            }
        }
    }

    /// `values` as consecutive little-endian float32s.
    package static func littleEndianBytes(of values: [Float]) -> Data {
        var data = Data(count: values.count * 4)
        data.withUnsafeMutableBytes { raw in
            for (i, value) in values.enumerated() { raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self) }
        }
        return data
    }

    /// The floats of a little-endian float32 blob; nil when its length is not a multiple of 4.
    package static func floats(fromLittleEndian data: Data) -> [Float]? {
        guard data.count % 4 == 0 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}
