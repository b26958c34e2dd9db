#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization
import WinnowCore

/// A progress bar on stderr, drawn only when stderr is a terminal, at most ~12 times a second.
/// Safe to update from worker threads.
package final class TerminalProgress: ProgressReporter {
    private struct State { var phase = ""; var total: Int?; var completed = 0; var lastDraw = 0.0; var started = 0.0; var visible = false }
    private let state = Mutex(State())
    package let enabled: Bool

    package init(enabled: Bool = isatty(STDERR_FILENO) == 1) { self.enabled = enabled }

    package func begin(_ phase: String, total: Int?) {
        guard enabled else { return }
        state.withLock { s in
            s.phase = phase; s.total = total; s.completed = 0; s.started = MonotonicClock.now(); s.lastDraw = 0
            draw(&s)
        }
    }

    package func update(_ completed: Int) {
        guard enabled else { return }
        state.withLock { s in
            s.completed = max(s.completed, completed)
            if MonotonicClock.now() - s.lastDraw >= 0.08 { draw(&s) }
        }
    }

    package func end() {
        guard enabled else { return }
        state.withLock { s in
            if s.visible { Console.redrawLine("", to: .standardError); s.visible = false }
        }
    }

    private func draw(_ s: inout State) {
        s.lastDraw = MonotonicClock.now()
        var line = ""
        if let total = s.total, total > 0 {
            let fraction = min(1, Double(s.completed) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            line += "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + "] "
            line += String(format: "%3d%% ", Int(fraction * 100))
        } else {
            line += "[" + String(repeating: " ", count: 24) + "]      "
        }
        line += s.phase // may name dataset files: sanitised by the console
        Console.redrawLine(line, to: .standardError)
        s.visible = true
    }
}
