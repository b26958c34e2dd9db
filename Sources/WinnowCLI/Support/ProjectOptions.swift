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

/// An opened project: its dataset, settings and store.
struct Project {
    let root: String
    let config: WinnowConfig
    let store: ProjectStore

    /// Opens the project; imports the dataset first when it has never been imported.
    static func open(_ options: ProjectOptions, importIfNeeded: Bool = true) throws -> Project {
        let root = try options.datasetRoot()
        let config = try DatasetReader.loadConfig(root: root)
        let stateDirectory = options.state ?? ProjectStore.defaultStateDirectory(forDataset: root)
        let store = try ProjectStore(stateDirectory: stateDirectory)
        if options.state != nil, let recorded = try store.setting("dataset_root"), recorded != root {
            throw StoreError.otherDataset(state: stateDirectory, recorded: recorded, given: root)
        }
        let project = Project(root: root, config: config, store: store)
        if importIfNeeded && !store.hasImported {
            printError("winnow: \(TerminalText.sanitize(root)) has not been imported yet; importing it now")
            let summary = try project.runImport()
            printError(Project.describe(summary))
        }
        return project
    }

    /// The same project with some settings overridden (by command-line options).
    func with(_ change: (inout WinnowConfig) -> Void) -> Project {
        var config = config
        change(&config)
        return Project(root: root, config: config, store: store)
    }

    /// Reads the dataset and applies it to the store in one transaction.
    func runImport() throws -> ImportSummary {
        let progress = TerminalProgress()
        let snapshot = try DatasetReader(root: root, config: config).read(progress: progress)
            .withAnnotatorConsensus(AnnotatorConsensusMethod(rawValue: config.annotatorConsensus) ?? .crowdlab)
        return try store.applyImport(snapshot, datasetRoot: root, progress: progress)
    }

    /// The one-line import summary, plus any notices.
    static func describe(_ s: ImportSummary) -> String {
        var parts = ["\(s.items) item\(s.items == 1 ? "" : "s")"]
        var changes: [String] = []
        if s.newItems > 0 && s.newItems != s.items { changes.append("\(s.newItems) new") }
        if s.removedItems > 0 { changes.append("\(s.removedItems) removed, history kept") }
        if !changes.isEmpty { parts[0] += " (" + changes.joined(separator: ", ") + ")" }
        parts.append("\(s.classes) class\(s.classes == 1 ? "" : "es")\(s.multiLabel ? " (multi-label)" : "")")
        if s.layout == "image-folder" { parts.append("labels from folder names") }
        parts.append("\(s.annotators) annotator\(s.annotators == 1 ? "" : "s")")
        parts.append(s.models.isEmpty ? "no models" : "\(s.models.count) model\(s.models.count == 1 ? "" : "s") (\(s.models.map { TerminalText.sanitize($0) }.joined(separator: ", ")))")
        parts.append(s.embeddingDimension.map { "embeddings \($0)-d" } ?? "no embeddings")
        parts.append(s.problems == 0 ? "no image problems" : "\(s.problems) image problem\(s.problems == 1 ? "" : "s") (see winnow info)")
        var text = "imported " + parts.joined(separator: ", ")
        for notice in s.notices { text += "\nnote: " + notice }
        return text
    }
}

/// The reviewer name: `--reviewer`, else `WINNOW_REVIEWER`, else the login name.
func resolveReviewer(_ explicit: String?, policy: TeamPolicy = TeamPolicy()) throws -> String {
    let login = loginName()
    var chosen = login
    var how = "your login name"
    if let explicit, !explicit.isEmpty {
        guard TerminalText.isSafe(explicit) else { throw CLIFailure(message: "the reviewer name contains control characters", exit: .usage) }
        chosen = explicit
        how = "--reviewer"
    } else if let env = ProcessInfo.processInfo.environment["WINNOW_REVIEWER"], !env.isEmpty, TerminalText.isSafe(env) {
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
