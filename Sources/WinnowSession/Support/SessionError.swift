import Foundation
import WinnowCore
import WinnowStore

/// What the application layer refuses or fails at, said so the person at the keyboard can
/// act on it: what went wrong (naming the file, setting or item) and, when there is one,
/// what to do. The layer does not know about exit codes: a front end maps `kind` to its own
/// (the command line in one place, WinnowCLI's ExitCodes.swift).
package struct SessionError: Error, CustomStringConvertible, Sendable {
    package enum Kind: Sendable {
        /// A value the user gave (an option, a queue name, a setting of winnow.toml that
        /// names something) is not one Winnow knows.
        case badRequest
        /// The dataset's files are invalid or changed behind the project's back.
        case badData
        /// The project state (or an output) cannot be read or written.
        case projectState
        /// Refused: doing it would lose or overwrite something.
        case refused
    }

    package var kind: Kind
    /// What went wrong, naming the file, setting or item (already sanitised for a terminal).
    package var what: String
    /// What to do about it, when something can be done.
    package var fix: String?

    package init(_ kind: Kind, _ what: String, fix: String? = nil) {
        self.kind = kind
        self.what = what
        self.fix = fix
    }

    /// `what`, then the fix on its own indented line (the form every Winnow error takes).
    package var description: String { fix.map { "\(what)\n    fix: \($0)" } ?? what }

    /// A file that could not be written: a full disk (or quota, or `ulimit -f`) said as such.
    package static func cannotWrite(_ path: String, errno code: Int32, fix: String = "check that the folder exists and that you may write there")
        -> SessionError
    {
        let shown = TerminalText.sanitize(path)
        if DiskSpace.isFull(errno: code) {
            let folder = (path as NSString).deletingLastPathComponent
            let (reason, fix) = DiskSpace.explain(folder: folder.isEmpty ? "." : folder)
            return SessionError(.projectState, "cannot write \(shown): \(reason)", fix: "\(fix), or write elsewhere")
        }
        return SessionError(.projectState, "cannot write \(shown): \(String(cString: strerror(code)))", fix: fix)
    }
}
