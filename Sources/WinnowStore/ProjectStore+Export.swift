import Foundation
import GRDB
import WinnowCore

/// One item as an export sees it.
public struct ExportRecord: Sendable {
    /// Position in items order (the row of every matrix and of the analysis' item arrays).
    public var index: Int
    public var itemID: Int64
    public var path: String
    /// The items.csv columns as a JSON object (`{}` when the pass did not ask for them).
    public var metadataJSON: String
    public var given: LabelSet?
    public var resolution: ItemResolution
    /// The item's whole decision log, oldest first (undos and what they took back included).
    public var events: [DecisionEvent]
    /// What the import found wrong with the image file (missing, not a regular file, not an image).
    public var problem: String?

    package init(
        index: Int, itemID: Int64, path: String, metadataJSON: String, given: LabelSet?, resolution: ItemResolution, events: [DecisionEvent],
        problem: String?
    ) {
        self.index = index
        self.itemID = itemID
        self.path = path
        self.metadataJSON = metadataJSON
        self.given = given
        self.resolution = resolution
        self.events = events
        self.problem = problem
    }
}

/// What an export was read from: enough for a manifest to say exactly which labels it holds.
public struct ExportHead: Sendable, Codable {
    public var datasetRoot: String
    public var multiLabel: Bool
    public var classes: [String]
    /// Items in the dataset.
    public var items: Int
    /// The newest decision the export includes (nil: none yet).
    public var lastEventID: Int64?
    public var decisions: Int
    /// The decision log's head (with its hash) for exactly the decisions this snapshot holds.
    public var decisionLog: DecisionLogHead?

    package init(
        datasetRoot: String, multiLabel: Bool, classes: [String], items: Int, lastEventID: Int64?, decisions: Int, decisionLog: DecisionLogHead?
    ) {
        self.datasetRoot = datasetRoot
        self.multiLabel = multiLabel
        self.classes = classes
        self.items = items
        self.lastEventID = lastEventID
        self.decisions = decisions
        self.decisionLog = decisionLog
    }
}

/// The project as one read transaction sees it (SQLite: a WAL snapshot; a server database:
/// a repeatable-read transaction), so reviewers may keep deciding while an export reads,
/// and every pass over the items (a policy's pass, then the writing pass) sees the same
/// labels. Valid only inside the closure of `exportSnapshot`.
public protocol ExportSnapshot {
    var head: ExportHead { get }
    /// Visits every item of the dataset in items order. `metadata: false` skips reading
    /// the items.csv columns (a pass that does not write them). Errors thrown by `visit`
    /// pass through as they are.
    func forEachItem(metadata: Bool, _ visit: (ExportRecord) throws -> Void) throws
}

extension ExportSnapshot {
    public func forEachItem(_ visit: (ExportRecord) throws -> Void) throws { try forEachItem(metadata: true, visit) }
}

/// `ExportSnapshot` in one SQLite read transaction.
struct SQLiteExportSnapshot: ExportSnapshot {
    let head: ExportHead
    let db: Database
    let events: [Int64: [DecisionEvent]]

    func forEachItem(metadata: Bool, _ visit: (ExportRecord) throws -> Void) throws {
        let sql = "SELECT id, path, \(metadata ? "metadata" : "'{}'"), given_labels, problem FROM items WHERE row IS NOT NULL ORDER BY row"
        let rows = try Row.fetchCursor(db, sql: sql)
        var index = 0
        // Columns by position: on a million rows, looking each up by name costs seconds.
        while let row = try rows.next() {
            let id: Int64 = row[0]
            let given = (row[3] as String?).map(LabelSet.init(storageText:))
            let history = events[id] ?? []
            try visit(
                ExportRecord(
                    index: index, itemID: id, path: row[1], metadataJSON: row[2], given: given,
                    resolution: ItemHistory.resolve(given: given, events: history), events: history, problem: row[4]))
            index += 1
        }
    }
}

extension ProjectStore {
    /// How many times `exportSnapshot` looks for a moment when no decision lands between
    /// reading the log's head and opening the snapshot.
    static let snapshotAttempts = 20

    /// Runs `body` on one consistent snapshot of the project, with the decision log's head
    /// read for exactly that snapshot.
    ///
    /// The head comes from `decisionLogHead()`, which reads in a transaction of its own: it
    /// is read first, and the snapshot is accepted only when it holds the same newest event
    /// and the same number of events (the log is append-only and its ids grow with commit
    /// order, so the head then describes exactly the snapshot's log). When a decision
    /// landed in between, both are read again. Errors thrown by `body` pass through as they are.
    public func exportSnapshot<T>(_ body: (any ExportSnapshot) throws -> T) throws -> T {
        for _ in 0..<Self.snapshotAttempts {
            let logHead = try decisionLogHead()
            let outcome: SnapshotOutcome<T>
            do {
                outcome = try pool.read { db -> SnapshotOutcome<T> in
                    guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM imports") ?? 0 > 0 else { throw StoreError.notImported }
                    let log = try Row.fetchOne(db, sql: "SELECT MAX(id), COUNT(*) FROM events")
                    let lastEventID = log?[0] as Int64?, decisions = log?[1] as Int? ?? 0
                    guard lastEventID == logHead?.eventID, decisions == logHead?.events ?? 0 else { return .logMoved }
                    let head = ExportHead(
                        datasetRoot: try Self.setting(.datasetRoot, db) ?? "",
                        multiLabel: try Self.isMultiLabel(db),
                        classes: try Self.classNames(db),
                        items: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items WHERE row IS NOT NULL") ?? 0,
                        lastEventID: lastEventID, decisions: decisions, decisionLog: logHead)
                    return .done(try body(SQLiteExportSnapshot(head: head, db: db, events: try Self.eventsByItem(db))))
                }
            } catch let error as DatabaseError {
                throw failure(error)
            }
            if case .done(let value) = outcome { return value }
        }
        throw StoreError.io(
            "the decision log kept growing while the export was starting (\(Self.snapshotAttempts) tries)\n    fix: run the export again")
    }

    /// Visits every item in the dataset (in items order) with its current state, all read
    /// in one snapshot: reviewers may keep deciding meanwhile without tearing the export.
    public func exportItems(_ visit: (ExportHead, ExportRecord) throws -> Void) throws -> ExportHead {
        try exportSnapshot { snapshot in
            try snapshot.forEachItem { try visit(snapshot.head, $0) }
            return snapshot.head
        }
    }
}

/// A snapshot's result, or word that a decision landed between reading the log's head and
/// opening the snapshot.
private enum SnapshotOutcome<T> {
    case done(T)
    case logMoved
}
