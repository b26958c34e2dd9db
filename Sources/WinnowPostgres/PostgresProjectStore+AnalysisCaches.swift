import Foundation
import NIOCore
import PostgresNIO
import WinnowCore
import WinnowStore

/// What analyses cache per item, as in the SQLite store: content hashes, image features,
/// image measures and decode failures, each kept with the file's size and time and read back
/// only while they still match what the last import recorded for the item.
extension PostgresProjectStore {
    public func contentHashes() throws(StoreError) -> [Int64: (size: Int64, modificationTime: Double, hash: UInt64)] {
        try read { db in
            var result: [Int64: (size: Int64, modificationTime: Double, hash: UInt64)] = [:]
            for (id, size, time, hash) in try db.rows(
                "SELECT item_id, file_size, file_mtime, hash FROM content_hashes",
                as: (Int64, Int64, Double, String).self)
            {
                if let hash = UInt64(hash, radix: 16) { result[id] = (size, time, hash) }
            }
            return result
        }
    }

    /// Stores newly computed content hashes (replacing older ones for the same items).
    public func saveContentHashes(_ hashes: [(itemID: Int64, size: Int64, modificationTime: Double, hash: UInt64)]) throws(StoreError) {
        guard !hashes.isEmpty else { return }
        try write { db in
            try Self.insertInBatches(
                db, Self.lastOfEach(hashes) { $0.itemID }, columns: 4,
                sql: "INSERT INTO content_hashes(item_id, file_size, file_mtime, hash) VALUES ",
                suffix: " ON CONFLICT (item_id) DO UPDATE SET file_size = excluded.file_size, file_mtime = excluded.file_mtime, hash = excluded.hash",
                bind: { h, binds in
                    binds.append(h.itemID)
                    binds.append(h.size)
                    binds.append(h.modificationTime)
                    binds.append(String(h.hash, radix: 16))
                }, progress: { _ in })
        }
    }

    /// The cached image features of features `version` with `dimension` floats, from files
    /// whose size and time match the last import; damaged vectors are left out (recomputed).
    public func freshImageFeatures(version: Int, dimension: Int) throws(StoreError) -> [Int64: ImageFeatureRecord] {
        try read { db in
            var result: [Int64: ImageFeatureRecord] = [:]
            for (id, size, time, blob, descriptor) in try db.rows(
                """
                SELECT f.item_id, f.file_size, f.file_mtime, f.vector, f.descriptor FROM image_features f JOIN items i ON i.id = f.item_id
                WHERE f.version = \(Int64(version)) AND f.dimension = \(Int64(dimension)) AND f.file_size = i.file_size AND f.file_mtime = i.file_mtime
                """, as: (Int64, Int64, Double, Data?, Data?).self)
            {
                var vector: [Float]?
                if let blob {
                    guard let decoded = ProjectStore.floats(fromLittleEndian: blob), decoded.count == dimension else { continue }
                    vector = decoded
                }
                result[id] = ImageFeatureRecord(
                    itemID: id, size: size, modificationTime: time, vector: vector, descriptor: descriptor.map { [UInt8]($0) })
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
            try Self.insertInBatches(
                db, Self.lastOfEach(records) { $0.itemID }, columns: 7,
                sql: "INSERT INTO image_features(item_id, file_size, file_mtime, version, dimension, vector, descriptor) VALUES ",
                suffix: """
                     ON CONFLICT (item_id) DO UPDATE SET file_size = excluded.file_size, file_mtime = excluded.file_mtime,
                    version = excluded.version, dimension = excluded.dimension, vector = excluded.vector, descriptor = excluded.descriptor
                    """,
                bind: { record, binds in
                    binds.append(record.itemID)
                    binds.append(record.size)
                    binds.append(record.modificationTime)
                    binds.append(Int64(version))
                    binds.append(Int64(dimension))
                    binds.append(record.vector.map { ByteBuffer(bytes: ProjectStore.littleEndianBytes(of: $0)) })
                    binds.append(record.descriptor.map { ByteBuffer(bytes: $0) })
                }, progress: { _ in })
        }
    }

    /// The fresh values of `kind` by item id (`.some(nil)`: measured, and the image gave none).
    public func freshImageMeasures(_ kind: ImageMeasureKind) throws(StoreError) -> [Int64: Data?] {
        try read { db in
            var result: [Int64: Data?] = [:]
            for (id, value) in try db.rows(
                #"""
                SELECT m.item_id, m.value FROM image_measures m JOIN items i ON i.id = m.item_id
                WHERE m.measure = \#(kind.name) AND m.version = \#(Int64(kind.version)) AND m.file_size = i.file_size
                  AND m.file_mtime = i.file_mtime AND i."row" IS NOT NULL
                """#, as: (Int64, Data?).self)
            {
                result[id] = .some(value)
            }
            return result
        }
    }

    /// Every item of the dataset in items order with its fresh value of `kind` (`measured`
    /// false when the last analysis did not measure the file as it is now).
    public func imageMeasuresInItemsOrder(_ kind: ImageMeasureKind) throws(StoreError) -> [(path: String, measured: Bool, value: Data?)] {
        try read { db in
            try db.rows(
                #"""
                SELECT i.path, m.item_id, m.value FROM items i LEFT JOIN image_measures m
                    ON m.item_id = i.id AND m.measure = \#(kind.name) AND m.version = \#(Int64(kind.version))
                   AND m.file_size = i.file_size AND m.file_mtime = i.file_mtime
                WHERE i."row" IS NOT NULL ORDER BY i."row"
                """#, as: (String, Int64?, Data?).self
            ).map { (path: $0.0, measured: $0.1 != nil, value: $0.2) }
        }
    }

    /// Stores freshly computed measures in one transaction, replacing older values of the
    /// same measure for the same items.
    public func saveImageMeasures(_ records: [ImageMeasureRecord]) throws(StoreError) {
        guard !records.isEmpty else { return }
        let unique = Self.lastOfEach(records) { "\($0.itemID) \($0.kind.name)" }
        try write { db in
            try Self.insertInBatches(
                db, unique, columns: 6,
                sql: "INSERT INTO image_measures(item_id, measure, version, file_size, file_mtime, value) VALUES ",
                suffix: """
                     ON CONFLICT (item_id, measure) DO UPDATE SET version = excluded.version, file_size = excluded.file_size,
                    file_mtime = excluded.file_mtime, value = excluded.value
                    """,
                bind: { record, binds in
                    binds.append(record.itemID)
                    binds.append(record.kind.name)
                    binds.append(Int64(record.kind.version))
                    binds.append(record.size)
                    binds.append(record.modificationTime)
                    binds.append(record.value.map { ByteBuffer(bytes: $0) })
                }, progress: { _ in })
        }
    }

    /// Items whose image does not decode (by item id), with the decoder's reason.
    public func decodeFailures() throws(StoreError) -> [Int64: String] {
        try read { db in
            var result: [Int64: String] = [:]
            for (id, value) in try db.rows(
                #"""
                SELECT m.item_id, m.value FROM image_measures m JOIN items i ON i.id = m.item_id
                WHERE m.measure = \#(ImageMeasureKind.decode.name) AND m.value IS NOT NULL
                  AND m.version = \#(Int64(ImageMeasureKind.decode.version)) AND m.file_size = i.file_size AND m.file_mtime = i.file_mtime
                """#, as: (Int64, Data).self)
            {
                result[id] = String(decoding: value, as: UTF8.self)
            }
            return result
        }
    }

    /// The last of `records` with each key, in their order: a statement's ON CONFLICT cannot
    /// touch one row twice, and SQLite's INSERT OR REPLACE keeps the last one too.
    static func lastOfEach<Record, Key: Hashable>(_ records: [Record], key: (Record) -> Key) -> [Record] {
        var latest: [Key: Int] = [:]
        for (i, record) in records.enumerated() { latest[key(record)] = i }
        guard latest.count < records.count else { return records }
        return latest.values.sorted().map { records[$0] }
    }
}
