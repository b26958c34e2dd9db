import Foundation
import Testing
@testable import WinnowPostgres

@Suite("PostgreSQL store: URLs and credentials")
struct PostgresURLTests {
    @Test("a URL gives user, host, port, database and TLS; the password is never shown")
    func parsing() throws {
        let url = try PostgresURL("postgresql://ann:s%40cret@db.example.org:6543/winnow?sslmode=require")
        #expect(url.user == "ann" && url.password == "s@cret" && url.host == "db.example.org" && url.port == 6543)
        #expect(url.database == "winnow" && url.tls == .require && !url.usesUnixSocket)
        #expect(url.redacted == "postgresql://ann@db.example.org:6543/winnow?sslmode=require")
        let socket = try PostgresURL("postgres:///proj?host=/tmp/pg&port=5433")
        #expect(
            socket.usesUnixSocket && socket.unixSocketPath == "/tmp/pg/.s.PGSQL.5433"
                && socket.redacted == "postgresql:///proj?host=/tmp/pg&port=5433")
        #expect(try PostgresURL("postgresql://%2Fvar%2Frun%2Fpostgresql/p").unixSocketPath == "/var/run/postgresql/.s.PGSQL.5432")
        #expect(try PostgresURL("postgresql://[::1]:5000/p").host == "::1")
    }

    @Test("a bad URL is refused with a reason, naming the URL without its password")
    func badURLs() {
        for (text, reason) in [
            ("postgresql://ann:hunter2@h/db?sslmode=maybe", "sslmode=maybe"),
            ("postgresql://ann:hunter2@h:99999/db", "port"),
            ("postgresql://ann:hunter2@h/db?colour=red", "colour"),
            ("mysql://ann:hunter2@h/db", "postgresql://")
        ] {
            #expect { try PostgresURL(text) } throws: { error in
                let message = "\(error)"
                return message.contains(reason) && !message.contains("hunter2") && message.contains("ann@h")
            }
        }
    }

    @Test("the password comes from the URL, then $PGPASSWORD, then a private pgpass file")
    func credentials() throws {
        let folder = NSTemporaryDirectory() + "pgpass-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/pgpass"
        try "# comment\nother:*:*:*:no\nlocalhost:5432:proj:ann:pa\\:ss\n*:*:*:*:fallback\n".write(toFile: file, atomically: false, encoding: .utf8)
        chmod(file, 0o600)
        let url = try PostgresURL("postgresql://ann@/proj")
        #expect(PostgresCredentials(url, environment: ["PGPASSFILE": file]).password == "pa:ss")
        #expect(PostgresCredentials(url, environment: ["PGPASSFILE": file, "PGPASSWORD": "env"]).password == "env")
        #expect(PostgresCredentials(try PostgresURL("postgresql://ann:url@/proj"), environment: ["PGPASSWORD": "env"]).password == "url")
        #expect(PostgresCredentials(try PostgresURL("postgresql://bob@db/x"), environment: ["PGPASSFILE": file]).password == "fallback")
        // As libpq: a file others can read is ignored.
        chmod(file, 0o644)
        #expect(PostgresCredentials(url, environment: ["PGPASSFILE": file]).password == nil)
        // No user in the URL: $PGUSER; no database: the user's name.
        let defaults = PostgresCredentials(try PostgresURL("postgresql://h"), environment: ["PGUSER": "carol"])
        #expect(defaults.user == "carol" && defaults.database == "carol")
    }
}
