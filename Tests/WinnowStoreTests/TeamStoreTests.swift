import Foundation
import GRDB
import Testing
import WinnowCore
import WinnowTestSupport
@testable import WinnowStore

/// Leases and the team policy, enforced where decisions are written.
@Suite("Store: leases and roles")
struct TeamStoreTests {
    let team = TeamPolicy(reviewers: ["ann": .annotator, "bob": .annotator, "mo": .moderator, "lee": .lead], reviewsPerItem: 2)

    func ids(_ store: ProjectStore, _ paths: String...) throws -> [Int64] {
        try paths.map { path in try #require(try store.itemStates(ids: Array(1...20)).first { $0.path == path }?.id) }
    }

    @Test("a held item is nobody else's: another session is told who holds it, until the lease ends")
    func leases() throws {
        let (store, _) = try importDataset(TemporaryDataset.simple())
        let now = Date()
        let (a, b) = try (ids(store, "img0.png")[0], ids(store, "img1.png")[0])
        #expect(try store.hold(itemIDs: [a, b], reviewer: "ann", session: "s1", policy: team, now: now) == [a: .held, b: .held])
        #expect(try store.hold(itemIDs: [a], reviewer: "bob", session: "s2", policy: team, now: now) == [a: .heldBy("ann")])
        // The same reviewer in a second terminal is a second session: still not twice.
        #expect(try store.hold(itemIDs: [b], reviewer: "ann", session: "s3", policy: team, now: now) == [b: .heldBy("ann")])
        #expect(try store.itemsHeldByOthers(session: "s2", now: now) == [a: "ann", b: "ann"])
        // Moving on lets go of what is no longer on screen.
        #expect(try store.hold(itemIDs: [b], reviewer: "ann", session: "s1", policy: team, now: now) == [b: .held])
        #expect(try store.hold(itemIDs: [a], reviewer: "bob", session: "s2", policy: team, now: now) == [a: .held])
        // A session that stops renewing loses its items when the lease expires.
        let later = now.addingTimeInterval(team.leaseSeconds + 1)
        #expect(try store.hold(itemIDs: [b], reviewer: "bob", session: "s2", policy: team, now: later) == [b: .held])
        try store.renewLeases(session: "s2", seconds: 60, now: later)
        #expect(try store.activeLeases(now: later).map(\.reviewer) == ["bob"])
        try store.releaseLeases(session: "s2")
        #expect(try store.activeLeases(now: later).isEmpty)
    }

    @Test("items that no longer need the reviewer are not held: reviewed by them, final, or disputed (but for leads)")
    func settledItemsAreNotHeld() throws {
        let (store, _) = try importDataset(TemporaryDataset.simple())
        let a = try ids(store, "img0.png")[0]
        _ = try store.decide(request("img0.png", .accept, by: "ann"), policy: team)
        #expect(try store.hold(itemIDs: [a], reviewer: "ann", session: "s1", policy: team) == [a: .settled(["ann"])])
        #expect(try store.hold(itemIDs: [a], reviewer: "bob", session: "s2", policy: team) == [a: .held])
        try store.releaseLeases(session: "s2")
        _ = try store.decide(request("img0.png", .relabel, "dog", by: "bob"), policy: team)
        #expect(try store.hold(itemIDs: [a], reviewer: "mo", session: "s3", policy: team) == [a: .settled(["ann", "bob"])])
        #expect(try store.hold(itemIDs: [a], reviewer: "lee", session: "s4", policy: team, settling: true) == [a: .held])
    }

    @Test("a decision on an item another reviewer holds is refused; a lead may force it")
    func leasedDecisions() throws {
        let (store, _) = try importDataset(TemporaryDataset.simple())
        let a = try ids(store, "img0.png")[0]
        _ = try store.hold(itemIDs: [a], reviewer: "ann", session: "s1", policy: team)
        #expect { try store.decide(request("img0.png", .accept, by: "bob"), policy: team) } throws: { error in
            guard case StoreError.leased(_, let reviewer, _) = error else { return false }
            return reviewer == "ann" && "\(error)".contains("ann is reviewing \"img0.png\"")
        }
        // Its holder decides.
        _ = try store.decide(request("img0.png", .accept, by: "ann"), policy: team)
        try store.releaseLeases(session: "s1")
        let b = try ids(store, "img1.png")[0]
        #expect(try store.hold(itemIDs: [b], reviewer: "ann", session: "s1", policy: team) == [b: .held])
        var forced = request("img1.png", .accept, by: "bob")
        forced.force = true
        #expect(throws: StoreError.self) { try store.decide(forced, policy: team) } // bob is no lead
        forced.reviewer = "lee"
        #expect(try store.decide(forced, policy: team).event.reviewer == "lee")
        #expect(try store.breakLeases(reviewer: "ann") == 1)
    }

    @Test("the state folder is group-shared when the dataset folder is, private otherwise")
    func permissions() throws {
        let shared = TemporaryDataset.simple()
        chmod(shared.root, 0o2775)
        let store = try ProjectStore(stateDirectory: shared.root + "/.winnow")
        var info = stat()
        stat(shared.root + "/.winnow", &info)
        #expect(info.st_mode & 0o7777 == 0o2775)
        stat(store.databasePath, &info)
        #expect(info.st_mode & 0o777 == 0o664)
        umask(0o022)

        let solo = TemporaryDataset.simple()
        chmod(solo.root, 0o700)
        let own = try ProjectStore(stateDirectory: solo.root + "/.winnow")
        stat(solo.root + "/.winnow", &info)
        #expect(info.st_mode & 0o777 == 0o700)
        stat(own.databasePath, &info)
        #expect(info.st_mode & 0o777 == 0o600)
    }
}
