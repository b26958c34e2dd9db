import Foundation
import GRDB
import Synchronization
import Testing
import WinnowTestSupport

/// Several reviewers on one project at once, for real: `winnow decide --next` processes and
/// a review screen in tmux working through the same queue. Nothing may be decided twice,
/// nothing lost, nothing left held, and nobody may wait forever (SQLite's busy handling).
@Suite("Several reviewers at once", .serialized)
struct ConcurrentReviewTests {
    func project(items: Int, team: String, function: String = #function) throws -> TemporaryDataset {
        let dataset = TemporaryDataset.simple(count: items, function: function).write("winnow.toml", team)
        let imported = WinnowProcess.run(["import", dataset.root])
        #expect(imported.status == 0, "\(imported.stderr)")
        return dataset
    }

    /// Runs `winnow` once per argument list, all at the same time; results in the same order.
    static func concurrently(_ runs: [[String]]) -> [WinnowProcess.Result] {
        let results = Mutex<[Int: WinnowProcess.Result]>([:])
        let group = DispatchGroup()
        for (index, arguments) in runs.enumerated() {
            group.enter()
            Thread.detachNewThread {
                let result = WinnowProcess.run(arguments)
                results.withLock { $0[index] = result }
                group.leave()
            }
        }
        group.wait()
        return results.withLock { all in runs.indices.map { all[$0]! } }
    }

    func reviews(_ dataset: TemporaryDataset) throws -> [(item: Int64, reviewer: String)] {
        try DatabaseQueue(path: dataset.statePath + "/winnow.sqlite").read { db in
            try Row.fetchAll(db, sql: "SELECT item_id, reviewer FROM events WHERE action = 'accept' ORDER BY id").map { ($0[0], $0[1]) }
        }
    }

    /// "random 12/1988 · 7 decided" → 7.
    static func decidedCount(_ screen: String) -> Int {
        guard let header = screen.split(separator: "\n").first, let range = header.range(of: " decided") else { return 0 }
        return Int(header[..<range.lowerBound].split(separator: " ").last ?? "") ?? 0
    }

    static func statusLine(_ screen: String) -> String { String(screen.split(separator: "\n").last ?? "") }

    /// A reviewer at the screen while scripts run: presses `a` up to 150 times (until the
    /// header counts 40 decided), waiting for each key's outcome on the status line, and
    /// keeps the header's count (`decided`). Started; the caller waits for `isFinished`.
    static func typeDecisions(on screen: TmuxSession, timeout: Double) -> (typing: Thread, decided: @Sendable () -> Int) {
        let decided = Mutex(0)
        let typing = Thread {
            for _ in 0..<150 {
                let before = screen.screen()
                guard decidedCount(before) < 40 else { return }
                let status = statusLine(before)
                guard (try? screen.send("a")) != nil else { return }
                let after = try? screen.waitUntil("the decision's outcome", timeout: timeout) {
                    let line = statusLine($0)
                    return line != status && !line.contains("saving")
                }
                decided.withLock { $0 = decidedCount(after ?? before) }
            }
        }
        typing.start()
        return (typing, { decided.withLock { $0 } })
    }

    func leaseCount(_ dataset: TemporaryDataset) throws -> Int {
        try DatabaseQueue(path: dataset.statePath + "/winnow.sqlite").read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM leases") ?? -1 }
    }

    @Test(
        "four scripted reviewers and a review screen: 1,600+ decisions, no item decided twice, none lost",
        .enabled(if: TmuxSession.isAvailable, "needs tmux"))
    func noDoubleAssignment() throws {
        let dataset = try project(items: 2000, team: "[team]\nlease_minutes = 1\n")
        let screen = try TmuxSession([
            WinnowProcess.executable, "review", dataset.root, "--queue", "random", "--graphics", "blocks", "--reviewer", "screen"
        ])
        try screen.waitFor("random 1/")
        let scripted = (1...4).map { ["decide", dataset.root, "--next", "400", "--queue", "random", "--accept", "--reviewer", "bot\($0)"] }
        // The screen decides while the scripts run, one key at a time, each outcome read off
        // the status line. A key may meet an item a script decided a moment before the screen
        // heard of it: that decision is refused ("just decided by …") and the item leaves.
        let (typing, screenDecisions) = Self.typeDecisions(on: screen, timeout: 3)
        let results = Self.concurrently(scripted)
        while !typing.isFinished { usleep(20_000) }
        try screen.send("q")
        _ = try screen.waitForExit()

        for result in results {
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.split(separator: "\n").filter { $0.hasPrefix("saved #") }.count == 400)
        }
        let shown = screenDecisions()
        #expect(shown >= 30, "the screen kept deciding while the scripts ran: \(screen.screen())")
        let stored = try reviews(dataset)
        #expect(stored.filter { $0.reviewer == "screen" }.count == shown, "every decision the screen showed as saved is stored")
        #expect(stored.count == 1600 + shown)
        #expect(Set(stored.map(\.item)).count == stored.count, "no item was decided twice")
        #expect(try leaseCount(dataset) == 0, "every session let go of its items")
    }

    @Test("two reviews per item: each item goes to two different reviewers, never three, never the same one twice")
    func overlap() throws {
        let dataset = try project(items: 300, team: "[team]\nreviews_per_item = 2\n")
        let runs = (1...3).map { ["decide", dataset.root, "--next", "300", "--queue", "random", "--accept", "--reviewer", "r\($0)"] }
        let results = Self.concurrently(runs)
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        let stored = try reviews(dataset)
        #expect(stored.count == 600, "300 items × 2 reviews")
        let byItem = Dictionary(grouping: stored, by: \.item)
        #expect(byItem.count == 300)
        #expect(byItem.values.allSatisfy { $0.count == 2 && Set($0.map(\.reviewer)).count == 2 })
        // A fourth reviewer finds nothing left: every item is final.
        let late = WinnowProcess.run(["decide", dataset.root, "--next", "5", "--queue", "random", "--accept", "--reviewer", "r4"])
        #expect(late.stdout.contains("0 decided"))
    }
}
