import Foundation
import GRDB
import Testing
import WinnowCore
import WinnowTestSupport
@testable import WinnowStore

@Suite("Store: cached image features")
struct ImageFeatureStoreTests {
    /// Item ids by image path, as the last import left them.
    func ids(_ store: ProjectStore) throws -> [String: AnalysisContext.Item] {
        Dictionary(uniqueKeysWithValues: try store.analysisContext().items.map { ($0.path, $0) })
    }

    func record(_ item: AnalysisContext.Item, _ vector: [Float]?) -> ImageFeatureRecord {
        ImageFeatureRecord(itemID: item.id, size: item.fileSize!, modificationTime: item.modificationTime!, vector: vector)
    }

    @Test("features round-trip bit for bit, a file without features is remembered, other versions are not read")
    func roundTrip() throws {
        let dataset = TemporaryDataset.simple(count: 4)
        let (store, _) = try importDataset(dataset)
        let items = try ids(store)
        let a: [Float] = [1.5, -0.25, .pi, -0.0, .leastNonzeroMagnitude, -.greatestFiniteMagnitude]
        let b: [Float] = [0, 0, 0, 0, 0, 1]
        try store.saveImageFeatures(
            [record(items["img0.png"]!, a), record(items["img1.png"]!, b), record(items["img2.png"]!, nil)], version: 3, dimension: 6)

        let fresh = try store.freshImageFeatures(version: 3, dimension: 6)
        #expect(fresh.count == 3)
        #expect(fresh[items["img0.png"]!.id]?.vector?.map(\.bitPattern) == a.map(\.bitPattern))
        #expect(fresh[items["img1.png"]!.id]?.vector == b)
        #expect(fresh[items["img2.png"]!.id] != nil && fresh[items["img2.png"]!.id]?.vector == nil)
        #expect(fresh[items["img3.png"]!.id] == nil)
        #expect(try store.freshImageFeatures(version: 4, dimension: 6).isEmpty)
        #expect(try store.freshImageFeatures(version: 3, dimension: 7).isEmpty)

        // The blob is little-endian float32, whatever the machine.
        let blob = try DatabaseQueue(path: store.databasePath).read { db in
            try Data.fetchOne(db, sql: "SELECT vector FROM image_features WHERE item_id = ?", arguments: [items["img0.png"]!.id])
        }
        #expect(blob.map(Array.init)?.prefix(4) == [0x00, 0x00, 0xC0, 0x3F]) // 1.5

        // Saving again replaces.
        try store.saveImageFeatures([record(items["img0.png"]!, b)], version: 3, dimension: 6)
        #expect(try store.freshImageFeatures(version: 3, dimension: 6)[items["img0.png"]!.id]?.vector == b)
    }

    @Test("a file whose size or time changed (as the next import records) has no fresh features")
    func staleness() throws {
        let dataset = TemporaryDataset.simple(count: 3)
        let (store, _) = try importDataset(dataset)
        let before = try ids(store)
        try store.saveImageFeatures(before.values.map { record($0, [1, 2]) }, version: 1, dimension: 2)
        #expect(try store.freshImageFeatures(version: 1, dimension: 2).count == 3)

        // img0: other bytes (other size); img1: same bytes, another time.
        dataset.write("images/img0.png", bytes: TemporaryDataset.onePixelPNG + [0, 0])
        let path = dataset.root + "/images/img1.png"
        let oldTime = try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
        try FileManager.default.setAttributes([.modificationDate: oldTime.addingTimeInterval(-3600)], ofItemAtPath: path)
        try importDataset(dataset, into: store)

        let after = try ids(store)
        #expect(after["img0.png"]!.fileSize != before["img0.png"]!.fileSize)
        #expect(after["img1.png"]!.modificationTime != before["img1.png"]!.modificationTime)
        let fresh = try store.freshImageFeatures(version: 1, dimension: 2)
        #expect(Set(fresh.keys) == [after["img2.png"]!.id])

        // Saved again with the new size and time, they are fresh again.
        try store.saveImageFeatures([record(after["img0.png"]!, [3, 4]), record(after["img1.png"]!, nil)], version: 1, dimension: 2)
        let again = try store.freshImageFeatures(version: 1, dimension: 2)
        #expect(again.count == 3 && again[after["img0.png"]!.id]?.vector == [3, 4])
    }

    @Test("a v3 project keeps its items, hashes and log through the v4 migration, and caches features")
    func migrationFromV3() throws {
        let dataset = try TemporaryDataset.simple().olderProject(
            upTo: "v3: split decisions",
            [
                "INSERT INTO imports(finished_at, summary) VALUES ('2026-11-01T09:00:00Z', '{}')",
                "INSERT INTO items(id, path, row, given_labels, file_size, file_mtime) VALUES (7, 'img0.png', 0, 'cat', 70, 1700000000.25)",
                "INSERT INTO content_hashes(item_id, file_size, file_mtime, hash) VALUES (7, 70, 1700000000.25, 'abc123')",
                "INSERT INTO events(id, item_id, reviewer, action, old_labels, new_labels, created_at) VALUES (41, 7, 'alice', 'relabel', 'cat', 'fox', '2026-11-01T10:00:00Z')",
                "INSERT INTO events(id, item_id, reviewer, action, created_at) VALUES (42, 7, 'bob', 'split', '2026-11-01T10:01:00Z')"
            ])

        let store = try ProjectStore(stateDirectory: dataset.statePath)
        #expect(try store.history(ofImage: "img0.png").map(\.id) == [41, 42])
        #expect(try store.contentHashes()[7]?.hash == 0xABC123)
        let applied = try DatabaseQueue(path: store.databasePath).read {
            try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
        }
        #expect(applied.contains("v4: image features"))

        try store.saveImageFeatures(
            [ImageFeatureRecord(itemID: 7, size: 70, modificationTime: 1_700_000_000.25, vector: [0.5, 0.5])], version: 1, dimension: 2)
        #expect(try store.freshImageFeatures(version: 1, dimension: 2)[7]?.vector == [0.5, 0.5])
        // Opening again migrates nothing and keeps the cache.
        #expect(try ProjectStore(stateDirectory: dataset.statePath).freshImageFeatures(version: 1, dimension: 2).count == 1)
    }
}
