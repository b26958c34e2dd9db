#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import WinnowCore
import WinnowPostgres
import WinnowPostgresServer
import WinnowSession
import WinnowStore

/// The two project stores side by side: the same generated items imported into SQLite and
/// into PostgreSQL in one run, then read, reviewed and verified the same way on each.
struct BenchStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "SQLite and PostgreSQL stores in the same run: import, export read, decisions per second, lease claims.",
        discussion: """
            Generates --items items in memory (no image files: the stores never read them), \
            starts a throwaway PostgreSQL server of its own (initdb in a temporary folder, a \
            Unix socket only, fsync on: a commit is on disk before it returns, as SQLite's \
            synchronous = FULL), and on each store: imports the items, reads them all as an \
            export does (one snapshot), has one reviewer decide --decisions items the way \
            `winnow decide --next` does (hold the next item, decide it), then --reviewers \
            reviewers at once (threads, each with a store connection of its own, as separate \
            processes have) decide --concurrent-decisions more from one queue, each passing \
            over what another holds or settled; and verifies the decision log's chain. \
            Reports each time, decisions per second, and the p50/p95 of a lease claim \
            (`hold` of one item) and of a decision, with the machine and its load.

            EXAMPLES:
              winnow-bench store --items 1000000
              winnow-bench store --items 100000 --reviewers 8 --stores postgres
            """)

    @Option(help: "Number of items.") var items = 100_000
    @Option(help: "Number of classes.") var classes = 10
    @Option(help: "Decisions by one reviewer.") var decisions = 1_000
    @Option(help: "Reviewers deciding at once.") var reviewers = 4
    @Option(help: "Decisions by the reviewers at once, in all.") var concurrentDecisions = 2_000
    @Option(help: "Stores to time, comma-separated (sqlite, postgres).") var stores = "sqlite,postgres"
    @Option(help: ArgumentHelp("Use this new, empty PostgreSQL database (postgresql://…) instead of starting a server.", valueName: "url"))
    var postgresURL: String?
    @Option(help: "Random seed of the generated labels.") var seed: UInt64 = 42

    struct Figures {
        var importSeconds = 0.0
        var exportSeconds = 0.0
        var single: StoreWorkload.Run?
        var concurrent: StoreWorkload.Run?
        var verifySeconds = 0.0
    }

    func validate() throws {
        guard items > 0, decisions >= 0, reviewers > 0, concurrentDecisions >= 0 else {
            throw ValidationError("--items and --reviewers must be positive, the decision counts not negative")
        }
        guard decisions + concurrentDecisions <= items else {
            throw ValidationError("--decisions plus --concurrent-decisions (\(decisions + concurrentDecisions)) exceed --items (\(items))")
        }
    }

    func run() throws {
        let kinds = stores.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if let unknown = kinds.first(where: { $0 != "sqlite" && $0 != "postgres" }) {
            throw ValidationError("unknown store \(unknown): use sqlite, postgres")
        }
        say("store bench: \(items) items, \(classes) classes; \(MachineDescription.current())")
        let generating = MonotonicClock.now()
        let snapshot = StoreWorkload.snapshot(items: items, classes: classes, seed: seed)
        say(String(format: "generated in %.1f s", MonotonicClock.now() - generating))
        // Item ids follow items.csv's order on a first import, in both stores.
        let queue = snapshot.items.enumerated().map { (id: Int64($0.offset + 1), path: $0.element.path) }

        var results: [(String, Figures)] = []
        for kind in kinds {
            let scratch = NSTemporaryDirectory() + "winnow-bench-store-\(getpid())"
            try? FileManager.default.removeItem(atPath: scratch)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            var server: ThrowawayPostgres?
            defer { server?.remove() }
            let open: @Sendable () throws -> any ProjectStoring
            switch kind {
            case "sqlite":
                let state = scratch + "/.winnow"
                open = { try ProjectStore(stateDirectory: state) }
            default:
                var url = postgresURL
                if url == nil {
                    server = try ThrowawayPostgres(durable: true)
                    let created = server!.psql("CREATE DATABASE winnow_bench")
                    guard created.status == 0 else { throw CLIFailure(message: "CREATE DATABASE failed: \(created.output)", exit: .projectError) }
                    url = server!.url(database: "winnow_bench")
                    say("PostgreSQL: a server of its own in \(server!.folder) (Unix socket, fsync on)")
                }
                let chosen = url!
                open = { try PostgresProjectStore(url: chosen, stateDirectory: scratch + "/postgres-state") }
            }
            results.append((kind, try measure(kind, open: open, snapshot: snapshot, queue: queue)))
        }
        report(results)
    }

    /// Every figure of one store.
    func measure(
        _ kind: String, open: @escaping @Sendable () throws -> any ProjectStoring, snapshot: DatasetSnapshot,
        queue: [(id: Int64, path: String)]
    ) throws -> Figures {
        var figures = Figures()
        let store = try open()
        var start = MonotonicClock.now()
        _ = try store.applyImport(snapshot, datasetRoot: "/bench/\(kind)", progress: SilentProgress())
        figures.importSeconds = MonotonicClock.now() - start
        say(String(format: "%@: import %.2f s", kind, figures.importSeconds))

        start = MonotonicClock.now()
        var seen = 0
        _ = try store.exportItems { _, _ in seen += 1 }
        figures.exportSeconds = MonotonicClock.now() - start
        guard seen == items else { throw CLIFailure(message: "\(kind): the export read \(seen) of \(items) items", exit: .projectError) }
        say(String(format: "%@: export read %.2f s", kind, figures.exportSeconds))

        if decisions > 0 {
            // The first items; the reviewers at once take the ones after them.
            let single = try StoreWorkload.review(queue: Array(queue.prefix(decisions)), target: decisions, reviewers: 1, run: "one", open: open)
            figures.single = single
            say(String(format: "%@: 1 reviewer, %d decisions in %.2f s", kind, single.decided.count, single.seconds))
        }
        if concurrentDecisions > 0 {
            let concurrent = try StoreWorkload.review(
                queue: Array(queue.dropFirst(decisions)), target: concurrentDecisions, reviewers: reviewers, run: "many", open: open)
            guard Set(concurrent.decided).count == concurrent.decided.count else {
                throw CLIFailure(message: "\(kind): an item was decided twice by the reviewers at once", exit: .projectError)
            }
            figures.concurrent = concurrent
            say(
                String(
                    format: "%@: %d reviewers, %d decisions in %.2f s (%d passed over)", kind, reviewers, concurrent.decided.count,
                    concurrent.seconds, concurrent.passed))
        }

        start = MonotonicClock.now()
        let verification = try store.verifyDecisionLog(expectingHead: nil)
        figures.verifySeconds = MonotonicClock.now() - start
        let expected = (figures.single?.decided.count ?? 0) + (figures.concurrent?.decided.count ?? 0)
        guard verification.isIntact, verification.eventsChecked == expected else {
            throw CLIFailure(
                message: "\(kind): the decision log is not intact (\(verification.eventsChecked) events checked, \(expected) decided)",
                exit: .projectError)
        }
        return figures
    }

    func report(_ results: [(String, Figures)]) {
        let names = results.map { $0.0 == "sqlite" ? "SQLite" : "PostgreSQL" }
        say("")
        say(Self.row("", names))
        func line(_ label: String, _ value: (Figures) -> String) { say(Self.row(label, results.map { value($0.1) })) }
        line("import") { String(format: "%.2f s", $0.importSeconds) }
        line("export read (one snapshot)") { String(format: "%.2f s", $0.exportSeconds) }
        line("decisions/s, 1 reviewer") { $0.single.map { String(format: "%.0f", Double($0.decided.count) / $0.seconds) } ?? "-" }
        line("  lease claim p50 / p95") { $0.single.map { Self.quantiles($0.claims) } ?? "-" }
        line("  decision p50 / p95") { $0.single.map { Self.quantiles($0.decisions) } ?? "-" }
        line("decisions/s, \(reviewers) reviewers at once") {
            $0.concurrent.map { String(format: "%.0f", Double($0.decided.count) / $0.seconds) } ?? "-"
        }
        line("  lease claim p50 / p95") { $0.concurrent.map { Self.quantiles($0.claims) } ?? "-" }
        line("  decision p50 / p95") { $0.concurrent.map { Self.quantiles($0.decisions) } ?? "-" }
        line("verify the log") { String(format: "%.2f s", $0.verifySeconds) }
        say("load at the end: \(MachineDescription.load())")
    }

    static func quantiles(_ values: [Double]) -> String {
        String(format: "%.1f / %.1f ms", StoreWorkload.milliseconds(values, 0.5), StoreWorkload.milliseconds(values, 0.95))
    }

    static func row(_ label: String, _ cells: [String]) -> String {
        label.padding(toLength: 36, withPad: " ", startingAt: 0) + cells.map { $0.padding(toLength: 22, withPad: " ", startingAt: 0) }.joined()
    }

    func say(_ line: String) { Console.write(line + "\n", to: .standardOutput) }
}
