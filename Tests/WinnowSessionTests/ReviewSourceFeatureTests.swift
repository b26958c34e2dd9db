import Foundation
import Testing
import WinnowCore
import WinnowStore
import WinnowTestSupport
import WinnowUI
@testable import WinnowSession

/// The review screen's source over a real project: queue counts, blind review, undo
/// across sessions, others' changes, notes, scores.
@Suite("Review data source: counts, blind review, undo across sessions, others' changes", .serialized)
struct ReviewSourceFeatureTests {
    static let queues = [
        "triage", "label-issues", "confident-learning", "low-confidence", "disagreement", "bad-components",
        "duplicates", "outliers", "problems", "random", "stratified"
    ]

    func sample(_ toml: String? = nil, function: String = #function) throws -> (TemporaryDataset, Project) {
        let dataset = Repository.copyOfSample(Repository.sampleShapes, function: function)
        if let toml { dataset.write("winnow.toml", toml) }
        return (dataset, try Project.open(dataset: dataset.root, importIfNeeded: true))
    }

    func source(_ project: Project, _ reviewer: String = "tester", leases: Bool = false) throws -> StoreReviewSource {
        try StoreReviewSource.open(
            project, reviewer: reviewer, stratifyBy: nil,
            leases: leases ? LeaseSession(store: project.store, reviewer: reviewer, policy: project.config.team) : nil,
            progress: SilentProgress())
    }

    @Test("the switcher's counts are what opening each queue hands out, also while another session holds items")
    func countsMatchQueues() throws {
        let (dataset, project) = try sample()
        defer { withExtendedLifetime(dataset) {} }
        let alice = try source(project, "alice", leases: true)
        let bob = try source(project, "bob", leases: true)
        // Bob holds the first items of triage: alice's queues leave them out, and so do her counts.
        let held = try bob.queue(named: "triage").slots.prefix(4).map(\.item)
        #expect(try bob.hold(items: held, queue: "triage").isEmpty)
        let counts = try alice.queueCounts()
        for name in Self.queues {
            #expect(counts[name] == (try alice.queue(named: name).slots.count), "\(name)")
        }
        // After a decision the counts follow.
        let first = try #require(try alice.queue(named: "label-issues").slots.first)
        _ = try alice.decide(DecisionCommand(items: [first.item], kind: .accept, queue: "label-issues"))
        #expect(try alice.queueCounts()["label-issues"] == (try alice.queue(named: "label-issues").slots.count))
        alice.close(); bob.close()
    }

    @Test("a project with image features only counts every queue (no \"·\")")
    func countsWithImageFeatures() throws {
        let dataset = Repository.copyOfSample(Repository.sampleImageFolder)
        defer { withExtendedLifetime(dataset) {} }
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        let counts = try source(project).queueCounts()
        for name in Self.queues { #expect(counts[name] != nil, "\(name) not counted") }
        #expect((counts["random"] ?? 0) > 0)
    }

    @Test("blind review: another reviewer's decision is never shown; accept means the label shown")
    func blindReview() throws {
        let (dataset, project) = try sample("[team]\nreviews_per_item = 2\n")
        #expect(project.config.team.isBlind)
        let alice = try source(project, "alice"), bob = try source(project, "bob")
        let slot = try #require(try bob.queue(named: "triage").slots.first)
        let before = try #require(try alice.details(of: [slot.item]).first)
        let other = try #require(alice.classes.first { !before.givenLabels.contains($0) })
        _ = try bob.decide(DecisionCommand(items: [slot.item], kind: .relabel([other]), queue: "triage"))
        alice.syncWithOthers()
        let shown = try #require(try alice.details(of: [slot.item]).first)
        #expect(shown.currentLabels == before.givenLabels && shown.status == "pending" && shown.reviews.isEmpty)
        #expect(!shown.reasons.contains { $0.text.contains("'\(other)'") && !before.givenLabels.contains(other) })
        if let component = shown.component {
            #expect(!component.labelCounts.contains { $0.label == other } || before.component?.labelCounts.contains { $0.label == other } == true)
        }
        // Alice accepts what she sees: the given label, not bob's.
        _ = try alice.decide(DecisionCommand(items: [slot.item], kind: .accept, queue: "triage"))
        let store = try ProjectStore(stateDirectory: dataset.statePath)
        let history = try store.history(ofImage: before.path)
        let mine = try #require(history.last { $0.reviewer == "alice" })
        #expect(
            Rating.category(of: mine.action, newLabels: mine.newLabels) == LabelSet(before.givenLabels, in: ClassTaxonomy(alice.classes)).storageText,
            "alice rated what she saw, not bob's \(other)")
        #expect(Rating.category(of: .relabel, newLabels: history.last { $0.reviewer == "bob" }?.newLabels) == other)
        // Her own decision she sees; still not bob's.
        #expect(try alice.details(of: [slot.item]).first?.status == "accepted by you")
        // Not blind when the project says so.
        let (second, open) = try sample("[team]\nreviews_per_item = 2\nblind = false\n", function: "blind-off")
        defer { withExtendedLifetime(second) {} }
        let carol = try source(open, "carol"), dave = try source(open, "dave")
        let item = try #require(try dave.queue(named: "triage").slots.first).item
        let given = try #require(try carol.details(of: [item]).first?.givenLabels)
        let changed = try #require(carol.classes.first { !given.contains($0) })
        _ = try dave.decide(DecisionCommand(items: [item], kind: .relabel([changed]), queue: "triage"))
        carol.syncWithOthers()
        #expect(try carol.details(of: [item]).first?.currentLabels == [changed])
    }

    @Test("undo reaches this reviewer's decisions of an earlier session, never another reviewer's")
    func undoEarlier() throws {
        let (dataset, project) = try sample()
        let first = try source(project, "alice")
        let slots = try first.queue(named: "triage").slots
        _ = try first.decide(DecisionCommand(items: [slots[0].item], kind: .exclude, queue: "triage", reason: slots[0].source))
        _ = try first.decide(DecisionCommand(items: [slots[1].item], kind: .accept, queue: "triage", reason: slots[1].source))
        let bob = try source(project, "bob")
        _ = try bob.decide(DecisionCommand(items: [slots[2].item], kind: .accept, queue: "triage"))
        // A new session of alice's: u takes back her accept, then her exclusion; bob's stays.
        let later = try source(project, "alice")
        let one = try #require(try later.undoEarlier())
        #expect(one.slots.map(\.item) == [slots[1].item] && one.command.kind == .accept && one.message.contains("earlier session"))
        let two = try #require(try later.undoEarlier())
        #expect(two.slots.map(\.item) == [slots[0].item] && two.command.kind == .exclude)
        #expect(try later.undoEarlier() == nil)
        let store = try ProjectStore(stateDirectory: dataset.statePath)
        #expect(try store.resolution(ofImage: later.details(of: [slots[2].item]).first!.path).status == .accepted, "bob's decision stays")
        #expect(try store.resolution(ofImage: later.details(of: [slots[0].item]).first!.path).status == .unreviewed)
        // The items are open again for alice's queue.
        #expect(try later.queue(named: "triage").slots.contains { $0.item == slots[0].item })
    }

    @Test("the queue is read again when another session decides or releases items, not for this session's own writes")
    func refreshOnOthersChanges() throws {
        let (dataset, project) = try sample()
        defer { withExtendedLifetime(dataset) {} }
        let alice = try source(project, "alice", leases: true)
        let bob = try source(project, "bob", leases: true)
        let slots = try alice.queue(named: "triage").slots
        // Alice's own decision: nothing of others changed.
        _ = try alice.decide(DecisionCommand(items: [slots[0].item], kind: .accept, queue: "triage"))
        #expect(try alice.refreshedQueue(named: "triage") == nil)
        // Bob decides one of the items alice's queue lists.
        _ = try bob.queue(named: "triage")
        _ = try bob.decide(DecisionCommand(items: [slots[5].item], kind: .accept, queue: "triage"))
        let fresh = try #require(try alice.refreshedQueue(named: "triage"))
        #expect(!fresh.slots.contains { $0.item == slots[5].item })
        #expect(try alice.refreshedQueue(named: "triage") == nil, "seen once")
        // Bob holds items, then lets go: each time alice's queue follows.
        _ = try bob.hold(items: [slots[8].item], queue: "triage")
        #expect(try alice.refreshedQueue(named: "triage").map { !$0.slots.contains { $0.item == slots[8].item } } == true)
        bob.close()
        #expect(try alice.refreshedQueue(named: "triage").map { $0.slots.contains { $0.item == slots[8].item } } == true)
        alice.close()
    }

    @Test("a note goes into the log with the decision; the log's score is the label-issue score")
    func noteAndScore() throws {
        let (dataset, project) = try sample()
        let alice = try source(project, "alice")
        let slot = try #require(try alice.queue(named: "random").slots.first)
        let score = try alice.details(of: [slot.item]).first?.labelIssueScore
        _ = try alice.decide(DecisionCommand(items: [slot.item], kind: .accept, queue: "random", reason: "random", note: "looks fine"))
        let store = try ProjectStore(stateDirectory: dataset.statePath)
        var logged: [DecisionLogEntry] = []
        try store.logEntries(image: nil, reviewer: nil, since: nil) { logged.append($0) }
        #expect(logged.last?.note == "looks fine")
        #expect(logged.last?.score == score && (score ?? 2) <= 1, "not the random queue's draw position \(slot.score)")
        let table = WinnowProcess.run(["log", dataset.root]).stdout
        #expect(table.contains("random audit") && !table.contains(String(format: "%.3f", slot.score)))
    }

    @Test("the watcher wakes on writes in the state folder, and stops")
    func watcher() throws {
        let folder = NSTemporaryDirectory() + "winnow-watch-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let woke = DispatchSemaphore(value: 0)
        let watcher = try #require(ProjectChangeWatcher(directory: folder) { woke.signal() })
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/winnow.sqlite-wal"))
        #expect(woke.wait(timeout: .now() + 5) == .success)
        watcher.stop()
        try Data("y".utf8).write(to: URL(fileURLWithPath: folder + "/winnow.sqlite-wal"))
        #expect(woke.wait(timeout: .now() + 0.5) == .timedOut, "no call after stop")
    }

    @Test("a plain folder says what can and cannot be flagged and what to add; with classes.txt it starts labelling from scratch")
    func plainFolder() throws {
        let dataset = TemporaryDataset()
        for i in 0..<6 { dataset.image("scan\(i).png") }
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        let evidence = try project.store.evidence()
        let notes = ProjectNotes.notes(evidence).joined(separator: " ")
        #expect(
            notes.contains("plain folder") && notes.contains("not wrong labels") && notes.contains("predictions/<model>.csv")
                && notes.contains("embeddings.npy"))
        #expect(ProjectNotes.startQueue(evidence) == "triage")
        dataset.write("classes.txt", "cat\ndog\n")
        #expect(WinnowProcess.run(["import", dataset.root]).status == 0)
        let labelling = try project.store.evidence()
        #expect(ProjectNotes.notes(labelling).joined().contains("Labelling from scratch"))
        #expect(ProjectNotes.startQueue(labelling) == "random")
        // Labelled with models and embeddings: nothing to say.
        let (kept, full) = try sample()
        defer { withExtendedLifetime(kept) {} }
        #expect(ProjectNotes.notes(try full.store.evidence()).isEmpty)
    }
}
