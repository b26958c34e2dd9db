import Foundation
import Testing
import WinnowStore
import WinnowTestSupport
@testable import WinnowSession

/// The two stores the command-line tests run on.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// Where one test's project lives, and `winnow` run against it: SQLite in the dataset's
/// `.winnow` (nothing to say), or a fresh database on the test process's throwaway
/// PostgreSQL, named to every command through `$WINNOW_STORE` (so a test's arguments are
/// the same on both stores). The database is dropped when the store goes.
final class CLIStore: Sendable {
    let kind: StoreKind
    /// The database's URL (nil for SQLite).
    let url: String?
    private let database: String?

    init(_ kind: StoreKind, function: String = #function) throws {
        self.kind = kind
        switch kind {
        case .sqlite:
            (url, database) = (nil, nil)
        case .postgres:
            let (name, url) = try ThrowawayPostgres.server().createDatabase(function: function)
            (self.url, database) = (url, name)
        }
    }

    deinit {
        if let database, case .success(let server) = ThrowawayPostgres.shared { server.dropDatabase(database) }
    }

    /// The environment that points `winnow` at this store.
    var environment: [String: String] { url.map { ["WINNOW_STORE": $0] } ?? [:] }

    /// Runs `winnow` on this store (`environment` adds to, or overrides, its variables).
    @discardableResult
    func winnow(_ arguments: String..., environment extra: [String: String] = [:], stdin: String? = nil) -> WinnowProcess.Result {
        run(arguments, environment: extra, stdin: stdin)
    }

    func run(_ arguments: [String], environment extra: [String: String] = [:], stdin: String? = nil) -> WinnowProcess.Result {
        WinnowProcess.run(arguments, environment: environment.merging(extra) { _, given in given }, stdin: stdin)
    }

    /// SQL as the server's superuser in this store's database (PostgreSQL only).
    func psql(_ sql: String) throws -> String {
        let server = try ThrowawayPostgres.server()
        let result = server.psql(sql, database: try #require(database))
        try #require(result.status == 0, "\(result.output)")
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension CLIStore {
    /// The store of the test running now (nil: SQLite, as the tests were written).
    @TaskLocal static var current: CLIStore?

    /// Runs `body` with every `winnow` it runs (through `CLIStore.run`) on a store of `kind`:
    /// how an end-to-end test written for one store runs on both.
    static func on(_ kind: StoreKind, function: String = #function, _ body: () throws -> Void) throws {
        try $current.withValue(try CLIStore(kind, function: function), operation: body)
    }

    /// `winnow` on the current test's store.
    static func run(_ arguments: [String], environment: [String: String] = [:]) -> WinnowProcess.Result {
        current?.run(arguments, environment: environment) ?? WinnowProcess.run(arguments, environment: environment)
    }

    /// The current test's kind of store.
    static var kind: StoreKind { current?.kind ?? .sqlite }

    /// The dataset's project store opened in the test process, as another process would.
    static func open(_ dataset: TemporaryDataset) throws -> any ProjectStoring {
        guard let url = current?.url else { return try ProjectStore(stateDirectory: dataset.statePath) }
        return try StoreLocation(.postgres(url: url), stateDirectory: dataset.statePath).open(datasetFolder: dataset.root)
    }
}
