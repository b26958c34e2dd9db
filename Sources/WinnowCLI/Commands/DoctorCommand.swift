import ArgumentParser
import Foundation
import WinnowCore
import WinnowGraphics
import WinnowNeighbours
import WinnowSession
import WinnowTerminal

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Say what this terminal can show (image protocol, colours, cell size) and which search kernel runs, and why.",
        discussion: """
            Queries the terminal on /dev/tty (DA1, XTVERSION, the kitty graphics query, \
            XTSMGRAPHICS, cell and window size in pixels) exactly as `winnow review` does \
            before it starts, and prints what was detected and which image protocol the \
            review screen will use. Run it when images do not appear. Then the kernel exact \
            neighbour search runs on this CPU (chosen from its CPUID features; \
            WINNOW_KERNEL=portable|avx2|avx512|avx512-vnni forces one) and why.

            EXAMPLES:
              winnow doctor
              winnow doctor --graphics sixel         (what forcing sixel would do)

            \(WinnowExit.helpText)
            """)

    @Option(help: ArgumentHelp("Pretend --graphics was given: auto, kitty, sixel, iterm, blocks or none.", valueName: "mode"))
    var graphics: String = "auto"
    @Option(help: ArgumentHelp("Seconds to wait for the terminal's replies.", valueName: "seconds"))
    var timeout: Double = 1.0

    func validate() throws {
        guard GraphicsMode(rawValue: graphics) != nil else {
            throw ValidationError("unknown --graphics \"\(graphics)\"; modes: \(GraphicsMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard timeout > 0, timeout <= 10 else { throw ValidationError("--timeout must be between 0 and 10 seconds") }
    }

    func run() throws {
        let detection = GraphicsDetection.run(
            override: GraphicsMode(rawValue: graphics) ?? .auto, probeTerminal: true,
            timeout: .milliseconds(Int(timeout * 1000)))
        for line in DoctorReport.lines(for: detection, screenColors: Self.screenColors()) { print(line) }
        for line in SearchKernel.report() { print(line) }
    }

    /// The review screen's colours, decided by the screen's own rule (not guessed from the
    /// environment), so doctor reports the depth the screen will use.
    static func screenColors(environment: [String: String] = ProcessInfo.processInfo.environment) -> DoctorReport.ScreenColorReport {
        guard let colors = ScreenColors.detect(environment: environment) else {
            return .init(
                depth: nil,
                reason:
                    "TERM=\(environment["TERM"] ?? "") is unknown to ncurses: the review screen cannot start (export TERM=xterm-256color, or install ncurses-term)"
            )
        }
        return .init(depth: colors.depth, reason: colors.reason)
    }
}
