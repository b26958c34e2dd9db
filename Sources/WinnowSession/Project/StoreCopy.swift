#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import WinnowCore
import WinnowPostgres
import WinnowStore

/// `winnow store copy SRC DST`: a project moved whole from one store to another (SQLite ⇄
/// PostgreSQL, or to its own kind), by the stores' `ProjectCopying` (one snapshot of the
/// source, one transaction on the target, the log's hashes unchanged and verified on both
/// sides). This part finds the two stores from the command's words and opens them.
package enum StoreCopy {
    /// What `SRC`/`DST` names: a PostgreSQL URL, a state folder (it holds winnow.sqlite), or
    /// a dataset folder (it holds images/), whose state folder is `<dataset>/.winnow`. A
    /// target folder that does not exist yet is a new state folder.
    package static func location(_ text: String, isTarget: Bool) throws -> StoreLocation {
        let parsed = StoreLocation.parse(text, stateDirectory: temporaryStateFolder(for: text))
        if parsed.isPostgres { return parsed }
        let folder = text.hasSuffix("/") && text.count > 1 ? String(text.dropLast()) : text
        if ProjectStore.exists(stateDirectory: folder) { return .sqlite(stateDirectory: folder) }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder + "/images", isDirectory: &isFolder), isFolder.boolValue {
            return .sqlite(stateDirectory: ProjectStore.defaultStateDirectory(forDataset: folder))
        }
        let exists = FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder)
        if isTarget && (!exists || (isFolder.boolValue && ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? ["?"]).isEmpty)) {
            return .sqlite(stateDirectory: folder)
        }
        throw SessionError(
            .badRequest,
            "\(TerminalText.sanitize(text)) is no project \(isTarget ? "target" : "source"): not a postgresql:// URL, a state folder (with winnow.sqlite) or a dataset folder (with images/)"
                + (isTarget && exists ? ", and not an empty folder" : ""),
            fix: isTarget
                ? "give a dataset folder, a new or empty folder for the state, or postgresql://USER@HOST/DATABASE"
                : "give the dataset folder, its state folder (.winnow), or postgresql://USER@HOST/DATABASE")
    }

    /// Copies the project at `source` into `target` (which must hold none). A SQLite target
    /// that did not exist before is removed again when the copy fails: nothing is left behind.
    package static func copy(from source: StoreLocation, to target: StoreLocation, progress: any ProgressReporter) throws -> ProjectCopySummary {
        if source.kind == target.kind, sameStore(source, target) {
            throw ProjectCopyError.targetNotEmpty(target: target.description, what: "it is the source")
        }
        if !source.isPostgres, !ProjectStore.exists(stateDirectory: source.stateDirectory) {
            throw ProjectCopyError.sourceEmpty(source: source.description)
        }
        let created = createdOnOpen(target)
        // The PostgreSQL stores' folder for files: a copy writes none there.
        defer { rmdir(temporaryStateFolder(for: "")) }
        do {
            return try run(from: source, to: target, progress: progress)
        } catch {
            // The stores are closed here (`run` returned): what this copy created goes.
            for path in created { try? FileManager.default.removeItem(atPath: path) }
            throw error
        }
    }

    private static func run(from source: StoreLocation, to target: StoreLocation, progress: any ProgressReporter) throws -> ProjectCopySummary {
        let reader = try source.open()
        defer { (reader as? PostgresProjectStore)?.close() }
        let writer = try target.open()
        defer { (writer as? PostgresProjectStore)?.close() }
        guard let from = reader as? any ProjectCopying, let to = writer as? any ProjectCopying else {
            throw ProjectCopyError.unusable("this kind of store cannot be copied")
        }
        return try copyProject(from: from, to: to, progress: progress)
    }

    /// The SQLite files and folders opening `target` would create (removed after a failed copy).
    private static func createdOnOpen(_ target: StoreLocation) -> [String] {
        guard !target.isPostgres else { return [] }
        let folder = target.stateDirectory
        if !FileManager.default.fileExists(atPath: folder) { return [folder] }
        if ProjectStore.exists(stateDirectory: folder) { return [] }
        let database = folder + "/" + ProjectStore.databaseFileName
        var created = [database, database + "-wal", database + "-shm"]
        if !FileManager.default.fileExists(atPath: folder + "/matrices") { created.append(folder + "/matrices") }
        return created
    }

    /// Two locations of one kind naming the same database.
    private static func sameStore(_ a: StoreLocation, _ b: StoreLocation) -> Bool {
        if a.isPostgres { return a.description == b.description }
        guard let x = realpath(a.stateDirectory, nil) else { return false }
        defer { free(x) }
        guard let y = realpath(b.stateDirectory, nil) else { return false }
        defer { free(y) }
        return strcmp(x, y) == 0
    }

    /// A PostgreSQL store's folder for its files on this host (a copy writes none there).
    private static func temporaryStateFolder(for _: String) -> String {
        NSTemporaryDirectory() + "/winnow-store-copy-\(getpid())"
    }
}
