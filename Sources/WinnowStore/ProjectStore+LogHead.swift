import GRDB

/// The newest event of the decision log and its hash: recorded by every export's manifest,
/// so a later `winnow verify --head HASH` can tell whether the log was cut back since.
public struct DecisionLogHead: Sendable, Equatable, Codable {
    /// The newest event's id.
    public var eventID: Int64
    /// Its hash (lower-case hex SHA-256); it covers, through the chain, every event before it.
    /// Empty when that event has no hash (it was written outside Winnow; verify reports it).
    public var hash: String
    /// How many events the log holds.
    public var events: Int

    public init(eventID: Int64, hash: String, events: Int) {
        self.eventID = eventID
        self.hash = hash
        self.events = events
    }
}

extension ProjectStore {
    /// The decision log's head: its newest event and that event's hash (nil: no decisions yet).
    public func decisionLogHead() throws(StoreError) -> DecisionLogHead? {
        try read { db in try Self.decisionLogHead(db) }
    }

    /// The head as seen by `db` (so an export can read it in the snapshot it exports).
    static func decisionLogHead(_ db: Database) throws -> DecisionLogHead? {
        guard let newest = try Row.fetchOne(db, sql: "SELECT id, hash FROM events ORDER BY id DESC LIMIT 1") else { return nil }
        return DecisionLogHead(
            eventID: newest["id"], hash: newest["hash"] ?? "",
            events: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0)
    }
}
