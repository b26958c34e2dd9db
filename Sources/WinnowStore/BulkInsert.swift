import Foundation
import GRDB
import GRDBSQLite

/// A prepared INSERT executed row after row through SQLite's C API, for imports of a million
/// rows where GRDB's per-call argument boxing would dominate. Used only inside a GRDB write
/// transaction, on GRDB's own prepared statement and connection.
struct BulkInsert {
    private let statement: Statement
    private let database: Database
    private var handle: OpaquePointer { statement.sqliteStatement }
    // SQLite copies the bound text (SQLITE_TRANSIENT) because Swift owns the buffer.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        database = db
    }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: Double?) {
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: String?) {
        guard var value else { sqlite3_bind_null(handle, index); return }
        _ = value.withUTF8 { bytes in
            if bytes.isEmpty {
                sqlite3_bind_text(handle, index, "", 0, Self.transient)
            } else {
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    sqlite3_bind_text(handle, index, chars.baseAddress, Int32(chars.count), Self.transient)
                }
            }
        }
    }

    func bind(_ index: Int32, _ value: Data?) {
        guard let value else { sqlite3_bind_null(handle, index); return }
        // An empty blob stays an empty blob, not NULL (which a nil pointer would bind).
        guard !value.isEmpty else { sqlite3_bind_zeroblob(handle, index, 0); return }
        value.withUnsafeBytes { bytes in
            _ = sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
        }
    }

    /// Runs the statement with the bound values, then resets it for the next row.
    func step() throws {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            let message = database.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) } ?? "unknown error"
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
        }
    }
}
