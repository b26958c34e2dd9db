#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CCrypto
import GRDB
import GRDBSQLite
import WinnowCore

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
package enum DecisionLogChain {
    /// The "previous hash" of the first event.
    package static let genesis = String(repeating: "0", count: 64)

    /// The columns hashed, in canonical order (aliases: `e` events, `i` items), then the
    /// stored hash. `SELECT <columns> FROM events e LEFT JOIN items i ON i.id = e.item_id`.
    static let columns =
        "e.id, e.item_id, i.path, e.reviewer, e.action, e.old_labels, e.new_labels, e.queue, e.reason, e.note, e.undoes, e.created_at, e.score, e.flags, e.hash"
    package static let fieldNames: [String] = [
        "id", "item_id", "item_path", "reviewer", "action", "old_labels", "new_labels",
        "queue", "reason", "note", "undoes", "created_at", "score", "flags"
    ]
    /// Index of `hash` in `columns`.
    static let hashColumn: Int32 = 14

    /// Builds one event's canonical bytes; reused from event to event, and allocation-free
    /// per event (a verification encodes a million of them).
    package struct Encoder {
        package private(set) var bytes: [UInt8] = []
        private var fieldIndex = 0
        private let hasher = SHA256Hasher()
        /// `name=` of each field, as bytes.
        private static let prefixes: [[UInt8]] = fieldNames.map { Array(($0 + "=").utf8) }
        private static let header = Array("winnow-event-v1\nprevious=".utf8)

        package init() { bytes.reserveCapacity(1024) }

        /// Starts a new event chained to `previous` (a hash, as hex text or its bytes).
        package mutating func begin(previous: String) {
            var previous = previous
            previous.withUTF8 { begin(previous: $0) }
        }

        package mutating func begin(previous: UnsafeBufferPointer<UInt8>) {
            bytes.removeAll(keepingCapacity: true)
            bytes.append(contentsOf: Self.header)
            appendLengthPrefixed(previous)
            bytes.append(0x0A)
            fieldIndex = 0
        }

        package mutating func begin(previous: [UInt8]) {
            previous.withUnsafeBufferPointer { begin(previous: $0) }
        }

        private mutating func name() {
            bytes.append(contentsOf: Self.prefixes[fieldIndex])
            fieldIndex += 1
        }

        private mutating func appendLengthPrefixed(_ value: UnsafeBufferPointer<UInt8>) {
            DecisionLogChain.withDecimal(Int64(value.count)) { bytes.append(contentsOf: $0) }
            bytes.append(0x3A) // :
            bytes.append(contentsOf: value)
        }

        package mutating func null() {
            name()
            bytes.append(contentsOf: [0x2D, 0x0A]) // -\n
        }

        package mutating func text(_ value: String?) {
            guard var value else { return null() }
            value.withUTF8 { text(bytes: $0) }
        }

        package mutating func text(bytes value: UnsafeBufferPointer<UInt8>) {
            name()
            appendLengthPrefixed(value)
            bytes.append(0x0A)
        }

        package mutating func integer(_ value: Int64?) {
            guard let value else { return null() }
            DecisionLogChain.withDecimal(value) { text(bytes: $0) }
        }

        package mutating func real(_ value: Double?) {
            guard let value else { return null() }
            DecisionLogChain.withCanonical(value) { text(bytes: $0) }
        }

        /// The lower-case hex SHA-256 of the bytes built so far, into `out` (64 bytes).
        package func hash(into out: inout [UInt8]) {
            out.removeAll(keepingCapacity: true)
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
                bytes.withUnsafeBufferPointer { hasher.digest($0, into: digest.baseAddress!) }
                for byte in digest {
                    out.append(hexDigit(byte >> 4))
                    out.append(hexDigit(byte & 0x0F))
                }
            }
        }

        /// The lower-case hex SHA-256 of the bytes built so far.
        package var hash: String {
            var out: [UInt8] = []
            out.reserveCapacity(64)
            hash(into: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The hash of a new event: its canonical fields, in canonical order, chained to `previous`.
    /// `createdAt`, `score` and `flags` as stored (see `storedScore`, `storedFlags`).
    package static func hash(
        of event: DecisionEvent, previous: String, itemPath: String, createdAt: String,
        score: Double?, flags: String?
    ) -> String {
        var encoder = Encoder()
        encoder.begin(previous: previous)
        encoder.integer(event.id)
        encoder.integer(event.itemID)
        encoder.text(itemPath)
        encoder.text(event.reviewer)
        encoder.text(event.action.rawValue)
        encoder.text(event.oldLabels?.storageText)
        encoder.text(event.newLabels?.storageText)
        encoder.text(event.queue)
        encoder.text(event.reason)
        encoder.text(event.note)
        encoder.integer(event.undoes)
        encoder.text(createdAt)
        encoder.real(score)
        encoder.text(flags)
        return encoder.hash
    }

    /// A decision's score as stored (and hashed): nil when absent or not finite.
    package static func storedScore(_ score: Double?) -> Double? { score.flatMap { $0.isFinite ? $0 : nil } }

    /// A decision's flag kinds as stored (and hashed): a JSON array, nil when there are none.
    package static func storedFlags(_ flags: [String]) -> String? { flags.isEmpty ? nil : JSONText.array(flags) }

    static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }

    /// `value` in decimal, without allocating.
    static func withDecimal<R>(_ value: Int64, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var magnitude = value.magnitude
            var start = 20
            repeat {
                start -= 1
                buffer[start] = UInt8(truncatingIfNeeded: 0x30 + magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 { start -= 1; buffer[start] = 0x2D }
            return body(UnsafeBufferPointer(rebasing: buffer[start..<20]))
        }
    }

    /// `value` as `%.17g`: the shortest form C guarantees to read back as the same double.
    static func withCanonical<R>(_ value: Double, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buffer in
            let n = Int(winnow_format_real(buffer.baseAddress, 32, value))
            return buffer.withMemoryRebound(to: UInt8.self) { body(UnsafeBufferPointer(rebasing: $0[0..<min(n, 31)])) }
        }
    }

    static func canonical(_ value: Double) -> String { withCanonical(value) { String(decoding: $0, as: UTF8.self) } }

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
        let select = try db.makeStatement(
            sql: "SELECT \(columns) FROM events e LEFT JOIN items i ON i.id = e.item_id WHERE e.id > ? ORDER BY e.id LIMIT 20000")
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
