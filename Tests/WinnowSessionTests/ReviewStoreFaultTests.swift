import Foundation
import Testing
import WinnowCore
import WinnowDataset
import WinnowPostgres
import WinnowStore
import WinnowTestSupport
import WinnowUI
@testable import WinnowSession

/// The review screen's data sources when the project's PostgreSQL server restarts in the
/// middle of a review: the decision made while it is down is refused as `StoreUnreachable`
/// (the screen keeps it and tries again), nothing of it is stored, and once the server is
/// back the same decision is stored, once; nothing saved before is lost.
@Suite("Review source: the store's server restarts during a review", .serialized)
struct ReviewStoreFaultTests {
    @Test("a decision while the server is down is unreachable, then stored once when it is back; the review goes on")
    func serverRestartsDuringReview() throws {
        let server = try ThrowawayPostgres.own()
        defer { server.remove() }
        let dataset = Repository.copyOfSample(Repository.sampleShapes)
        let (_, url) = try server.createDatabase()
        let store = try PostgresProjectStore(url: url, stateDirectory: dataset.statePath)
        defer { store.close() }
        let config = try DatasetReader.loadConfig(root: dataset.root)
        _ = try store.applyImport(try DatasetReader(root: dataset.root, config: config).read(), datasetRoot: dataset.root, progress: SilentProgress())
        let project = Project(root: dataset.root, config: config, store: store)
        let leases = LeaseSession(store: store, reviewer: "tester", policy: config.team)
        let full = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, leases: leases, progress: SilentProgress())
        // The runtime holds the deferred source, which the full one answers once loaded.
        let source = DeferredReviewSource(leases: leases, open: { full })
        defer { source.close() }
        let slots = try source.queue(named: "triage").slots
        let (a, b) = (slots[0].item, slots[1].item)
        #expect(try source.hold(items: [a, b], queue: "triage").isEmpty)
        _ = try source.decide(DecisionCommand(items: [a], kind: .accept, queue: "triage"))
        let before = try #require(try source.details(of: [b]).first)
        let target = try #require(full.classes.first { !before.currentLabels.contains($0) })
        let relabel = DecisionCommand(items: [b], kind: .relabel([target]), queue: "triage", note: "checked twice")

        server.stop()
        #expect(throws: StoreUnreachable.self) { try source.decide(relabel) }
        #expect(throws: StoreUnreachable.self) { try full.decide(relabel) }
        #expect { try source.decide(relabel) } throws: { error in
            let message = (error as? StoreUnreachable)?.message ?? ""
            return message.contains("postgresql://postgres@/") && !message.contains("\n")
        }
        try server.start()

        // The runtime's next attempt: stored once, and the source's view follows.
        let saved = try source.decide(relabel)
        #expect(saved.eventIDs == [2] && saved.message.contains(target), "\(saved.message)")
        let path = try #require(try source.details(of: [b]).first?.path)
        #expect(try store.history(ofImage: path).map(\.action) == [.relabel])
        #expect(try store.history(ofImage: path).first?.note == "checked twice")
        #expect(try source.details(of: [b]).first?.currentLabels == [target])
        #expect(try store.decisionCount() == 2)
        #expect(try store.verifyDecisionLog().isIntact)
        // The review goes on: both decided items left the queue, and the session still holds items.
        let after = try source.queue(named: "triage").slots.map(\.item)
        #expect(!after.contains(a) && !after.contains(b))
        let next = try #require(after.first)
        #expect(try source.hold(items: [next], queue: "triage").isEmpty)
        #expect(try store.activeLeases().map(\.itemID).count == 1)
        _ = try source.decide(DecisionCommand(items: [next], kind: .exclude, queue: "triage"))
        #expect(try store.decisionCount() == 3)
    }

    @Test("a write whose commit was in doubt is found in the log when it was stored, and only then")
    func uncertainCommit() throws {
        let dataset = TemporaryDataset.simple()
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        let store = project.store
        let date = Date()
        let requests = [DecisionRequest(imagePath: "img0.png", reviewer: "tester", action: .relabel, labels: LabelSet(single: "fox"))]
        let id = try #require(try store.itemStates(ids: [1]).first { $0.path == "img0.png" }?.id)
        let write = UncertainWrite(requests: requests, ids: [id], items: [0], date: date)
        #expect(try write.stored(in: store) == nil, "not stored yet")
        _ = try store.decide(requests, policy: TeamPolicy(), at: date)
        let found = try #require(try write.stored(in: store))
        #expect(found.map(\.event.id) == [1])
        #expect(found[0].before.labels == LabelSet(single: "cat") && found[0].after.labels == LabelSet(single: "fox"))
        // Another attempt (another moment) of the same decision is not this one.
        #expect(try UncertainWrite(requests: requests, ids: [id], items: [0], date: date.addingTimeInterval(0.002)).stored(in: store) == nil)
        // Nor is another reviewer's decision at the same moment.
        var bob = requests[0]
        bob.reviewer = "bob"
        #expect(try UncertainWrite(requests: [bob], ids: [id], items: [0], date: date).stored(in: store) == nil)
    }
}
