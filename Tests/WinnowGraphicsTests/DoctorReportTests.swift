import Testing
import WinnowCore
@testable import WinnowGraphics

@Suite("winnow doctor report")
struct DoctorReportTests {
    func probeResult(_ reply: String, status: ProbeStatus = .answered) -> TerminalProbe.Result {
        TerminalProbe.Result(
            status: status, bytes: bytes(reply), windowSize: WindowSize(rows: 40, columns: 120, pixelWidth: 1200, pixelHeight: 800),
            elapsed: .milliseconds(42))
    }

    @Test func reportsWhatWasFoundAndWhy() {
        let detection = GraphicsDetection(
            environment: TerminalEnvironment(variables: ["TERM": "xterm-256color"]), tmuxPassthrough: nil,
            probe: probeResult(TerminalReplyParserTests.xtermVT340), override: .auto)
        let text = DoctorReport.lines(for: detection).joined(separator: "\n")
        #expect(text.contains("XTerm(379)"))
        #expect(text.contains("?63;1;2;4;6;9;15;16;22;28c"))
        #expect(text.contains("answered in 0.0 s"))
        #expect(text.contains("images                sixel"))
        #expect(text.contains("120×40 cells, 1200×800 px"))
        #expect(text.contains("- DA1 lists 4 (sixel)"))
        #expect(text.contains("cell size             10×20 px (from TIOCGWINSZ)"))
    }

    @Test func hostileRepliesAndVariablesAreNotEchoed() {
        // A reply that tries to set the clipboard, and a variable with a colour change.
        let evil = "\\eP>|Evil\u{07}\u{9B}31m\u{202E}gpj.exe\\e\\\\e[?63;4c"
        let detection = GraphicsDetection(
            environment: TerminalEnvironment(variables: ["TERM": "xterm\u{1B}]52;c;aGk=\u{07}", "TERM_PROGRAM": String(repeating: "x", count: 500)]),
            tmuxPassthrough: .disabled, probe: probeResult(evil), override: .auto)
        for line in DoctorReport.lines(for: detection) {
            #expect(TerminalText.isSafe(line), "unsafe line: \(line.debugDescription)")
            #expect(line.count < 220)
        }
    }

    @Test func noTerminal() {
        let detection = GraphicsDetection(
            environment: TerminalEnvironment(variables: [:]), tmuxPassthrough: nil,
            probe: TerminalProbe.Result(status: .noTerminal("cannot open /dev/tty"), bytes: [], windowSize: nil, elapsed: .zero), override: .auto)
        let text = DoctorReport.lines(for: detection).joined(separator: "\n")
        #expect(text.contains("no terminal: cannot open /dev/tty"))
        #expect(text.contains("images                no images"))
    }

    @Test func tmuxPaneOrigins() {
        #expect(TmuxCommand.parsePaneOrigin("0 81 on bottom\n") == CellOffset(row: 0, column: 81))
        #expect(TmuxCommand.parsePaneOrigin("12 0 on top\n") == CellOffset(row: 13, column: 0))
        #expect(TmuxCommand.parsePaneOrigin("3 4 2 top") == CellOffset(row: 5, column: 4))
        #expect(TmuxCommand.parsePaneOrigin("3 4 off top") == CellOffset(row: 3, column: 4))
        #expect(TmuxCommand.parsePaneOrigin("garbage") == nil)
    }
}
