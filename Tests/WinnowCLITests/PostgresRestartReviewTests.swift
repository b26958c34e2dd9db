import Foundation
import Testing
import WinnowTestSupport

/// The review screen, the real binary in tmux, while its PostgreSQL server goes away and
/// comes back: it says so, keeps the key pressed unsaved, and saves it once the server is
/// back; nothing shown as saved is lost.
@Suite("A review through a PostgreSQL restart", .serialized)
struct PostgresRestartReviewTests {
    @Test(
        "the server stops mid-review: the screen says so, keeps the decision, saves it once when the server is back",
        .enabled(if: TmuxSession.isAvailable, "needs tmux"))
    func serverStopsDuringReview() throws {
        // A server of this test's own: stopping the shared one would break other tests.
        let server = try ThrowawayPostgres.own()
        defer { server.remove() }
        let (database, url) = try server.createDatabase()
        let dataset = TemporaryDataset.simple()
        let imported = WinnowProcess.run(["import", dataset.root, "--store", url])
        try #require(imported.status == 0, "\(imported.stderr)")
        let screen = try TmuxSession([
            WinnowProcess.executable, "review", dataset.root, "--store", url, "--queue", "random", "--graphics", "blocks", "--reviewer", "tester"
        ])
        try screen.waitFor("random 1/")
        try screen.send("a")
        try screen.waitFor("saved #1")

        server.stop()
        try screen.send("a")
        let waiting = try screen.waitFor("store unreachable", timeout: 30)
        #expect(waiting.contains("is kept, not saved yet"), "\(waiting)")
        #expect(!waiting.contains("saved #2"), "nothing is shown as saved while the server is down")

        try server.start()
        let back = try screen.waitFor("the store is back", timeout: 60)
        #expect(back.contains("saved #2"), "\(back)")
        try screen.send("q")
        _ = try screen.waitForExit()

        let events = server.psql("SELECT count(*) FROM events", database: database)
        #expect(events.output.trimmingCharacters(in: .whitespacesAndNewlines) == "2", "both decisions stored, the kept one once: \(events.output)")
        let verified = WinnowProcess.run(["verify", dataset.root, "--store", url])
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
    }
}
