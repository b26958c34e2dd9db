import Foundation
import WinnowCore

/// Moving a whole project from one store to another (`winnow store copy`): every store
/// exports its project as a stream of typed records and imports such a stream raw, so any
/// store copies to any other (SQLite ⇄ PostgreSQL, and each to its own kind) without the
/// copy knowing either's SQL.
public protocol ProjectCopying: AnyObject, Sendable {
    /// The store's place as messages show it (a state folder, a URL without its password).
    var copyLocation: String { get }

    /// The decision log's check (`DecisionRecording`'s): the copy refuses a broken source
    /// before it writes anything.
    func verifyDecisionLog(expectingHead recorded: String?) throws(StoreError) -> LogVerification

    /// Streams the project to `write`: `.counts` first, then every table in the order of
    /// `ProjectRecords`, in batches, all read in ONE snapshot (reviewers may go on deciding
    /// meanwhile). The decision log is checked while it streams (`ChainVerifier`); returns
    /// its verification, and throws `ProjectCopyError.sourceLogBroken` at a broken link.
    /// Errors thrown by `write` pass through as they are.
    func exportProject(_ write: (ProjectRecords) throws -> Void) throws -> LogVerification

    /// Writes a stream of records into this store, which must hold no project
    /// (`ProjectCopyError.targetNotEmpty` otherwise), in ONE transaction: `records` is called
    /// with the function that writes a batch. Rows are stored as they come (ids, hashes and
    /// texts unchanged: nothing is hashed again). Before committing, the store counts its
    /// rows and verifies its decision log inside the transaction, and hands both to
    /// `beforeCommit`: anything thrown there, by `records`, or by a write rolls everything
    /// back, and the store is as it was (files written for the copy are removed again).
    func importProject(
        _ records: (_ write: (ProjectRecords) throws -> Void) throws -> Void,
        beforeCommit: (ProjectRecordCounts, LogVerification) throws -> Void
    ) throws
}

/// Why a copy was refused or undone. Each reads as a sentence with what to do.
public enum ProjectCopyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The target already holds a project (`what`: what was found in it).
    case targetNotEmpty(target: String, what: String)
    /// The source has no project to copy (never imported).
    case sourceEmpty(source: String)
    /// The source's decision log fails its hash chain: copying it would hide that.
    case sourceLogBroken(source: String, link: BrokenLink)
    /// What was written is not what was read: the copy was rolled back.
    case mismatch(target: String, what: String)
    /// A stored value cannot be copied (a matrix name that is no file name, a matrix file missing).
    case unusable(String)

    public var description: String {
        switch self {
        case .targetNotEmpty(let target, let what):
            return """
                the target \(TerminalText.sanitize(target)) already holds a project (\(what)); nothing was copied
                    fix: copy into an empty database or a new state folder (a project is never merged into another)
                """
        case .sourceEmpty(let source):
            return """
                \(TerminalText.sanitize(source)) holds no project (it was never imported); nothing was copied
                    fix: check the source: a dataset folder, its state folder (--state), or a postgresql:// URL
                """
        case .sourceLogBroken(let source, let link):
            return """
                the decision log of \(TerminalText.sanitize(source)) is broken at event #\(link.eventID): \(TerminalText.sanitize(link.reason)); nothing was copied
                    fix: run winnow verify on the source, and restore it from a backup before copying it
                """
        case .mismatch(let target, let what):
            return """
                the copy written to \(TerminalText.sanitize(target)) differs from the source (\(what)); it was rolled back, the target is unchanged
                    fix: this is a bug or a store that changed under the copy: report it with both stores' winnow verify output
                """
        case .unusable(let why):
            return "cannot copy the project: \(TerminalText.sanitize(why)); nothing was copied"
        }
    }
}

/// What a finished copy moved.
public struct ProjectCopySummary: Sendable, Equatable {
    /// Rows copied, by table (equal in both stores).
    public var counts: ProjectRecordCounts
    /// The decision log's verification, identical on both sides.
    public var log: LogVerification
}

/// Copies the project in `source` into the empty `target`: the source's log is verified
/// first (a broken log is refused before anything is written), then the project streams
/// from one snapshot of the source into one transaction of the target, which commits only
/// when its row counts and its log's verification (the same head, hash and length) equal
/// the source's. Memory stays bounded: records move a batch at a time.
public func copyProject(
    from source: any ProjectCopying, to target: any ProjectCopying,
    progress: any ProgressReporter = SilentProgress()
) throws -> ProjectCopySummary {
    guard source !== target else { throw ProjectCopyError.targetNotEmpty(target: target.copyLocation, what: "it is the source") }
    progress.begin("verifying the source's decision log", total: nil)
    let before = try source.verifyDecisionLog(expectingHead: nil)
    progress.end()
    if let link = before.brokenLink { throw ProjectCopyError.sourceLogBroken(source: source.copyLocation, link: link) }

    var declared: ProjectRecordCounts?
    var written = ProjectRecordCounts()
    var exported: LogVerification?
    var phase: String?
    var phaseRows = 0
    var summary: ProjectCopySummary?
    try target.importProject(
        { write in
            exported = try source.exportProject { records in
                if case .counts(let counts) = records {
                    guard counts.items > 0 || counts.imports > 0 else { throw ProjectCopyError.sourceEmpty(source: source.copyLocation) }
                    declared = counts
                    return
                }
                if phase != records.table {
                    if phase != nil { progress.end() }
                    phase = records.table
                    phaseRows = 0
                    let total = declared?.tables.first { $0.name == records.table }?.count
                    progress.begin("copying \(records.table)", total: total)
                }
                try write(records)
                written.add(records)
                phaseRows += records.count
                progress.update(phaseRows)
            }
            if phase != nil { progress.end() }
            progress.begin("verifying the copy", total: nil)
        },
        beforeCommit: { stored, log in
            progress.end()
            guard let declared, let exported else { throw ProjectCopyError.sourceEmpty(source: source.copyLocation) }
            guard written == declared else {
                throw ProjectCopyError.mismatch(target: target.copyLocation, what: "read \(written), the snapshot holds \(declared)")
            }
            guard stored == declared else {
                throw ProjectCopyError.mismatch(target: target.copyLocation, what: "stored \(stored), copied \(declared)")
            }
            guard log == exported, log.isIntact else {
                throw ProjectCopyError.mismatch(target: target.copyLocation, what: "decision log \(describe(log)), source's \(describe(exported))")
            }
            summary = ProjectCopySummary(counts: stored, log: log)
        })
    guard let summary else { throw ProjectCopyError.mismatch(target: target.copyLocation, what: "the copy did not finish") }
    return summary
}

private func describe(_ log: LogVerification) -> String {
    if let link = log.brokenLink { return "broken at event #\(link.eventID)" }
    guard let head = log.head else { return "empty" }
    return "\(log.eventsChecked) events, head \(head.hash.prefix(16)) (event #\(head.eventID))"
}
