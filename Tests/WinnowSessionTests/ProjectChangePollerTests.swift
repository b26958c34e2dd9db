import Foundation
import Synchronization
import Testing
import WinnowCore
import WinnowDataset
import WinnowStore
import WinnowTestSupport
@testable import WinnowSession

/// The review screen of a PostgreSQL project learns of other hosts' work by asking the
/// database (no file of this host changes): decisions and leases, once a second.
@Suite("Noticing other sessions' changes in a shared project", .serialized)
struct ProjectChangePollerTests {
    /// Counts `changed` calls.
    final class Calls: Sendable {
        let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
        /// Waits up to `seconds` for at least `n` calls.
        func wait(for n: Int, seconds: Double = 10) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while value < n && Date() < deadline { usleep(20_000) }
            return value >= n
        }
    }

    @Test("a changed fingerprint is told once; an unchanged one never; stop ends it")
    func fingerprintChanges() throws {
        let fingerprint = Mutex(1)
        let calls = Calls()
        let poller = ProjectChangePoller(interval: 0.02, fingerprint: { fingerprint.withLock { $0 } }, changed: calls.add)
        usleep(150_000)
        #expect(calls.value == 0, "nothing changed")
        fingerprint.withLock { $0 = 2 }
        #expect(calls.wait(for: 1))
        usleep(150_000)
        #expect(calls.value == 1, "told once per change")
        poller.stop()
        usleep(50_000)
        fingerprint.withLock { $0 = 3 }
        usleep(150_000)
        #expect(calls.value == 1, "stopped")
    }

    @Test("a failed read (the server away) is skipped, not taken for a change")
    func failedReadsAreSkipped() throws {
        struct Away: Error {}
        let answer = Mutex<Int?>(1)
        let calls = Calls()
        let poller = ProjectChangePoller(
            interval: 0.02,
            fingerprint: {
                guard let value = answer.withLock({ $0 }) else { throw Away() }; return value
            }, changed: calls.add)
        defer { poller.stop() }
        usleep(100_000)
        answer.withLock { $0 = nil }
        usleep(100_000)
        answer.withLock { $0 = 1 }
        usleep(100_000)
        #expect(calls.value == 0)
        answer.withLock { $0 = 5 }
        #expect(calls.wait(for: 1))
    }

    @Test("another host's decision, lease and released lease change a PostgreSQL project's fingerprint")
    func otherHostsWorkIsSeen() throws {
        let server = try ThrowawayPostgres.server()
        try server.withDatabase { url, _ in
            let (here, there) = (TemporaryDataset.simple(), TemporaryDataset.simple())
            let mine = try StoreLocation(.postgres(url: url), stateDirectory: here.statePath).open()
            let theirs = try StoreLocation(.postgres(url: url), stateDirectory: there.statePath).open()
            let snapshot = try DatasetReader(root: there.root, config: DatasetReader.loadConfig(root: there.root)).read()
            _ = try theirs.applyImport(snapshot, datasetRoot: there.root)
            let project = Project(
                root: here.root, config: WinnowConfig(), store: mine, location: StoreLocation(.postgres(url: url), stateDirectory: here.statePath))
            guard case .polling = ProjectChangeSource.of(project) else {
                Issue.record("a PostgreSQL project is polled, not watched in a folder")
                return
            }
            let calls = Calls()
            let watcher = try #require(ProjectChangeSource.of(project).watch(calls.add))
            defer { watcher.stop() }
            let before = try ProjectChangePoller.fingerprint(of: mine)
            _ = try theirs.decide(DecisionRequest(imagePath: "img0.png", reviewer: "bob", action: .accept))
            let decided = try ProjectChangePoller.fingerprint(of: mine)
            #expect(decided != before)
            #expect(calls.wait(for: 1), "the screen is told within seconds")
            let id = try #require(try theirs.itemStates(ids: Array(1...6)).first { $0.path == "img2.png" }?.id)
            _ = try theirs.hold(itemIDs: [id], reviewer: "bob", session: "bob-1", policy: TeamPolicy())
            let held = try ProjectChangePoller.fingerprint(of: mine)
            #expect(held != decided)
            #expect(calls.wait(for: 2), "a lease taken elsewhere is told too")
            try theirs.renewLeases(session: "bob-1", seconds: 300)
            #expect(try ProjectChangePoller.fingerprint(of: mine) == held, "a heartbeat is no change")
            try theirs.releaseLeases(session: "bob-1")
            #expect(try ProjectChangePoller.fingerprint(of: mine) != held)
            #expect(calls.wait(for: 3))
        }
    }

    @Test("a SQLite project is watched in its state folder")
    func sqliteIsWatched() throws {
        let dataset = TemporaryDataset.simple()
        let project = try Project.open(dataset: dataset.root)
        guard case .stateFolder(let folder) = ProjectChangeSource.of(project) else {
            Issue.record("SQLite is watched with inotify")
            return
        }
        #expect(folder == project.store.stateDirectory)
    }
}
