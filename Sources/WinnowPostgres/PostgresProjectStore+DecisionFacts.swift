import Foundation
import PostgresNIO
import WinnowCore
import WinnowStore

extension PostgresProjectStore {
    /// What one decision is checked against, read in one statement (one round trip instead of
    /// five): the item, its history, the newest event of the log (whose id and hash the new
    /// event follows), another reviewer's lease in force on the item, and, for a relabel, the
    /// classes and whether items take several labels. Read after `LOCK TABLE events`, so the
    /// newest event stays the newest until the decision commits.
    struct DecisionFacts {
        var itemID: Int64
        var path: String
        var row: Int64?
        var given: LabelSet?
        var newestID: Int64?
        var newestHash: String?
        var foreignLease: (reviewer: String, until: Date)?
        var classes: Set<String>
        var multiLabel: Bool
        var history: [DecisionEvent]

        func validate(_ labels: LabelSet) throws {
            try PostgresProjectStore.validate(labels, known: classes, multiLabel: multiLabel)
        }

        /// One row per event of the item (one row with NULL event columns when it has none).
        /// The lease condition is the claim's (PostgresProjectStore+Leases.swift): a lease of
        /// another reviewer that has not expired by the server's clock; change both together.
        static func sql(relabel: Bool) -> String {
            """
            SELECT i.id, i.path, i."row", i.given_labels, n.id, n.hash, l.reviewer, l.expires_at,
                   \(relabel ? "(SELECT array_agg(name) FROM classes WHERE position IS NOT NULL)" : "NULL::text[]"),
                   \(relabel ? "(SELECT value FROM project WHERE key = $4)" : "NULL::text"),
                   e.id, e.item_id, e.reviewer, e.action, e.old_labels, e.new_labels, e.queue, e.reason, e.note, e.undoes, e.created_at
            FROM items i
            LEFT JOIN LATERAL (SELECT id, hash FROM events ORDER BY id DESC LIMIT 1) n ON true
            LEFT JOIN leases l ON l.item_id = i.id AND l.reviewer <> $2 AND l.expires_at > \(PostgresServerClock.now) + $3
            LEFT JOIN events e ON e.item_id = i.id
            WHERE i.path = $1
            ORDER BY e.id
            """
        }

        typealias Row = (
            Int64, String, Int64?, String?, Int64?, String?, String?, Double?, [String]?, String?,
            Int64?, Int64?, String?, String?, String?, String?, String?, String?, String?, Int64?, String?
        )

        static func read(_ request: DecisionRequest, at date: Date, _ db: PostgresTransaction) throws -> DecisionFacts {
            let relabel = request.action == .relabel
            var binds = PostgresBindings(capacity: 4)
            binds.append(request.imagePath)
            binds.append(request.reviewer)
            binds.append(db.shift(date)) // on the server's clock (PostgresServerClock.swift)
            if relabel { binds.append(ProjectSetting.multiLabel.rawValue) }
            let rows = try db.rows(PostgresQuery(unsafeSQL: sql(relabel: relabel), binds: binds), as: Row.self)
            guard let first = rows.first else { throw StoreError.unknownImage(request.imagePath) }
            var history: [DecisionEvent] = []
            for row in rows {
                guard let id = row.10, let itemID = row.11, let reviewer = row.12, let action = row.13, let createdAt = row.20 else { continue }
                history.append(
                    PostgresProjectStore.event(
                        from: (id, itemID, reviewer, action, row.14, row.15, row.16, row.17, row.18, row.19, createdAt)))
            }
            return DecisionFacts(
                itemID: first.0, path: first.1, row: first.2, given: first.3.map(LabelSet.init(storageText:)),
                newestID: first.4, newestHash: first.5,
                foreignLease: first.6.map { ($0, Date(timeIntervalSince1970: first.7 ?? 0)) },
                classes: Set(first.8 ?? []), multiLabel: first.9 == "true", history: history)
        }
    }
}
