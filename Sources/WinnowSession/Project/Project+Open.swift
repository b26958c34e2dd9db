#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowDataset
import WinnowStore

/// Opening a project: its dataset folder (resolved), and where its state lives (`state`:
/// a folder given instead of `<dataset>/.winnow`, for read-only datasets).
extension Project {
    /// The dataset folder as an absolute, resolved path.
    package static func resolveDatasetFolder(_ dataset: String) throws -> String {
        guard let resolved = realpath(dataset, nil) else {
            throw SessionError(
                .badData, "\(TerminalText.sanitize(dataset)): \(String(cString: strerror(errno)))",
                fix: "give the dataset folder (the one that contains images/)")
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `open(datasetRoot:…)` of the folder `dataset` names (resolved first).
    package static func open(dataset: String, state: String? = nil, store: String? = nil, importIfNeeded: Bool = true) throws -> Project {
        try open(datasetRoot: try resolveDatasetFolder(dataset), state: state, store: store, importIfNeeded: importIfNeeded)
    }

    /// Opens the project of the resolved folder `root`; imports the dataset first when it has
    /// never been imported. `store`: a `--store` URL (see `StoreLocation.choose` for the
    /// other ways a store is chosen).
    package static func open(datasetRoot root: String, state: String? = nil, store: String? = nil, importIfNeeded: Bool = true) throws -> Project {
        let config = try DatasetReader.loadConfig(root: root)
        let location = try StoreLocation.choose(datasetRoot: root, state: state, storeOption: store, config: config)
        // A dataset never imported is read, and checked, before its state folder is created:
        // a refused first import leaves the dataset folder exactly as it was. (A PostgreSQL
        // project is asked once opened: opening it creates nothing in the dataset folder.)
        var snapshot: DatasetSnapshot?
        if importIfNeeded && !location.isPostgres && !location.exists() {
            printError("winnow: \(TerminalText.sanitize(root)) has not been imported yet; importing it now")
            snapshot = try read(root, config)
        }
        let project = try openStore(location, checkingRecordedRoot: state != nil, root: root, config: config)
        if importIfNeeded && !project.store.hasImported {
            if snapshot == nil {
                printError("winnow: \(TerminalText.sanitize(root)) has not been imported yet; importing it now")
                snapshot = try read(root, config)
            }
            let summary = try project.store.applyImport(project.shareable(snapshot!), datasetRoot: root, progress: TerminalProgress())
            printError(Project.describe(summary))
        }
        return project
    }

    /// `winnow import`: reads and checks the dataset first (nothing is created or changed
    /// when it is refused), then opens the project and applies it in one transaction.
    /// `override` applies command-line settings (`--no-folder-labels`) to winnow.toml's.
    package static func importDataset(
        datasetRoot root: String, state: String? = nil, store: String? = nil,
        override: (inout WinnowConfig) -> Void = { _ in }
    ) throws -> (project: Project, summary: ImportSummary) {
        var config = try DatasetReader.loadConfig(root: root)
        override(&config)
        let location = try StoreLocation.choose(datasetRoot: root, state: state, storeOption: store, config: config)
        let snapshot = try read(root, config)
        let project = try openStore(location, checkingRecordedRoot: state != nil, root: root, config: config)
        try project.refuseOtherProject(snapshot)
        return (project, try project.store.applyImport(project.shareable(snapshot), datasetRoot: root, progress: TerminalProgress()))
    }

    /// A PostgreSQL database is one project, and `$WINNOW_STORE` or a copied winnow.toml can
    /// point an unrelated dataset at it; its import would mark every item of the project as
    /// gone from the dataset. Re-importing a dataset keeps most of its paths, so when none
    /// of up to `sampled` of this dataset's paths is in a project that holds items, the
    /// import is refused before anything is written. (A SQLite project lives in its
    /// dataset's own folder, so there is nothing to confuse.)
    private func holds(_ path: String) throws -> Bool {
        do {
            _ = try store.resolution(ofImage: path)
            return true
        } catch {
            guard case .unknownImage = error else { throw error }
            return false
        }
    }

    func refuseOtherProject(_ snapshot: DatasetSnapshot, sampled: Int = 32) throws {
        guard location.isPostgres, store.hasImported, !snapshot.items.isEmpty else { return }
        let step = max(1, snapshot.items.count / sampled)
        for index in stride(from: 0, to: snapshot.items.count, by: step) where try holds(snapshot.items[index].path) { return }
        let held = (try? store.info().items).map { "\($0) items" } ?? "items"
        throw SessionError(
            .refused,
            "\(location.description) already holds another project (\(held)); none of the \(min(sampled, snapshot.items.count)) sampled images of \(TerminalText.sanitize(root)) is in it, so importing would mark all of them as gone",
            fix:
                "give this dataset a database of its own (one database is one project): --store, $\(StoreLocation.environmentVariable) or [store] url in its winnow.toml"
        )
    }

    /// What this host's import gives the store: all of it in a folder of this host's; a
    /// shared (PostgreSQL) project is not told what this host's copy lacks (`HostCopy`).
    private func shareable(_ snapshot: DatasetSnapshot) -> DatasetSnapshot {
        location.isPostgres ? HostCopy.separating(snapshot).snapshot : snapshot
    }

    private static func read(_ root: String, _ config: WinnowConfig) throws -> DatasetSnapshot {
        try DatasetReader(root: root, config: config).read(progress: TerminalProgress())
            .withAnnotatorConsensus(AnnotatorConsensusMethod(rawValue: config.annotatorConsensus) ?? .crowdlab)
    }

    /// `checkingRecordedRoot`: a SQLite state folder given apart from the dataset must be this
    /// dataset's. Not a PostgreSQL project's: every host has its copy of the dataset at a
    /// path of its own, and items are known by their path under images/.
    private static func openStore(_ location: StoreLocation, checkingRecordedRoot: Bool, root: String, config: WinnowConfig) throws -> Project {
        let store = try location.open(datasetFolder: root)
        if checkingRecordedRoot, !location.isPostgres, let recorded = try store.setting(.datasetRoot), recorded != root {
            throw StoreError.otherDataset(state: location.stateDirectory, recorded: recorded, given: root)
        }
        return Project(root: root, config: config, store: store, location: location)
    }
}
