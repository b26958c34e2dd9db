import Foundation
import GRDB
import WinnowCore

/// A review session's hold on an item: while it lasts, no other session is shown the item.
public struct Lease: Sendable, Equatable {
    public var itemID: Int64
    public var image: String
    public var reviewer: String
    public var session: String
    public var acquiredAt: Date
    public var expiresAt: Date

    package init(itemID: Int64, image: String, reviewer: String, session: String, acquiredAt: Date, expiresAt: Date) {
        self.itemID = itemID
        self.image = image
        self.reviewer = reviewer
        self.session = session
        self.acquiredAt = acquiredAt
        self.expiresAt = expiresAt
    }
}

/// What asking to hold an item gave.
public enum HoldOutcome: Sendable, Equatable {
    /// This session holds it now.
    case held
    /// Another session holds it (the reviewer's name).
    case heldBy(String)
    /// It no longer needs this reviewer: decided (by enough reviewers), disputed, or
    /// already reviewed by them (the names of the reviewers who did).
    case settled([String])
}

extension ProjectStore {
    /// Holds `itemIDs` for `session` (renewing holds it has) and lets go of everything else
    /// the session held, in one transaction, so two sessions asking for the same item at the
    /// same moment cannot both get it. An item is held only while it is still open for the
    /// reviewer under `policy` (`settling`: the lead's disputed queue, where disputed items
    /// are the open ones).
    public func hold(
        itemIDs: [Int64], reviewer: String, session: String, policy: TeamPolicy,
        settling: Bool = false, now: Date = Date()
    ) throws(StoreError) -> [Int64: HoldOutcome] {
        try write { db in
            let nowSeconds = now.timeIntervalSince1970
            let wanted = Set(itemIDs)
            let mine = try Int64.fetchAll(db, sql: "SELECT item_id FROM leases WHERE session = ?", arguments: [session])
            for id in mine where !wanted.contains(id) {
                try db.execute(sql: "DELETE FROM leases WHERE item_id = ? AND session = ?", arguments: [id, session])
            }
            var outcomes: [Int64: HoldOutcome] = [:]
            for id in itemIDs {
                let (open, reviewers) = DecisionPlan.isOpen(try Self.events(db, itemID: id), for: reviewer, policy: policy, settling: settling)
                guard open else {
                    outcomes[id] = .settled(reviewers)
                    try db.execute(sql: "DELETE FROM leases WHERE item_id = ? AND session = ?", arguments: [id, session])
                    continue
                }
                if let other = try Row.fetchOne(
                    db, sql: "SELECT reviewer FROM leases WHERE item_id = ? AND session != ? AND expires_at > ?",
                    arguments: [id, session, nowSeconds])
                {
                    outcomes[id] = .heldBy(other[0])
                    continue
                }
                try db.execute(
                    sql: """
                        INSERT INTO leases(item_id, reviewer, session, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT(item_id) DO UPDATE SET
                            acquired_at = CASE WHEN session = excluded.session THEN acquired_at ELSE excluded.acquired_at END,
                            reviewer = excluded.reviewer, session = excluded.session, expires_at = excluded.expires_at
                        """, arguments: [id, reviewer, session, Timestamp.string(from: now), nowSeconds + policy.leaseSeconds])
                outcomes[id] = .held
            }
            return outcomes
        }
    }

    /// Extends every lease of `session` (the review screen's heartbeat).
    public func renewLeases(session: String, seconds: Double, now: Date = Date()) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE leases SET expires_at = ? WHERE session = ?", arguments: [now.timeIntervalSince1970 + seconds, session])
        }
    }

    /// Lets go of every lease of `session` (it quits).
    public func releaseLeases(session: String) throws(StoreError) {
        try write { db in try db.execute(sql: "DELETE FROM leases WHERE session = ?", arguments: [session]) }
    }

    /// The items other sessions hold now (by item id), so a queue can leave them out.
    public func itemsHeldByOthers(session: String, now: Date = Date()) throws(StoreError) -> [Int64: String] {
        try read { db in
            var held: [Int64: String] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT item_id, reviewer FROM leases WHERE session != ? AND expires_at > ?",
                arguments: [session, now.timeIntervalSince1970])
            while let row = try rows.next() { held[row[0]] = row[1] }
            return held
        }
    }

    /// Leases in force, oldest first.
    public func activeLeases(now: Date = Date()) throws(StoreError) -> [Lease] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT l.item_id, i.path, l.reviewer, l.session, l.acquired_at, l.expires_at
                    FROM leases l JOIN items i ON i.id = l.item_id WHERE l.expires_at > ? ORDER BY l.acquired_at, l.item_id
                    """, arguments: [now.timeIntervalSince1970]
            ).map {
                Lease(
                    itemID: $0[0], image: $0[1], reviewer: $0[2], session: $0[3],
                    acquiredAt: Timestamp.date(from: $0[4]) ?? now, expiresAt: Date(timeIntervalSince1970: $0[5]))
            }
        }
    }

    /// Ends leases at once (a lead freeing items of a session that is gone): all of them, a
    /// reviewer's, or one image's. Returns how many ended.
    @discardableResult
    public func breakLeases(reviewer: String? = nil, image: String? = nil) throws(StoreError) -> Int {
        try write { db in
            var sql = "DELETE FROM leases WHERE 1"
            var arguments: StatementArguments = []
            if let reviewer { sql += " AND reviewer = ?"; arguments += [reviewer] }
            if let image { sql += " AND item_id = (SELECT id FROM items WHERE path = ?)"; arguments += [image] }
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount
        }
    }

    /// The lease another reviewer holds on `itemID` now, if any (decisions refuse it).
    static func foreignLease(_ db: Database, itemID: Int64, reviewer: String, now: Date) throws -> (reviewer: String, until: Date)? {
        try Row.fetchOne(
            db, sql: "SELECT reviewer, expires_at FROM leases WHERE item_id = ? AND reviewer != ? AND expires_at > ?",
            arguments: [itemID, reviewer, now.timeIntervalSince1970]
        ).map { ($0[0], Date(timeIntervalSince1970: $0[1])) }
    }
}
