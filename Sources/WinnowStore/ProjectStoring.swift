import Foundation
import WinnowCore

// The project store as the application layer (WinnowSession) sees it: what it reads, the
// import, decisions and their log, leases, and the analysis caches, each a protocol of its
// own so a part can be implemented, faked or reasoned about alone. `ProjectStore` (SQLite
// through GRDB) implements all of them; a second implementation (PostgreSQL, issue 14)
// implements the same contract. The names are `ProjectStore`'s own, so an implementation
// that mirrors its methods conforms without renames.
//
// Common to every requirement:
// - Synchronous, and safe to call from any thread at the same time (`Sendable`). An
//   implementation over an asynchronous client waits for it off its event loop.
// - Errors are `StoreError`s that read as sentences with what to do. A storage failure
//   that is no refusal is `.io` (or `.diskFull` when the storage is full); a visitor's own
//   error in a streaming read comes back as `.io` with its description.
// - Every read sees one consistent snapshot: a read never shows half of a transaction.
// - No storage types (GRDB, a PostgreSQL client) appear in a signature.

/// Creates (or opens) the SQLite store of a project's state. Commands choose between it and
/// a PostgreSQL database in one place, above both stores: WinnowSession's `StoreLocation`.
/// `datasetFolder`: the dataset it belongs to (recorded on creation, checked after).
public func openProjectStore(stateDirectory: String, datasetFolder: String? = nil) throws(StoreError) -> any ProjectStoring {
    try ProjectStore(stateDirectory: stateDirectory, datasetFolder: datasetFolder)
}

/// Everything the application layer calls on a project's store.
public typealias ProjectStoring = ProjectReading & ProjectImporting & DecisionRecording & LeaseKeeping & AnalysisCaching

/// Reading the imported dataset: settings, classes, items and labels, annotations. Large
/// reads stream (`forEachItem`, `exportItems`) so a million items never sit in memory at
/// once twice.
public protocol ProjectReading: AnyObject, Sendable {
    /// The state folder: the store keeps its caches' files (neighbour graphs, helper model,
    /// saved queues) there whatever holds its tables.
    var stateDirectory: String { get }
    /// A dataset was imported at least once (false too when it cannot be read).
    var hasImported: Bool { get }
    /// A project setting recorded at import (the dataset's root, …), or nil.
    func setting(_ key: ProjectSetting) throws(StoreError) -> String?
    /// True when the project's items may carry several labels (the one reading of the setting).
    func isMultiLabel() throws(StoreError) -> Bool
    /// The classes in their order (positions are the columns of the models' matrices).
    func taxonomy() throws(StoreError) -> ClassTaxonomy
    /// The extra columns of items.csv, in file order.
    func metadataColumns() throws(StoreError) -> [String]
    /// The project's figures for `winnow info`.
    func info() throws(StoreError) -> ProjectInfo
    /// What the project gives the analysis to judge labels with.
    func evidence() throws(StoreError) -> ProjectStore.Evidence
    /// Everything an analysis reads, in one snapshot: items in order with their given labels
    /// and current state under `policy`, models, embeddings, the last event's id.
    func analysisContext(policy: TeamPolicy) throws(StoreError) -> AnalysisContext
    /// A digest of what the analysis reads (items, labels, models, embeddings, decisions):
    /// equal digests, equal analysis input.
    func analysisInputSignature() throws(StoreError) -> String
    func annotatorCount() throws(StoreError) -> Int
    func allAnnotations() throws(StoreError) -> [(itemID: Int64, annotator: String, labels: LabelSet)]
    func annotations(ofItems ids: [Int64]) throws(StoreError) -> [Int64: [(annotator: String, labels: LabelSet)]]
    /// Visits every item in items order with its current state, all read in one snapshot
    /// whose head (the log's newest event, and its count) describes exactly that snapshot:
    /// reviewers may keep deciding meanwhile without tearing an export. Errors thrown by
    /// `body` pass through as they are.
    func exportSnapshot<T>(_ body: (any ExportSnapshot) throws -> T) throws -> T
    /// `exportSnapshot` visiting every item.
    func exportItems(_ visit: (ExportHead, ExportRecord) throws -> Void) throws -> ExportHead
}

/// The import: a dataset snapshot applied as one transaction (all of it or none of it).
/// Items keep their ids (and history) across imports by path; removed items keep their
/// history and leave the queues.
public protocol ProjectImporting: AnyObject, Sendable {
    func applyImport(_ snapshot: DatasetSnapshot, datasetRoot: String, progress: any ProgressReporter) throws(StoreError) -> ImportSummary
}

/// Decisions and the decision log.
///
/// - A decision is one transaction, committed (durably) before `decide` returns: a caller
///   may show it as saved. A batch is one transaction too: all of it or none of it.
/// - The log is append-only. Each event carries the hash of the one before (a chain
///   `verifyDecisionLog` checks); event ids grow with commit order and are never reused, so
///   "events after id N" is what changed since a reader last looked.
/// - Refusals are `StoreError`s: an unknown or removed image, invalid labels, nothing to
///   undo, an item another session holds (`.leased`), the team policy (`.refused`), an item
///   others just settled (`.alreadyDecided`).
public protocol DecisionRecording: AnyObject, Sendable {
    func decide(_ request: DecisionRequest, policy: TeamPolicy, at date: Date) throws(StoreError) -> DecisionOutcome
    func decide(_ requests: [DecisionRequest], policy: TeamPolicy, at date: Date) throws(StoreError) -> [DecisionOutcome]
    /// Records that an item's image is broken (found after import: it does not decode).
    func markProblem(imagePath: String, problem: String) throws(StoreError)
    func history(ofImage path: String) throws(StoreError) -> [DecisionEvent]
    func resolution(ofImage path: String) throws(StoreError) -> ItemResolution
    /// The newest event's id (nil before the first decision).
    func lastEventID() throws(StoreError) -> Int64?
    /// Items with events after `eventID` (all items when nil), and the newest id read.
    func itemsChanged(after eventID: Int64?) throws(StoreError) -> (lastEventID: Int64?, items: [ItemState])
    func itemsReviewed(by reviewer: String) throws(StoreError) -> [Int64]
    func itemStates(ids: [Int64]) throws(StoreError) -> [ItemState]
    func decisionCount() throws(StoreError) -> Int
    /// The reviewer's newest decision still in effect (what undo takes back), searching at
    /// most `searched` of their newest events.
    func latestDecisionInEffect(by reviewer: String, searched: Int) throws(StoreError) -> (event: DecisionEvent, row: Int, path: String)?
    /// Streams the log in id order, filtered; returns how many events were visited.
    @discardableResult
    func logEntries(image: String?, reviewer: String?, since: Date?, _ visit: (DecisionLogEntry) throws -> Void) throws(StoreError) -> Int
    /// The newest event's id, hash and the number of events.
    func decisionLogHead() throws(StoreError) -> DecisionLogHead?
    /// Recomputes the hash chain; `recorded`: a head written down earlier that must still be in it.
    func verifyDecisionLog(expectingHead recorded: String?) throws(StoreError) -> LogVerification
    func ratings() throws(StoreError) -> [Rating]
    func reviewFigures() throws(StoreError) -> ReviewFigures
}

/// Leases: which review session is showing which item, so two reviewers are not shown the
/// same one.
///
/// - `hold` takes the given items for `session` and lets go of everything else the session
///   held, in one transaction: two sessions asking for one item at the same moment cannot
///   both get it. An item is held only while it is still open for the reviewer under
///   `policy`; the outcome says, per refused item, who holds it or that it is settled.
/// - A lease lasts `policy.leaseSeconds` unless renewed (`renewLeases`, the heartbeat); a
///   session that dies stops renewing and its items come back when the leases expire.
/// - A decision on an item another session holds is refused (`StoreError.leased`).
public protocol LeaseKeeping: AnyObject, Sendable {
    func hold(itemIDs: [Int64], reviewer: String, session: String, policy: TeamPolicy, settling: Bool, now: Date) throws(StoreError) -> [Int64:
        HoldOutcome]
    func renewLeases(session: String, seconds: Double, now: Date) throws(StoreError)
    func releaseLeases(session: String) throws(StoreError)
    /// Items other sessions hold now, with the holding reviewer's name.
    func itemsHeldByOthers(session: String, now: Date) throws(StoreError) -> [Int64: String]
    func activeLeases(now: Date) throws(StoreError) -> [Lease]
    /// Ends leases (a lead's `winnow leases --break`); returns how many.
    func breakLeases(reviewer: String?, image: String?) throws(StoreError) -> Int
}

/// What analyses cache per item, keyed by the file's size and modification time so a
/// changed image is measured again: content hashes, image features, image measures and
/// decode failures. Saving replaces an item's earlier record; reading returns only records
/// that are still fresh.
public protocol AnalysisCaching: AnyObject, Sendable {
    func contentHashes() throws(StoreError) -> [Int64: (size: Int64, modificationTime: Double, hash: UInt64)]
    func saveContentHashes(_ hashes: [(itemID: Int64, size: Int64, modificationTime: Double, hash: UInt64)]) throws(StoreError)
    func freshImageFeatures(version: Int, dimension: Int) throws(StoreError) -> [Int64: ImageFeatureRecord]
    func saveImageFeatures(_ records: [ImageFeatureRecord], version: Int, dimension: Int) throws(StoreError)
    func freshImageMeasures(_ kind: ImageMeasureKind) throws(StoreError) -> [Int64: Data?]
    func imageMeasuresInItemsOrder(_ kind: ImageMeasureKind) throws(StoreError) -> [(path: String, measured: Bool, value: Data?)]
    func saveImageMeasures(_ records: [ImageMeasureRecord]) throws(StoreError)
    func decodeFailures() throws(StoreError) -> [Int64: String]
}

extension ProjectStore: ProjectReading, ProjectImporting, DecisionRecording, LeaseKeeping, AnalysisCaching {}

// `ProjectStore`'s default arguments, for callers holding the protocols.

extension ProjectReading {
    public func analysisContext() throws(StoreError) -> AnalysisContext { try analysisContext(policy: TeamPolicy()) }
}

extension ProjectImporting {
    public func applyImport(_ snapshot: DatasetSnapshot, datasetRoot: String) throws(StoreError) -> ImportSummary {
        try applyImport(snapshot, datasetRoot: datasetRoot, progress: SilentProgress())
    }
}

extension DecisionRecording {
    public func decide(_ request: DecisionRequest, policy: TeamPolicy = TeamPolicy()) throws(StoreError) -> DecisionOutcome {
        try decide(request, policy: policy, at: Date())
    }
    public func decide(_ requests: [DecisionRequest], policy: TeamPolicy = TeamPolicy()) throws(StoreError) -> [DecisionOutcome] {
        try decide(requests, policy: policy, at: Date())
    }
    public func latestDecisionInEffect(by reviewer: String) throws(StoreError) -> (event: DecisionEvent, row: Int, path: String)? {
        try latestDecisionInEffect(by: reviewer, searched: 500)
    }
    public func verifyDecisionLog() throws(StoreError) -> LogVerification { try verifyDecisionLog(expectingHead: nil) }
}

extension LeaseKeeping {
    public func hold(itemIDs: [Int64], reviewer: String, session: String, policy: TeamPolicy, settling: Bool = false) throws(StoreError) -> [Int64:
        HoldOutcome]
    {
        try hold(itemIDs: itemIDs, reviewer: reviewer, session: session, policy: policy, settling: settling, now: Date())
    }
    public func renewLeases(session: String, seconds: Double) throws(StoreError) { try renewLeases(session: session, seconds: seconds, now: Date()) }
    public func itemsHeldByOthers(session: String) throws(StoreError) -> [Int64: String] { try itemsHeldByOthers(session: session, now: Date()) }
    public func activeLeases() throws(StoreError) -> [Lease] { try activeLeases(now: Date()) }
}
