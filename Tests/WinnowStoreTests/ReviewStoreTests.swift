import Foundation
import GRDB
import Testing
import WinnowCore
import WinnowTestSupport
@testable import WinnowStore

@Suite("Store: what the review screen needs")
struct ReviewStoreTests {
    @Test("a batch of decisions is one transaction: all stored, or none")
    func batchIsAtomic() throws {
        let dataset = TemporaryDataset.simple()
        let (store, _) = try importDataset(dataset)
        let outcomes = try store.decide([request("img0.png", .relabel, "fox"), request("img1.png", .accept)])
        #expect(outcomes.map(\.event.action) == [.relabel, .accept])
        // The second request names an unknown image: the first must not be stored either.
        #expect(throws: StoreError.unknownImage("nope.png")) {
            try store.decide([request("img2.png", .exclude), request("nope.png", .accept)])
        }
        #expect(try store.resolution(ofImage: "img2.png").status == .unreviewed)
    }

    @Test("flag precision counts every kind of flag logged with a decision; older decisions count under their queue")
    func flagPrecisionByKind() throws {
        let (store, _) = try importDataset(TemporaryDataset.simple())
        var flagged = request("img0.png", .relabel, "fox")
        flagged.reason = "bad-components"
        flagged.flags = ["bad_component", "confident_learning"]
        _ = try store.decide(flagged)
        var plain = request("img1.png", .accept)
        plain.reason = "label-issues"
        _ = try store.decide(plain)
        let outcomes = Dictionary(uniqueKeysWithValues: try store.reviewFigures().flags.map { ($0.flag, $0) })
        #expect(Set(outcomes.keys) == ["bad-component", "confident-learning", "label-issues"])
        #expect(outcomes["confident-learning"]?.relabelled == 1 && outcomes["label-issues"]?.relabelled == 0)
    }

    @Test("split off takes an item out of its group without touching its label, and undo puts it back")
    func splitOff() throws {
        let dataset = TemporaryDataset.simple()
        let (store, _) = try importDataset(dataset)
        let split = try store.decide(request("img0.png", .split))
        #expect(split.after.isSplitOff && split.after.labels == LabelSet(single: "cat") && split.after.status == .unreviewed)
        _ = try store.decide(request("img0.png", .undo))
        #expect(try !store.resolution(ofImage: "img0.png").isSplitOff)
    }

    @Test("review figures: status, relabel flows and each flag's measured precision")
    func figures() throws {
        let dataset = TemporaryDataset.simple()
        let (store, _) = try importDataset(dataset)
        func decide(_ path: String, _ action: DecisionAction, _ label: String? = nil, flag: String) throws {
            var r = request(path, action, label)
            r.queue = "triage"
            r.reason = flag
            _ = try store.decide(r)
        }
        try decide("img0.png", .relabel, "fox", flag: "label-issues")
        try decide("img3.png", .relabel, "fox", flag: "label-issues")
        try decide("img1.png", .accept, flag: "label-issues")
        try decide("img2.png", .exclude, flag: "random")
        try decide("img4.png", .skip, flag: "random")
        let figures = try store.reviewFigures()
        #expect(
            figures.status["relabelled"] == 2 && figures.status["accepted"] == 1 && figures.status["excluded"] == 1 && figures.status["skipped"] == 1)
        #expect(figures.decisionsByAction["relabel"] == 2)
        let labelIssues = try #require(figures.flags.first { $0.flag == "label-issues" })
        #expect(labelIssues.decided == 3 && labelIssues.relabelled == 2)
        #expect(abs(labelIssues.precision - 2.0 / 3.0) < 1e-12)
        #expect(figures.flags.first { $0.flag == "random" }?.excluded == 1)
        #expect(figures.flows.contains { $0.to == "fox" && $0.count >= 1 })
    }

    @Test("an image that fails to decode while reviewing is marked as a problem")
    func markProblem() throws {
        let dataset = TemporaryDataset.simple()
        let (store, _) = try importDataset(dataset)
        try store.markProblem(imagePath: "img0.png", problem: "PNG data is truncated")
        #expect(try store.info().problems.map(\.image) == ["img0.png"])
    }
}

@Suite("Store: migrations")
struct MigrationTests {
    @Test("a v2 project keeps every event, with its id, through the v3 migration")
    func v3KeepsTheLog() throws {
        // A database as Winnow 0.1 (schema v2) left it, with a relabel and its undo.
        let dataset = try TemporaryDataset.simple().olderProject(
            upTo: "v2: content hashes",
            [
                "INSERT INTO items(id, path, row, given_labels) VALUES (7, 'img0.png', 0, 'cat')",
                "INSERT INTO events(id, item_id, reviewer, action, old_labels, new_labels, created_at) VALUES (41, 7, 'alice', 'relabel', 'cat', 'fox', '2026-11-01T10:00:00Z')",
                "INSERT INTO events(id, item_id, reviewer, action, old_labels, new_labels, undoes, created_at) VALUES (42, 7, 'alice', 'undo', 'fox', 'cat', 41, '2026-11-01T10:01:00Z')"
            ])
        let store = try ProjectStore(stateDirectory: dataset.statePath)
        let history = try store.history(ofImage: "img0.png")
        #expect(history.map(\.id) == [41, 42])
        #expect(history.map(\.action) == [.relabel, .undo] && history[1].undoes == 41)
        // The new action is accepted, and the log is still append-only.
        try DatabaseQueue(path: dataset.statePath + "/winnow.sqlite").write { db in
            try db.execute(sql: "INSERT INTO events(item_id, reviewer, action, created_at) VALUES (7, 'bob', 'split', '2026-11-02T10:00:00Z')")
            #expect(throws: (any Error).self) { try db.execute(sql: "DELETE FROM events") }
            #expect(throws: (any Error).self) { try db.execute(sql: "UPDATE events SET reviewer = 'mallory'") }
        }
    }
}

extension TemporaryDataset {
    /// Gives the dataset a project as an older Winnow left it: the schema migrated up to
    /// `migration` only, then `statements` run (the rows that version would have written).
    func olderProject(upTo migration: String, _ statements: [String]) throws -> TemporaryDataset {
        try FileManager.default.createDirectory(atPath: statePath, withIntermediateDirectories: true)
        let database = try DatabaseQueue(path: statePath + "/winnow.sqlite")
        try Schema.migrator.migrate(database, upTo: migration)
        try database.write { db in for sql in statements { try db.execute(sql: sql) } }
        try database.close()
        return self
    }
}
