import Foundation
import PostgresNIO
import WinnowCore
import WinnowStore

/// A project's state in a PostgreSQL database, shared by every host that reaches it: the
/// same records, decision log (with the same hash chain) and guarantees as `ProjectStore`'s
/// SQLite file, under the same method names. Synchronous, like every caller of the store:
/// each method returns once its transaction has committed. Commands reach it through
/// WinnowSession's `StoreLocation` (`--store`, `$WINNOW_STORE`, winnow.toml's `[store] url`).
public final class PostgresProjectStore: Sendable {
    /// The database's URL as messages show it (never the password).
    public let location: String
    /// This host's folder for what the store keeps in files: caches (neighbour graphs, the
    /// helper model, saved queues) and the models' matrices, written out from the database
    /// when an analysis first asks for them.
    public let stateDirectory: String
    let connections: PostgresConnections

    /// Connects to the database at `url` (`postgresql://…`) and brings its schema up to date.
    /// Credentials come from the URL, `$PGPASSWORD`, `~/.pgpass` (or `$PGPASSFILE`), or
    /// the server's trust of the Unix socket. Refuses a database a newer Winnow wrote.
    /// `stateDirectory`: this host's folder for the store's files (default: one under the
    /// temporary folder named after the database).
    /// `hostClock`: this host's clock (tests give a skewed one); leases are timed by the
    /// server's clock (see `PostgresTransaction.serverSeconds`).
    public init(
        url: String, stateDirectory: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        hostClock: @escaping @Sendable () -> Date = { Date() }
    ) throws(StoreError) {
        let parsed: PostgresURL
        do { parsed = try PostgresURL(url) } catch { throw .cannotConnect(url: PostgresURLError.redact(url), reason: error.problem) }
        location = parsed.redacted
        self.stateDirectory =
            stateDirectory ?? NSTemporaryDirectory() + "/winnow-postgres-"
            + String(location.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? Character($0) : "_" })
        connections = try PostgresConnections(url: parsed, environment: environment, hostClock: hostClock)
        try PostgresSchema.migrate(connections)
    }

    /// Lets go of the idle connections (the server sees the sessions end).
    public func close() { connections.close() }

    /// Runs a read in one consistent snapshot.
    func read<T>(_ body: (PostgresTransaction) throws -> T) throws(StoreError) -> T {
        try connections.transaction(.snapshot, body)
    }

    /// Runs a write transaction, committed before it returns.
    func write<T>(_ body: (PostgresTransaction) throws -> T) throws(StoreError) -> T {
        try connections.transaction(.readWrite, body)
    }

    // MARK: - Project settings

    /// A setting's stored text (nil before the first import).
    public func setting(_ key: ProjectSetting) throws(StoreError) -> String? {
        try read { db in try Self.setting(key, db) }
    }

    /// True when items may carry several labels (only the stored "true" counts, as in SQLite).
    public func isMultiLabel() throws(StoreError) -> Bool {
        try setting(.multiLabel) == "true"
    }

    static func setting(_ key: ProjectSetting, _ db: PostgresTransaction) throws(StoreError) -> String? {
        try db.row("SELECT value FROM project WHERE key = \(key.rawValue)", as: String.self)
    }

    public var hasImported: Bool {
        ((try? read { db in try db.row("SELECT COUNT(*) FROM imports", as: Int64.self) }) ?? nil ?? 0) > 0
    }

    /// The taxonomy currently in force, in column order.
    public func taxonomy() throws(StoreError) -> ClassTaxonomy {
        try read { db in ClassTaxonomy(try db.rows("SELECT name FROM classes WHERE position IS NOT NULL ORDER BY position", as: String.self)) }
    }

    /// The metadata column names from items.csv, in file order.
    public func metadataColumns() throws(StoreError) -> [String] {
        guard let json = try setting(.metadataColumns) else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
    }

    /// How many decisions the log holds (undo included).
    public func decisionCount() throws(StoreError) -> Int {
        try read { db in Int(try db.row("SELECT COUNT(*) FROM events", as: Int64.self) ?? 0) }
    }
}
