import Foundation
import Testing
import WinnowTestSupport

/// Reviewers on several hosts sharing one PostgreSQL project, for real (issue 14's proof):
/// each "host" is its own copy of the dataset at another absolute path, with a winnow.toml
/// naming the same database; eight `winnow decide --next` processes on two hosts and a
/// review screen in tmux on a third work through one queue at once. Then: no item decided
/// twice, every decision a process said was saved is stored, the leases of a review killed
/// with SIGKILL expire, and `winnow verify` finds the log's chain intact.
///
/// Slow (1,600 decisions through the binary: 33 s at load 6, 158 s at load 15), so a plain
/// `swift test` leaves it out; `make test` and `make test-hosts` run it (`WINNOW_HOSTS_PROOF=1`).
@Suite("Several hosts on one PostgreSQL project", .serialized)
struct PostgresHostsTests {
    static let items = 1_800
    static let processes = 8
    static let decisionsEach = 200

    /// A host's copy of the dataset (the same files, at a path of its own) using `url`.
    func host(_ url: String, leaseMinutes: Double, function: String = #function) -> TemporaryDataset {
        TemporaryDataset.simple(count: Self.items, function: function)
            .write("winnow.toml", "[store]\nurl = \"\(url)\"\n\n[team]\nlease_minutes = \(leaseMinutes)\n")
    }

    /// The stored accept decisions: (event id, item, reviewer), read with psql.
    func accepts(_ server: ThrowawayPostgres, database: String) -> [(event: Int64, item: Int64, reviewer: String)] {
        let result = server.psql("SELECT id, item_id, reviewer FROM events WHERE action = 'accept' ORDER BY id", database: database)
        #expect(result.status == 0, "\(result.output)")
        return result.output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "|", omittingEmptySubsequences: false)
            guard fields.count == 3, let event = Int64(fields[0]), let item = Int64(fields[1]) else { return nil }
            return (event, item, String(fields[2]))
        }
    }

    /// "saved #412: accept img7.png …" → 412, for every such line.
    static func savedEvents(_ output: String) -> [Int64] {
        output.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("saved #"), let colon = line.firstIndex(of: ":") else { return nil }
            return Int64(line[line.index(line.startIndex, offsetBy: 7)..<colon])
        }
    }

    @Test(
        "8 decide --next processes × 200 on two hosts and a review screen on a third: nothing decided twice or lost, a killed review's leases expire, verify intact",
        .enabled(if: ProcessInfo.processInfo.environment["WINNOW_HOSTS_PROOF"] != nil, "make test and make test-hosts run it"),
        .enabled(if: TmuxSession.isAvailable, "needs tmux"))
    func hosts() throws {
        let server = try ThrowawayPostgres.server()
        try server.withDatabase { url, database in
            let hostA = host(url, leaseMinutes: 1)
            let hostB = host(url, leaseMinutes: 1)
            // The screen's host holds its items for 3 s without a heartbeat: its leases
            // must be gone soon after it is killed.
            let hostC = host(url, leaseMinutes: 0.05)
            #expect(Set([hostA.root, hostB.root, hostC.root]).count == 3)
            let imported = WinnowProcess.run(["import", hostA.root])
            #expect(imported.status == 0, "\(imported.stderr)")

            let screen = try TmuxSession([
                WinnowProcess.executable, "review", hostC.root, "--queue", "random", "--graphics", "blocks", "--reviewer", "screen"
            ])
            try screen.waitFor("random 1/")
            let scripted = (0..<Self.processes).map { index in
                [
                    "decide", (index % 2 == 0 ? hostA : hostB).root, "--next", "\(Self.decisionsEach)", "--queue", "random", "--accept",
                    "--reviewer", "bot\(index)"
                ]
            }
            // The screen decides while the scripts run, one key at a time, its count read off
            // the header (as in ConcurrentReviewTests).
            let (typing, screenDecisions) = ConcurrentReviewTests.typeDecisions(on: screen, timeout: 5)
            let results = ConcurrentReviewTests.concurrently(scripted)
            while !typing.isFinished { usleep(20_000) }

            var saved: [Int64] = []
            for result in results {
                #expect(result.status == 0, "\(result.stderr)")
                let events = Self.savedEvents(result.stdout)
                #expect(events.count == Self.decisionsEach, "\(result.stdout.suffix(300)) \(result.stderr)")
                saved += events
            }
            // The typing gives up waiting on a slow outcome after 5 s: read the count once the
            // screen's last decision has settled, so a late "saved" is counted too.
            let settled = try screen.waitUntil("the screen's last decision settled", timeout: 60) {
                !ConcurrentReviewTests.statusLine($0).contains("saving")
            }
            let shown = max(screenDecisions(), ConcurrentReviewTests.decidedCount(settled))
            #expect(shown >= 10, "the screen kept deciding while the scripts ran: \(screen.screen())")

            // The screen still holds the items on it and just ahead: kill it without a word.
            let held = WinnowProcess.run(["leases", hostA.root])
            #expect(held.stdout.contains("screen"), "the review screen holds items before it is killed: \(held.stdout) \(held.stderr)")
            kill(try screen.pid(), SIGKILL)
            let deadline = Date().addingTimeInterval(20)
            var leases = held
            while Date() < deadline {
                leases = WinnowProcess.run(["leases", hostB.root])
                if leases.status == 0 && !leases.stdout.contains("screen") { break }
                usleep(250_000)
            }
            #expect(leases.status == 0 && !leases.stdout.contains("screen"), "the killed review's leases expired: \(leases.stdout)")

            let stored = accepts(server, database: database)
            let storedEvents = Set(stored.map(\.event))
            #expect(saved.allSatisfy(storedEvents.contains), "every decision a process reported as saved is stored")
            #expect(stored.filter { $0.reviewer == "screen" }.count == shown, "every decision the screen showed as saved is stored")
            #expect(stored.count == Self.processes * Self.decisionsEach + shown)
            #expect(Set(stored.map(\.item)).count == stored.count, "no item was decided twice")

            for copy in [hostA, hostB, hostC] {
                let verified = WinnowProcess.run(["verify", copy.root])
                #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
            }
        }
    }
}
