import Foundation
import GRDB
import Testing
import WinnowCore
import WinnowStore
import WinnowTestSupport
@testable import WinnowCLI
@testable import WinnowSession

/// `winnow log` and `winnow verify`, through the real binary.
@Suite("winnow log and verify")
struct AuditLogCLITests {
    func winnow(_ arguments: String...) -> WinnowProcess.Result { CLIStore.run(arguments) }

    /// img0 relabelled by alice, img1 accepted by bob (with a hostile note), img0's relabel undone.
    /// `winnow decide` refuses such a note, so it goes in through the store, as a project
    /// written before that refusal (or by another tool) could hold one.
    func decided(function: String = #function) -> TemporaryDataset {
        let dataset = TemporaryDataset.simple(function: function)
        #expect(winnow("decide", dataset.root, "img0.png", "--relabel", "fox", "--reviewer", "alice").status == 0)
        #expect(
            winnow("decide", dataset.root, "img1.png", "--accept", "--reviewer", "bob", "--note", "ok \u{1B}]52;c;cHduZWQ=\u{07} really").status == 1)
        #expect(
            (try? CLIStore.open(dataset).decide(
                DecisionRequest(imagePath: "img1.png", reviewer: "bob", action: .accept, note: "ok \u{1B}]52;c;cHduZWQ=\u{07} really"))) != nil)
        #expect(winnow("decide", dataset.root, "img0.png", "--undo", "--reviewer", "alice").status == 0)
        return dataset
    }

    /// SQL run as an attacker with write access to the database: the append-only guard dropped first.
    func tamper(_ dataset: TemporaryDataset, _ sql: String) throws {
        if let store = CLIStore.current, store.kind == .postgres {
            _ = try store.psql("ALTER TABLE events DISABLE TRIGGER USER; " + sql)
            return
        }
        try DatabaseQueue(path: dataset.statePath + "/winnow.sqlite").write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS events_are_append_only_update; DROP TRIGGER IF EXISTS events_are_append_only_delete")
            try db.execute(sql: sql)
        }
    }

    func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func helpDocumentsBothCommandsAndTheirExitCode() {
        #expect(winnow("--help").stdout.contains("verify") && winnow("--help").stdout.contains("5  winnow verify"))
        let verify = winnow("verify", "--help").stdout
        for words in ["--head", "EXAMPLES", "cut off", "permissions"] { #expect(verify.contains(words), "\(words)") }
        let log = winnow("log", "--help").stdout
        for words in ["--reviewer", "--since", "jsonl", "EXAMPLES"] { #expect(log.contains(words), "\(words)") }
    }

    @Test(arguments: StoreKind.allCases) func anIntactLogVerifies(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = decided()
            let result = winnow("verify", dataset.root)
            #expect(result.status == 0)
            #expect(result.stdout.hasPrefix("decision log intact: 3 events, head ") && result.stdout.hasSuffix(" (event #3)\n"))
            let empty = TemporaryDataset.simple()
            // Another project, so a store of its own (with PostgreSQL, a database of its own).
            try CLIStore.on(store) {
                #expect(winnow("import", empty.root).status == 0)
                #expect(winnow("verify", empty.root).stdout == "decision log intact: no decisions yet\n")
            }
        }
    }

    @Test(arguments: StoreKind.allCases) func anEditedEventExitsFiveAndNamesIt(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = decided()
            try tamper(dataset, "UPDATE events SET new_labels = 'dog' WHERE id = 1")
            let result = winnow("verify", dataset.root)
            #expect(result.status == 5)
            #expect(result.stderr.contains("decision log broken at event #1: event 1 was changed"))
            #expect(
                result.stderr.contains("expected hash")
                    && result.stderr.contains(store == .sqlite ? "fix: restore winnow.sqlite" : "fix: restore the database postgresql://"))
        }
    }

    @Test(arguments: StoreKind.allCases) func aDeletedEventExitsFiveAndNamesIt(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = decided()
            try tamper(dataset, "DELETE FROM events WHERE id = 2")
            let result = winnow("verify", dataset.root)
            #expect(result.status == 5 && result.stderr.contains("event 2 is missing (ids jump from 1 to 3)"))
        }
    }

    @Test(arguments: StoreKind.allCases) func aRecordedHeadDetectsTruncation(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = decided()
            let head = try #require(try jsonLines(winnow("log", dataset.root, "--format", "jsonl").stdout).last?["hash"] as? String)
            #expect(winnow("decide", dataset.root, "img2.png", "--skip", "--reviewer", "carol").status == 0)
            let later = winnow("verify", dataset.root, "--head", head)
            #expect(later.status == 0 && later.stdout.contains("is event #3; 1 decision since"))
            #expect(winnow("verify", dataset.root, "--head", String(head.prefix(16))).status == 0)

            try tamper(dataset, "DELETE FROM events WHERE id >= 3")
            #expect(winnow("verify", dataset.root).status == 0, "what is left still chains")
            let cut = winnow("verify", dataset.root, "--head", head)
            #expect(cut.status == 5 && cut.stderr.contains("is not in the decision log"))
            #expect(winnow("verify", dataset.root, "--head", "xyz").status == 1)
        }
    }

    @Test(arguments: StoreKind.allCases) func theLogTableShowsWhoWhatWhenAndNoEscapeSequence(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = decided()
            let table = winnow("log", dataset.root)
            #expect(table.status == 0)
            let lines = table.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 4)
            #expect(lines[0].hasPrefix("id  time (UTC)") && lines[0].contains("reviewer") && lines[0].hasSuffix("score"))
            #expect(lines[1].contains("alice") && lines[1].contains("relabel") && lines[1].contains("img0.png") && lines[1].contains("cat → fox"))
            #expect(lines[2].contains("bob") && lines[2].contains("· ok ␛]52;c;cHduZWQ=␇ really"))
            #expect(lines[3].contains("undo") && lines[3].contains("(undoes #1)"))
            #expect(!table.stdout.contains("\u{1B}") && !table.stdout.contains("\u{07}"))
        }
    }

    @Test(arguments: StoreKind.allCases) func theLogFiltersByImageReviewerAndTime(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = decided()
            func ids(_ arguments: String...) -> [Substring] {
                CLIStore.run(["log", dataset.root] + arguments + ["--format", "jsonl"]).stdout.split(separator: "\n").map {
                    $0.dropFirst(6).prefix { $0 != "," }
                }
            }
            #expect(ids() == ["1", "2", "3"])
            #expect(ids("img0.png") == ["1", "3"])
            #expect(ids("--reviewer", "bob") == ["2"])
            #expect(ids("img0.png", "--reviewer", "bob") == [])
            #expect(ids("--since", "1h") == ["1", "2", "3"])
            #expect(ids("--since", "2999-01-01") == [])
            #expect(winnow("log", dataset.root, "--since", "2999-01-01T10:00").stdout == "no decisions match\n")
            #expect(winnow("log", dataset.root, "--since", "yesterday").status == 1)
            #expect(winnow("log", dataset.root, "nope.png").status == 4)
        }
    }

    @Test(arguments: StoreKind.allCases) func jsonlCarriesEveryField(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = decided()
            let lines = try jsonLines(winnow("log", dataset.root, "--format", "jsonl").stdout)
            #expect(lines.count == 3)
            let keys: Set<String> = [
                "id", "image", "item_id", "reviewer", "action", "old_labels", "new_labels", "queue", "reason",
                "note", "undoes", "created_at", "score", "flags", "hash"
            ]
            #expect(lines.allSatisfy { Set($0.keys) == keys })
            #expect(lines[0]["old_labels"] as? [String] == ["cat"] && lines[0]["new_labels"] as? [String] == ["fox"])
            #expect(lines[1]["note"] as? String == "ok \u{1B}]52;c;cHduZWQ=\u{07} really")
            #expect(lines[2]["undoes"] as? Int == 1 && lines[2]["action"] as? String == "undo")
            #expect((lines[2]["hash"] as? String)?.count == 64 && (lines[0]["created_at"] as? String)?.hasSuffix("Z") == true)
        }
    }

    @Test func timesAreReadAsISO8601OrDurations() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(TimeArgument.parse("2026-11-01", now: now) == Date(timeIntervalSince1970: 1_793_491_200))
        #expect(TimeArgument.parse("2026-11-01T14:30", now: now) == Date(timeIntervalSince1970: 1_793_491_200 + 14 * 3600 + 30 * 60))
        #expect(TimeArgument.parse("2026-11-01 14:30:15Z", now: now) == Date(timeIntervalSince1970: 1_793_491_200 + 14 * 3600 + 30 * 60 + 15))
        #expect(TimeArgument.parse("2026-11-01T14:30:00+02:00", now: now) == Date(timeIntervalSince1970: 1_793_491_200 + 12 * 3600 + 30 * 60))
        #expect(TimeArgument.parse("2026-11-01T14:30:00.250Z", now: now) == Date(timeIntervalSince1970: 1_793_491_200 + 14 * 3600 + 30 * 60 + 0.25))
        #expect(TimeArgument.parse("90m", now: now) == now.addingTimeInterval(-5400))
        #expect(TimeArgument.parse("3d", now: now) == now.addingTimeInterval(-3 * 86400))
        for bad in ["", "soon", "3x", "-2h", "2026-13-01", "2026-11-01T25:00"] { #expect(TimeArgument.parse(bad, now: now) == nil, "\(bad)") }
    }

    @Test func scoresShowWithThreeDecimals() {
        #expect(LogTable.threeDecimals(0.5) == "0.500" && LogTable.threeDecimals(0.98765) == "0.988")
        #expect(LogTable.threeDecimals(12.0004) == "12.000" && LogTable.threeDecimals(-1.25) == "-1.250" && LogTable.threeDecimals(0.0996) == "0.100")
    }
}
