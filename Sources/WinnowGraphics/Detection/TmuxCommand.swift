import Dispatch
import Foundation

/// Asks the tmux server we run under about itself (`tmux show`, `tmux display`).
///
/// The only subprocesses of detection; their output goes to pure parsers
/// (``TmuxPassthroughSetting/parse(output:exitStatus:)``, ``parsePaneOrigin(_:)``).
public enum TmuxCommand {
    /// `tmux show -Apv allow-passthrough`: the pane's effective setting.
    public static func passthroughSetting(timeout: Duration = .seconds(2)) -> TmuxPassthroughSetting {
        guard let result = run(["show", "-Apv", "allow-passthrough"], timeout: timeout) else { return .unavailable }
        return .parse(output: result.output, exitStatus: result.exitStatus)
    }

    /// Where the current pane starts in the outer terminal: `pane_top`/`pane_left` count
    /// from the window, which sits below the status line when that is at the top.
    public static func paneOrigin(timeout: Duration = .seconds(2)) -> CellOffset? {
        let format = "#{pane_top} #{pane_left} #{status} #{status-position}"
        guard let result = run(["display", "-p", format], timeout: timeout), result.exitStatus == 0 else { return nil }
        return parsePaneOrigin(result.output)
    }

    /// Parses `pane_top pane_left status status-position`, e.g. `0 81 on bottom`.
    public static func parsePaneOrigin(_ output: String) -> CellOffset? {
        let fields = output.split(whereSeparator: { $0 == " " || $0.isNewline })
        guard fields.count >= 2, let top = Int(fields[0]), let left = Int(fields[1]), top >= 0, left >= 0 else { return nil }
        var statusLines = 0
        if fields.count >= 4, fields[3] == "top" {
            // `status` is off, on (one line) or a line count 2…5.
            statusLines = fields[2] == "on" ? 1 : Int(fields[2]) ?? 0
        }
        return CellOffset(row: top + statusLines, column: left)
    }

    /// Runs `tmux arguments…`; nil when tmux cannot be started or does not finish in time.
    public static func run(_ arguments: [String], timeout: Duration) -> (output: String, exitStatus: Int32)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tmux"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do { try process.run() } catch { return nil }
        // Wait first, read after: the answers are a line, far below a pipe's buffer, and a
        // hung tmux must not block us in a read.
        if finished.wait(timeout: .now() + TerminalProbe.seconds(timeout)) == .timedOut {
            process.terminate()
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }
}
