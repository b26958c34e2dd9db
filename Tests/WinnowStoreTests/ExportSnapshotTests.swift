import Foundation
import Testing
import WinnowCore
import WinnowTestSupport
@testable import WinnowStore

@Suite("Export snapshot")
struct ExportSnapshotTests {
    @Test func everyPassSeesTheSameSnapshotWhileOthersKeepDeciding() throws {
        let dataset = TemporaryDataset.simple()
        let (store, _) = try importDataset(dataset)
        _ = try store.decide(request("img5.png", .accept))
        _ = try store.decide(request("img0.png", .relabel, "fox", by: "bob"))
        let other = try ProjectStore(stateDirectory: store.stateDirectory)
        var passes: [[String: ItemStatus]] = [[:], [:]]
        let head = try store.exportSnapshot { snapshot in
            try snapshot.forEachItem(metadata: false) { passes[0][$0.path] = $0.resolution.status }
            // Between a policy's pass and the writing pass, another reviewer decides.
            _ = try other.decide(request("img4.png", .exclude, by: "carol"))
            _ = try other.decide(request("img5.png", .undo, by: "carol"))
            try snapshot.forEachItem { passes[1][$0.path] = $0.resolution.status }
            return snapshot.head
        }
        #expect(passes[0] == passes[1])
        #expect(passes[1]["img4.png"] == .unreviewed && passes[1]["img5.png"] == .accepted && passes[1]["img0.png"] == .relabelled)
        #expect(head.lastEventID == 2 && head.decisions == 2 && head.items == 6)
        #expect(
            head.decisionLog == DecisionLogHead(eventID: 2, hash: head.decisionLog?.hash ?? "", events: 2), "the head of exactly this snapshot's log")
        #expect(try store.decisionLogHead()?.eventID == 4, "the later decisions are in the log")
    }

    @Test func anEmptyLogHasNoHead() throws {
        let (store, _) = try importDataset(TemporaryDataset.simple())
        #expect(try store.decisionLogHead() == nil)
        let head = try store.exportSnapshot { $0.head }
        #expect(head.lastEventID == nil && head.decisionLog == nil && head.decisions == 0)
    }

    @Test func recordsCarryTheirPositionAndWholeHistory() throws {
        let (store, _) = try importDataset(TemporaryDataset.simple())
        _ = try store.decide(request("img2.png", .relabel, "cat"))
        _ = try store.decide(request("img2.png", .undo))
        var records: [ExportRecord] = []
        try store.exportSnapshot { try $0.forEachItem { records.append($0) } }
        #expect(records.map(\.index) == Array(0..<6))
        #expect(records[2].events.map(\.action) == [.relabel, .undo] && records[2].resolution.status == .unreviewed)
    }

    @Test func errorsFromTheExportPassThroughUnchanged() throws {
        struct Stop: Error, Equatable {}
        let (store, _) = try importDataset(TemporaryDataset.simple())
        #expect(throws: Stop()) { try store.exportSnapshot { _ in throw Stop() } }
        #expect(throws: StoreError.notImported) {
            try ProjectStore(stateDirectory: TemporaryDataset().statePath).exportSnapshot { _ in }
        }
    }
}
