import Foundation
import Testing
import WinnowCore
import WinnowStore
import WinnowTestSupport
@testable import WinnowDataset

/// The analysis caches on both stores: records come back only while the file's size and
/// time still match the import's; saving replaces an item's earlier record.
@Suite("Both stores: analysis caches")
struct SharedAnalysisCacheTests {
    /// Each item's (id, size, time) as the import recorded them.
    static func files(_ fixture: StoreFixture) throws -> [(id: Int64, size: Int64, time: Double)] {
        let snapshot = try DatasetReader(root: fixture.dataset.root, config: DatasetReader.loadConfig(root: fixture.dataset.root)).read()
        var files: [(id: Int64, size: Int64, time: Double)] = []
        for item in snapshot.items {
            files.append((try fixture.store.id(item.path), try #require(item.fileSize), try #require(item.modificationTime)))
        }
        return files
    }

    @Test("content hashes are saved, replaced and read back", arguments: StoreKind.allCases)
    func contentHashes(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        #expect(try store.contentHashes().isEmpty)
        try store.saveContentHashes([(1, 10, 1.5, 0xdead_beef), (2, 20, 2.5, UInt64.max), (1, 11, 1.75, 7)])
        try store.saveContentHashes([(2, 21, 3.5, 0)])
        let hashes = try store.contentHashes()
        #expect(hashes.count == 2)
        #expect(hashes[1].map { [$0.size, Int64($0.modificationTime * 100)] } == [11, 175] && hashes[1]?.hash == 7)
        #expect(hashes[2].map { [$0.size, Int64($0.modificationTime * 10)] } == [21, 35] && hashes[2]?.hash == 0)
    }

    @Test("image features are fresh only for the file the import saw, version and dimension", arguments: StoreKind.allCases)
    func imageFeatures(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        let files = try Self.files(fixture)
        let a = ImageFeatureRecord(
            itemID: files[0].id, size: files[0].size, modificationTime: files[0].time, vector: [1, -2.5, .infinity], descriptor: [0, 255, 7])
        let broken = ImageFeatureRecord(itemID: files[1].id, size: files[1].size, modificationTime: files[1].time, vector: nil)
        let stale = ImageFeatureRecord(itemID: files[2].id, size: files[2].size + 1, modificationTime: files[2].time, vector: [0, 0, 0])
        try store.saveImageFeatures([a, broken, stale], version: 3, dimension: 3)
        #expect(try store.freshImageFeatures(version: 3, dimension: 3) == [a.itemID: a, broken.itemID: broken])
        #expect(try store.freshImageFeatures(version: 4, dimension: 3).isEmpty)
        #expect(try store.freshImageFeatures(version: 3, dimension: 2).isEmpty)
        var replaced = a
        replaced.vector = [3, 2, 1]
        replaced.descriptor = nil
        try store.saveImageFeatures([replaced], version: 3, dimension: 3)
        #expect(try store.freshImageFeatures(version: 3, dimension: 3)[a.itemID] == replaced)
    }

    @Test("image measures and decode failures follow the file the import saw", arguments: StoreKind.allCases)
    func imageMeasures(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        let files = try Self.files(fixture)
        func record(_ i: Int, _ kind: ImageMeasureKind, _ value: String?, sizeOffset: Int64 = 0) -> ImageMeasureRecord {
            ImageMeasureRecord(
                itemID: files[i].id, kind: kind, size: files[i].size + sizeOffset, modificationTime: files[i].time,
                value: value.map { Data($0.utf8) })
        }
        try store.saveImageMeasures([
            record(0, .decode, nil), record(1, .decode, "PNG data is truncated"), record(2, .decode, "stale", sizeOffset: 1),
            record(0, .quality, "q0"), record(3, .decode, "first"), record(3, .decode, "JPEG ends early")
        ])
        let decode = try store.freshImageMeasures(.decode)
        #expect(decode.count == 3 && decode[files[0].id] == .some(nil) && decode[files[1].id] == Data("PNG data is truncated".utf8))
        #expect(try store.decodeFailures() == [files[1].id: "PNG data is truncated", files[3].id: "JPEG ends early"])
        let quality = try store.imageMeasuresInItemsOrder(.quality)
        #expect(quality.count == 6 && quality[0].path == "img0.png" && quality[0].measured && quality[0].value == Data("q0".utf8))
        #expect(quality.dropFirst().allSatisfy { !$0.measured && $0.value == nil })
        try store.saveImageMeasures([record(1, .decode, nil)])
        #expect(try store.decodeFailures() == [files[3].id: "JPEG ends early"])
    }
}
