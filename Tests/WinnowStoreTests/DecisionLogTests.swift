import Foundation
import GRDB
import Testing
import WinnowCore
import WinnowTestSupport
@testable import WinnowStore

/// The decision log's hash chain: built by every decision, checked by `verifyDecisionLog`.
/// Tampering is simulated as an attacker with write access to winnow.sqlite would do it:
/// raw SQL, with the append-only triggers dropped first.
@Suite("Store: hash-chained decision log")
struct DecisionLogTests {
    /// The dataset's project with `count` decisions (ids 1…count), on images img0… in turn.
    func project(_ dataset: TemporaryDataset, decisions count: Int = 5) throws -> ProjectStore {
        let (store, _) = try importDataset(dataset)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for i in 0..<count {
            var r = request("img\(i % 6).png", i % 2 == 0 ? .relabel : .accept, "fox", by: i % 3 == 0 ? "alice" : "bob")
            r.queue = "triage"
            r.reason = "label-issues"
            r.score = 0.5 + Double(i) / 10
            r.flags = ["label_issue", "confident_learning"]
            _ = try store.decide(r, at: start.addingTimeInterval(Double(i) * 3600))
        }
        return store
    }

    /// Runs SQL on the database as an attacker: the append-only guard dropped first.
    func tamper(_ store: ProjectStore, _ statements: String...) throws {
        try DatabaseQueue(path: store.databasePath).write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS events_are_append_only_update; DROP TRIGGER IF EXISTS events_are_append_only_delete")
            for sql in statements { try db.execute(sql: sql) }
        }
    }

    func storedHashes(_ store: ProjectStore) throws -> [Int64: String] {
        try DatabaseQueue(path: store.databasePath).read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, hash FROM events").map { ($0["id"], $0["hash"]) })
        }
    }

    @Test("each decision stores a hash chained to the one before; the head is the newest")
    func decisionsBuildTheChain() throws {
        let dataset = TemporaryDataset.simple()
        let (store, _) = try importDataset(dataset)
        #expect(try store.decisionLogHead() == nil)
        #expect(try store.verifyDecisionLog() == LogVerification(eventsChecked: 0, head: nil, brokenLink: nil, recordedHead: nil))
        let first = try store.decide(request("img0.png", .relabel, "fox"))
        let batch = try store.decide([request("img1.png", .accept), request("img2.png", .exclude)])
        let undo = try store.decide(request("img0.png", .undo))
        let outcomes = [first] + batch + [undo]
        #expect(outcomes.map(\.event.id) == [1, 2, 3, 4])
        #expect(Set(outcomes.map(\.hash)).count == 4 && outcomes.allSatisfy { $0.hash.count == 64 })
        let stored = try storedHashes(store)
        #expect(outcomes.allSatisfy { stored[$0.event.id] == $0.hash })

        let head = try #require(try store.decisionLogHead())
        #expect(head == DecisionLogHead(eventID: 4, hash: undo.hash, events: 4))
        let verification = try store.verifyDecisionLog()
        #expect(verification.isIntact && verification.eventsChecked == 4 && verification.head == head)
    }

    @Test("the first event chains from 64 zeros, over the documented canonical bytes")
    func canonicalBytes() throws {
        let dataset = TemporaryDataset.simple()
        let store = try project(dataset, decisions: 1)
        var encoder = DecisionLogChain.Encoder()
        encoder.begin(previous: DecisionLogChain.genesis)
        encoder.integer(1); encoder.integer(1); encoder.text("img0.png"); encoder.text("alice"); encoder.text("relabel")
        encoder.text("cat"); encoder.text("fox"); encoder.text("triage"); encoder.text("label-issues"); encoder.text(nil)
        encoder.integer(nil); encoder.text("2027-01-15T08:00:00.000Z"); encoder.real(0.5); encoder.text("[\"label_issue\",\"confident_learning\"]")
        let text = String(decoding: encoder.bytes, as: UTF8.self)
        #expect(
            text == """
                winnow-event-v1
                previous=64:\(String(repeating: "0", count: 64))
                id=1:1
                item_id=1:1
                item_path=8:img0.png
                reviewer=5:alice
                action=7:relabel
                old_labels=3:cat
                new_labels=3:fox
                queue=6:triage
                reason=12:label-issues
                note=-
                undoes=-
                created_at=24:2027-01-15T08:00:00.000Z
                score=3:0.5
                flags=36:["label_issue","confident_learning"]

                """)
        #expect(try store.decisionLogHead()?.hash == SHA256Digest(of: encoder.bytes).hex)
        #expect(DecisionLogChain.canonical(0.1) == "0.10000000000000001" && DecisionLogChain.canonical(1e300) == "1.0000000000000001e+300")
    }

    @Test("text with a newline or another control character is hashed and stored byte for byte; a NUL is refused")
    func awkwardText() throws {
        let dataset = TemporaryDataset.simple()
        let (store, _) = try importDataset(dataset)
        var r = request("img0.png", .accept)
        r.note = "two\nlines\u{1}and a control"
        _ = try store.decide(r)
        #expect(try store.verifyDecisionLog().isIntact)
        #expect(try store.history(ofImage: "img0.png").last?.note == r.note)
        // PostgreSQL's text cannot hold a NUL: both stores refuse it alike (SharedTextTests).
        r.note = "a\u{0}NUL"
        #expect(throws: StoreError.invalidText(what: "note")) { try store.decide(r) }
    }

    @Test("an edited event is the first broken link")
    func editedEvent() throws {
        let dataset = TemporaryDataset.simple()
        let store = try project(dataset)
        try tamper(store, "UPDATE events SET new_labels = 'dog' WHERE id = 3")
        let result = try store.verifyDecisionLog()
        let broken = try #require(result.brokenLink)
        #expect(broken.eventID == 3 && result.eventsChecked == 2 && result.head?.eventID == 2)
        #expect(broken.reason.hasPrefix("event 3 was changed"))
        #expect(try broken.storedHash == storedHashes(store)[3] && broken.expectedHash != broken.storedHash)
    }

    @Test("an edit to the first event, to an item's path, or to the newest event is found too")
    func otherEdits() throws {
        let dataset = TemporaryDataset.simple()
        let store = try project(dataset)
        try tamper(store, "UPDATE events SET reviewer = 'mallory' WHERE id = 1")
        #expect(try store.verifyDecisionLog().brokenLink?.eventID == 1)

        let swappedData = TemporaryDataset.simple()
        let swapped = try project(swappedData)
        // Swapping two items' paths moves their decisions to other images.
        try tamper(
            swapped, "UPDATE items SET path = 'tmp' WHERE path = 'img0.png'",
            "UPDATE items SET path = 'img0.png' WHERE path = 'img1.png'", "UPDATE items SET path = 'img1.png' WHERE path = 'tmp'")
        #expect(try swapped.verifyDecisionLog().brokenLink?.eventID == 1)

        let newestData = TemporaryDataset.simple()
        let newest = try project(newestData)
        try tamper(newest, "UPDATE events SET note = 'fine' WHERE id = 5")
        let result = try newest.verifyDecisionLog()
        #expect(result.brokenLink?.eventID == 5 && result.eventsChecked == 4)
    }

    @Test("a deleted event in the middle is named as missing")
    func deletedEvent() throws {
        let dataset = TemporaryDataset.simple()
        let store = try project(dataset)
        try tamper(store, "DELETE FROM events WHERE id = 3")
        let result = try store.verifyDecisionLog()
        #expect(result.brokenLink?.eventID == 4 && result.eventsChecked == 2)
        #expect(result.brokenLink?.reason == "event 3 is missing (ids jump from 2 to 4)")

        let firstData = TemporaryDataset.simple()
        let first = try project(firstData)
        try tamper(first, "DELETE FROM events WHERE id <= 2")
        #expect(try first.verifyDecisionLog().brokenLink?.reason == "events 1–2 are missing (the log starts at event 3)")
    }

    @Test("a forged hash is told apart from a changed event when the next event still chains")
    func forgedHash() throws {
        let dataset = TemporaryDataset.simple()
        let store = try project(dataset)
        let original = try storedHashes(store)
        try tamper(store, "UPDATE events SET hash = '\(String(repeating: "ab", count: 32))' WHERE id = 2")
        let broken = try #require(try store.verifyDecisionLog().brokenLink)
        #expect(broken.eventID == 2 && broken.storedHash == String(repeating: "ab", count: 32))
        #expect(broken.reason.hasPrefix("the hash of event 2 was replaced"))
        #expect(broken.expectedHash == original[2])
    }

    @Test("an event changed and re-hashed breaks the next link")
    func changedAndRehashed() throws {
        let dataset = TemporaryDataset.simple()
        let store = try project(dataset)
        let hashes = try storedHashes(store)
        // The attacker recomputes event 2's hash after changing it; event 3 still names the old one.
        try tamper(store, "UPDATE events SET reviewer = 'mallory' WHERE id = 2")
        let rehashed = try DatabaseQueue(path: store.databasePath).read { db -> String in
            let statement = try db.makeStatement(
                sql: "SELECT \(DecisionLogChain.columns) FROM events e LEFT JOIN items i ON i.id = e.item_id WHERE e.id = 2")
            let rows = try Row.fetchCursor(statement)
            _ = try rows.next()
            var encoder = DecisionLogChain.Encoder()
            encoder.begin(previous: hashes[1]!)
            DecisionLogChain.appendFields(of: statement.sqliteStatement, to: &encoder)
            return encoder.hash
        }
        try tamper(store, "UPDATE events SET hash = '\(rehashed)' WHERE id = 2")
        let broken = try #require(try store.verifyDecisionLog().brokenLink)
        #expect(broken.eventID == 3)
        #expect(broken.reason == "event 3 was changed (its contents no longer match its hash), or event 2 before it was changed and re-hashed")
    }

    @Test("an event written without a hash is reported as such")
    func missingHash() throws {
        let dataset = TemporaryDataset.simple()
        let store = try project(dataset, decisions: 2)
        try DatabaseQueue(path: store.databasePath).write { db in
            try db.execute(
                sql: "INSERT INTO events(item_id, reviewer, action, created_at) VALUES (1, 'mallory', 'exclude', '2027-01-01T00:00:00.000Z')")
        }
        let result = try store.verifyDecisionLog()
        #expect(result.brokenLink?.eventID == 3 && result.brokenLink?.storedHash == nil)
        #expect(result.brokenLink?.reason.contains("hash missing") == true)
        #expect(try store.decisionLogHead() == DecisionLogHead(eventID: 3, hash: "", events: 3))
    }

    @Test("a recorded head shows how many decisions came after it, and that the newest were not cut off")
    func recordedHead() throws {
        let dataset = TemporaryDataset.simple()
        let store = try project(dataset, decisions: 5)
        let recorded = try #require(try store.decisionLogHead())
        _ = try store.decide([request("img0.png", .skip), request("img1.png", .skip)])
        let later = try store.verifyDecisionLog(expectingHead: recorded.hash)
        #expect(later.isIntact && later.recordedHead == RecordedHeadPosition(eventID: 5, hash: recorded.hash, eventsAfter: 2))
        // A prefix, in capitals, does too.
        #expect(try store.verifyDecisionLog(expectingHead: String(recorded.hash.prefix(16)).uppercased()).recordedHead?.eventID == 5)

        // Cutting off the newest events leaves a chain that holds, without the recorded head.
        try tamper(store, "DELETE FROM events WHERE id >= 4")
        let truncated = try store.verifyDecisionLog(expectingHead: recorded.hash)
        #expect(truncated.isIntact && truncated.eventsChecked == 3 && truncated.recordedHead == nil)
    }

    @Test("the log lists every field, filtered by image, reviewer and time")
    func logEntries() throws {
        let dataset = TemporaryDataset.simple()
        let store = try project(dataset, decisions: 5)
        var all: [DecisionLogEntry] = []
        #expect(try store.logEntries(image: nil, reviewer: nil, since: nil) { all.append($0) } == 5)
        #expect(all.map(\.id) == [1, 2, 3, 4, 5])
        let first = all[0]
        #expect(first.imagePath == "img0.png" && first.reviewer == "alice" && first.action == .relabel && first.actionText == "relabel")
        #expect(first.oldLabels == LabelSet(single: "cat") && first.newLabels == LabelSet(single: "fox"))
        #expect(first.queue == "triage" && first.reason == "label-issues" && first.score == 0.5)
        #expect(first.flags == ["label_issue", "confident_learning"] && first.createdAtText == "2027-01-15T08:00:00.000Z")
        #expect(try first.hash == storedHashes(store)[1])

        func ids(image: String? = nil, reviewer: String? = nil, since: Date? = nil) throws -> [Int64] {
            var ids: [Int64] = []
            try store.logEntries(image: image, reviewer: reviewer, since: since) { ids.append($0.id) }
            return ids
        }
        #expect(try ids(image: "img1.png") == [2])
        #expect(try ids(reviewer: "alice") == [1, 4])
        #expect(try ids(since: Date(timeIntervalSince1970: 1_800_000_000 + 2 * 3600)) == [3, 4, 5])
        #expect(try ids(reviewer: "bob", since: Date(timeIntervalSince1970: 1_800_000_000 + 2 * 3600)) == [3, 5])
        #expect(try ids(reviewer: "nobody").isEmpty)
        #expect(throws: StoreError.unknownImage("nope.png")) { try ids(image: "nope.png") }
    }

    /// The chain's bytes are a published format (DecisionLogChain, scripts/verify-decision-log.py):
    /// these hashes were computed by an independent Python reading of it, so a change to how
    /// events are typed, stored or encoded that changes a single byte fails here.
    @Test("known decisions give known chain hashes")
    func pinnedChainHashes() throws {
        let dataset = TemporaryDataset.simple()
        let store = try project(dataset, decisions: 5)
        let hashes = try storedHashes(store)
        #expect(hashes[1] == "df955c562e71b0f74a864c03153976f726661a796042914d23260e5f78ddde5f")
        #expect(hashes[5] == "bbc617aa91bb46b21eaef8e7022c6deafc5b4bc86e3495fc0f632102f73bc8c6")
        #expect(try store.verifyDecisionLog().head?.hash == hashes[5])
        var logged: [String?] = []
        try store.logEntries(image: nil, reviewer: nil, since: nil) { logged.append($0.hash) }
        #expect(logged.last == hashes[5])
    }

    /// The log entry is the typed event plus the log's own fields; a row edited by hand to
    /// hold what the typed event cannot say is still shown as stored.
    @Test("log entries are typed events, and show a hand-edited row as stored")
    func typedEntriesKeepIrregularText() throws {
        let dataset = TemporaryDataset.simple()
        let store = try project(dataset, decisions: 2)
        var entries: [DecisionLogEntry] = []
        try store.logEntries(image: nil, reviewer: nil, since: nil) { entries.append($0) }
        let history = try store.history(ofImage: "img0.png")
        #expect(entries[0].event == history[0], "the log and the item history read the same event")
        #expect(entries.allSatisfy { $0.unknownAction == nil && $0.irregularCreatedAt == nil })
        #expect(entries[1].action == .accept && entries[1].createdAtText == "2027-01-15T09:00:00.000Z")

        try DatabaseQueue(path: store.databasePath).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "DROP TRIGGER IF EXISTS events_are_append_only_update")
            try db.execute(sql: "UPDATE events SET action = 'approve', created_at = '2027-01-15T08:00:00Z' WHERE id = 1")
            try db.execute(sql: "UPDATE events SET created_at = 'yesterday' WHERE id = 2")
        }
        entries = []
        try store.logEntries(image: nil, reviewer: nil, since: nil) { entries.append($0) }
        #expect(entries[0].actionText == "approve" && entries[0].action == .skip, "an unknown action changes no label")
        #expect(entries[0].createdAtText == "2027-01-15T08:00:00Z" && entries[0].createdAt == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(entries[1].createdAtText == "yesterday" && entries[1].createdAt == Date(timeIntervalSince1970: 0))
        #expect(entries[1].actionText == "accept" && entries[1].unknownAction == nil)
        #expect(try store.history(ofImage: "img0.png")[0] == entries[0].event, "the item history types the row the same way")
    }

    @Test("stored flag lists are read back, Winnow's own and any other JSON")
    func flagNames() {
        #expect(ProjectStore.flagNames("[]") == [])
        #expect(ProjectStore.flagNames("[\"outlier\"]") == ["outlier"])
        #expect(ProjectStore.flagNames("[\"a,b\",\"c\"]") == ["a,b", "c"])
        #expect(ProjectStore.flagNames("[\"q\\\"x\"]") == ["q\"x"])
        #expect(ProjectStore.flagNames("not json") == ["not json"])
    }
}

@Suite("Store: migration to the hash-chained log")
struct ChainMigrationTests {
    @Test("a v4 project's events are hashed in id order, the log stays append-only, and new decisions extend the chain")
    func v5BackfillsTheChain() throws {
        let dataset = try TemporaryDataset.simple().olderProject(
            upTo: "v4: image features",
            [
                "INSERT INTO imports(finished_at, summary) VALUES ('2026-11-01T09:00:00Z', '{}')",
                "INSERT INTO classes(id, name, position) VALUES (1, 'cat', 0), (2, 'dog', 1), (3, 'fox', 2)",
                "INSERT INTO items(id, path, row, given_labels) VALUES (7, 'img0.png', 0, 'cat'), (8, 'img1.png', 1, 'dog')",
                "INSERT INTO events(id, item_id, reviewer, action, old_labels, new_labels, queue, reason, created_at) VALUES (1, 7, 'alice', 'relabel', 'cat', 'fox', 'triage', 'label-issues', '2026-11-01T10:00:00Z')",
                "INSERT INTO events(id, item_id, reviewer, action, old_labels, new_labels, note, created_at) VALUES (2, 8, 'bob', 'accept', 'dog', 'dog', 'sure', '2026-11-01T10:01:00.500Z')",
                "INSERT INTO events(id, item_id, reviewer, action, old_labels, new_labels, undoes, created_at) VALUES (3, 7, 'alice', 'undo', 'fox', 'cat', 1, '2026-11-01T10:02:00Z')"
            ])
        let store = try ProjectStore(stateDirectory: dataset.statePath)
        let migrated = try store.verifyDecisionLog()
        #expect(migrated.isIntact && migrated.eventsChecked == 3 && migrated.head?.eventID == 3)
        #expect(try store.history(ofImage: "img0.png").map(\.id) == [1, 3])

        // The hashes are those of the documented bytes, chained from 64 zeros.
        var encoder = DecisionLogChain.Encoder()
        encoder.begin(previous: DecisionLogChain.genesis)
        encoder.integer(1); encoder.integer(7); encoder.text("img0.png"); encoder.text("alice"); encoder.text("relabel")
        encoder.text("cat"); encoder.text("fox"); encoder.text("triage"); encoder.text("label-issues"); encoder.text(nil)
        encoder.integer(nil); encoder.text("2026-11-01T10:00:00Z"); encoder.real(nil); encoder.text(nil)
        var first: [DecisionLogEntry] = []
        try store.logEntries(image: "img0.png", reviewer: nil, since: nil) { first.append($0) }
        #expect(first.first?.hash == encoder.hash && first.first?.flags == [] && first.first?.score == nil)

        // The append-only guard is back.
        try DatabaseQueue(path: store.databasePath).write { db in
            #expect(throws: (any Error).self) { try db.execute(sql: "UPDATE events SET reviewer = 'mallory'") }
            #expect(throws: (any Error).self) { try db.execute(sql: "DELETE FROM events") }
        }
        _ = try store.decide(request("img1.png", .relabel, "cat"))
        let extended = try store.verifyDecisionLog(expectingHead: migrated.head?.hash)
        #expect(extended.isIntact && extended.eventsChecked == 4 && extended.recordedHead?.eventsAfter == 1)
        // Opening again migrates nothing.
        #expect(try ProjectStore(stateDirectory: dataset.statePath).verifyDecisionLog().head == extended.head)
    }
}
