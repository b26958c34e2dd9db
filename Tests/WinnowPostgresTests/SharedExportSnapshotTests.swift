import Foundation
import Testing
import WinnowCore
import WinnowStore
import WinnowTestSupport
@testable import WinnowPostgres

/// `exportSnapshot` on both stores: every pass sees one snapshot, with that snapshot's head.
@Suite("Both stores: export snapshot")
struct SharedExportSnapshotTests {
    @Test("every pass sees the same snapshot while others keep deciding", arguments: StoreKind.allCases)
    func samePasses(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        _ = try store.decide(request("img5.png", .accept))
        _ = try store.decide(request("img0.png", .relabel, "fox", by: "bob"))
        let other = try fixture.open()
        var passes: [[String: ItemStatus]] = [[:], [:]]
        var metadata: [String] = []
        let head = try store.exportSnapshot { snapshot in
            try snapshot.forEachItem(metadata: false) {
                passes[0][$0.path] = $0.resolution.status
                metadata.append($0.metadataJSON)
            }
            // Between a policy's pass and the writing pass, another reviewer decides.
            _ = try other.decide(request("img4.png", .exclude, by: "carol"))
            _ = try other.decide(request("img5.png", .undo, by: "carol"))
            try snapshot.forEachItem { passes[1][$0.path] = $0.resolution.status }
            return snapshot.head
        }
        #expect(passes[0] == passes[1] && metadata == Array(repeating: "{}", count: 6))
        #expect(passes[1]["img4.png"] == .unreviewed && passes[1]["img5.png"] == .accepted && passes[1]["img0.png"] == .relabelled)
        #expect(head.lastEventID == 2 && head.decisions == 2 && head.items == 6 && head.classes == ["cat", "dog", "fox"])
        #expect(head.decisionLog?.eventID == 2 && head.decisionLog?.events == 2)
        #expect(try store.decisionLogHead()?.eventID == 4, "the later decisions are in the log")
    }

    @Test("records carry their position and whole history; errors pass through", arguments: StoreKind.allCases)
    func records(kind: StoreKind) throws {
        struct Stop: Error, Equatable {}
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        _ = try store.decide(request("img2.png", .relabel, "cat"))
        _ = try store.decide(request("img2.png", .undo))
        var records: [ExportRecord] = []
        try store.exportSnapshot { try $0.forEachItem { records.append($0) } }
        #expect(records.map(\.index) == Array(0..<6))
        #expect(records[2].events.map(\.action) == [.relabel, .undo] && records[2].resolution.status == .unreviewed)
        #expect(throws: Stop()) { try store.exportSnapshot { _ in throw Stop() } }
    }

    @Test("PostgreSQL: passes read across item batches in the same snapshot")
    func batches() throws {
        let fixture = try StoreFixture.imported(.postgres)
        defer { withExtendedLifetime(fixture) {} }
        let store = try #require(fixture.store as? PostgresProjectStore)
        _ = try store.decide(request("img3.png", .exclude))
        var paths: [[String]] = [[], []]
        try store.exportSnapshot(itemBatch: 4, logBatch: 1) { snapshot in
            try snapshot.forEachItem(metadata: false) { paths[0].append($0.path) }
            try snapshot.forEachItem { paths[1].append($0.path) }
        }
        #expect(paths[0] == (0..<6).map { "img\($0).png" } && paths[1] == paths[0])
    }
}
