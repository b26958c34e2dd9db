import Foundation
import Testing
import WinnowCore
import WinnowPostgres
import WinnowStore
import WinnowTestSupport
@testable import WinnowDataset

/// What the shared tests ask of a project store: the methods both stores have, under the
/// same names. (The store protocol being defined in WinnowStore will replace this one.)
protocol StoreUnderTest: AnyObject, Sendable {
    func applyImport(_ snapshot: DatasetSnapshot, datasetRoot: String, progress: any ProgressReporter) throws -> ImportSummary
    func decide(_ request: DecisionRequest, policy: TeamPolicy, at date: Date) throws -> DecisionOutcome
    func decide(_ requests: [DecisionRequest], policy: TeamPolicy, at date: Date) throws -> [DecisionOutcome]
    func taxonomy() throws -> ClassTaxonomy
    func metadataColumns() throws -> [String]
    func setting(_ key: String) throws -> String?
    func resolution(ofImage path: String) throws -> ItemResolution
    func history(ofImage path: String) throws -> [DecisionEvent]
    func itemStates(ids: [Int64]) throws -> [ItemState]
    func itemsChanged(after eventID: Int64?) throws -> (lastEventID: Int64?, items: [ItemState])
    func itemsReviewed(by reviewer: String) throws -> [Int64]
    func lastEventID() throws -> Int64?
    func decisionCount() throws -> Int
    func hold(itemIDs: [Int64], reviewer: String, session: String, policy: TeamPolicy, settling: Bool, now: Date) throws -> [Int64: HoldOutcome]
    func renewLeases(session: String, seconds: Double, now: Date) throws
    func releaseLeases(session: String) throws
    func itemsHeldByOthers(session: String, now: Date) throws -> [Int64: String]
    func activeLeases(now: Date) throws -> [Lease]
    func breakLeases(reviewer: String?, image: String?) throws -> Int
    func verifyDecisionLog(expectingHead recorded: String?) throws -> LogVerification
    func decisionLogHead() throws -> DecisionLogHead?
    func logEntries(image: String?, reviewer: String?, since: Date?, _ visit: (DecisionLogEntry) throws -> Void) throws -> Int
    func exportItems(_ visit: (ExportHead, ExportRecord) throws -> Void) throws -> ExportHead
}

extension ProjectStore: StoreUnderTest {}
extension PostgresProjectStore: StoreUnderTest {}

extension StoreUnderTest {
    func decide(_ request: DecisionRequest, policy: TeamPolicy = TeamPolicy()) throws -> DecisionOutcome {
        try decide(request, policy: policy, at: Date())
    }
    func decide(_ requests: [DecisionRequest]) throws -> [DecisionOutcome] { try decide(requests, policy: TeamPolicy(), at: Date()) }
    func hold(itemIDs: [Int64], reviewer: String, session: String, policy: TeamPolicy, settling: Bool = false, now: Date = Date()) throws -> [Int64: HoldOutcome] {
        try hold(itemIDs: itemIDs, reviewer: reviewer, session: session, policy: policy, settling: settling, now: now)
    }
    func verify() throws -> LogVerification { try verifyDecisionLog(expectingHead: nil) }
    /// The id of the item with `path`.
    func id(_ path: String) throws -> Int64 {
        try #require(try itemStates(ids: Array(1...50)).first { $0.path == path }?.id)
    }
}

/// The two stores every shared test runs on.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// A store of `kind` for one test, with the dataset imported into it (once `importDataset`
/// is called). PostgreSQL: a fresh database on the test process's throwaway server, dropped
/// when the fixture goes.
final class StoreFixture: @unchecked Sendable {
    let kind: StoreKind
    let dataset: TemporaryDataset
    let store: any StoreUnderTest
    /// How to open another store on the same project (another process would).
    let open: @Sendable () throws -> any StoreUnderTest
    private let database: String?
    /// The PostgreSQL database's name (nil for SQLite).
    var databaseName: String? { database }

    init(_ kind: StoreKind, _ dataset: TemporaryDataset, function: String = #function) throws {
        self.kind = kind
        self.dataset = dataset
        switch kind {
        case .sqlite:
            let state = dataset.statePath
            open = { try ProjectStore(stateDirectory: state) }
            database = nil
        case .postgres:
            let server = try ThrowawayPostgres.server()
            let (name, url) = try server.createDatabase(function: function)
            open = { try PostgresProjectStore(url: url) }
            database = name
        }
        store = try open()
    }

    deinit {
        (store as? PostgresProjectStore)?.close()
        if let database, case .success(let server) = ThrowawayPostgres.shared { server.dropDatabase(database) }
    }

    /// Imports the dataset as it is now.
    @discardableResult
    func importDataset() throws -> ImportSummary {
        let snapshot = try DatasetReader(root: dataset.root, config: DatasetReader.loadConfig(root: dataset.root)).read()
        return try store.applyImport(snapshot, datasetRoot: dataset.root, progress: SilentProgress())
    }

    /// A fixture with `dataset` imported.
    static func imported(_ kind: StoreKind, _ dataset: TemporaryDataset = .simple(), function: String = #function) throws -> StoreFixture {
        let fixture = try StoreFixture(kind, dataset, function: function)
        try fixture.importDataset()
        return fixture
    }
}

func request(_ path: String, _ action: DecisionAction, _ label: String? = nil, by reviewer: String = "alice") -> DecisionRequest {
    DecisionRequest(imagePath: path, reviewer: reviewer, action: action, labels: label.map(LabelSet.init(single:)))
}
