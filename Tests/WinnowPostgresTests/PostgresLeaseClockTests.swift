import Foundation
import Testing
import WinnowCore
import WinnowPostgres
import WinnowStore
import WinnowTestSupport

/// Leases in PostgreSQL are timed by the server's clock: reviewers' hosts may disagree by
/// minutes, and the server is the one clock they share.
@Suite("PostgreSQL store: leases on the server's clock")
struct PostgresLeaseClockTests {
    /// A store on the fixture's database whose host clock is `skew` seconds off.
    func skewedStore(_ fixture: StoreFixture, by skew: Double) throws -> PostgresProjectStore {
        let server = try ThrowawayPostgres.server()
        return try PostgresProjectStore(
            url: server.url(database: try #require(fixture.databaseName)), stateDirectory: fixture.dataset.statePath,
            hostClock: { Date().addingTimeInterval(skew) })
    }

    @Test("a host whose clock runs an hour ahead can neither take items another reviewer holds nor keep its own an hour too long")
    func clockAhead() throws {
        let fixture = try StoreFixture.imported(.postgres)
        defer { withExtendedLifetime(fixture) {} }
        let ahead = 3600.0
        let bob = try skewedStore(fixture, by: ahead)
        defer { bob.close() }
        let policy = TeamPolicy()
        let (a, b) = (try fixture.store.id("img0.png"), try fixture.store.id("img1.png"))
        #expect(try fixture.store.hold(itemIDs: [a], reviewer: "ann", session: "ann-1", policy: policy, now: Date()) == [a: .held])
        // Bob's host thinks it is an hour later: by its own clock ann's lease ended long ago.
        let bobsNow = Date().addingTimeInterval(ahead)
        #expect(try bob.hold(itemIDs: [a], reviewer: "bob", session: "bob-1", policy: policy, now: bobsNow) == [a: .heldBy("ann")])
        #expect(try bob.itemsHeldByOthers(session: "bob-1", now: bobsNow) == [a: "ann"])
        #expect(throws: StoreError.self) { try bob.decide(request("img0.png", .accept, by: "bob"), policy: policy, at: bobsNow) }
        // Bob's own lease ends lease-seconds after the server's now, not an hour later.
        #expect(try bob.hold(itemIDs: [b], reviewer: "bob", session: "bob-1", policy: policy, now: bobsNow) == [b: .held])
        let held = try #require(try fixture.store.activeLeases(now: Date()).first { $0.itemID == b })
        #expect(abs(held.expiresAt.timeIntervalSinceNow - policy.leaseSeconds) < 60, "expires in \(held.expiresAt.timeIntervalSinceNow) s")
        try bob.renewLeases(session: "bob-1", seconds: policy.leaseSeconds, now: bobsNow)
        let renewed = try #require(try fixture.store.activeLeases(now: Date()).first { $0.itemID == b })
        #expect(abs(renewed.expiresAt.timeIntervalSinceNow - policy.leaseSeconds) < 60, "expires in \(renewed.expiresAt.timeIntervalSinceNow) s")
    }

    @Test("a host whose clock runs an hour behind holds its items for the whole lease, not for none of it")
    func clockBehind() throws {
        let fixture = try StoreFixture.imported(.postgres)
        defer { withExtendedLifetime(fixture) {} }
        let behind = -3600.0
        let carl = try skewedStore(fixture, by: behind)
        defer { carl.close() }
        let policy = TeamPolicy()
        let a = try fixture.store.id("img0.png")
        let carlsNow = Date().addingTimeInterval(behind)
        #expect(try carl.hold(itemIDs: [a], reviewer: "carl", session: "carl-1", policy: policy, now: carlsNow) == [a: .held])
        // By the server's clock carl's lease runs for the lease's length: others are kept off.
        #expect(try fixture.store.hold(itemIDs: [a], reviewer: "ann", session: "ann-1", policy: policy, now: Date()) == [a: .heldBy("carl")])
        #expect(try fixture.store.activeLeases(now: Date()).map(\.reviewer) == ["carl"])
        // And carl sees ann's leases as the server does.
        let b = try fixture.store.id("img1.png")
        #expect(try fixture.store.hold(itemIDs: [b], reviewer: "ann", session: "ann-1", policy: policy, now: Date()) == [b: .held])
        #expect(try carl.itemsHeldByOthers(session: "carl-1", now: carlsNow) == [b: "ann"])
    }
}
