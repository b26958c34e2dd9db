import Foundation
import Testing
import WinnowCore
import WinnowDataset
import WinnowTestSupport
import WinnowStore

/// The store as the session layer holds it: `any ProjectStoring` from `openProjectStore`,
/// called through the protocols (and their default-argument overloads), keeping the
/// contract their doc comments state.
@Suite("Store contract through ProjectStoring")
struct ProjectStoringTests {
    static func opened(_ dataset: TemporaryDataset) throws -> any ProjectStoring {
        let store = try openProjectStore(stateDirectory: dataset.statePath, datasetFolder: dataset.root)
        let snapshot = try DatasetReader(root: dataset.root, config: DatasetReader.loadConfig(root: dataset.root)).read()
        _ = try store.applyImport(snapshot, datasetRoot: dataset.root)
        return store
    }

    static func request(_ path: String, _ action: DecisionAction, _ label: String? = nil, by reviewer: String = "alice") -> DecisionRequest {
        DecisionRequest(imagePath: path, reviewer: reviewer, action: action, labels: label.map(LabelSet.init(single:)))
    }

    @Test("decisions are appended to a hash-chained log whose ids grow; refusals are typed StoreErrors")
    func decisionsAndTheLog() throws {
        let dataset = TemporaryDataset.simple()
        let store = try Self.opened(dataset)
        #expect(store.hasImported)
        #expect(try store.lastEventID() == nil)
        let first = try store.decide(Self.request("img0.png", .relabel, "fox"))
        let batch = try store.decide([Self.request("img1.png", .accept), Self.request("img2.png", .exclude)])
        #expect(batch.map(\.event.id) == [first.event.id + 1, first.event.id + 2])
        do {
            _ = try store.decide(Self.request("nope.png", .accept))
            Issue.record("an unknown image was accepted")
        } catch {
            #expect(error == .unknownImage("nope.png")) // typed: `error` is a StoreError
        }
        var visited: [Int64] = []
        let count = try store.logEntries(image: nil, reviewer: nil, since: nil) { visited.append($0.id) }
        #expect(count == 3 && visited == visited.sorted() && visited.count == 3)
        #expect(try store.decisionLogHead()?.events == 3)
        #expect(try store.decisionLogHead()?.eventID == store.lastEventID())
        #expect(try store.verifyDecisionLog().isIntact)
        #expect(try store.itemsChanged(after: first.event.id).items.map(\.path).sorted() == ["img1.png", "img2.png"])
    }

    @Test("a lease is one session's: another session is told who holds it, and gets it once it is let go")
    func leases() throws {
        let store = try Self.opened(TemporaryDataset.simple())
        let id = try #require(try store.analysisContext().items.first { $0.path == "img0.png" }?.id)
        #expect(try store.hold(itemIDs: [id], reviewer: "alice", session: "a", policy: TeamPolicy()) == [id: .held])
        #expect(try store.hold(itemIDs: [id], reviewer: "bob", session: "b", policy: TeamPolicy()) == [id: .heldBy("alice")])
        #expect(try store.itemsHeldByOthers(session: "b") == [id: "alice"])
        #expect(try store.activeLeases().count == 1)
        try store.releaseLeases(session: "a")
        #expect(try store.hold(itemIDs: [id], reviewer: "bob", session: "b", policy: TeamPolicy()) == [id: .held])
    }
}
