import Foundation
import Testing
import WinnowCore
@testable import WinnowPostgres
import WinnowStore
import WinnowTestSupport
@testable import WinnowDataset

/// Faults of a shared server (issue 14): it restarts or crashes between transactions, a
/// connection is cut in the middle of one, it cannot be reached at all. Restarts run on a
/// server of this suite's own (the shared one serves other tests meanwhile), one test at a time.
@Suite("PostgreSQL store: restarts, cut connections, unreachable servers", .serialized)
struct PostgresFaultTests {
    /// The suite's restartable server, started on first use.
    static let restartable: Result<ThrowawayPostgres, any Error> = Result { try ThrowawayPostgres.own() }

    /// A store on a new database of `server`, with the simple dataset imported.
    static func imported(on server: ThrowawayPostgres, function: String = #function) throws -> (
        store: PostgresProjectStore, name: String, url: String, dataset: TemporaryDataset
    ) {
        let dataset = TemporaryDataset.simple(function: function)
        let (name, url) = try server.createDatabase(function: function)
        let store = try PostgresProjectStore(url: url, stateDirectory: dataset.statePath)
        let snapshot = try DatasetReader(root: dataset.root, config: DatasetReader.loadConfig(root: dataset.root)).read()
        _ = try store.applyImport(snapshot, datasetRoot: dataset.root, progress: SilentProgress())
        return (store, name, url, dataset)
    }

    /// Whether `error` is the store's retryable "unreachable", naming `database`, never a password.
    static func isUnreachable(_ error: any Error, database: String, outcomeUnknown: Bool = false) -> Bool {
        guard let error = error as? StoreError, case .unreachable(let url, _, let unknown) = error else { return false }
        return error.isRetryable && unknown == outcomeUnknown && url.contains(database) && "\(error)".contains("cannot reach the project store")
            && "\(error)".contains("fix:")
    }

    @Test("a server restart between decisions: the next decision reconnects, nothing saved is lost")
    func restartBetweenDecisions() throws {
        let server = try Self.restartable.get()
        let (store, name, _, _) = try Self.imported(on: server)
        defer { store.close(); server.dropDatabase(name) }
        _ = try store.decide(request("img0.png", .accept))
        // The idle connection kept for reuse now leads to the old server process.
        try server.restart()
        _ = try store.decide(request("img1.png", .relabel, "fox"))
        #expect(try store.decisionCount() == 2)
        #expect(try store.resolution(ofImage: "img1.png").labels == LabelSet(single: "fox"))
        #expect(try store.verifyDecisionLog().isIntact)
    }

    @Test("while the server is down, reads and decisions fail as unreachable (retryable); once it is back the same decision is stored once")
    func downThenBack() throws {
        let server = try Self.restartable.get()
        let (store, name, _, _) = try Self.imported(on: server)
        defer { store.close(); server.dropDatabase(name) }
        _ = try store.decide(request("img0.png", .accept))
        server.stop()
        #expect { try store.decide(request("img1.png", .exclude)) } throws: { Self.isUnreachable($0, database: name) }
        #expect { try store.decisionCount() } throws: { Self.isUnreachable($0, database: name) }
        #expect { try store.hold(itemIDs: [1], reviewer: "ann", session: "s", policy: TeamPolicy()) } throws: {
            Self.isUnreachable($0, database: name)
        }
        try server.start()
        _ = try store.decide(request("img1.png", .exclude))
        #expect(try store.history(ofImage: "img1.png").map(\.action) == [.exclude])
        #expect(try store.decisionCount() == 2)
        #expect(try store.verifyDecisionLog().isIntact)
    }

    @Test("a crash (immediate stop) and recovery: every committed decision is there and the chain verifies")
    func crashAndRecovery() throws {
        let server = try Self.restartable.get()
        let (store, name, url, _) = try Self.imported(on: server)
        defer { store.close(); server.dropDatabase(name) }
        for i in 0..<5 { _ = try store.decide(request("img\(i).png", .accept)) }
        try server.restart(.immediate)
        #expect(try store.decisionCount() == 5)
        #expect(try store.verifyDecisionLog().isIntact)
        // A second store (another reviewer's process) opens the recovered project as well.
        let other = try PostgresProjectStore(url: url)
        defer { other.close() }
        #expect(try other.decide(request("img5.png", .accept, by: "bob")).event.id == 6)
    }

    // MARK: - A connection cut in the middle of a transaction

    /// Runs `sql` in a psql session of its own until it is ended (a lock held for a while).
    final class Blocker: @unchecked Sendable {
        let server: ThrowawayPostgres
        let database: String
        let done = DispatchGroup()
        init(_ server: ThrowawayPostgres, database: String, holding sql: String) throws {
            self.server = server
            self.database = database
            done.enter()
            DispatchQueue.global().async { [done] in
                server.psql("BEGIN; \(sql); SELECT pg_sleep(120); COMMIT", database: database)
                done.leave()
            }
            // Until it holds its lock (its pg_sleep runs).
            _ = try waitFor(
                server, database: database,
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(120)%' AND state = 'active' AND pid <> pg_backend_pid()"
            )
        }
        func end() {
            server.psql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(120)%' AND pid <> pg_backend_pid()",
                database: database)
            done.wait()
        }
    }

    /// Polls `sql` (first column of the first row) until it returns a row, for up to 30 s.
    static func waitFor(_ server: ThrowawayPostgres, database: String, _ sql: String) throws -> String {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let answer = server.psql(sql, database: database).output.split(separator: "\n").first.map(String.init) ?? ""
            if !answer.isEmpty { return answer }
            usleep(20_000)
        }
        throw TimedOut(description: "timed out waiting for: \(sql)")
    }

    @Test("a connection cut in the middle of a group decision: none of it is stored, the chain verifies, the store goes on")
    func cutMidDecision() throws {
        let fixture = try StoreFixture.imported(.postgres)
        defer { withExtendedLifetime(fixture) {} }
        let server = try ThrowawayPostgres.server()
        let database = try #require(fixture.databaseName)
        let store = fixture.store
        _ = try store.decide(request("img5.png", .accept))
        // Another session holds img2's row: the group's event for img2 waits for it (its
        // foreign key), after img0's and img1's events were written in the same transaction.
        let blocker = try Blocker(server, database: database, holding: "SELECT 1 FROM items WHERE path = 'img2.png' FOR UPDATE")
        let result = Locked<Result<[DecisionOutcome], any Error>?>(nil)
        let decided = DispatchGroup()
        decided.enter()
        DispatchQueue.global().async {
            result.set(Result { try store.decide(["img0.png", "img1.png", "img2.png"].map { request($0, .relabel, "fox") }, policy: TeamPolicy()) })
            decided.leave()
        }
        let waiting = try Self.waitFor(
            server, database: database,
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
        // It wrote events already (it holds the row lock an INSERT takes on events).
        let wrote = server.psql(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = \(waiting) AND c.relname = 'events' AND l.mode = 'RowExclusiveLock' AND l.granted",
            database: database)
        #expect(wrote.output.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(wrote.output)")
        server.psql("SELECT pg_terminate_backend(\(waiting))", database: database)
        decided.wait()
        blocker.end()
        let failure = try #require(result.value)
        #expect(throws: (any Error).self) { try failure.get() }
        // The events are sent ahead with the COMMIT behind them (PendingStatements), so when
        // the connection dies the client cannot tell whether the server got as far as
        // committing: it says the outcome is unknown, and the log (below) shows it did not.
        if case .failure(let error) = failure { #expect(Self.isUnreachable(error, database: database, outcomeUnknown: true), "\(error)") }
        #expect(try store.decisionCount() == 1)
        #expect(try store.resolution(ofImage: "img0.png").labels == LabelSet(single: "cat"))
        #expect(try store.verify().isIntact)
        // The same group again, now that nothing is in the way: stored whole.
        _ = try store.decide(["img0.png", "img1.png", "img2.png"].map { request($0, .relabel, "fox") }, policy: TeamPolicy())
        #expect(try store.decisionCount() == 4 && store.verify().isIntact)
    }

    @Test("a connection cut in the middle of an import: nothing of it is stored, and the import runs again")
    func cutMidImport() throws {
        let server = try ThrowawayPostgres.server()
        let dataset = TemporaryDataset.simple(count: 300)
        let (database, url) = try server.createDatabase()
        defer { server.dropDatabase(database) }
        let store = try PostgresProjectStore(url: url, stateDirectory: dataset.statePath)
        defer { store.close() }
        let snapshot = try DatasetReader(root: dataset.root, config: DatasetReader.loadConfig(root: dataset.root)).read()
        // The import replaces the annotations after it has written the items: held up there.
        let blocker = try Blocker(server, database: database, holding: "LOCK TABLE annotations IN ACCESS EXCLUSIVE MODE")
        let result = Locked<Result<ImportSummary, any Error>?>(nil)
        let imported = DispatchGroup()
        imported.enter()
        DispatchQueue.global().async {
            result.set(Result { try store.applyImport(snapshot, datasetRoot: dataset.root, progress: SilentProgress()) })
            imported.leave()
        }
        let waiting = try Self.waitFor(
            server, database: database,
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
        let wrote = server.psql(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = \(waiting) AND c.relname = 'items' AND l.mode = 'RowExclusiveLock' AND l.granted",
            database: database)
        #expect(wrote.output.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "the import had written items: \(wrote.output)")
        server.psql("SELECT pg_terminate_backend(\(waiting))", database: database)
        imported.wait()
        blocker.end()
        if case .failure(let error)? = result.value {
            #expect(Self.isUnreachable(error, database: database), "\(error)")
        } else {
            Issue.record("the import was not cut: \(String(describing: result.value))")
        }
        for table in ["items", "classes", "imports", "project"] {
            #expect(
                server.psql("SELECT count(*) FROM \(table)", database: database).output.trimmingCharacters(in: .whitespacesAndNewlines) == "0",
                "\(table)")
        }
        #expect(!store.hasImported)
        #expect(try store.applyImport(snapshot, datasetRoot: dataset.root, progress: SilentProgress()).items == 300)
        #expect(try store.verifyDecisionLog().isIntact)
    }

    // MARK: - Unreachable servers

    @Test(
        "an unreachable server (no socket folder, a socket folder without a server, a TCP port nobody listens on): a clear, retryable error naming the URL without the password"
    )
    func unreachableServers() throws {
        let server = try ThrowawayPostgres.server()
        let empty = server.folder + "/no-server-here-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        for (url, shown) in [
            ("postgresql://ann:secret@/x?host=/nonexistent-winnow", "postgresql://ann@/x?host=/nonexistent-winnow"),
            ("postgresql://ann:secret@/x?host=\(empty)", "postgresql://ann@/x?host=\(empty)"),
            // Connecting out only: nothing listens on TCP in tests.
            ("postgresql://ann:secret@127.0.0.1:1/x?sslmode=disable", "postgresql://ann@127.0.0.1:1/x")
        ] {
            #expect { try PostgresProjectStore(url: url, environment: [:]) } throws: { error in
                let message = "\(error)"
                guard let error = error as? StoreError, case .unreachable(let named, _, false) = error else { return false }
                return named.hasPrefix(shown) && message.contains(shown) && !message.contains("secret") && message.contains("fix:")
                    && message.contains("no connection")
            }
        }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var description: String
}

/// A value set on one thread and read on another.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func set(_ value: Value) { lock.withLock { stored = value } }
}
