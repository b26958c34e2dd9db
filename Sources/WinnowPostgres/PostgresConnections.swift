import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import WinnowStore

/// The store's connections to one PostgreSQL database, used synchronously: every caller
/// of the project store is synchronous (commands, the review screen's threads), so each
/// query waits for its EventLoopFuture on the calling thread, never on an event loop and
/// never inside Swift concurrency's cooperative pool (which a blocked thread could starve).
/// Idle connections are kept for reuse; a connection that failed is closed, not reused.
final class PostgresConnections: @unchecked Sendable {
    let url: PostgresURL
    /// This host's clock (a seam: tests give a skewed one). Lease times are the server's;
    /// see `PostgresTransaction.serverSeconds`.
    let hostClock: @Sendable () -> Date
    private let configuration: PostgresConnection.Configuration
    private let lock = NSLock()
    private var idle: [PostgresConnection] = []
    private var nextID = 1
    private var closed = false
    /// postgres-nio logs at debug and trace level only; nothing of it reaches the terminal.
    static let logger = Logger(label: "winnow.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    /// Idle connections kept beyond this many are closed.
    static let keptIdle = 4

    init(
        url: PostgresURL, environment: [String: String] = ProcessInfo.processInfo.environment,
        hostClock: @escaping @Sendable () -> Date = { Date() }
    ) throws(StoreError) {
        self.url = url
        self.hostClock = hostClock
        let credentials = PostgresCredentials(url, environment: environment)
        if let socket = url.unixSocketPath {
            configuration = .init(unixSocketPath: socket, username: credentials.user, password: credentials.password, database: credentials.database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            do { tls = try Self.tls(url.tls, environment: environment) } catch {
                throw .cannotConnect(
                    url: url.redacted, reason: "cannot set up TLS (\(error))\n    fix: check $PGSSLROOTCERT, or the sslmode in the URL")
            }
            configuration = .init(
                host: url.host ?? "localhost", port: url.port, username: credentials.user,
                password: credentials.password, database: credentials.database, tls: tls)
        }
    }

    /// libpq's sslmode as postgres-nio's TLS setting: `require` encrypts without checking the
    /// server's certificate (as libpq does), `verify-ca` checks it against the trusted roots
    /// (`$PGSSLROOTCERT`, else the system's), `verify-full` checks the host name too.
    static func tls(_ mode: PostgresURL.TLSMode, environment: [String: String]) throws -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let roots = environment["PGSSLROOTCERT"] { tls.trustRoots = .file(roots) }
        switch mode {
        case .disable: return .disable
        case .allow, .prefer:
            tls.certificateVerification = .none
            return .prefer(try NIOSSLContext(configuration: tls))
        case .require:
            tls.certificateVerification = .none
            return .require(try NIOSSLContext(configuration: tls))
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
            return .require(try NIOSSLContext(configuration: tls))
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            return .require(try NIOSSLContext(configuration: tls))
        }
    }

    /// A connection: an idle one (`reused`), or a new one.
    func connect(reusing: Bool = true) throws(StoreError) -> (connection: PostgresConnection, reused: Bool) {
        lock.lock()
        if closed { lock.unlock(); throw .io("the project store \(url.redacted) was closed") }
        if reusing, let connection = idle.popLast() {
            lock.unlock()
            if !connection.isClosed { return (connection, true) }
            return try connect()
        }
        let id = nextID
        nextID += 1
        lock.unlock()
        do {
            return (
                try PostgresConnection.connect(
                    on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration,
                    id: id, logger: Self.logger
                ).wait(), false
            )
        } catch {
            // The server is down or restarting: the idle connections are to its old process.
            if ConnectionLoss.isLoss(error) {
                discardIdle()
                throw .unreachable(url: url.redacted, reason: Self.connectFailure(error), outcomeUnknown: false)
            }
            throw .cannotConnect(url: url.redacted, reason: Self.connectFailure(error))
        }
    }

    /// Closes every idle connection (the server they lead to went away); later calls connect anew.
    func discardIdle() {
        lock.lock()
        let connections = idle
        idle = []
        lock.unlock()
        for connection in connections { Self.drop(connection) }
    }

    /// Closes a connection (it failed, or is not needed any more) and waits until it is
    /// closed: postgres-nio requires that before the connection is released.
    static func drop(_ connection: PostgresConnection) {
        try? (connection.close() as EventLoopFuture<Void>).wait()
    }

    /// Gives a healthy connection back for reuse.
    func reuse(_ connection: PostgresConnection) {
        lock.lock()
        let keep = !closed && !connection.isClosed && idle.count < Self.keptIdle
        if keep { idle.append(connection) }
        lock.unlock()
        if !keep { Self.drop(connection) }
    }

    /// Runs `body` in one transaction on one connection: committed before this returns, or
    /// rolled back (and nothing of it stored) when `body` or the commit fails.
    func transaction<T>(_ mode: TransactionMode = .readWrite, _ body: (PostgresTransaction) throws -> T) throws(StoreError) -> T {
        do {
            return try transactionPassingErrors(mode, body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw PostgresTransaction.failure(error, url: url)
        }
    }

    /// `error` as thrown by a transaction: a lost connection empties the pool (every idle
    /// connection led to the same server), and one lost during COMMIT says its outcome is
    /// unknown (the server may have committed before the connection broke).
    private func settled(_ error: any Error, committing: Bool) -> any Error {
        guard case StoreError.unreachable(let where_, let reason, _) = error else { return error }
        discardIdle()
        return committing ? StoreError.unreachable(url: where_, reason: reason, outcomeUnknown: true) : error
    }

    /// `transaction`, with the errors `body` throws passed through as they are (a visitor's).
    func transactionPassingErrors<T>(_ mode: TransactionMode = .readWrite, _ body: (PostgresTransaction) throws -> T) throws -> T {
        var (connection, reused) = try connect()
        var transaction = PostgresTransaction(connection: connection, url: url, hostClock: hostClock)
        do {
            try transaction.run(mode.begin)
        } catch {
            Self.drop(connection)
            // An idle connection the server ended meanwhile (a restart, an administrator):
            // nothing was sent yet, so a new connection may begin again.
            guard reused else { throw settled(error, committing: false) }
            discardIdle()
            (connection, reused) = try connect(reusing: false)
            transaction = PostgresTransaction(connection: connection, url: url, hostClock: hostClock)
            do { try transaction.run(mode.begin) } catch {
                Self.drop(connection)
                throw settled(error, committing: false)
            }
        }
        let value: T
        do {
            value = try body(transaction)
        } catch {
            // A failed ROLLBACK leaves the connection in an unknown state: close it.
            if (try? transaction.run("ROLLBACK")) != nil { reuse(connection) } else { Self.drop(connection) }
            throw settled(error, committing: false)
        }
        do {
            try transaction.run("COMMIT")
        } catch {
            Self.drop(connection)
            throw settled(error, committing: true)
        }
        reuse(connection)
        return value
    }

    enum TransactionMode {
        /// READ COMMITTED: each statement sees what was committed before it (writers
        /// serialise themselves with locks where it matters).
        case readWrite
        /// One snapshot for every statement of the transaction (REPEATABLE READ, read only).
        case snapshot

        var begin: String {
            switch self {
            case .readWrite: return "BEGIN ISOLATION LEVEL READ COMMITTED"
            case .snapshot: return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
            }
        }
    }

    /// Closes every idle connection; later calls fail.
    func close() {
        lock.lock()
        closed = true
        let connections = idle
        idle = []
        lock.unlock()
        for connection in connections { Self.drop(connection) }
    }

    deinit {
        for connection in idle { Self.drop(connection) }
    }

    /// Why connecting failed, in words, with what to do; never the password.
    static func connectFailure(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if ConnectionLoss.isLoss(error) {
            return "\(ConnectionLoss.describe(error))\n    fix: check that the server runs and the host, port or socket folder in the URL"
        }
        if error.code == .server, let info = error.serverInfo {
            let message = info[.message] ?? "the server refused the connection"
            switch info[.sqlState] ?? "" {
            case "28P01":
                return "\(message)\n    fix: check the password in ~/.pgpass (or $PGPASSFILE) or $PGPASSWORD"
            case "28000":
                return "\(message)\n    fix: the server's pg_hba.conf does not let this user in this way; ask its administrator"
            case "3D000":
                return "\(message)\n    fix: create the database first (createdb), or correct its name in the URL"
            default:
                return message
            }
        }
        if error.code == .authMechanismRequiresPassword {
            return "the server asks for a password and none was found\n    fix: put it in ~/.pgpass (or $PGPASSFILE), or in $PGPASSWORD"
        }
        if error.code == .sslUnsupported {
            return
                "the server does not offer TLS, which the URL requires (sslmode)\n    fix: enable ssl on the server, or connect through its Unix socket"
        }
        if let underlying = error.underlying {
            return "no connection (\(underlying))\n    fix: check that the server runs and the host, port or socket folder in the URL"
        }
        return "no connection (\(error.code))\n    fix: check that the server runs and the host, port or socket folder in the URL"
    }
}

/// One open transaction: queries wait for their result on the calling thread.
struct PostgresTransaction {
    let connection: PostgresConnection
    let url: PostgresURL
    let hostClock: @Sendable () -> Date
    /// Statements sent without waiting (`send`): checked by the next statement that waits.
    let pending = PendingStatements()

    /// Runs `query` and returns all its rows (after every statement sent before it).
    @discardableResult
    func query(_ query: PostgresQuery) throws(StoreError) -> PostgresQueryResult {
        try pipeline([query])[0]
    }

    /// Runs SQL without parameters.
    func run(_ sql: String) throws(StoreError) {
        try query(PostgresQuery(unsafeSQL: sql))
    }

    /// The rows of `query`, each decoded as one column of type `T`.
    func rows<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type) throws(StoreError) -> [T] {
        let result = try self.query(query)
        do {
            var rows: [T] = []
            for row in result { rows.append(try row.decode(T.self)) }
            return rows
        } catch {
            throw failure(error)
        }
    }

    /// The first row of `query` as one column of type `T`; nil when there is no row.
    func row<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type) throws(StoreError) -> T? {
        let result = try self.query(query)
        guard let first = result.first(where: { _ in true }) else { return nil }
        do { return try first.decode(T.self) } catch { throw failure(error) }
    }

    /// The rows of `query`, each decoded as a tuple of columns.
    func rows<each Column: PostgresDecodable>(_ query: PostgresQuery, as type: (repeat each Column).Type) throws(StoreError) -> [(repeat each Column)]
    {
        let result = try self.query(query)
        do {
            var rows: [(repeat each Column)] = []
            for row in result { rows.append(try row.decode(type)) }
            return rows
        } catch {
            throw failure(error)
        }
    }

    /// The first row of `query`, decoded; nil when there is none.
    func row<each Column: PostgresDecodable>(_ query: PostgresQuery, as type: (repeat each Column).Type) throws(StoreError) -> (repeat each Column)? {
        let result = try self.query(query)
        guard let first = result.first(where: { _ in true }) else { return nil }
        do { return try first.decode(type) } catch { throw failure(error) }
    }

    func failure(_ error: any Error) -> StoreError { Self.failure(error, url: url) }

    /// The store's error for a failed statement: the server's own message, and where.
    static func failure(_ error: any Error, url: PostgresURL) -> StoreError {
        if let error = error as? StoreError { return error }
        // Connection loss first: the server's own "terminating connection" is a server error too.
        if ConnectionLoss.isLoss(error) {
            return .unreachable(url: url.redacted, reason: ConnectionLoss.describe(error), outcomeUnknown: false)
        }
        if let error = error as? PSQLError {
            if error.code == .server, let info = error.serverInfo {
                let message = info[.message] ?? "error \(info[.sqlState] ?? "")"
                if info[.sqlState] == "53100" {
                    return .io(
                        "the database server of \(url.redacted) is out of disk space: \(message)\n    fix: free space on the server; everything saved before is intact"
                    )
                }
                if info[.sqlState] == "42501" {
                    // A reviewer's role without the grants a project needs (README: a team on PostgreSQL).
                    return .io(
                        "PostgreSQL (\(url.redacted)): \(message)\n    fix: the database's owner grants this role Winnow's privileges (README, \"A team on PostgreSQL\"), or runs the commands that change the schema (the first import, a newer Winnow's first open)"
                    )
                }
                return .io("PostgreSQL (\(url.redacted)): \(message)")
            }
            return .io("PostgreSQL (\(url.redacted)): \(error.underlying.map { "\($0)" } ?? "\(error.code)")")
        }
        if let error = error as? PostgresDecodingError {
            return .io("PostgreSQL (\(url.redacted)): a stored value has an unexpected type (\(error.code)) in column \(error.columnName)")
        }
        return .io("PostgreSQL (\(url.redacted)): \(error)")
    }
}
