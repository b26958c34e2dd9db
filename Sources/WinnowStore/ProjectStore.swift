#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GRDB
import WinnowCore

/// A project's state: `<state>/winnow.sqlite` (SQLite in WAL mode, through GRDB) plus the
/// derived matrices in `<state>/matrices/`. Several processes may open the same project:
/// writes are short IMMEDIATE transactions that wait (up to `busyTimeout`) for each other.
public final class ProjectStore: Sendable {
    public let stateDirectory: String
    public let databasePath: String
    let pool: DatabasePool

    public static let databaseFileName = "winnow.sqlite"
    public static let busyTimeout: TimeInterval = 30

    /// The default state folder of a dataset: `<dataset>/.winnow`.
    public static func defaultStateDirectory(forDataset root: String) -> String { root + "/.winnow" }

    /// True when `stateDirectory` holds a project database.
    public static func exists(stateDirectory: String) -> Bool {
        access(stateDirectory + "/" + databaseFileName, F_OK) == 0
    }

    /// Opens (creating when needed) the project in `stateDirectory` and brings its schema up to date.
    /// `datasetFolder` decides the state's permissions (see `StatePermissions`); by default
    /// the state folder's parent, which it is unless the state is kept elsewhere.
    public init(stateDirectory: String, datasetFolder: String? = nil) throws(StoreError) {
        self.stateDirectory = stateDirectory
        databasePath = stateDirectory + "/" + Self.databaseFileName
        try Self.checkRegularFiles(databasePath)
        StatePermissions.prepare(stateDirectory: stateDirectory, databasePath: databasePath, datasetFolder: datasetFolder)
        // Only the state folder itself before the database is open: a refused open (a newer
        // schema, a damaged file) leaves nothing new behind in an old project's folder.
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        } catch {
            throw .cannotOpen(path: stateDirectory, reason: "cannot create the folder (\((error as NSError).localizedDescription))")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.label = "winnow"
        configuration.prepareDatabase { db in
            // Every committed decision survives a crash or power loss, not just a killed process.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: databasePath, configuration: configuration)
            let migrator = Schema.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) { throw StoreError.newerSchema(path: databasePath) }
            try migrator.migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch {
            if DiskSpace.isFull(error, folder: stateDirectory) { throw .diskFull(folder: stateDirectory) }
            throw .cannotOpen(path: databasePath, reason: Self.describe(error))
        }
        // The store's own subfolders, once it is open.
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory + "/matrices", withIntermediateDirectories: true)
        } catch {
            throw .cannotOpen(path: stateDirectory, reason: "cannot create the folder matrices (\((error as NSError).localizedDescription))")
        }
    }

    /// A state folder can come with a dataset (copied, unpacked): SQLite would report a FIFO
    /// or a device in place of its files only as "disk I/O error", so they are checked first
    /// (`stat` follows links, never opens, never blocks), before anything is created.
    static func checkRegularFiles(_ databasePath: String) throws(StoreError) {
        for path in [databasePath, databasePath + "-wal", databasePath + "-shm", databasePath + "-journal"] {
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            let kind: String
            switch info.st_mode & S_IFMT {
            case S_IFREG: continue
            case S_IFDIR: kind = "a folder"
            case S_IFIFO: kind = "a named pipe (FIFO)"
            case S_IFCHR: kind = "a character device"
            case S_IFBLK: kind = "a block device"
            case S_IFSOCK: kind = "a socket"
            default: kind = "something else"
            }
            throw .io(
                "the project file \(TerminalText.sanitize(path)) is \(kind), not a regular file\n    fix: remove it (only Winnow's own files belong there), or put the state elsewhere with --state DIR"
            )
        }
    }

    /// The store's error for a failed database operation: a full disk said as such.
    func failure(_ error: any Error) -> StoreError {
        if DiskSpace.isFull(error, folder: stateDirectory) { return .diskFull(folder: stateDirectory) }
        return .io(Self.describe(error))
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? error.description }
        return "\(error)"
    }

    /// Runs a read in one consistent snapshot of the database.
    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try pool.read(body) } catch let error as StoreError { throw error } catch { throw failure(error) }
    }

    /// Runs a write transaction (IMMEDIATE: it waits for other writers, then runs alone).
    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try pool.write(body) } catch let error as StoreError { throw error } catch { throw failure(error) }
    }

    // MARK: - Project settings (see ProjectStore+Settings.swift)

    public var hasImported: Bool {
        (try? read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM imports") ?? 0 }) ?? 0 > 0
    }

    /// The taxonomy currently in force, in column order.
    public func taxonomy() throws(StoreError) -> ClassTaxonomy {
        try read { db in ClassTaxonomy(try Self.classNames(db)) }
    }

    /// The metadata column names from items.csv, in file order.
    public func metadataColumns() throws(StoreError) -> [String] {
        guard let json = try setting(.metadataColumns) else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
    }
}
