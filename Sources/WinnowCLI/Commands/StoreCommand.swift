import ArgumentParser
import WinnowCore
import WinnowSession
import WinnowStore

/// `winnow store`: what concerns the project's store as a whole.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Move a project between stores (SQLite, PostgreSQL).",
        subcommands: [StoreCopyCommand.self])
}

struct StoreCopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a project from one store to another: SQLite ⇄ PostgreSQL, or to its own kind.",
        discussion: """
            SRC and DST are each a postgresql:// URL, a dataset folder (its state is \
            <dir>/.winnow), or a state folder (the one holding winnow.sqlite). DST must \
            hold no project: a new or empty folder, or an empty database.

            Everything that makes the project is copied: settings, classes, items (known by \
            their path under images/), the annotators' labels, the models and their \
            probability matrices, the embeddings' record, the imports, the decision log \
            event by event with its hashes unchanged, and the shared analysis caches \
            (content hashes, image features, image measures). Not copied: leases (they \
            belong to the review sessions of the source) and this host's files in the state \
            folder (neighbour graphs, the helper model, saved queues: winnow analyze makes \
            them again).

            The source is read from one snapshot (reviewers may go on working); its log is \
            verified before anything is written. The target is written in one transaction, \
            which commits only when its rows and its log's verification (the same events, \
            the same head hash) equal the source's: a copy that fails, or is interrupted, \
            leaves the target as it was.

            EXAMPLES:
              winnow store copy SampleProjects/shapes postgresql://lead@db.example/shapes
              winnow store copy postgresql://lead@db.example/shapes /backup/shapes-state

            \(WinnowExit.helpText)
            """)

    @Argument(help: ArgumentHelp("Where the project is: a postgresql:// URL, a dataset folder, or a state folder.", valueName: "src"))
    var source: String

    @Argument(
        help: ArgumentHelp("Where to copy it (holding no project): a postgresql:// URL, a dataset folder, or a state folder.", valueName: "dst"))
    var target: String

    func run() throws {
        let from = try StoreCopy.location(source, isTarget: false)
        let to = try StoreCopy.location(target, isTarget: true)
        let summary: ProjectCopySummary
        do {
            summary = try StoreCopy.copy(from: from, to: to, progress: TerminalProgress())
        } catch let error as ProjectCopyError {
            switch error {
            case .sourceLogBroken: throw CLIFailure(message: error.description, exit: .tampered)
            case .targetNotEmpty, .sourceEmpty: throw CLIFailure(message: error.description, exit: .refused)
            case .mismatch, .unusable: throw CLIFailure(message: error.description, exit: .projectError)
            }
        }
        let counts = summary.counts
        print(
            "copied \(from.description) → \(to.description): \(counts.items) items, \(counts.annotations) annotations, "
                + "\(counts.models) model\(counts.models == 1 ? "" : "s"), \(counts.events) decision\(counts.events == 1 ? "" : "s")")
        print(VerifyCommand.describeIntact(summary.log) + " (the same on both sides)")
        print("not copied: leases (they belong to the source's review sessions)")
    }
}
