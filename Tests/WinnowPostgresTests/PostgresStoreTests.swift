import Foundation
import Testing
import WinnowCore
@testable import WinnowPostgres
import WinnowStore
import WinnowTestSupport

/// What only the PostgreSQL store has: a server shared by processes, roles with passwords,
/// its own schema versions, and row locks for leases. Against the test process's server.
@Suite("PostgreSQL store: server, credentials, schema, concurrency")
struct PostgresStoreTests {
    @Test("the test server listens on its Unix socket only, never on TCP")
    func noTCP() throws {
        let server = try ThrowawayPostgres.server()
        #expect(server.psql("SHOW listen_addresses").output.trimmingCharacters(in: .whitespacesAndNewlines) == "")
        #expect(FileManager.default.fileExists(atPath: server.folder + "/.s.PGSQL.\(server.port)"))
    }

    @Test("the decision log refuses UPDATE, DELETE and TRUNCATE, even by the database's owner")
    func appendOnly() throws {
        let fixture = try StoreFixture.imported(.postgres)
        defer { withExtendedLifetime(fixture) {} }
        _ = try fixture.store.decide(request("img0.png", .accept))
        let server = try ThrowawayPostgres.server()
        let database = try #require(fixture.databaseName)
        for sql in ["UPDATE events SET reviewer = 'mallory'", "DELETE FROM events", "TRUNCATE events CASCADE"] {
            let result = server.psql(sql, database: database)
            #expect(result.status != 0 && result.output.contains("the decision log is append-only"), "\(sql): \(result.output)")
        }
        #expect(try fixture.store.history(ofImage: "img0.png").first?.reviewer == "alice")
        #expect(try fixture.store.verify().isIntact)
    }

    @Test("an event edited behind the triggers' back is the first broken link")
    func tamperingIsFound() throws {
        let fixture = try StoreFixture.imported(.postgres)
        defer { withExtendedLifetime(fixture) {} }
        for i in 0..<4 { _ = try fixture.store.decide(request("img\(i).png", .accept)) }
        let server = try ThrowawayPostgres.server()
        let database = try #require(fixture.databaseName)
        let edit = server.psql(
            "ALTER TABLE events DISABLE TRIGGER USER; UPDATE events SET reviewer = 'mallory' WHERE id = 2; ALTER TABLE events ENABLE TRIGGER USER",
            database: database)
        #expect(edit.status == 0, "\(edit.output)")
        let verification = try fixture.store.verify()
        #expect(verification.brokenLink?.eventID == 2 && verification.eventsChecked == 1)
        #expect(verification.brokenLink?.reason.contains("event 2 was changed") == true)
    }

    @Test("two stores claiming the same items at once never both get one")
    func concurrentClaims() async throws {
        let fixture = try StoreFixture.imported(.postgres, .simple(count: 40))
        defer { withExtendedLifetime(fixture) {} }
        let open = fixture.open
        let policy = TeamPolicy()
        let claimed = await withTaskGroup(of: [Int64].self) { group in
            for claimant in 0..<4 {
                group.addTask {
                    let mine = try! open()
                    var got: [Int64] = []
                    // Each walks the same queue, one item at a time, as review screens do.
                    for id in Int64(1)...40 {
                        let outcome = try! mine.hold(itemIDs: got + [id], reviewer: "r\(claimant)", session: "s\(claimant)", policy: policy)
                        if outcome[id] == .held { got.append(id) }
                    }
                    return got
                }
            }
            var all: [[Int64]] = []
            for await got in group { all.append(got) }
            return all
        }
        let every = claimed.flatMap { $0 }
        #expect(Set(every).count == every.count, "an item was held by two sessions")
        #expect(every.count == 40, "every item was held by someone")
        #expect(try fixture.store.activeLeases(now: Date()).count == 40)
    }

    @Test("a claimant killed mid-review keeps its items only until its lease expires")
    func killedClaimant() throws {
        let fixture = try StoreFixture.imported(.postgres)
        defer { withExtendedLifetime(fixture) {} }
        let policy = TeamPolicy()
        let now = Date()
        let claimant = try fixture.open()
        let a = try fixture.store.id("img0.png")
        #expect(try claimant.hold(itemIDs: [a], reviewer: "ann", session: "dead", policy: policy, now: now) == [a: .held])
        // Its connections die with it; it never releases anything.
        let server = try ThrowawayPostgres.server()
        let database = try #require(fixture.databaseName)
        _ = server.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(database)' AND pid <> pg_backend_pid()")
        let other = try fixture.open()
        #expect(
            try other.hold(itemIDs: [a], reviewer: "bob", session: "alive", policy: policy, now: now.addingTimeInterval(1)) == [a: .heldBy("ann")])
        #expect(throws: StoreError.self) { try other.decide(request("img0.png", .accept, by: "bob"), policy: policy, at: now.addingTimeInterval(1)) }
        let expired = now.addingTimeInterval(policy.leaseSeconds + 1)
        #expect(try other.hold(itemIDs: [a], reviewer: "bob", session: "alive", policy: policy, now: expired) == [a: .held])
        // The store whose connections were cut reconnects on its next use.
        #expect(try fixture.store.decisionCount() == 0)
    }

    @Test("a database written by a newer Winnow is refused, naming it without the password")
    func newerSchema() throws {
        let server = try ThrowawayPostgres.server()
        try server.withDatabase { url, name in
            _ = try PostgresProjectStore(url: url)
            #expect(server.psql("INSERT INTO winnow_migrations VALUES (99, 'from the future', 'now')", database: name).status == 0)
            #expect { try PostgresProjectStore(url: url) } throws: { error in
                guard case StoreError.newerSchema(let where_) = error else { return false }
                return where_.contains(name) && "\(error)".contains("newer Winnow")
            }
        }
    }

    @Test("processes opening a new project at once take turns: the schema is made once")
    func concurrentOpens() async throws {
        let server = try ThrowawayPostgres.server()
        let (name, url) = try server.createDatabase()
        defer { server.dropDatabase(name) }
        let opened = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 { group.addTask { (try? PostgresProjectStore(url: url)) != nil } }
            var all: [Bool] = []
            for await ok in group { all.append(ok) }
            return all
        }
        #expect(opened == [true, true, true, true])
        // Each migration recorded once (not once per process).
        #expect(
            server.psql("SELECT COUNT(*) FROM winnow_migrations", database: name).output.trimmingCharacters(in: .whitespacesAndNewlines)
                == "\(PostgresSchema.latestVersion)")
    }

    @Test("a wrong password is refused with the URL, never the password; the right one works from each source")
    func passwords() throws {
        let server = try ThrowawayPostgres.server()
        try server.withDatabase { _, name in
            let wrong = server.url(database: name, user: server.passwordRole, password: "wrong-horse")
            #expect { try PostgresProjectStore(url: wrong, environment: [:]) } throws: { error in
                let message = "\(error)"
                return message.contains("postgresql://\(server.passwordRole)@/\(name)") && !message.contains("wrong-horse")
                    && message.contains("password authentication failed") && message.contains("fix:")
            }
            let bare = server.url(database: name, user: server.passwordRole)
            #expect { try PostgresProjectStore(url: bare, environment: [:]) } throws: { "\($0)".contains("password") }
            #expect(server.psql("GRANT ALL ON SCHEMA public TO \(server.passwordRole)", database: name).status == 0)
            _ = try PostgresProjectStore(url: server.url(database: name, user: server.passwordRole, password: server.password), environment: [:])
            _ = try PostgresProjectStore(url: bare, environment: ["PGPASSWORD": server.password])
            let file = server.folder + "/pgpass-\(UInt32.random(in: 0...UInt32.max))"
            try "localhost:*:\(name):\(server.passwordRole):\(server.password)\n".write(toFile: file, atomically: false, encoding: .utf8)
            chmod(file, 0o600)
            defer { unlink(file) }
            _ = try PostgresProjectStore(url: bare, environment: ["PGPASSFILE": file])
        }
    }

    @Test("no server at the URL: a clear error naming the URL")
    func noServer() {
        #expect { try PostgresProjectStore(url: "postgresql://ann:secret@/x?host=/nonexistent-winnow") } throws: { error in
            let message = "\(error)"
            return message.contains("postgresql://ann@/x?host=/nonexistent-winnow") && !message.contains("secret") && message.contains("fix:")
        }
    }
}
