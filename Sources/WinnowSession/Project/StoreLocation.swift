import Foundation
import WinnowCore
import WinnowPostgres
import WinnowStore

/// Where a project's state lives: a SQLite database in a state folder, or a PostgreSQL
/// database shared by every host that reaches it. Either way `stateDirectory` is this
/// host's folder for what stays in files (the models' matrices, neighbour graphs, the helper
/// model, saved queues): with PostgreSQL those are per-host caches of what the database holds.
package struct StoreLocation: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        /// `<stateDirectory>/winnow.sqlite`.
        case sqlite
        /// A `postgresql://` URL as given (it may carry a password: never show it; see `description`).
        case postgres(url: String)
    }

    /// Where the choice came from, for messages ("from $WINNOW_STORE").
    package enum Source: Sendable, Equatable {
        case storeOption
        case environment
        case config(file: String, line: Int?)
        case stateFolder
    }

    package var kind: Kind
    package var stateDirectory: String
    package var source: Source

    package init(_ kind: Kind, stateDirectory: String, source: Source = .stateFolder) {
        self.kind = kind
        self.stateDirectory = stateDirectory
        self.source = source
    }

    /// A SQLite project in `stateDirectory`.
    package static func sqlite(stateDirectory: String) -> StoreLocation { StoreLocation(.sqlite, stateDirectory: stateDirectory) }

    /// The environment variable that names a project's PostgreSQL store for every command.
    package static let environmentVariable = "WINNOW_STORE"

    package var isPostgres: Bool {
        if case .postgres = kind { return true }
        return false
    }

    /// The store as messages name it: the state folder, or the URL without its password.
    package var description: String {
        switch kind {
        case .sqlite: return TerminalText.sanitize(stateDirectory)
        case .postgres(let url): return (try? PostgresURL(url))?.redacted ?? PostgresURLError.redact(url)
        }
    }

    /// The text of a store argument (`winnow store copy SRC DST`, …): a `postgresql://` URL,
    /// else a SQLite state folder.
    package static func parse(_ text: String, stateDirectory: String? = nil) -> StoreLocation {
        PostgresURL.isPostgresURL(text)
            ? StoreLocation(.postgres(url: text), stateDirectory: stateDirectory ?? text, source: .storeOption)
            : .sqlite(stateDirectory: text)
    }

    /// Chooses a dataset's store, highest first: `--store URL` (`storeOption`),
    /// `$WINNOW_STORE`, `winnow.toml`'s `[store] url`, else SQLite in `--state` (`state`) or
    /// `<dataset>/.winnow`. The state folder is this host's folder in every case.
    /// A `[store] url` with a password is refused: winnow.toml travels with the dataset.
    package static func choose(
        datasetRoot root: String, state: String?, storeOption: String?, config: WinnowConfig,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> StoreLocation {
        let stateDirectory = state ?? ProjectStore.defaultStateDirectory(forDataset: root)
        if let storeOption {
            return try postgres(storeOption, stateDirectory: stateDirectory, source: .storeOption)
        }
        if let text = environment[environmentVariable], !text.isEmpty {
            return try postgres(text, stateDirectory: stateDirectory, source: .environment)
        }
        if let url = config.storeURL {
            let source = Source.config(file: root + "/" + WinnowConfig.fileName, line: config.storeURLLine)
            if (try? PostgresURL(url))?.password != nil { throw passwordInConfig(url, source) }
            return try postgres(url, stateDirectory: stateDirectory, source: source)
        }
        return .sqlite(stateDirectory: stateDirectory)
    }

    /// A PostgreSQL location from `text`, which must parse as a URL (the error names where it came from).
    private static func postgres(_ text: String, stateDirectory: String, source: Source) throws -> StoreLocation {
        guard PostgresURL.isPostgresURL(text) else {
            throw SessionError(
                .badRequest, "\(source.name) must be a PostgreSQL URL (postgresql://…), not \(TerminalText.sanitize(PostgresURLError.redact(text)))",
                fix: source == .storeOption
                    ? "give --store postgresql://USER@HOST/DATABASE; for a SQLite state folder use --state DIR"
                    : "set it to postgresql://USER@HOST/DATABASE, or unset it to keep the project in <dataset>/.winnow")
        }
        do { _ = try PostgresURL(text) } catch {
            throw SessionError(
                .badRequest, "\(source.name): the store URL \(PostgresURLError.redact(text)) cannot be used: \(error.problem)",
                fix: "write it as postgresql://USER@HOST:PORT/DATABASE (the password belongs in ~/.pgpass or $PGPASSWORD)")
        }
        return StoreLocation(.postgres(url: text), stateDirectory: stateDirectory, source: source)
    }

    private static func passwordInConfig(_ url: String, _ source: Source) -> SessionError {
        SessionError(
            .badData,
            "\(source.name) holds a password (in \(TerminalText.sanitize(PostgresURLError.redact(url)))): winnow.toml travels with the dataset, and whoever reads it would have the database",
            fix: "remove the password from the URL; give it in ~/.pgpass (mode 0600) or $PGPASSWORD, or use a Unix socket with peer authentication")
    }

    /// Opens (creating when needed) the store. `datasetFolder`: the dataset it belongs to
    /// (the SQLite store decides its permissions by it). PostgreSQL: the state folder is
    /// created for this host's files.
    package func open(datasetFolder: String? = nil) throws -> any ProjectStoring {
        switch kind {
        case .sqlite:
            return try openProjectStore(stateDirectory: stateDirectory, datasetFolder: datasetFolder)
        case .postgres(let url):
            let store = try PostgresProjectStore(url: url, stateDirectory: stateDirectory)
            do {
                try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
            } catch {
                store.close()
                throw StoreError.cannotOpen(
                    path: stateDirectory,
                    reason: "cannot create this host's folder for the store's files (\((error as NSError).localizedDescription))")
            }
            return store
        }
    }

    /// True when there is a project here to open without creating one: the SQLite database
    /// file exists, or the PostgreSQL database answers and holds an imported project.
    package func exists() -> Bool {
        switch kind {
        case .sqlite: return ProjectStore.exists(stateDirectory: stateDirectory)
        case .postgres:
            guard let store = try? open() else { return false }
            defer { (store as? PostgresProjectStore)?.close() }
            return store.hasImported
        }
    }
}

extension StoreLocation.Source {
    /// Where the store was named, as a message's subject.
    package var name: String {
        switch self {
        case .storeOption: return "--store"
        case .environment: return "$" + StoreLocation.environmentVariable
        case .config(let file, let line): return "\(TerminalText.sanitize(file))\(line.map { ":\($0)" } ?? ""): [store] url"
        case .stateFolder: return "--state"
        }
    }
}
