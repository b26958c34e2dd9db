import Foundation
import Testing
import WinnowCore
import WinnowPostgres
import WinnowStore
import WinnowTestSupport
@testable import WinnowDataset

// The shared tests hold each store as the session does: `any ProjectStoring`.

extension LeaseKeeping {
    func hold(itemIDs: [Int64], reviewer: String, session: String, policy: TeamPolicy, now: Date) throws -> [Int64: HoldOutcome] {
        try hold(itemIDs: itemIDs, reviewer: reviewer, session: session, policy: policy, settling: false, now: now)
    }
}

extension DecisionRecording {
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
    let store: any ProjectStoring
    /// How to open another store on the same project (another process would).
    let open: @Sendable () throws -> any ProjectStoring
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
            let state = dataset.statePath
            open = { try PostgresProjectStore(url: url, stateDirectory: state) }
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
