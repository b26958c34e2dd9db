import WinnowCore

/// `winnow doctor`'s account of the terminal: what was detected, what was chosen, why.
///
/// Every string a terminal or the environment supplied goes through
/// `TerminalText.sanitize` and is cut to a sane length: a hostile reply (or a variable)
/// holding escape sequences must not be echoed back to the terminal.
public enum DoctorReport {
    /// The colours the review screen will draw in, as the screen's own rule decides them
    /// (`ScreenColors` in WinnowTerminal, from the terminfo description ncurses opens).
    public struct ScreenColorReport: Sendable, Equatable {
        /// Nil when the screen could not start here (TERM unknown to ncurses).
        public var depth: ColorDepth?
        public var reason: String

        public init(depth: ColorDepth?, reason: String) {
            self.depth = depth
            self.reason = reason
        }
    }

    /// The report as lines of plain text, without trailing newlines. `screenColors` (what
    /// `winnow doctor` passes) replaces the colours read from the environment by those the
    /// review screen will actually use.
    public static func lines(for detection: GraphicsDetection, screenColors: ScreenColorReport? = nil) -> [String] {
        let environment = detection.environment
        let replies = detection.replies
        let capabilities = detection.capabilities
        var lines: [String] = []
        func row(_ label: String, _ value: String) {
            lines.append("  " + label.padding(to: 22) + safe(value))
        }

        lines.append("Terminal")
        let variables: [(String, String?)] = [
            ("TERM", environment.term), ("TERM_PROGRAM", environment.termProgram),
            ("TERM_PROGRAM_VERSION", environment.termProgramVersion), ("COLORTERM", environment.colorTerm),
            ("LC_TERMINAL", environment.lcTerminal), ("TMUX", environment.tmux), ("STY", environment.screenSession),
            ("KITTY_WINDOW_ID", environment.kittyWindowID), ("WEZTERM_EXECUTABLE", environment.weztermExecutable),
            ("WT_SESSION", environment.windowsTerminalSession), ("NO_COLOR", environment.noColor)
        ]
        for (name, value) in variables {
            if let value { row(name, value.isEmpty ? "(empty)" : value) }
        }
        if variables.allSatisfy({ $0.1 == nil }) { row("variables", "none of the usual ones set") }
        row("over SSH", environment.isOverSSH ? "yes" : "no")
        if let window = environment.windowSize {
            let pixels = window.pixelWidth > 0 && window.pixelHeight > 0 ? ", \(window.pixelWidth)×\(window.pixelHeight) px" : ", no pixel size"
            row("window (TIOCGWINSZ)", "\(window.columns)×\(window.rows) cells" + pixels)
        } else {
            row("window (TIOCGWINSZ)", "unknown")
        }
        if let passthrough = detection.tmuxPassthrough {
            let text: String
            switch passthrough {
            case .enabled: text = "on"
            case .disabled: text = "off"
            case .unavailable: text = "unavailable"
            }
            row("tmux passthrough", text)
        }
        if let origin = detection.tmuxPaneOrigin {
            row("tmux pane origin", "row \(origin.row), column \(origin.column)")
        }

        lines.append("Replies")
        if let probe = detection.probe {
            let seconds = GraphicsCapabilities.formatSeconds(TerminalProbe.seconds(probe.elapsed))
            switch probe.status {
            case .answered: row("probe", "answered in \(seconds) s (\(probe.bytes.count) bytes)")
            case .timedOut(let limit):
                row("probe", "no DA1 within \(GraphicsCapabilities.formatSeconds(limit)) s (\(probe.bytes.count) bytes arrived)")
            case .noTerminal(let why): row("probe", "no terminal: \(why)")
            case .notRun: row("probe", "not run")
            }
        } else {
            row("probe", "not run")
        }
        row("XTVERSION", replies.terminalVersion ?? "no answer")
        row("DA1", replies.deviceAttributes.map { "?" + $0.parameters.map(String.init).joined(separator: ";") + "c" } ?? "no answer")
        switch replies.kittyGraphics {
        case .ok: row("kitty graphics", "OK")
        case .error(let message): row("kitty graphics", "refused: \(message)")
        case nil: row("kitty graphics", "no answer")
        }
        row("sixel registers", replies.sixelColorRegisters.map(String.init) ?? "no answer")
        row("sixel max geometry", replies.sixelMaxGeometry.map { "\($0) px" } ?? "no answer")
        row("cell (CSI 16 t)", replies.cellPixelSize.map { "\($0) px" } ?? "no answer")
        row("text area (CSI 14 t)", replies.textAreaPixelSize.map { "\($0) px" } ?? "no answer")
        row("sync output (2026)", replies.synchronizedOutput.map(describe) ?? "no answer")

        lines.append("Chosen")
        var images = "\(capabilities.imageProtocol)"
        if capabilities.imageProtocol.isPixelProtocol && capabilities.wrapping != .none {
            images += " via \(capabilities.wrapping == .tmuxPassthrough ? "tmux passthrough" : "screen packets")"
        }
        row("images", images)
        if capabilities.imageProtocol == .sixel { row("sixel colours", "\(capabilities.sixelColors)") }
        if let screenColors {
            // Half blocks are drawn as text: the screen's depth is theirs too.
            let depth = screenColors.depth?.description ?? "none: the review screen cannot start here"
            row("text colours", depth)
            row("block colours", depth)
        } else {
            row("text colours", capabilities.textColors.description)
            row("block colours", capabilities.blockColors.description)
        }
        row("cell size", "\(capabilities.cellSize) px (\(describe(capabilities.cellSizeSource)))")
        row("synchronized output", capabilities.synchronizedOutput ? "yes" : "no")

        lines.append("Why")
        for reason in capabilities.reasons { lines.append("  - " + safe(reason)) }
        if let screenColors { lines.append("  - " + safe(screenColors.reason)) }
        return lines
    }

    /// Longest value shown; a reply longer than this is noise or an attack.
    static let maximumValueLength = 160

    static func safe(_ text: String) -> String {
        let cut = text.count > maximumValueLength ? String(text.prefix(maximumValueLength)) + "…" : text
        return TerminalText.sanitize(cut)
    }

    private static func describe(_ report: ModeReport) -> String {
        switch report {
        case .notRecognized: return "not recognised"
        case .set: return "supported, on"
        case .reset: return "supported, off"
        case .permanentlySet: return "always on"
        case .permanentlyReset: return "not available"
        }
    }

    private static func describe(_ source: GraphicsCapabilities.CellSizeSource) -> String {
        switch source {
        case .windowSize: return "from TIOCGWINSZ"
        case .cellSizeReply: return "from CSI 16 t"
        case .textAreaReply: return "from CSI 14 t"
        case .assumed: return "assumed"
        }
    }
}

private extension String {
    func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
