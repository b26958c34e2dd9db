import Foundation
import GRDB
import GRDBSQLite
import WinnowCore

/// One event of the decision log as `winnow log` shows it: who, when, what, on which
/// image, from which queue and flag, with what score, and its link in the hash chain.
/// Values are as stored (times as the stored ISO 8601 UTC text, actions as their names),
/// so the log shows what is there even when it was tampered with.
public struct DecisionLogEntry: Sendable, Equatable {
    public var id: Int64
    public var itemID: Int64
    /// The image path of the item (empty if the item is gone).
    public var imagePath: String
    public var reviewer: String
    /// `accept`, `relabel`, `exclude`, `skip`, `undo` or `split`.
    public var action: String
    public var oldLabels: LabelSet?
    public var newLabels: LabelSet?
    /// The queue the reviewer worked through, and the sub-queue (flag) that surfaced the item.
    public var queue: String?
    public var reason: String?
    public var note: String?
    /// For undo: the event taken back.
    public var undoes: Int64?
    /// ISO 8601, UTC, as stored.
    public var createdAt: String
    /// The score of the queue entry decided on.
    public var score: Double?
    /// The kinds of flag behind that entry (`FlagKind` raw values).
    public var flags: [String]
    public var hash: String?

    package init(id: Int64, itemID: Int64, imagePath: String, reviewer: String, action: String, oldLabels: LabelSet?, newLabels: LabelSet?, queue: String?, reason: String?, note: String?, undoes: Int64?, createdAt: String, score: Double?, flags: [String], hash: String?) {
        self.id = id
        self.itemID = itemID
        self.imagePath = imagePath
        self.reviewer = reviewer
        self.action = action
        self.oldLabels = oldLabels
        self.newLabels = newLabels
        self.queue = queue
        self.reason = reason
        self.note = note
        self.undoes = undoes
        self.createdAt = createdAt
        self.score = score
        self.flags = flags
        self.hash = hash
    }
}

extension ProjectStore {
    /// Visits the decision log's events in id order, keeping those on `image` (a path
    /// relative to images/), by `reviewer`, and made at or after `since`. Streams in one read
    /// snapshot: a million events never sit in memory at once. Returns how many were visited.
    @discardableResult
    public func logEntries(image: String?, reviewer: String?, since: Date?, _ visit: (DecisionLogEntry) throws -> Void) throws -> Int {
        try read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let image {
                guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM items WHERE path = ?", arguments: [image]) else { throw StoreError.unknownImage(image) }
                conditions.append("e.item_id = ?")
                arguments += [id]
            }
            if let reviewer {
                conditions.append("e.reviewer = ?")
                arguments += [reviewer]
            }
            if let since {
                // Stored times are ISO 8601 UTC text, which sorts in time order.
                conditions.append("e.created_at >= ?")
                arguments += [Timestamp.string(from: since)]
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let statement = try db.makeStatement(sql: "SELECT \(DecisionLogChain.columns) FROM events e LEFT JOIN items i ON i.id = e.item_id \(filter) ORDER BY e.id")
            let rows = try Row.fetchCursor(statement, arguments: arguments)
            var count = 0
            while try rows.next() != nil {
                try visit(Self.logEntry(statement.sqliteStatement))
                count += 1
            }
            return count
        }
    }

    /// The current row of a statement selecting `DecisionLogChain.columns`, read leniently
    /// (any stored type is shown as text) so a tampered row is shown, not a crash.
    static func logEntry(_ s: OpaquePointer) -> DecisionLogEntry {
        func text(_ column: Int32) -> String? { DecisionLogChain.string(s, column) }
        func integer(_ column: Int32) -> Int64? { sqlite3_column_type(s, column) == SQLITE_NULL ? nil : sqlite3_column_int64(s, column) }
        func labels(_ column: Int32) -> LabelSet? { text(column).map(LabelSet.init(storageText:)) }
        let scoreType = sqlite3_column_type(s, 12)
        return DecisionLogEntry(
            id: sqlite3_column_int64(s, 0), itemID: sqlite3_column_int64(s, 1), imagePath: text(2) ?? "",
            reviewer: text(3) ?? "", action: text(4) ?? "", oldLabels: labels(5), newLabels: labels(6),
            queue: text(7), reason: text(8), note: text(9), undoes: integer(10), createdAt: text(11) ?? "",
            score: scoreType == SQLITE_FLOAT || scoreType == SQLITE_INTEGER ? sqlite3_column_double(s, 12) : nil,
            flags: text(13).map(Self.flagNames) ?? [], hash: text(14))
    }

    /// The stored JSON array of flag names. Winnow writes plain names (no quote or
    /// backslash inside), read here without a JSON parser (a million rows); anything else
    /// goes through one.
    package static func flagNames(_ json: String) -> [String] {
        var json = json
        let plain: [String]? = json.withUTF8 { bytes in
            guard bytes.count >= 2, bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") else { return nil }
            var names: [String] = []
            var i = 1
            let end = bytes.count - 1
            while i < end {
                guard bytes[i] == UInt8(ascii: "\"") else { return nil }
                var j = i + 1
                while j < end, bytes[j] != UInt8(ascii: "\""), bytes[j] != UInt8(ascii: "\\") { j += 1 }
                guard j < end, bytes[j] == UInt8(ascii: "\"") else { return nil }
                names.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[(i + 1)..<j]), as: UTF8.self))
                i = j + 1
                if i < end {
                    guard bytes[i] == UInt8(ascii: ",") else { return nil }
                    i += 1
                    guard i < end else { return nil }
                }
            }
            return names
        }
        if let plain { return plain }
        let parsed = (try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])) as? [Any]
        return parsed?.map { ($0 as? String) ?? "\($0)" } ?? [json]
    }
}
