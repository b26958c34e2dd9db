import ArgumentParser
import WinnowCore
import WinnowStore
import WinnowSession

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that no decision in the project's log was changed or removed since it was made.",
        discussion: """
            Every decision is stored with a hash (SHA-256) of its contents and of the hash \
            of the decision before it. Changing or deleting a logged decision, even by \
            editing winnow.sqlite directly, breaks that chain from there on: verify \
            recomputes every hash and names the first broken link (which event, what \
            happened, the expected and the stored hash).

            The chain alone cannot see the newest decisions being cut off: what is left \
            still chains. For that, compare with a head hash recorded elsewhere. Every \
            export's manifest records the log's head; --head HASH checks that it is still \
            in the chain, and says how many decisions were made since.

            The chain makes tampering evident; it does not prevent it. Whoever can write \
            the project database could rewrite the whole chain, which only a recorded head \
            reveals. The real boundary is who may write the state folder: keep its \
            permissions tight.

            EXAMPLES:
              winnow verify SampleProjects/shapes
              winnow verify SampleProjects/shapes --head 3f5a9c0e1b2d…   (from an export's manifest)

            \(WinnowExit.helpText)
            """)

    @OptionGroup var project: ProjectOptions

    @Option(
        help: ArgumentHelp(
            "A head hash recorded earlier, e.g. in an export's manifest (at least 12 hex digits): check it is still in the log.",
            valueName: "hash"))
    var head: String?

    /// Hex digits shown of a hash (the full hash is in `winnow log --format jsonl`).
    static let shownDigits = 16

    func validate() throws {
        if let head {
            guard (12...64).contains(head.count), head.allSatisfy(\.isHexDigit) else {
                throw ValidationError("--head takes a hash of 12 to 64 hex digits (the decision log head of an export's manifest)")
            }
        }
    }

    func run() throws {
        let opened = try Project.open(project, importIfNeeded: false)
        let result = try opened.store.verifyDecisionLog(expectingHead: head)
        if let broken = result.brokenLink {
            throw CLIFailure(message: Self.describe(broken, intactBefore: result.eventsChecked, backup: Self.backup(opened)), exit: .tampered)
        }
        print(Self.describeIntact(result))
        guard let head else { return }
        if let found = result.recordedHead {
            print(
                "recorded head \(found.hash.prefix(Self.shownDigits)) is event #\(found.eventID); "
                    + (found.eventsAfter == 0 ? "no decisions since" : "\(found.eventsAfter) decision\(found.eventsAfter == 1 ? "" : "s") since"))
        } else {
            throw CLIFailure(
                message: """
                    the recorded head \(TerminalText.sanitize(String(head.prefix(Self.shownDigits)))) is not in the decision log: \
                    decisions made before it was recorded were removed, or the log was rewritten
                        fix: restore \(Self.backup(opened)) from a backup made after the head was recorded; check who may write \(opened.location.isPostgres ? "the database" : "the state folder")
                    """, exit: .tampered)
        }
    }

    static func describeIntact(_ result: LogVerification) -> String {
        guard let head = result.head else { return "decision log intact: no decisions yet" }
        return
            "decision log intact: \(result.eventsChecked) event\(result.eventsChecked == 1 ? "" : "s"), head \(head.hash.prefix(shownDigits)) (event #\(head.eventID))"
    }

    /// What to restore: the SQLite file, or the PostgreSQL database (from `pg_dump`).
    static func backup(_ project: Project) -> String {
        project.location.isPostgres ? "the database \(project.location.description) (pg_dump)" : "winnow.sqlite"
    }

    static func describe(_ broken: BrokenLink, intactBefore: Int, backup: String = "winnow.sqlite") -> String {
        let intact =
            intactBefore == 0
            ? "no event before it could be checked"
            : intactBefore == 1 ? "the event before it is intact" : "the \(intactBefore) events before it are intact"
        let stored = broken.storedHash.map { TerminalText.sanitize(String($0.prefix(64))) } ?? "none"
        return """
            decision log broken at event #\(broken.eventID): \(TerminalText.sanitize(broken.reason))
                expected hash \(broken.expectedHash)
                stored hash   \(stored)
                \(intact); the later ones cannot be trusted
                fix: restore \(backup) from a backup, and check who may write \(backup == "winnow.sqlite" ? "the state folder" : "the database")
            """
    }
}
