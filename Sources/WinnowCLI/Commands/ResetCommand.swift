import ArgumentParser
import Foundation
import WinnowCore
import WinnowDataset
import WinnowStore
import WinnowSession

/// `winnow reset DIR`: starts a sample project over (`make demo` on a used sample). It
/// deletes the project's state, decisions included, so it asks first, and refuses a real
/// project (one without the sample marker) unless told `--force`.
struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Start a sample project over: delete its decisions and analysis caches (asks first).",
        discussion: """
            Deletes the project state of DIR (DIR/.winnow, or --state): every decision, \
            the saved queues and the cached neighbours. The dataset's own files are never \
            touched; the next command imports the dataset again. A project in \
            PostgreSQL (--store, $WINNOW_STORE, winnow.toml's [store] url) is shared with \
            other hosts and is not reset: drop and create its database instead.

            Only the bundled sample projects (they carry a .winnow-sample file) are reset \
            as they are. A real project's decisions are work nobody can redo: it is \
            refused unless --force is given, and then the confirmation is the project's \
            folder name. --yes answers the question for scripts.

            EXAMPLES:
              winnow reset SampleProjects/shapes
              make demo-reset
              winnow reset my-dataset --force

            \(WinnowExit.helpText)
            """)

    /// The file that marks a folder as a bundled sample project.
    static let sampleMarker = ".winnow-sample"
    /// What Winnow keeps in a state folder; nothing else there is deleted.
    static let stateEntries = [
        "winnow.sqlite", "winnow.sqlite-wal", "winnow.sqlite-shm", "winnow.sqlite-journal",
        "matrices", "queues", "neighbours"
    ]

    @OptionGroup var project: ProjectOptions

    @Flag(help: "Reset a project that is not a bundled sample too (its decisions are lost for good).")
    var force = false

    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    func run() throws {
        let root = try project.datasetRoot()
        let location = try StoreLocation.choose(
            datasetRoot: root, state: project.state, storeOption: project.store, config: try DatasetReader.loadConfig(root: root))
        let state = location.stateDirectory
        let s = TerminalText.sanitize
        guard location.exists() else {
            print("nothing to reset: \(s(root)) has no project state yet")
            return
        }
        let decisions = try Self.decisionCount(location)
        // A shared database is the team's, not this host's: deleting it is a database
        // administrator's act (and the other hosts' sessions would lose it under them).
        guard !location.isPostgres else {
            throw CLIFailure(
                message:
                    "\(s(root))'s project is in the PostgreSQL database \(location.description) (from \(location.source.name)), shared with other hosts: reset does not delete a shared database (\(decisions) decision\(decisions == 1 ? "" : "s"))\n    fix: to start over, drop and create the database (dropdb, createdb: back it up with pg_dump first), then run winnow import",
                exit: .refused)
        }
        let isSample = FileManager.default.fileExists(atPath: root + "/" + Self.sampleMarker)
        let name = URL(fileURLWithPath: root).lastPathComponent
        guard isSample || force else {
            throw CLIFailure(
                message:
                    "\(s(root)) is not a sample project: resetting it would delete its \(decisions) decision\(decisions == 1 ? "" : "s") for good\n    fix: to start it over anyway, add --force (copy \(s(state)) first to keep them)",
                exit: .refused)
        }
        if !yes {
            guard isatty(0) == 1 else {
                throw CLIFailure(message: "reset needs a confirmation\n    fix: run it in a terminal, or add --yes", exit: .refused)
            }
            let question =
                isSample
                ? "Reset the sample \(s(name))? Its \(decisions) decision\(decisions == 1 ? "" : "s") will be deleted. [y/N] "
                : "Delete the \(decisions) decision\(decisions == 1 ? "" : "s") of \(s(root)) for good? Type the folder name (\(s(name))) to confirm: "
            Console.write(question, to: .standardOutput)
            let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces)
            let confirmed = isSample ? ["y", "yes"].contains(answer.lowercased()) : answer == name
            guard confirmed else {
                print("not reset")
                throw ExitCode(WinnowExit.refused.rawValue)
            }
        }
        for entry in Self.stateEntries {
            let path = state + "/" + entry
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        }
        // The default state folder goes too when nothing else is in it.
        if project.state == nil, (try? FileManager.default.contentsOfDirectory(atPath: state))?.isEmpty == true {
            try? FileManager.default.removeItem(atPath: state)
        }
        print("reset \(s(name)): \(decisions) decision\(decisions == 1 ? "" : "s") deleted; the next command imports it again")
    }

    static func decisionCount(_ location: StoreLocation) throws -> Int {
        try location.open().decisionCount()
    }
}
