import Foundation
import Testing
import WinnowCore
import WinnowStore
import WinnowTestSupport
@testable import WinnowDataset

/// The SQLite store's behaviours for import, reads, decisions, the log and leases, checked
/// on both stores (the SQLite ones mirror Tests/WinnowStoreTests).
@Suite("Both stores: import, decisions, log, leases")
struct SharedStoreTests {
    @Test("import records items, classes and labels", arguments: StoreKind.allCases)
    func importRecords(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind, .simple())
        defer { withExtendedLifetime(fixture) {} }
        let summary = try fixture.importDataset()
        let store = fixture.store
        #expect(summary.items == 6 && summary.newItems == 6 && summary.classes == 3)
        #expect(try store.taxonomy().names == ["cat", "dog", "fox"])
        #expect(try store.resolution(ofImage: "img1.png").labels == LabelSet(single: "dog"))
        #expect(try store.itemStates(ids: [1, 2, 99]).map(\.path) == ["img0.png", "img1.png"])
        #expect(try store.setting(.datasetRoot) == fixture.dataset.root)
    }

    @Test("decisions are derived from the log and can be undone", arguments: StoreKind.allCases)
    func decisionsAndUndo(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        let relabel = try store.decide(request("img0.png", .relabel, "fox"))
        #expect(relabel.before.labels == LabelSet(single: "cat"))
        #expect(relabel.after.labels == LabelSet(single: "fox") && relabel.after.status == .relabelled)
        _ = try store.decide(request("img0.png", .exclude, by: "bob"))
        #expect(try store.resolution(ofImage: "img0.png").status == .excluded)
        let undo = try store.decide(request("img0.png", .undo))
        #expect(undo.undone?.action == .exclude)
        #expect(try store.resolution(ofImage: "img0.png").labels == LabelSet(single: "fox"))
        _ = try store.decide(request("img0.png", .undo))
        #expect(try store.resolution(ofImage: "img0.png").status == .unreviewed)
        #expect(throws: StoreError.nothingToUndo("img0.png")) { try store.decide(request("img0.png", .undo)) }
        #expect(try store.history(ofImage: "img0.png").map(\.action) == [.relabel, .exclude, .undo, .undo])
        #expect(try store.decisionCount() == 4 && store.lastEventID() == 4 && store.itemsReviewed(by: "bob") == [1])
    }

    @Test("invalid decisions are refused", arguments: StoreKind.allCases)
    func invalidDecisions(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        #expect(throws: StoreError.unknownImage("nope.png")) { try store.decide(request("nope.png", .accept)) }
        #expect(throws: StoreError.self) { try store.decide(request("img0.png", .relabel, "wolf")) }
        #expect(throws: StoreError.self) {
            try store.decide(DecisionRequest(imagePath: "img0.png", reviewer: "a", action: .relabel, labels: LabelSet(normalized: ["cat", "dog"])))
        }
        #expect(try store.decisionCount() == 0)
    }

    @Test("a batch of decisions is one transaction: all stored, or none", arguments: StoreKind.allCases)
    func batchIsAtomic(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        let outcomes = try store.decide([request("img0.png", .relabel, "fox"), request("img1.png", .accept)])
        #expect(outcomes.map(\.event.action) == [.relabel, .accept])
        #expect(throws: StoreError.unknownImage("nope.png")) {
            try store.decide([request("img2.png", .exclude), request("nope.png", .accept)])
        }
        #expect(try store.resolution(ofImage: "img2.png").status == .unreviewed)
    }

    @Test("re-import keeps decisions, adds new items and keeps the history of removed ones", arguments: StoreKind.allCases)
    func reimport(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind, .simple(count: 4))
        defer { withExtendedLifetime(fixture) {} }
        let (store, dataset) = (fixture.store, fixture.dataset)
        _ = try store.decide(request("img0.png", .relabel, "fox"))
        _ = try store.decide(request("img3.png", .accept))
        dataset.remove("images/img3.png")
        dataset.image("img9.png")
        dataset.write("labels.csv", "image,label\nimg9.png,dog\nimg0.png,cat\nimg1.png,dog\nimg2.png,fox\n")
        let summary = try fixture.importDataset()
        #expect(summary.items == 4 && summary.newItems == 1 && summary.removedItems == 1)
        #expect(try store.resolution(ofImage: "img0.png").labels == LabelSet(single: "fox"), "decision survives")
        #expect(try store.history(ofImage: "img3.png").count == 1, "history of a removed image is kept")
        #expect(throws: StoreError.removedImage("img3.png")) { try store.decide(request("img3.png", .accept)) }
        // The image comes back: same item, same history.
        dataset.image("img3.png")
        dataset.write("labels.csv", "image,label\nimg3.png,cat\nimg0.png,cat\n")
        #expect(try fixture.importDataset().newItems == 0)
        #expect(try store.resolution(ofImage: "img3.png").status == .accepted)
        let states = try store.itemStates(ids: [try store.id("img3.png"), try store.id("img9.png")])
        #expect(states.map(\.row) == [0, nil] && states[0].events.count == 1)
    }

    @Test("a failing import transaction changes nothing", arguments: StoreKind.allCases)
    func failingImport(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        _ = try store.decide(request("img0.png", .relabel, "dog"))
        // Two items with one path fail inside the transaction, after classes and items were written.
        var snapshot = try DatasetReader(root: fixture.dataset.root, config: WinnowConfig()).read()
        snapshot.taxonomy = ClassTaxonomy(["zebra", "cat", "dog", "fox"])
        snapshot.items.append(snapshot.items[0])
        #expect(throws: (any Error).self) { try store.applyImport(snapshot, datasetRoot: fixture.dataset.root, progress: SilentProgress()) }
        #expect(try store.taxonomy().names == ["cat", "dog", "fox"])
        #expect(try store.itemStates(ids: Array(1...10)).count == 6)
        #expect(try store.resolution(ofImage: "img0.png").labels == LabelSet(single: "dog"))
    }

    @Test("every decision is chained to the one before; verify checks the whole log", arguments: StoreKind.allCases)
    func chain(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        #expect(try store.decisionLogHead() == nil)
        let empty = try store.verify()
        #expect(empty.eventsChecked == 0 && empty.head == nil && empty.isIntact && empty.recordedHead == nil)
        let first = try store.decide(request("img0.png", .relabel, "fox"))
        let batch = try store.decide([request("img1.png", .accept), request("img2.png", .exclude)])
        let undo = try store.decide(request("img0.png", .undo))
        let outcomes = [first] + batch + [undo]
        #expect(outcomes.map(\.event.id) == [1, 2, 3, 4])
        #expect(Set(outcomes.map(\.hash)).count == 4 && outcomes.allSatisfy { $0.hash.count == 64 })
        let head = try #require(try store.decisionLogHead())
        #expect(head == DecisionLogHead(eventID: 4, hash: undo.hash, events: 4))
        let verification = try store.verifyDecisionLog(expectingHead: String(batch[0].hash.prefix(12)))
        #expect(verification.isIntact && verification.eventsChecked == 4 && verification.head == head)
        #expect(verification.recordedHead?.eventID == 2 && verification.recordedHead?.eventsAfter == 2)
    }

    @Test("the same decisions give the same hashes in both stores (one canonical chain)")
    func sameChainInBothStores() throws {
        var hashes: [[String]] = []
        var logs: [[DecisionLogEntry]] = []
        for kind in StoreKind.allCases {
            let fixture = try StoreFixture.imported(kind)
            defer { withExtendedLifetime(fixture) {} }
            let store = fixture.store
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            var outcome: [String] = []
            for i in 0..<6 {
                var r = request("img\(i % 4).png", i % 2 == 0 ? .relabel : .accept, "fox", by: i % 3 == 0 ? "alice" : "bob")
                r.queue = "triage"
                r.reason = "label-issues"
                r.note = i == 2 ? "line one\nline two: = -" : nil
                r.score = i == 4 ? nil : 0.1 + Double(i) / 7
                r.flags = i == 1 ? [] : ["label_issue", "confident_learning"]
                outcome.append(try store.decide(r, policy: TeamPolicy(), at: start.addingTimeInterval(Double(i) * 61.25)).hash)
            }
            outcome.append(try store.decide(request("img0.png", .undo), policy: TeamPolicy(), at: start.addingTimeInterval(999)).hash)
            hashes.append(outcome)
            var entries: [DecisionLogEntry] = []
            _ = try store.logEntries(image: nil, reviewer: nil, since: nil) { entries.append($0) }
            logs.append(entries)
            #expect(try store.verify().eventsChecked == 7)
        }
        #expect(hashes[0] == hashes[1])
        #expect(logs[0] == logs[1])
    }

    @Test("the log lists every field, filtered by image, reviewer and time", arguments: StoreKind.allCases)
    func logEntries(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for i in 0..<5 {
            var r = request("img\(i % 6).png", i % 2 == 0 ? .relabel : .accept, "fox", by: i % 3 == 0 ? "alice" : "bob")
            r.queue = "triage"
            r.score = 0.5 + Double(i) / 10
            r.flags = ["label_issue"]
            _ = try store.decide(r, policy: TeamPolicy(), at: start.addingTimeInterval(Double(i) * 3600))
        }
        func ids(image: String? = nil, reviewer: String? = nil, since: Date? = nil) throws -> [Int64] {
            var ids: [Int64] = []
            _ = try store.logEntries(image: image, reviewer: reviewer, since: since) { ids.append($0.id) }
            return ids
        }
        #expect(try ids() == [1, 2, 3, 4, 5])
        #expect(try ids(image: "img1.png") == [2])
        #expect(try ids(reviewer: "alice") == [1, 4])
        #expect(try ids(reviewer: "bob", since: start.addingTimeInterval(2 * 3600)) == [3, 5])
        #expect(throws: StoreError.unknownImage("nope.png")) { try ids(image: "nope.png") }
        var first: DecisionLogEntry?
        _ = try store.logEntries(image: "img0.png", reviewer: nil, since: nil) { first = first ?? $0 }
        #expect(first?.score == 0.5 && first?.flags == ["label_issue"] && first?.newLabels == LabelSet(single: "fox"))
    }

    @Test("an export reads every item with its state and the log's head", arguments: StoreKind.allCases)
    func export(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        _ = try store.decide(request("img1.png", .relabel, "cat"))
        _ = try store.decide(request("img4.png", .exclude))
        var seen: [String: ItemStatus] = [:]
        let head = try store.exportItems { _, record in seen[record.path] = record.resolution.status }
        #expect(head.items == 6 && head.classes == ["cat", "dog", "fox"] && head.decisions == 2 && head.lastEventID == 2)
        #expect(seen.count == 6 && seen["img1.png"] == .relabelled && seen["img4.png"] == .excluded && seen["img0.png"] == .unreviewed)
        let changed = try store.itemsChanged(after: 1)
        #expect(changed.lastEventID == 2 && changed.items.map(\.path) == ["img4.png"])
    }

    @Test("writers in separate stores (connections) lose nothing", arguments: StoreKind.allCases)
    func concurrentWriters(kind: StoreKind) async throws {
        let fixture = try StoreFixture.imported(kind, .simple(count: 20))
        defer { withExtendedLifetime(fixture) {} }
        let open = fixture.open
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    let mine = try! open()
                    for i in 0..<25 {
                        _ = try! mine.decide(request("img\((writer * 5 + i) % 20).png", i % 3 == 0 ? .skip : .accept, by: "w\(writer)"))
                    }
                }
            }
        }
        #expect(try fixture.store.decisionCount() == 100)
        let verification = try fixture.store.verify()
        #expect(verification.isIntact && verification.eventsChecked == 100)
    }
}

/// Leases and roles on both stores (mirrors Tests/WinnowStoreTests/TeamStoreTests).
@Suite("Both stores: leases and roles")
struct SharedLeaseTests {
    let team = TeamPolicy(reviewers: ["ann": .annotator, "bob": .annotator, "mo": .moderator, "lee": .lead], reviewsPerItem: 2)

    @Test("a held item is nobody else's: another session is told who holds it, until the lease ends", arguments: StoreKind.allCases)
    func leases(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        let now = Date()
        let (a, b) = (try store.id("img0.png"), try store.id("img1.png"))
        #expect(try store.hold(itemIDs: [a, b], reviewer: "ann", session: "s1", policy: team, now: now) == [a: .held, b: .held])
        #expect(try store.hold(itemIDs: [a], reviewer: "bob", session: "s2", policy: team, now: now) == [a: .heldBy("ann")])
        // The same reviewer in a second terminal is a second session: still not twice.
        #expect(try store.hold(itemIDs: [b], reviewer: "ann", session: "s3", policy: team, now: now) == [b: .heldBy("ann")])
        #expect(try store.itemsHeldByOthers(session: "s2", now: now) == [a: "ann", b: "ann"])
        // Moving on lets go of what is no longer on screen.
        #expect(try store.hold(itemIDs: [b], reviewer: "ann", session: "s1", policy: team, now: now) == [b: .held])
        #expect(try store.hold(itemIDs: [a], reviewer: "bob", session: "s2", policy: team, now: now) == [a: .held])
        // A session that stops renewing loses its items when the lease ends.
        let later = now.addingTimeInterval(team.leaseSeconds + 1)
        #expect(try store.hold(itemIDs: [b], reviewer: "bob", session: "s2", policy: team, now: later) == [b: .held])
        try store.renewLeases(session: "s2", seconds: 60, now: later)
        #expect(try store.activeLeases(now: later).map(\.reviewer) == ["bob"])
        try store.releaseLeases(session: "s2")
        #expect(try store.activeLeases(now: later).isEmpty)
    }

    @Test("items that no longer need the reviewer are not held: reviewed by them, final, or disputed (but for leads)", arguments: StoreKind.allCases)
    func settledItemsAreNotHeld(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        let a = try store.id("img0.png")
        _ = try store.decide(request("img0.png", .accept, by: "ann"), policy: team)
        #expect(try store.hold(itemIDs: [a], reviewer: "ann", session: "s1", policy: team) == [a: .settled(["ann"])])
        #expect(try store.hold(itemIDs: [a], reviewer: "bob", session: "s2", policy: team) == [a: .held])
        try store.releaseLeases(session: "s2")
        _ = try store.decide(request("img0.png", .relabel, "dog", by: "bob"), policy: team)
        #expect(try store.hold(itemIDs: [a], reviewer: "mo", session: "s3", policy: team) == [a: .settled(["ann", "bob"])])
        #expect(try store.hold(itemIDs: [a], reviewer: "lee", session: "s4", policy: team, settling: true) == [a: .held])
    }

    @Test("a decision on an item another reviewer holds is refused; a lead may force it", arguments: StoreKind.allCases)
    func leasedDecisions(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        let a = try store.id("img0.png")
        _ = try store.hold(itemIDs: [a], reviewer: "ann", session: "s1", policy: team)
        #expect { try store.decide(request("img0.png", .accept, by: "bob"), policy: team) } throws: { error in
            guard case StoreError.leased(_, let reviewer, _) = error else { return false }
            return reviewer == "ann" && "\(error)".contains("ann is reviewing \"img0.png\"")
        }
        // Its holder decides.
        _ = try store.decide(request("img0.png", .accept, by: "ann"), policy: team)
        try store.releaseLeases(session: "s1")
        let b = try store.id("img1.png")
        #expect(try store.hold(itemIDs: [b], reviewer: "ann", session: "s1", policy: team) == [b: .held])
        var forced = request("img1.png", .accept, by: "bob")
        forced.force = true
        #expect(throws: StoreError.self) { try store.decide(forced, policy: team) } // bob is no lead
        forced.reviewer = "lee"
        #expect(try store.decide(forced, policy: team).event.reviewer == "lee")
        #expect(try store.breakLeases(reviewer: "ann", image: nil) == 1)
    }

    @Test("roles are enforced where decisions are written", arguments: StoreKind.allCases)
    func roles(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        func refused(_ r: DecisionRequest) -> Bool {
            do { _ = try store.decide(r, policy: team); return false } catch StoreError.refused { return true } catch { return false }
        }
        #expect(refused(request("img0.png", .exclude, by: "ann")))
        #expect(!refused(request("img0.png", .exclude, by: "mo")))
        // Undoing another reviewer's decision needs a lead.
        #expect(refused(request("img0.png", .undo, by: "bob")))
        #expect(refused(request("img0.png", .accept, by: "stranger")))
        // A final item (two agreeing reviews) is changed only by a lead; a dispute is settled only by one.
        _ = try store.decide(request("img1.png", .accept, by: "ann"), policy: team)
        _ = try store.decide(request("img1.png", .accept, by: "bob"), policy: team)
        #expect(refused(request("img1.png", .relabel, "fox", by: "mo")))
        #expect(!refused(request("img1.png", .relabel, "fox", by: "lee")))
        _ = try store.decide(request("img2.png", .accept, by: "ann"), policy: team)
        _ = try store.decide(request("img2.png", .relabel, "cat", by: "bob"), policy: team)
        #expect(refused(request("img2.png", .accept, by: "mo")))
        #expect(!refused(request("img2.png", .accept, by: "lee")))
        // Without a list, everybody may do everything.
        #expect(try store.decide(request("img3.png", .exclude, by: "anyone")).event.action == .exclude)
    }
}
