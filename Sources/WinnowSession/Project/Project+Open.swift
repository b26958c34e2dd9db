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
    package static func open(dataset: String, state: String? = nil, importIfNeeded: Bool = true) throws -> Project {
        try open(datasetRoot: try resolveDatasetFolder(dataset), state: state, importIfNeeded: importIfNeeded)
    }

    /// Opens the project of the resolved folder `root`; imports the dataset first when it has
    /// never been imported.
    package static func open(datasetRoot root: String, state: String? = nil, importIfNeeded: Bool = true) throws -> Project {
        let config = try DatasetReader.loadConfig(root: root)
        let stateDirectory = state ?? ProjectStore.defaultStateDirectory(forDataset: root)
        // A dataset never imported is read, and checked, before its state folder is created:
        // a refused first import leaves the dataset folder exactly as it was.
        var snapshot: DatasetSnapshot?
        if importIfNeeded && !ProjectStore.exists(stateDirectory: stateDirectory) {
            printError("winnow: \(TerminalText.sanitize(root)) has not been imported yet; importing it now")
            snapshot = try read(root, config)
        }
        let project = try openStore(checkingRecordedRoot: state != nil, root: root, config: config, stateDirectory: stateDirectory)
        if importIfNeeded && !project.store.hasImported {
            if snapshot == nil {
                printError("winnow: \(TerminalText.sanitize(root)) has not been imported yet; importing it now")
                snapshot = try read(root, config)
            }
            let summary = try project.store.applyImport(snapshot!, datasetRoot: root, progress: TerminalProgress())
            printError(Project.describe(summary))
        }
        return project
    }

    /// `winnow import`: reads and checks the dataset first (nothing is created or changed
    /// when it is refused), then opens the project and applies it in one transaction.
    /// `override` applies command-line settings (`--no-folder-labels`) to winnow.toml's.
    package static func importDataset(
        datasetRoot root: String, state: String? = nil,
        override: (inout WinnowConfig) -> Void = { _ in }
    ) throws -> (project: Project, summary: ImportSummary) {
        var config = try DatasetReader.loadConfig(root: root)
        override(&config)
        let snapshot = try read(root, config)
        let project = try openStore(
            checkingRecordedRoot: state != nil, root: root, config: config,
            stateDirectory: state ?? ProjectStore.defaultStateDirectory(forDataset: root))
        return (project, try project.store.applyImport(snapshot, datasetRoot: root, progress: TerminalProgress()))
    }

    private static func read(_ root: String, _ config: WinnowConfig) throws -> DatasetSnapshot {
        try DatasetReader(root: root, config: config).read(progress: TerminalProgress())
            .withAnnotatorConsensus(AnnotatorConsensusMethod(rawValue: config.annotatorConsensus) ?? .crowdlab)
    }

    /// `checkingRecordedRoot`: a state folder given apart from the dataset must be this dataset's.
    private static func openStore(checkingRecordedRoot: Bool, root: String, config: WinnowConfig, stateDirectory: String) throws -> Project {
        let store = try openProjectStore(stateDirectory: stateDirectory, datasetFolder: root)
        if checkingRecordedRoot, let recorded = try store.setting(.datasetRoot), recorded != root {
            throw StoreError.otherDataset(state: stateDirectory, recorded: recorded, given: root)
        }
        return Project(root: root, config: config, store: store)
    }
}
