import Foundation
import Testing
import WinnowCore
import WinnowStore
import WinnowTestSupport
import WinnowUI
@testable import WinnowSession

/// The review screen's quick start: the saved queue must show exactly what the full
/// analysis would show for the first items, follow decisions made since it was saved, and
/// hand over to the analysis without losing or repeating a decision.
@Suite("Quick start")
struct QuickStartTests {
    struct Fixture {
        let dataset: TemporaryDataset
        let project: Project
        let key: String
        let full: StoreReviewSource
        var snapshotPath: String { QueueSnapshot.path(stateDirectory: project.store.stateDirectory, queue: "triage") }
    }

    /// A sample project with its triage queue saved, as `winnow analyze` leaves it.
    func analysed(function: String = #function) throws -> Fixture {
        let dataset = Repository.copyOfSample(Repository.sampleShapes, function: function)
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        let full = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, progress: SilentProgress())
        let key = try QueueSnapshot.key(project: project, stratifyBy: nil)
        let fixture = Fixture(dataset: dataset, project: project, key: key, full: full)
        try full.snapshot(of: .triage, key: key).write(to: fixture.snapshotPath)
        return fixture
    }

    func quick(_ f: Fixture, reviewer: String = "tester") throws -> QuickStartSource {
        try #require(try QuickStartSource.open(project: f.project, queue: "triage", key: f.key, reviewer: reviewer))
    }

    @Test("the saved queue and its first items' details equal the analysis'")
    func matchesTheAnalysis() throws {
        let f = try analysed()
        let quick = try quick(f)
        let full = try f.full.queue(named: "triage").slots
        #expect(quick.slots == full)
        let first = full.prefix(5).map(\.item)
        let expected = try f.full.details(of: first)
        #expect(try quick.details(of: first) == expected)
        // Past the saved details it does not guess.
        #expect(try quick.details(of: [full[QueueSnapshot.savedDetails].item]) == nil)
    }

    @Test("a snapshot of other settings, another queue or a damaged file is not used")
    func staleSnapshotsAreIgnored() throws {
        let f = try analysed()
        #expect(try QuickStartSource.open(project: f.project, queue: "triage", key: f.key + "x", reviewer: "t") == nil)
        #expect(try QuickStartSource.open(project: f.project, queue: "outliers", key: f.key, reviewer: "t") == nil)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: f.snapshotPath))
        bytes.removeLast(3)
        try bytes.write(to: URL(fileURLWithPath: f.snapshotPath))
        #expect(try QuickStartSource.open(project: f.project, queue: "triage", key: f.key, reviewer: "t") == nil)
        try Data("not a snapshot".utf8).write(to: URL(fileURLWithPath: f.snapshotPath))
        #expect(QueueSnapshot.read(from: f.snapshotPath) == nil)
    }

    @Test("the key follows the settings that change the queue")
    func keyFollowsSettings() throws {
        let f = try analysed()
        try "[queues]\naudit_share = 0.3\n".write(toFile: f.dataset.root + "/winnow.toml", atomically: true, encoding: .utf8)
        let reopened = try Project.open(dataset: f.dataset.root)
        #expect(try QueueSnapshot.key(project: reopened, stratifyBy: nil) != f.key)
        #expect(try QueueSnapshot.key(project: f.project, stratifyBy: nil) == f.key)
    }

    @Test("decisions made after the snapshot: decided items leave, skipped go last, states are current")
    func followsLaterDecisions() throws {
        let f = try analysed()
        let slots = try f.full.queue(named: "triage").slots
        let (a, b, c) = (slots[0].item, slots[1].item, slots[2].item)
        let target = try #require(f.full.classes.first { try! f.full.details(of: [c]).first?.currentLabels != [$0] })
        _ = try f.full.decide(DecisionCommand(items: [a], kind: .accept, queue: "triage"))
        _ = try f.full.decide(DecisionCommand(items: [b], kind: .skip, queue: "triage"))
        _ = try f.full.decide(DecisionCommand(items: [c], kind: .relabel([target]), queue: "triage"))
        _ = try f.full.undo(items: [c])
        let quick = try quick(f)
        #expect(!quick.slots.contains { $0.item == a })
        #expect(quick.slots.last?.item == b)
        #expect(quick.slots.first?.item == c)
        #expect(quick.slots.count == slots.count - 1)
        let details = try #require(try quick.details(of: [b, c]))
        #expect(details[0].status == "skipped")
        let fresh = try f.full.details(of: [c])[0]
        #expect(details[1].status == "pending" && details[1] == fresh)
    }

    @Test("a component is recounted when a member was relabelled after the snapshot")
    func componentsAreRecounted() throws {
        let f = try analysed()
        let slots = try f.full.queue(named: "triage").slots.prefix(QueueSnapshot.savedDetails)
        let details = try f.full.details(of: slots.map(\.item))
        let grouped = try #require(details.first { ($0.component?.members.count ?? 0) > 1 })
        let member = try #require(grouped.component?.members.first { $0 != grouped.item })
        let current = try #require(try f.full.details(of: [member]).first?.currentLabels.first)
        let target = try #require(f.full.classes.first { $0 != current })
        _ = try f.full.decide(DecisionCommand(items: [member], kind: .relabel([target]), queue: "duplicates"))
        let quick = try quick(f)
        let recounted = try #require(try quick.details(of: [grouped.item])?.first?.component)
        let expected = try f.full.details(of: [grouped.item])[0].component
        #expect(recounted == expected)
        #expect(recounted != grouped.component)
    }

    @Test("with two reviews per item one saved queue serves every reviewer: each misses only what they reviewed")
    func sharedBetweenReviewers() throws {
        let dataset = Repository.copyOfSample(Repository.sampleShapes)
        _ = dataset.write("winnow.toml", "[team]\nreviews_per_item = 2\n")
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        let alice = try StoreReviewSource.open(project, reviewer: "alice", stratifyBy: nil, progress: SilentProgress())
        let first = try alice.queue(named: "triage").slots[0].item
        _ = try alice.decide(DecisionCommand(items: [first], kind: .accept, queue: "triage"))
        let key = try QueueSnapshot.key(project: project, stratifyBy: nil)
        try alice.snapshot(of: .triage, key: key).write(to: QueueSnapshot.path(stateDirectory: project.store.stateDirectory, queue: "triage"))
        let forAlice = try #require(try QuickStartSource.open(project: project, queue: "triage", key: key, reviewer: "alice"))
        let forBob = try #require(try QuickStartSource.open(project: project, queue: "triage", key: key, reviewer: "bob"))
        #expect(!forAlice.slots.contains { $0.item == first })
        #expect(forBob.slots.contains { $0.item == first }, "bob is still to review what alice reviewed")
        #expect(forBob.slots.count == forAlice.slots.count + 1)
    }

    @Test("decisions taken before the analysis is ready are stored, answered, and replayed into it")
    func handOver() throws {
        let f = try analysed()
        let gate = DispatchSemaphore(value: 0)
        let project = f.project
        let key = f.key
        let loadedOnce = DispatchSemaphore(value: 0)
        let source = DeferredReviewSource(
            quickStart: { (try? QuickStartSource.open(project: project, queue: "triage", key: key, reviewer: "quick")) ?? nil },
            open: {
                gate.wait()
                return try StoreReviewSource.open(project, reviewer: "quick", stratifyBy: nil, progress: SilentProgress())
            },
            loaded: { _, _ in loadedOnce.signal() })
        #expect(source.startedQuickly)
        let queue = try source.queue(named: "triage")
        let (a, b) = (queue.slots[0].item, queue.slots[1].item)
        let target = try #require(f.full.classes.first { try! source.details(of: [a]).first?.currentLabels != [$0] })
        let relabel = try source.decide(DecisionCommand(items: [a], kind: .relabel([target]), queue: "triage", reason: queue.slots[0].source))
        #expect(relabel.message.contains("saved #"))
        _ = try source.decide(DecisionCommand(items: [b], kind: .accept, queue: "triage"))
        _ = try source.undo(items: [b])
        #expect(try f.project.store.resolution(ofImage: try source.details(of: [a])[0].path).labels?.names == [target])
        gate.signal()
        loadedOnce.wait()
        // The analysis now answers, with the quick start's decisions in it.
        let full = try source.source()
        let after = try full.details(of: [a, b])
        #expect(after[0].currentLabels == [target] && after[0].status == "relabelled")
        #expect(after[1].status == "pending")
        let reloaded = try source.queue(named: "triage").slots
        #expect(!reloaded.contains { $0.item == a })
        // One event per key press: nothing was stored twice.
        #expect(try f.project.store.lastEventID() == 3)
    }
}
