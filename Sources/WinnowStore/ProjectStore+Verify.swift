import GRDB
import GRDBSQLite

/// The first place where the decision log's hash chain does not hold.
public struct BrokenLink: Sendable, Equatable {
    /// The event whose link fails.
    public var eventID: Int64
    /// The hash the event should have, given its contents and the stored hash before it.
    public var expectedHash: String
    /// The hash stored with it (nil: none).
    public var storedHash: String?
    /// What happened, in plain words ("event 42 was changed …", "event 41 is missing …").
    public var reason: String
}

/// Where a head recorded earlier (in an export manifest) sits in today's log.
public struct RecordedHeadPosition: Sendable, Equatable {
    public var eventID: Int64
    /// The full hash of that event (the recorded head may have been a prefix of it).
    public var hash: String
    /// Events appended after it.
    public var eventsAfter: Int
}

/// The result of checking the decision log's hash chain.
public struct LogVerification: Sendable, Equatable {
    /// Events whose link holds, in id order, up to the first broken one (all of them when
    /// the chain is intact).
    public var eventsChecked: Int
    /// The newest event checked (nil: the log is empty, or its first event is broken).
    public var head: DecisionLogHead?
    /// The first broken link (nil: the chain is intact).
    public var brokenLink: BrokenLink?
    /// When a recorded head was given: where it is among the checked events (nil: not there,
    /// so the log was cut back or rewritten since it was recorded).
    public var recordedHead: RecordedHeadPosition?

    public var isIntact: Bool { brokenLink == nil }
}

extension ProjectStore {
    /// Recomputes every event's hash, in id order, and compares it with the stored one.
    /// Streams the log (one row in memory at a time, in one read snapshot): a million events
    /// take seconds. Stops at the first broken link; the events after it cannot be trusted.
    ///
    /// `expectingHead`: a head hash recorded earlier (or a prefix of at least 12 hex digits);
    /// the result says whether it is still in the chain. The chain alone detects changed and
    /// removed events; only a recorded head detects the newest events being cut off.
    public func verifyDecisionLog(expectingHead recorded: String? = nil) throws(StoreError) -> LogVerification {
        try read { db in try Self.verifyDecisionLog(db, expectingHead: recorded) }
    }

    /// `verifyDecisionLog` inside an open transaction (a copy checks what it wrote before committing).
    static func verifyDecisionLog(_ db: Database, expectingHead recorded: String?) throws -> LogVerification {
        let statement = try db.makeStatement(
            sql: "SELECT \(DecisionLogChain.columns) FROM events e LEFT JOIN items i ON i.id = e.item_id ORDER BY e.id")
        var verifier = ChainVerifier(recordedHead: recorded?.lowercased())
        let rows = try Row.fetchCursor(statement)
        while try rows.next() != nil {
            if !verifier.check(statement.sqliteStatement) { break }
        }
        return verifier.finish()
    }
}

/// Walks the chain one row at a time. A mismatch is held for one more row: if the next
/// event chains from the recomputed hash, only the stored hash was replaced. Hashes are
/// compared as bytes; text is made only for what is reported. Shared by every store: each
/// hands over its rows' canonical fields (`check(id:…)`).
package struct ChainVerifier {
    let recordedHead: [UInt8]?
    private var encoder = DecisionLogChain.Encoder()
    private var previousHash = Array(DecisionLogChain.genesis.utf8)
    private var expected: [UInt8] = []
    private var previousID: Int64?
    private var checked = 0
    private var headPosition: (id: Int64, hash: String, index: Int)?
    private var pending: BrokenLink?
    private var broken: BrokenLink?

    package init(recordedHead: String?) {
        self.recordedHead = recordedHead.flatMap { $0.count >= 12 ? Array($0.utf8) : nil }
        expected.reserveCapacity(64)
    }

    /// Checks the current row of an SQLite `statement` selecting `DecisionLogChain.columns`.
    mutating func check(_ statement: OpaquePointer) -> Bool {
        let hashColumn = DecisionLogChain.hashColumn
        let stored = sqlite3_column_type(statement, hashColumn) != SQLITE_NULL ? DecisionLogChain.rawBytes(statement, hashColumn) : nil
        return check(
            id: sqlite3_column_int64(statement, 0), idIsNumber: sqlite3_column_type(statement, 0) == SQLITE_INTEGER,
            idText: DecisionLogChain.string(statement, 0), storedHash: stored
        ) {
            DecisionLogChain.appendFields(of: statement, to: &$0)
        }
    }

    /// Checks one event: its id (`idIsNumber` false when the stored id is not an integer,
    /// `idText` as stored), its stored hash (nil: NULL), and `appendFields`, which appends its
    /// canonical fields (`DecisionLogChain.fieldNames`, in order) to the encoder.
    /// False once the first broken link is known.
    package mutating func check(
        id: Int64, idIsNumber: Bool, idText: @autoclosure () -> String?, storedHash: UnsafeBufferPointer<UInt8>?,
        appendFields: (inout DecisionLogChain.Encoder) -> Void
    ) -> Bool {
        let hasHash = storedHash != nil
        if var link = pending {
            // Does this event chain from what the previous one's hash should have been?
            encoder.begin(previous: Array(link.expectedHash.utf8))
            appendFields(&encoder)
            encoder.hash(into: &expected)
            if link.storedHash != nil, let storedHash, storedHash.elementsEqual(expected) {
                link.reason = "the hash of event \(link.eventID) was replaced (its contents are unchanged: the next event still chains from them)"
            }
            broken = link
            return false
        }
        encoder.begin(previous: previousHash)
        appendFields(&encoder)
        encoder.hash(into: &expected)
        let stored = storedHash ?? UnsafeBufferPointer(start: nil, count: 0)
        func fail(_ reason: String) -> Bool {
            broken = BrokenLink(
                eventID: id, expectedHash: String(decoding: expected, as: UTF8.self),
                storedHash: hasHash ? String(decoding: stored, as: UTF8.self) : nil, reason: reason)
            return false
        }
        if !idIsNumber {
            return fail("an event's id is not a number (\(idText() ?? "NULL")): the log was edited")
        }
        let firstExpected = (previousID ?? 0) + 1
        if id != firstExpected {
            let missing = firstExpected == id - 1 ? "event \(firstExpected) is missing" : "events \(firstExpected)–\(id - 1) are missing"
            return fail(previousID.map { "\(missing) (ids jump from \($0) to \(id))" } ?? "\(missing) (the log starts at event \(id))")
        }
        guard hasHash, !stored.isEmpty else {
            return fail("event \(id): hash missing (it was written outside Winnow, or its hash was removed)")
        }
        guard stored.elementsEqual(expected) else {
            var reason = "event \(id) was changed (its contents no longer match its hash)"
            if let previousID { reason += ", or event \(previousID) before it was changed and re-hashed" }
            _ = fail(reason)
            pending = broken
            broken = nil
            return true
        }
        checked += 1
        if let recordedHead, headPosition == nil, stored.starts(with: recordedHead) {
            headPosition = (id, String(decoding: stored, as: UTF8.self), checked)
        }
        swap(&previousHash, &expected)
        previousID = id
        return true
    }

    package func finish() -> LogVerification {
        LogVerification(
            eventsChecked: checked,
            head: previousID.map { DecisionLogHead(eventID: $0, hash: String(decoding: previousHash, as: UTF8.self), events: checked) },
            brokenLink: broken ?? pending,
            recordedHead: headPosition.map { RecordedHeadPosition(eventID: $0.id, hash: $0.hash, eventsAfter: checked - $0.index) })
    }
}
