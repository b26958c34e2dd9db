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

/// The dataset folder and where its state lives (a state folder, a PostgreSQL database);
/// shared by every command that opens a project.
struct ProjectOptions: ParsableArguments {
    @Argument(
        help: ArgumentHelp("The dataset folder (the one that contains images/).", valueName: "dir"),
        completion: .directory)
    var dataset: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Keep the project state in this folder instead of <dir>/.winnow (for read-only datasets).",
            valueName: "dir"), completion: .directory)
    var state: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Keep the project in this PostgreSQL database, shared by every host with a copy of the dataset (overrides $WINNOW_STORE and winnow.toml's [store] url; the password goes in ~/.pgpass or $PGPASSWORD).",
            valueName: "postgresql://…"))
    var store: String?

    /// The dataset folder as an absolute, resolved path.
    func datasetRoot() throws -> String { try Project.resolveDatasetFolder(dataset) }
}

/// Opening a project from the command line's options (`Project` and its opening are WinnowSession's).
extension Project {
    /// Opens the project; imports the dataset first when it has never been imported.
    static func open(_ options: ProjectOptions, importIfNeeded: Bool = true) throws -> Project {
        try open(datasetRoot: try options.datasetRoot(), state: options.state, store: options.store, importIfNeeded: importIfNeeded)
    }

    /// `winnow import` (see `Project.importDataset(datasetRoot:state:store:override:)`).
    static func importDataset(
        _ options: ProjectOptions,
        override: (inout WinnowConfig) -> Void = { _ in }
    ) throws -> (project: Project, summary: ImportSummary) {
        try importDataset(datasetRoot: try options.datasetRoot(), state: options.state, store: options.store, override: override)
    }
}

/// The reviewer name: `--reviewer`, else `WINNOW_REVIEWER`, else the login name.
func resolveReviewer(_ explicit: String?, policy: TeamPolicy = TeamPolicy()) throws -> String {
    let login = loginName()
    var chosen = login
    var how = "your login name"
    if let explicit, !explicit.isEmpty {
        guard TerminalText.isSafe(explicit) else {
            throw CLIFailure(message: "the reviewer name (--reviewer) contains control characters\n    fix: give a plain name", exit: .usage)
        }
        chosen = explicit
        how = "--reviewer"
    } else if let env = ProcessInfo.processInfo.environment["WINNOW_REVIEWER"], !env.isEmpty {
        // Refused, not replaced by the login name: decisions would be recorded under a name
        // the person did not ask for.
        guard TerminalText.isSafe(env) else {
            throw CLIFailure(
                message: "WINNOW_REVIEWER contains control characters\n    fix: set it to a plain name, or unset it to use your login name",
                exit: .usage)
        }
        chosen = env
        how = "WINNOW_REVIEWER"
    }
    // The list of reviewers is only worth something if nobody can claim another's name.
    if policy.enforceLogin, chosen != login {
        throw CLIFailure(
            message:
                "winnow.toml enforces login names ([team] enforce_login): you are \(TerminalText.sanitize(login)), not \(TerminalText.sanitize(chosen)) (from \(how))\n    fix: leave out \(how == "--reviewer" ? "--reviewer" : "WINNOW_REVIEWER"), or log in as that reviewer",
            exit: .usage)
    }
    return chosen
}

/// The account the process runs as (over SSH, the account used to log in).
func loginName() -> String {
    if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
    return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
}
