import WinnowCore

/// Why a store operation was refused. Each case reads as a sentence with what to do.
public enum StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    /// A project store on a database server could not be reached or refused the login
    /// (`url` without its password; `reason` ends with what to do).
    case cannotConnect(url: String, reason: String)
    /// The database server went away (stopped, restarting, the network dropped) or cannot be
    /// reached now: unlike the other cases the same request may succeed later, so callers
    /// that can wait (the review screen) retry it. `url` is without its password.
    /// `outcomeUnknown`: the connection broke while the server was committing, so the change
    /// may be stored or not (a retry must first look); otherwise nothing of it was stored.
    case unreachable(url: String, reason: String, outcomeUnknown: Bool)
    /// A text the store cannot keep as given (a NUL character: PostgreSQL's text cannot hold
    /// one, so neither store takes it). `what` names the field.
    case invalidText(what: String)
    case newerSchema(path: String)
    case otherDataset(state: String, recorded: String, given: String)
    case notImported
    case unknownImage(String)
    case removedImage(String)
    case nothingToUndo(String)
    case invalidLabels(String)
    case io(String)
    /// A write failed because the disk (or the quota, or the file size limit) is full.
    case diskFull(folder: String)
    /// Another reviewer holds the item (their review screen shows it).
    case leased(image: String, reviewer: String, until: String)
    /// The team policy does not allow it.
    case refused(TeamRefusal)
    /// Another reviewer decided the item a moment ago (it no longer needs this one).
    case alreadyDecided(image: String, reviewers: [String])

    /// Whether the same request may succeed if tried again later (the server is back).
    public var isRetryable: Bool {
        if case .unreachable = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return
                "cannot open the project database \(TerminalText.sanitize(path)): \(reason)\n    fix: check the folder's permissions, or put the state elsewhere with --state DIR"
        case .cannotConnect(let url, let reason):
            return "cannot open the project store \(TerminalText.sanitize(url)): \(reason)"
        case .unreachable(let url, let reason, let outcomeUnknown):
            let text = "cannot reach the project store \(TerminalText.sanitize(url)): \(reason)"
            if outcomeUnknown {
                return text + "\n    fix: the change may or may not have been stored; look with winnow log once the server is back"
            }
            // A failed connection's reason says already what to check.
            if reason.contains("fix:") { return text }
            return text + "\n    fix: nothing of the unfinished change was stored; check that the server runs, then try again"
        case .invalidText(let what):
            return
                "the \(what) contains a NUL character, which the project store cannot keep\n    fix: remove it (and any other control characters) and try again"
        case .newerSchema(let path):
            return "the project database \(TerminalText.sanitize(path)) was written by a newer Winnow\n    fix: use that newer version of winnow"
        case .otherDataset(let state, let recorded, let given):
            return
                "the state folder \(TerminalText.sanitize(state)) belongs to the dataset \(TerminalText.sanitize(recorded)), not \(TerminalText.sanitize(given))\n    fix: give the right dataset, or another --state folder"
        case .notImported:
            return "the dataset has not been imported\n    fix: run winnow import DIR"
        case .unknownImage(let path):
            return
                "no item has the image path \"\(TerminalText.sanitize(path))\"\n    fix: give the path relative to images/, as in items.csv or labels.csv"
        case .removedImage(let path):
            return
                "\"\(TerminalText.sanitize(path))\" is no longer in the dataset (its history is kept)\n    fix: put the image back and run winnow import again to decide on it"
        case .nothingToUndo(let path):
            return "\"\(TerminalText.sanitize(path))\" has no decision to undo"
        case .invalidLabels(let why):
            return why
        case .io(let why):
            return why
        case .diskFull(let folder):
            let (reason, fix) = DiskSpace.explain(folder: folder)
            return "cannot write the project in \(TerminalText.sanitize(folder)): \(reason)\n    fix: \(fix); everything saved before is intact"
        case .leased(let image, let reviewer, let until):
            return
                "\(TerminalText.sanitize(reviewer)) is reviewing \"\(TerminalText.sanitize(image))\" (held until \(until) unless renewed)\n    fix: leave it to them; a lead can break the lease with winnow leases DIR --break"
        case .refused(let refusal):
            return refusal.description
        case .alreadyDecided(let image, let reviewers):
            return
                "\"\(TerminalText.sanitize(image))\" was just decided by \(reviewers.map(TerminalText.sanitize).joined(separator: ", ")): it needs no review from you\n    fix: nothing to do; decide it by name (winnow decide DIR IMAGE) to change their decision"
        }
    }
}
