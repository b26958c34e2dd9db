#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WinnowCore

/// The one writer for everything the CLI prints: messages, tables, summaries, errors and
/// the progress bar. Labels, paths, notes, metadata and file names are untrusted (a file
/// named `\e]52;c;…` writes the clipboard of whoever lists it), so sanitising is not left
/// to each message: every text is stripped of control and bidi characters on its way out,
/// line feeds and tabs kept. The only control sequence Winnow itself writes to a terminal
/// from here is the progress bar's "return and clear the line" (`clearLine`).
///
/// Machine output (CSV, JSONL, JSON on standard output) goes through `OutputFile`, which
/// sanitises it in the same way when, and only when, it is written to a terminal.
package enum Console {
    package enum Stream {
        case standardOutput, standardError
        package var descriptor: Int32 { self == .standardOutput ? STDOUT_FILENO : STDERR_FILENO }
    }

    /// `\r` and "erase the whole line": the progress bar redrawing itself.
    package static let clearLine = "\r\u{1B}[2K"

    /// Writes `text` sanitised (line feeds and tabs kept).
    package static func write(_ text: String, to stream: Stream) {
        writeRaw(TerminalText.sanitizeKeepingLineBreaks(text), to: stream.descriptor)
    }

    /// The progress bar: `clearLine`, then sanitised text (none of it may move the cursor).
    package static func redrawLine(_ text: String, to stream: Stream) {
        writeRaw(clearLine + TerminalText.sanitize(text), to: stream.descriptor)
    }

    package static func isTerminal(_ stream: Stream) -> Bool { isatty(stream.descriptor) == 1 }

    /// All of `text`, retrying on interruption; a closed pipe or full disk is not retried.
    package static func writeRaw(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }
}

/// `print` inside WinnowCLI goes through `Console`: standard output, sanitised. (It shadows
/// the standard library's, so no command can print unsanitised text by accident.)
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Console.write(items.map { "\($0)" }.joined(separator: separator) + terminator, to: .standardOutput)
}

/// Writes to stderr (diagnostics, summaries of implicit work) without disturbing stdout.
package func printError(_ text: String) {
    Console.write(text + "\n", to: .standardError)
}
