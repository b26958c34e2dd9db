import Foundation
import PostgresNIO
import WinnowCore
import WinnowStore

extension PostgresProjectStore {
    /// The reviewer shown for an item another session is taking at this very moment (its
    /// transaction has not committed, so who it is is not known yet).
    public static let claimInProgress = "another reviewer"

    /// Holds `itemIDs` for `session` (renewing holds it has) and lets go of everything else
    /// the session held, in one transaction. Each item's row is locked with
    /// `SELECT … FOR NO KEY UPDATE SKIP LOCKED` (which decisions, referring to the item, do
    /// not wait for) before its lease is looked at: two sessions asking
    /// for the same item at the same moment never both get it, and neither waits for the
    /// other (the one that finds it locked is told it is taken). An item is held only while
    /// it still needs the reviewer under `policy` (`settling`: disputed items, for leads).
    public func hold(
        itemIDs: [Int64], reviewer: String, session: String, policy: TeamPolicy,
        settling: Bool = false, now: Date = Date()
    ) throws(StoreError) -> [Int64: HoldOutcome] {
        try write { db in
            // The server's clock (PostgresServerClock.swift), for the lease and its stamp.
            let nowSeconds = try db.serverSeconds(at: now)
            // The statements are those of one item at a time, but each kind is sent for all
            // items at once and the writes are not waited for (see PendingStatements): four
            // waits for a claim (BEGIN among them) whatever the number of items, instead of
            // four, and three more per item.
            db.send("DELETE FROM leases WHERE session = \(session) AND NOT (item_id = ANY(\(itemIDs)))")
            let locked = try db.rows("SELECT id FROM items WHERE id = ANY(\(itemIDs)) ORDER BY id FOR NO KEY UPDATE SKIP LOCKED", as: Int64.self)
            let lockedSet = Set(locked)
            let unlocked = itemIDs.filter { !lockedSet.contains($0) }
            // Read after the rows are locked (each statement sees what was committed before it).
            // Leases before events: a reviewer's decision commits before its lease on the item
            // goes (with its next claim), so an item whose lease is already gone shows that
            // decision to the events read that follows. Read the other way round, a decision
            // and the lease's release could both land between the two reads: the item would
            // look open and unheld, be claimed, and its decision refused as already decided.
            let reads = try db.pipeline([
                "SELECT item_id, reviewer FROM leases WHERE item_id = ANY(\(locked)) AND session <> \(session) AND expires_at > \(nowSeconds)",
                PostgresQuery(
                    unsafeSQL: "SELECT \(Self.eventColumns) FROM events WHERE item_id = ANY($1) ORDER BY id",
                    binds: {
                        var binds = PostgresBindings(); binds.append(locked); return binds
                    }()),
                "SELECT id FROM items WHERE id = ANY(\(unlocked))"
            ])
            var foreign: [Int64: String] = [:]
            for row in reads[0] { let (id, other) = try row.decode((Int64, String).self); foreign[id] = other }
            var histories: [Int64: [DecisionEvent]] = [:]
            for row in reads[1] { let event = Self.event(from: try row.decode(EventRow.self)); histories[event.itemID, default: []].append(event) }
            var known = lockedSet
            for row in reads[2] { known.insert(try row.decode(Int64.self)) }
            var outcomes: [Int64: HoldOutcome] = [:]
            for id in itemIDs where outcomes[id] == nil {
                guard lockedSet.contains(id) else {
                    // Unknown ids are left out, as in the SQLite store; locked ones are being taken.
                    if known.contains(id) { outcomes[id] = .heldBy(Self.claimInProgress) }
                    continue
                }
                let (open, reviewers) = DecisionPlan.isOpen(histories[id] ?? [], for: reviewer, policy: policy, settling: settling)
                guard open else {
                    outcomes[id] = .settled(reviewers)
                    db.send("DELETE FROM leases WHERE item_id = \(id) AND session = \(session)")
                    continue
                }
                if let other = foreign[id] {
                    outcomes[id] = .heldBy(other)
                    continue
                }
                db.send(
                    """
                    INSERT INTO leases(item_id, reviewer, session, acquired_at, expires_at)
                    VALUES (\(id), \(reviewer), \(session), \(Timestamp.string(from: Date(timeIntervalSince1970: nowSeconds))), \(nowSeconds + policy.leaseSeconds))
                    ON CONFLICT (item_id) DO UPDATE SET
                        acquired_at = CASE WHEN leases.session = excluded.session THEN leases.acquired_at ELSE excluded.acquired_at END,
                        reviewer = excluded.reviewer, session = excluded.session, expires_at = excluded.expires_at
                    """)
                outcomes[id] = .held
            }
            return outcomes
        }
    }

    /// Extends every lease of `session` (the review screen's heartbeat).
    public func renewLeases(session: String, seconds: Double, now: Date = Date()) throws(StoreError) {
        try write { db in
            _ = try db.query(
                "UPDATE leases SET expires_at = \(unescaped: PostgresServerClock.now) + \(db.shift(now) + seconds) WHERE session = \(session)")
        }
    }

    /// Lets go of every lease of `session` (it quits).
    public func releaseLeases(session: String) throws(StoreError) {
        try write { db in _ = try db.query("DELETE FROM leases WHERE session = \(session)") }
    }

    /// The items other sessions hold now (by item id), so a queue can leave them out.
    public func itemsHeldByOthers(session: String, now: Date = Date()) throws(StoreError) -> [Int64: String] {
        try read { db in
            var held: [Int64: String] = [:]
            for (id, reviewer) in try db.rows(
                "SELECT item_id, reviewer FROM leases WHERE session <> \(session) AND expires_at > \(unescaped: PostgresServerClock.now) + \(db.shift(now))",
                as: (Int64, String).self)
            {
                held[id] = reviewer
            }
            return held
        }
    }

    /// Leases in force, oldest first.
    public func activeLeases(now: Date = Date()) throws(StoreError) -> [Lease] {
        try read { db in
            try db.rows(
                """
                SELECT l.item_id, i.path, l.reviewer, l.session, l.acquired_at, l.expires_at
                FROM leases l JOIN items i ON i.id = l.item_id WHERE l.expires_at > \(unescaped: PostgresServerClock.now) + \(db.shift(now)) ORDER BY l.acquired_at, l.item_id
                """, as: (Int64, String, String, String, String, Double).self
            ).map {
                Lease(
                    itemID: $0.0, image: $0.1, reviewer: $0.2, session: $0.3,
                    acquiredAt: Timestamp.date(from: $0.4) ?? now, expiresAt: Date(timeIntervalSince1970: $0.5))
            }
        }
    }

    /// Ends leases at once (a lead freeing items of a session that is gone): all of them, a
    /// reviewer's, or one image's. Returns how many ended.
    @discardableResult
    public func breakLeases(reviewer: String? = nil, image: String? = nil) throws(StoreError) -> Int {
        try write { db in
            let result = try db.query(
                """
                DELETE FROM leases WHERE (\(reviewer)::text IS NULL OR reviewer = \(reviewer))
                AND (\(image)::text IS NULL OR item_id = (SELECT id FROM items WHERE path = \(image)))
                """)
            return result.metadata.rows ?? 0
        }
    }
}
