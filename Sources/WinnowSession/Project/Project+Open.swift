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

/// Where a project is: the dataset folder as given, and its state folder when it is not
/// `<dataset>/.winnow`. (The commands and the benchmarks parse it from their arguments.)
package struct ProjectLocation: Sendable {
    package var dataset: String
    package var state: String?

    package init(dataset: String, state: String? = nil) {
        self.dataset = dataset
        self.state = state
    }

    /// The dataset folder as an absolute, resolved path.
    package func datasetRoot() throws -> String {
        guard let resolved = realpath(dataset, nil) else {
            throw CLIFailure(message: "\(TerminalText.sanitize(dataset)): \(String(cString: strerror(errno)))\n    fix: give the dataset folder (the one that contains images/)", exit: .dataError)
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Opening a project (moved from WinnowCLI so the benchmarks open projects the same way).
extension Project {
    /// Opens the project; imports the dataset first when it has never been imported.
    package static func open(_ location: ProjectLocation, importIfNeeded: Bool = true) throws -> Project {
        let root = try location.datasetRoot()
        let config = try DatasetReader.loadConfig(root: root)
        let stateDirectory = location.state ?? ProjectStore.defaultStateDirectory(forDataset: root)
        // A dataset never imported is read, and checked, before its state folder is created:
        // a refused first import leaves the dataset folder exactly as it was.
        var snapshot: DatasetSnapshot?
        if importIfNeeded && !ProjectStore.exists(stateDirectory: stateDirectory) {
            printError("winnow: \(TerminalText.sanitize(root)) has not been imported yet; importing it now")
            snapshot = try read(root, config)
        }
        let project = try openStore(location, root: root, config: config, stateDirectory: stateDirectory)
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
    package static func importDataset(_ location: ProjectLocation,
                                      override: (inout WinnowConfig) -> Void = { _ in }) throws -> (project: Project, summary: ImportSummary) {
        let root = try location.datasetRoot()
        var config = try DatasetReader.loadConfig(root: root)
        override(&config)
        let snapshot = try read(root, config)
        let project = try openStore(location, root: root, config: config,
                                    stateDirectory: location.state ?? ProjectStore.defaultStateDirectory(forDataset: root))
        return (project, try project.store.applyImport(snapshot, datasetRoot: root, progress: TerminalProgress()))
    }

    private static func read(_ root: String, _ config: WinnowConfig) throws -> DatasetSnapshot {
        try DatasetReader(root: root, config: config).read(progress: TerminalProgress())
            .withAnnotatorConsensus(AnnotatorConsensusMethod(rawValue: config.annotatorConsensus) ?? .crowdlab)
    }

    private static func openStore(_ location: ProjectLocation, root: String, config: WinnowConfig, stateDirectory: String) throws -> Project {
        let store = try ProjectStore(stateDirectory: stateDirectory, datasetFolder: root)
        if location.state != nil, let recorded = try store.setting("dataset_root"), recorded != root {
            throw StoreError.otherDataset(state: stateDirectory, recorded: recorded, given: root)
        }
        return Project(root: root, config: config, store: store)
    }
}
