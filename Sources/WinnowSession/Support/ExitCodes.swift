import Foundation
import WinnowCore
import WinnowStore

/// Winnow's exit codes. Scripts can rely on them; they are listed in `winnow --help`.
package enum WinnowExit: Int32, CaseIterable, Sendable {
    case success = 0
    /// Bad command-line arguments.
    case usage = 1
    /// The dataset or winnow.toml is invalid. Nothing was changed.
    case dataError = 2
    /// The project state cannot be opened or written (permissions, a newer schema, another dataset's state).
    case projectError = 3
    /// The request was refused: unknown image, invalid label, nothing to undo, another
    /// reviewer holds the image, or the reviewer's role does not allow it.
    case refused = 4
    /// `winnow verify`: the decision log's hash chain is broken (an event was changed or
    /// removed), or a recorded head is no longer in it (the newest events were cut off).
    case tampered = 5

    package static let helpText = """
        EXIT CODES:
          0  success
          1  usage error (bad arguments)
          2  the dataset or winnow.toml is invalid; nothing was changed
          3  the project state cannot be opened or written
          4  refused: unknown image, invalid label, nothing to undo, held by another
             reviewer, or not allowed for the reviewer's role
          5  winnow verify: the decision log was changed (a broken link, or --head not found)
        """
}

/// An error `winnow` and `winnow-bench` report with a message and a specific exit code. Every
/// error a command ends with becomes one here (`from`): this is the one place that maps errors
/// (the session's `SessionError`, the store's, the dataset's) to exit codes, for both executables.
package struct CLIFailure: Error, CustomStringConvertible {
    package var message: String
    package var exit: WinnowExit
    package var description: String { message }

    package init(message: String, exit: WinnowExit) {
        self.message = message
        self.exit = exit
    }

    package static func from(_ error: any Error) -> CLIFailure {
        switch error {
        case let failure as CLIFailure: return failure
        case let session as SessionError: return CLIFailure(message: session.description, exit: exit(for: session.kind))
        case let invalid as DatasetInvalid: return CLIFailure(message: invalid.description, exit: .dataError)
        case let problem as DataProblem: return CLIFailure(message: problem.description, exit: .dataError)
        case let refusal as TeamRefusal: return CLIFailure(message: refusal.description, exit: .refused)
        case let store as StoreError:
            switch store {
            case .unknownImage, .removedImage, .nothingToUndo, .invalidLabels, .invalidText, .leased, .refused, .alreadyDecided:
                return CLIFailure(message: store.description, exit: .refused)
            default: return CLIFailure(message: store.description, exit: .projectError)
            }
        default: return CLIFailure(message: "\(error)", exit: .projectError)
        }
    }

    package static func exit(for kind: SessionError.Kind) -> WinnowExit {
        switch kind {
        case .badRequest: return .usage
        case .badData: return .dataError
        case .projectState: return .projectError
        case .refused: return .refused
        }
    }
}
