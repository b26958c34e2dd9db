import Foundation
import Testing
import WinnowTestSupport

/// `winnow store copy SRC DST` run as a user runs it: SQLite → PostgreSQL → SQLite with the
/// same `verify` and `log` output on every side; refusals with their exit codes.
@Suite("winnow store copy")
struct StoreCopyCLITests {
    /// `winnow` with no store chosen from the environment: each command says where it works.
    static func winnow(_ arguments: String...) -> WinnowProcess.Result {
        WinnowProcess.run(arguments, environment: ["WINNOW_STORE": ""])
    }

    @Test("SQLite → PostgreSQL → a new state folder: verify and log print the same on all three")
    func roundTrip() throws {
        let dataset = TemporaryDataset.simple()
        let database = try CLIStore(.postgres)
        let url = try #require(database.url)
        #expect(Self.winnow("import", dataset.root).status == 0)
        #expect(Self.winnow("decide", dataset.root, "img0.png", "--relabel", "fox", "--reviewer", "alice", "--note", "a fox, surely").status == 0)
        #expect(Self.winnow("decide", dataset.root, "img1.png", "--exclude", "--reviewer", "bob").status == 0)
        #expect(Self.winnow("decide", dataset.root, "img1.png", "--undo", "--reviewer", "bob").status == 0)

        let there = Self.winnow("store", "copy", dataset.root, url)
        #expect(there.status == 0, "\(there.stderr)")
        #expect(there.stdout.contains("6 items") && there.stdout.contains("decision log intact: 3 events"), "\(there.stdout)")
        #expect(there.stdout.contains("not copied: leases"))
        let backState = NSTemporaryDirectory() + "winnow-copy-back-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: backState) }
        let back = Self.winnow("store", "copy", url, backState)
        #expect(back.status == 0, "\(back.stderr)")

        let verify = Self.winnow("verify", dataset.root)
        #expect(verify.status == 0 && verify.stdout.contains("decision log intact: 3 events"))
        #expect(Self.winnow("verify", dataset.root, "--store", url).stdout == verify.stdout)
        #expect(Self.winnow("verify", dataset.root, "--state", backState).stdout == verify.stdout)
        let log = Self.winnow("log", dataset.root, "--format", "jsonl")
        #expect(log.status == 0 && log.stdout.split(separator: "\n").count == 3)
        #expect(Self.winnow("log", dataset.root, "--store", url, "--format", "jsonl").stdout == log.stdout)
        #expect(Self.winnow("log", dataset.root, "--state", backState, "--format", "jsonl").stdout == log.stdout)
    }

    @Test("a target holding a project is refused (exit 4); a tampered source too (exit 5), leaving no new folder behind")
    func refusals() throws {
        let dataset = TemporaryDataset.simple()
        let database = try CLIStore(.postgres)
        let url = try #require(database.url)
        #expect(Self.winnow("import", dataset.root).status == 0)
        #expect(Self.winnow("decide", dataset.root, "img0.png", "--accept", "--reviewer", "alice").status == 0)
        #expect(Self.winnow("decide", dataset.root, "img2.png", "--accept", "--reviewer", "alice").status == 0)
        #expect(Self.winnow("store", "copy", dataset.root, url).status == 0)

        let again = Self.winnow("store", "copy", dataset.root, url)
        #expect(again.status == 4 && again.stderr.contains("already holds a project (6 items, 2 decisions)"), "\(again.stderr)")

        _ = try database.psql(
            "ALTER TABLE events DISABLE TRIGGER USER; UPDATE events SET reviewer = 'mallory' WHERE id = 1; ALTER TABLE events ENABLE TRIGGER USER")
        let target = NSTemporaryDirectory() + "winnow-copy-refused-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: target) }
        let tampered = Self.winnow("store", "copy", url, target)
        #expect(tampered.status == 5 && tampered.stderr.contains("broken at event #1"), "\(tampered.stderr)")
        #expect(!FileManager.default.fileExists(atPath: target), "the refused copy left its new state folder behind")

        let unknown = Self.winnow("store", "copy", NSTemporaryDirectory() + "no-such-project-\(UUID().uuidString.prefix(8))", target)
        #expect(unknown.status == 1 && unknown.stderr.contains("is no project source"), "\(unknown.stderr)")
    }
}
