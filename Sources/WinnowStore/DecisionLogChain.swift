#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GRDB
import GRDBSQLite

/// The hash chain that makes tampering with the decision log evident.
///
/// Every event stores `hash`: the lower-case hex SHA-256 of its *canonical bytes*, which
/// begin with the hash of the event before it (by id; the first event's "previous hash" is
/// 64 zeros). Changing, removing or re-ordering an event therefore breaks the link to every
/// later one, and `winnow verify` finds the first broken link. Anyone can recompute a chain
/// (SHA-256 has no key), so a rewrite of the whole tail is caught only by comparing with a
/// head hash recorded elsewhere (export manifests record it). The security boundary is the
/// file permissions of the state folder; the chain makes tampering evident, not impossible.
///
/// **Canonical bytes** (version 1), so another tool can check the chain: these lines, in
/// this order, each ended by a newline (0x0A):
///
///     winnow-event-v1
///     previous=64:<the previous event's hash>
///     id=<field>
///     item_id=<field>
///     item_path=<field>
///     reviewer=<field>
///     action=<field>
///     old_labels=<field>
///     new_labels=<field>
///     queue=<field>
///     reason=<field>
///     note=<field>
///     undoes=<field>
///     created_at=<field>
///     score=<field>
///     flags=<field>
///
/// `<field>` is `-` for SQL NULL, else `<n>:<value>`: `n` the value's length in bytes
/// (decimal), then those bytes. The value is the column as SQLite stores it: text as its
/// UTF-8 bytes (nothing escaped or normalised: labels are class names joined by U+001F,
/// `created_at` the stored ISO 8601 text, `flags` the stored JSON array), integers in
/// decimal, reals as C's `%.17g` (exact for every double). The length prefix keeps the
/// encoding unambiguous whatever the text holds (newlines, `=`, `-`).
/// `item_path` is the path of the item `item_id` names, so swapping the item of an
/// event, or the paths of two items, breaks the chain too.
///
/// Columns are read raw through SQLite's C API (and events inserted with explicit byte
/// lengths) so the bytes hashed at insert are exactly the bytes read back by a verifier.
enum DecisionLogChain {
    /// The "previous hash" of the first event.
    static let genesis = String(repeating: "0", count: 64)

    /// The columns hashed, in canonical order (aliases: `e` events, `i` items), then the
    /// stored hash. `SELECT <columns> FROM events e LEFT JOIN items i ON i.id = e.item_id`.
    static let columns = "e.id, e.item_id, i.path, e.reviewer, e.action, e.old_labels, e.new_labels, e.queue, e.reason, e.note, e.undoes, e.created_at, e.score, e.flags, e.hash"
    static let fieldNames: [String] = ["id", "item_id", "item_path", "reviewer", "action", "old_labels", "new_labels",
                                       "queue", "reason", "note", "undoes", "created_at", "score", "flags"]
    /// Index of `hash` in `columns`.
    static let hashColumn: Int32 = 14

    /// Builds one event's canonical bytes; reused from event to event to avoid allocating.
    struct Encoder {
        private(set) var bytes: [UInt8] = []
        private var fieldIndex = 0

        init() { bytes.reserveCapacity(1024) }

        /// Starts a new event chained to `previous`.
        mutating func begin(previous: String) {
            bytes.removeAll(keepingCapacity: true)
            bytes.append(contentsOf: "winnow-event-v1\nprevious=".utf8)
            var previous = previous
            previous.withUTF8 { appendLengthPrefixed($0) }
            bytes.append(0x0A)
            fieldIndex = 0
        }

        private mutating func name() {
            bytes.append(contentsOf: DecisionLogChain.fieldNames[fieldIndex].utf8)
            bytes.append(0x3D)  // =
            fieldIndex += 1
        }

        private mutating func appendLengthPrefixed(_ value: UnsafeBufferPointer<UInt8>) {
            appendDecimal(Int64(value.count))
            bytes.append(0x3A)  // :
            bytes.append(contentsOf: value)
        }

        private mutating func appendDecimal(_ value: Int64) {
            var text = String(value)
            text.withUTF8 { bytes.append(contentsOf: $0) }
        }

        mutating func null() {
            name()
            bytes.append(contentsOf: "-\n".utf8)
        }

        mutating func text(_ value: String?) {
            guard var value else { return null() }
            name()
            value.withUTF8 { appendLengthPrefixed($0) }
            bytes.append(0x0A)
        }

        mutating func text(bytes value: UnsafeBufferPointer<UInt8>) {
            name()
            appendLengthPrefixed(value)
            bytes.append(0x0A)
        }

        mutating func integer(_ value: Int64?) {
            guard let value else { return null() }
            text(String(value))
        }

        mutating func real(_ value: Double?) {
            guard let value else { return null() }
            text(DecisionLogChain.canonical(value))
        }

        /// The lower-case hex SHA-256 of the bytes built so far.
        var hash: String { SHA256Digest.hex(of: bytes) }
    }

    /// `%.17g`: the shortest form C guarantees to read back as the same double.
    static func canonical(_ value: Double) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buffer in
            let n = withVaList([value]) { vsnprintf(buffer.baseAddress, 32, "%.17g", $0) }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(n)), as: UTF8.self)
        }
    }

    /// Appends the canonical fields of the current row of `statement` (selecting `columns`).
    static func appendFields(of statement: OpaquePointer, to encoder: inout Encoder) {
        for column in Int32(0)..<Int32(fieldNames.count) {
            switch sqlite3_column_type(statement, column) {
            case SQLITE_NULL:
                encoder.null()
            case SQLITE_INTEGER:
                encoder.integer(sqlite3_column_int64(statement, column))
            case SQLITE_FLOAT:
                encoder.real(sqlite3_column_double(statement, column))
            default:
                encoder.text(bytes: rawBytes(statement, column))
            }
        }
    }

    /// A text or blob column's bytes, valid until the statement steps.
    static func rawBytes(_ statement: OpaquePointer, _ column: Int32) -> UnsafeBufferPointer<UInt8> {
        // sqlite3_column_bytes must follow sqlite3_column_text (it may convert the value).
        guard let text = sqlite3_column_text(statement, column) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column)))
    }

    /// A column as text (nil for NULL).
    static func string(_ statement: OpaquePointer, _ column: Int32) -> String? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : String(decoding: rawBytes(statement, column), as: UTF8.self)
    }

    /// Hashes every event in id order, each chained to the one before it, and writes the
    /// hashes (the v5 migration, for logs written before the chain existed). Call with the
    /// append-only UPDATE trigger dropped. Runs in batches: never an update of the table
    /// under an open scan of it.
    static func backfill(_ db: Database) throws {
        var previous = genesis
        var lastID = Int64.min
        var encoder = Encoder()
        let select = try db.makeStatement(sql: "SELECT \(columns) FROM events e LEFT JOIN items i ON i.id = e.item_id WHERE e.id > ? ORDER BY e.id LIMIT 20000")
        let update = try BulkInsert(db, sql: "UPDATE events SET hash = ? WHERE id = ?")
        while true {
            var batch: [(id: Int64, hash: String)] = []
            let rows = try Row.fetchCursor(select, arguments: [lastID])
            while try rows.next() != nil {
                let handle = select.sqliteStatement
                encoder.begin(previous: previous)
                appendFields(of: handle, to: &encoder)
                previous = encoder.hash
                batch.append((sqlite3_column_int64(handle, 0), previous))
            }
            guard let last = batch.last else { return }
            for (id, hash) in batch {
                update.bind(1, hash)
                update.bind(2, id)
                try update.step()
            }
            lastID = last.id
        }
    }
}
