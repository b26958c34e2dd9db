import Foundation
import GRDB
import GRDBSQLite
import WinnowCore

/// One event of the decision log as `winnow log` shows it: the `DecisionEvent` (who, when,
/// what, from which queue and flag; its fields read through, `entry.reviewer`), plus what
/// only the log shows: the image, the score and flag kinds, and its link in the hash chain.
///
/// The log shows what is there even when a row was edited by hand: a stored action or time
/// that the typed event cannot say exactly (an unknown action, a time not in Winnow's own
/// form) is kept as its stored text, and `actionText` / `createdAtText` show that.
@dynamicMemberLookup
public struct DecisionLogEntry: Sendable, Equatable {
    public var event: DecisionEvent
    /// The image path of the item (empty if the item is gone).
    public var imagePath: String
    /// The score of the queue entry decided on.
    public var score: Double?
    /// The kinds of flag behind that entry (`FlagKind` raw values).
    public var flags: [String]
    public var hash: String?
    /// The stored action when it is not a `DecisionAction` (nil for every row Winnow writes).
    public var unknownAction: String?
    /// The stored time when it is not in `Timestamp`'s stored form (an older project's
    /// `…:00Z`, or a row edited by hand; nil for every row Winnow writes).
    public var irregularCreatedAt: String?

    public subscript<T>(dynamicMember field: KeyPath<DecisionEvent, T>) -> T { event[keyPath: field] }

    /// The action as stored: `accept`, `relabel`, `exclude`, `skip`, `undo` or `split`.
    public var actionText: String { unknownAction ?? event.action.rawValue }
    /// The time as stored: ISO 8601, UTC (`2026-11-22T22:15:04.123Z` for Winnow's own rows).
    public var createdAtText: String { irregularCreatedAt ?? Timestamp.string(from: event.createdAt) }

    package init(
        event: DecisionEvent, imagePath: String, score: Double?, flags: [String], hash: String?, unknownAction: String?, irregularCreatedAt: String?
    ) {
        self.event = event
        self.imagePath = imagePath
        self.score = score
        self.flags = flags
        self.hash = hash
        self.unknownAction = unknownAction
        self.irregularCreatedAt = irregularCreatedAt
    }
}

extension ProjectStore {
    /// Visits the decision log's events in id order, keeping those on `image` (a path
    /// relative to images/), by `reviewer`, and made at or after `since`. Streams in one read
    /// snapshot: a million events never sit in memory at once. Returns how many were visited.
    @discardableResult
    public func logEntries(image: String?, reviewer: String?, since: Date?, _ visit: (DecisionLogEntry) throws -> Void) throws(StoreError) -> Int {
        try read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let image {
                guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM items WHERE path = ?", arguments: [image]) else {
                    throw StoreError.unknownImage(image)
                }
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
            let statement = try db.makeStatement(
                sql: "SELECT \(DecisionLogChain.columns) FROM events e LEFT JOIN items i ON i.id = e.item_id \(filter) ORDER BY e.id")
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
        let action = text(4) ?? "", createdAt = text(11) ?? ""
        let canonicalTime = Timestamp.storedDate(from: createdAt)
        let event = DecisionEvent(
            id: sqlite3_column_int64(s, 0), itemID: sqlite3_column_int64(s, 1), reviewer: text(3) ?? "",
            action: Self.typedAction(action), oldLabels: labels(5), newLabels: labels(6),
            queue: text(7), reason: text(8), note: text(9), undoes: integer(10),
            createdAt: canonicalTime ?? Self.typedDate(createdAt))
        return DecisionLogEntry(
            event: event, imagePath: text(2) ?? "",
            score: scoreType == SQLITE_FLOAT || scoreType == SQLITE_INTEGER ? sqlite3_column_double(s, 12) : nil,
            flags: text(13).map(Self.flagNames) ?? [], hash: text(14),
            unknownAction: DecisionAction(rawValue: action) == nil ? action : nil,
            irregularCreatedAt: canonicalTime == nil ? createdAt : nil)
    }

    /// A stored action as the typed event holds it. The schema allows only known actions;
    /// a row that holds another anyway (edited by hand) counts as a skip, which changes no label.
    package static func typedAction(_ stored: String) -> DecisionAction { DecisionAction(rawValue: stored) ?? .skip }

    /// A stored time as the typed event holds it: any ISO 8601 form; the epoch when unreadable.
    package static func typedDate(_ stored: String) -> Date { Timestamp.date(from: stored) ?? Date(timeIntervalSince1970: 0) }

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
