#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowDataset
import WinnowStore
import WinnowSession

/// The dataset folder and where its state lives; shared by every command that opens a project.
struct ProjectOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The dataset folder (the one that contains images/).", valueName: "dir"),
              completion: .directory)
    var dataset: String

    @Option(name: .long, help: ArgumentHelp(
        "Keep the project state in this folder instead of <dir>/.winnow (for read-only datasets).",
        valueName: "dir"), completion: .directory)
    var state: String?

    /// The dataset folder as an absolute, resolved path.
    func datasetRoot() throws -> String {
        guard let resolved = realpath(dataset, nil) else {
            throw CLIFailure(message: "\(TerminalText.sanitize(dataset)): \(String(cString: strerror(errno)))\n    fix: give the dataset folder (the one that contains images/)", exit: .dataError)
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Opening a project from the command line's options (`Project` itself is WinnowSession's).
extension Project {
    /// Opens the project; imports the dataset first when it has never been imported.
    static func open(_ options: ProjectOptions, importIfNeeded: Bool = true) throws -> Project {
        let root = try options.datasetRoot()
        let config = try DatasetReader.loadConfig(root: root)
        let stateDirectory = options.state ?? ProjectStore.defaultStateDirectory(forDataset: root)
        // A dataset never imported is read, and checked, before its state folder is created:
        // a refused first import leaves the dataset folder exactly as it was.
        var snapshot: DatasetSnapshot?
        if importIfNeeded && !ProjectStore.exists(stateDirectory: stateDirectory) {
            printError("winnow: \(TerminalText.sanitize(root)) has not been imported yet; importing it now")
            snapshot = try read(root, config)
        }
        let project = try openStore(options, root: root, config: config, stateDirectory: stateDirectory)
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
    static func importDataset(_ options: ProjectOptions,
                              override: (inout WinnowConfig) -> Void = { _ in }) throws -> (project: Project, summary: ImportSummary) {
        let root = try options.datasetRoot()
        var config = try DatasetReader.loadConfig(root: root)
        override(&config)
        let snapshot = try read(root, config)
        let project = try openStore(options, root: root, config: config,
                                    stateDirectory: options.state ?? ProjectStore.defaultStateDirectory(forDataset: root))
        return (project, try project.store.applyImport(snapshot, datasetRoot: root, progress: TerminalProgress()))
    }

    private static func read(_ root: String, _ config: WinnowConfig) throws -> DatasetSnapshot {
        try DatasetReader(root: root, config: config).read(progress: TerminalProgress())
            .withAnnotatorConsensus(AnnotatorConsensusMethod(rawValue: config.annotatorConsensus) ?? .crowdlab)
    }

    private static func openStore(_ options: ProjectOptions, root: String, config: WinnowConfig, stateDirectory: String) throws -> Project {
        let store = try openProjectStore(stateDirectory: stateDirectory, datasetFolder: root)
        if options.state != nil, let recorded = try store.setting("dataset_root"), recorded != root {
            throw StoreError.otherDataset(state: stateDirectory, recorded: recorded, given: root)
        }
        return Project(root: root, config: config, store: store)
    }
}

/// The reviewer name: `--reviewer`, else `WINNOW_REVIEWER`, else the login name.
func resolveReviewer(_ explicit: String?, policy: TeamPolicy = TeamPolicy()) throws -> String {
    let login = loginName()
    var chosen = login
    var how = "your login name"
    if let explicit, !explicit.isEmpty {
        guard TerminalText.isSafe(explicit) else { throw CLIFailure(message: "the reviewer name (--reviewer) contains control characters\n    fix: give a plain name", exit: .usage) }
        chosen = explicit
        how = "--reviewer"
    } else if let env = ProcessInfo.processInfo.environment["WINNOW_REVIEWER"], !env.isEmpty {
        // Refused, not replaced by the login name: decisions would be recorded under a name
        // the person did not ask for.
        guard TerminalText.isSafe(env) else {
            throw CLIFailure(message: "WINNOW_REVIEWER contains control characters\n    fix: set it to a plain name, or unset it to use your login name", exit: .usage)
        }
        chosen = env
        how = "WINNOW_REVIEWER"
    }
    // The list of reviewers is only worth something if nobody can claim another's name.
    if policy.enforceLogin, chosen != login {
        throw CLIFailure(message: "winnow.toml enforces login names ([team] enforce_login): you are \(TerminalText.sanitize(login)), not \(TerminalText.sanitize(chosen)) (from \(how))\n    fix: leave out \(how == "--reviewer" ? "--reviewer" : "WINNOW_REVIEWER"), or log in as that reviewer", exit: .usage)
    }
    return chosen
}

/// The account the process runs as (over SSH, the account used to log in).
func loginName() -> String {
    if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
    return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
}
