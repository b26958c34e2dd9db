import WinnowCore

/// What the terminal can show and how Winnow will draw images on it, with the reasons.
///
/// Made by ``decide(environment:replies:probe:tmuxPassthrough:override:)``, a pure
/// function of everything detected, so every branch is testable and `winnow doctor` can
/// say why it chose what it chose.
public struct GraphicsCapabilities: Sendable, Equatable {
    /// How images are drawn.
    public var imageProtocol: ImageProtocol
    /// How image (and query) sequences are framed to cross a multiplexer.
    public var wrapping: MultiplexerWrapping
    /// Colours the environment and replies advertise for text; monochrome when NO_COLOR is
    /// set. What the review screen draws in is decided by its terminfo description instead
    /// (`ScreenColorRule`, which `winnow doctor` reports): this guess chooses the image
    /// protocol (no colours, no images) before the screen starts.
    public var textColors: ColorDepth
    /// The same guess for images (image content, so NO_COLOR does not apply).
    public var blockColors: ColorDepth
    /// One cell in pixels.
    public var cellSize: PixelSize
    public var cellSizeSource: CellSizeSource
    /// Colours a sixel image may use: the terminal's colour registers, at most 256.
    public var sixelColors: Int
    /// The largest sixel image the terminal takes, when it said.
    public var sixelMaxGeometry: PixelSize?
    /// True when the terminal supports synchronized output (DECSET 2026).
    public var synchronizedOutput: Bool
    /// Why each choice was made, in order, for `winnow doctor`. May quote terminal
    /// replies: sanitise before printing (``DoctorReport`` does).
    public var reasons: [String]

    public init(
        imageProtocol: ImageProtocol, wrapping: MultiplexerWrapping, textColors: ColorDepth,
        blockColors: ColorDepth, cellSize: PixelSize, cellSizeSource: CellSizeSource,
        sixelColors: Int, sixelMaxGeometry: PixelSize?, synchronizedOutput: Bool, reasons: [String]
    ) {
        self.imageProtocol = imageProtocol
        self.wrapping = wrapping
        self.textColors = textColors
        self.blockColors = blockColors
        self.cellSize = cellSize
        self.cellSizeSource = cellSizeSource
        self.sixelColors = sixelColors
        self.sixelMaxGeometry = sixelMaxGeometry
        self.synchronizedOutput = synchronizedOutput
        self.reasons = reasons
    }

    /// Where ``cellSize`` came from, most trusted first.
    public enum CellSizeSource: String, Sendable, Hashable {
        /// TIOCGWINSZ pixel size ÷ cells.
        case windowSize
        /// The `CSI 16 t` reply.
        case cellSizeReply
        /// The `CSI 14 t` reply ÷ cells.
        case textAreaReply
        /// Nothing plausible was reported.
        case assumed
    }

    /// The cell size used when nothing plausible was reported.
    public static let assumedCellSize = PixelSize(width: 10, height: 20)

    /// libsixel builds palettes of at most 256 colours.
    public static let maximumSixelColors = 256

    /// Chooses how to draw images and text colours.
    ///
    /// - Parameters:
    ///   - environment: variables and window size.
    ///   - replies: the parsed replies to ``TerminalQueries`` (empty when not probed).
    ///   - probe: how the probe went, for the reasons.
    ///   - tmuxPassthrough: `tmux show -Apv allow-passthrough`, when inside tmux.
    ///   - override: the `--graphics` setting; anything but `auto` wins.
    public static func decide(
        environment: TerminalEnvironment,
        replies: TerminalReplies,
        probe: ProbeStatus = .answered,
        tmuxPassthrough: TmuxPassthroughSetting? = nil,
        override: GraphicsMode = .auto
    ) -> GraphicsCapabilities {
        var reasons: [String] = []

        // Terminal reports.
        switch probe {
        case .answered: break
        case .timedOut(let seconds):
            reasons.append("the terminal did not finish answering within \(formatSeconds(seconds)) s: using the replies that arrived")
        case .noTerminal(let why):
            reasons.append("no terminal to query (\(why))")
        case .notRun:
            reasons.append("the terminal was not queried")
        }
        if let version = replies.terminalVersion { reasons.append("XTVERSION: \(version)") }
        if let attributes = replies.deviceAttributes {
            let list = attributes.parameters.map(String.init).joined(separator: ";")
            reasons.append(
                attributes.advertisesSixel
                    ? "DA1 lists 4 (sixel): ?\(list)"
                    : "DA1 does not offer sixel: ?\(list)")
        }
        switch replies.kittyGraphics {
        case .ok: reasons.append("the kitty graphics query was answered OK")
        case .error(let message): reasons.append("the kitty graphics query was refused: \(message)")
        case nil: break
        }

        // Multiplexers.
        let (wrapping, multiplexerBlocker) = multiplexer(environment, replies, tmuxPassthrough, &reasons)

        // Colours.
        let (depth, depthReason) = colorDepth(environment, replies)
        reasons.append(depthReason)
        let textColors: ColorDepth
        if environment.forbidsColor {
            textColors = .mono
            reasons.append("NO_COLOR is set: text without colour")
        } else {
            textColors = depth
        }

        // Cell size.
        let (cellSize, cellSizeSource) = cellSize(environment, replies)
        switch cellSizeSource {
        case .windowSize: reasons.append("cell size \(cellSize) px from the window size (TIOCGWINSZ)")
        case .cellSizeReply: reasons.append("cell size \(cellSize) px from CSI 16 t")
        case .textAreaReply: reasons.append("cell size \(cellSize) px from CSI 14 t ÷ cells")
        case .assumed: reasons.append("cell size unknown: assuming \(cellSize) px")
        }

        // Sixel palette.
        let sixelColors: Int
        if let registers = replies.sixelColorRegisters {
            sixelColors = min(max(registers, 2), maximumSixelColors)
            if replies.deviceAttributes?.advertisesSixel == true || override == .sixel {
                reasons.append("\(registers) sixel colour registers (XTSMGRAPHICS): using \(sixelColors)")
            }
        } else {
            sixelColors = maximumSixelColors
        }

        // The protocol.
        let chosen = chooseProtocol(
            environment: environment, replies: replies, probe: probe, override: override, depth: depth,
            wrapping: wrapping, multiplexerBlocker: multiplexerBlocker, reasons: &reasons)
        // A forced pixel protocol inside tmux without passthrough is still wrapped: it is
        // the only framing that could work, and the user asked for it.
        var effectiveWrapping = wrapping
        if override != .auto, chosen.isPixelProtocol, environment.isInsideTmux, !environment.isInsideScreen {
            effectiveWrapping = .tmuxPassthrough
        }
        if chosen == .kitty || chosen == .sixel || chosen == .iterm {
            let via =
                effectiveWrapping == .tmuxPassthrough ? " via tmux passthrough" : effectiveWrapping == .screenPackets ? " in screen packets" : ""
            reasons.append("images: \(chosen)" + via)
        }
        let synchronizedOutput = replies.synchronizedOutput?.isSupported ?? false
        if synchronizedOutput { reasons.append("synchronized output (mode 2026) supported") }

        return GraphicsCapabilities(
            imageProtocol: chosen, wrapping: effectiveWrapping, textColors: textColors, blockColors: depth,
            cellSize: cellSize, cellSizeSource: cellSizeSource, sixelColors: sixelColors,
            sixelMaxGeometry: replies.sixelMaxGeometry, synchronizedOutput: synchronizedOutput, reasons: reasons)
    }

    /// The override when given; otherwise kitty if it answered OK, sixel if DA1 offers it,
    /// iTerm2 inline images for iTerm2 and WezTerm, else half blocks.
    private static func chooseProtocol(
        environment: TerminalEnvironment, replies: TerminalReplies, probe: ProbeStatus, override: GraphicsMode,
        depth: ColorDepth, wrapping: MultiplexerWrapping, multiplexerBlocker: String?, reasons: inout [String]
    ) -> ImageProtocol {
        if override != .auto {
            let forced = ImageProtocol(rawValue: override.rawValue) ?? .none
            reasons.append("--graphics \(override.rawValue) chosen by the user: using \(forced)")
            if forced.isPixelProtocol, let multiplexerBlocker {
                reasons.append("warning: \(multiplexerBlocker); the images will probably not appear")
            }
            return forced
        }
        if case .noTerminal = probe { return .none }
        if depth == .mono {
            reasons.append("no colours: no images")
            return .none
        }
        if let multiplexerBlocker {
            reasons.append("\(multiplexerBlocker): using blocks")
            return .blocks
        }
        // GNU screen packets carry sixel; kitty's APC and iTerm2's OSC are not sent through it.
        let inScreen = wrapping == .screenPackets
        if replies.kittyGraphics == .ok && !inScreen { return .kitty }
        if replies.deviceAttributes?.advertisesSixel == true { return .sixel }
        let itermHint = iTermHint(environment, replies)
        if let itermHint, !inScreen {
            reasons.append("\(itermHint): using iTerm2 inline images")
            return .iterm
        }
        if inScreen && (replies.kittyGraphics == .ok || itermHint != nil) {
            reasons.append("inside GNU screen only sixel is passed through: using blocks")
        } else {
            reasons.append("no image protocol detected: using blocks")
        }
        return .blocks
    }

    /// The wrapping to use, and why images cannot pass when they cannot.
    private static func multiplexer(
        _ environment: TerminalEnvironment, _ replies: TerminalReplies,
        _ passthrough: TmuxPassthroughSetting?, _ reasons: inout [String]
    ) -> (MultiplexerWrapping, blocker: String?) {
        if environment.isInsideTmux && environment.isInsideScreen {
            return (.none, "inside both tmux and GNU screen: images cannot cross two multiplexers")
        }
        if environment.isInsideScreen {
            reasons.append("inside GNU screen: sixel goes out in small DCS packets")
            return (.screenPackets, nil)
        }
        guard environment.isInsideTmux else { return (.none, nil) }
        let tmux = tmuxVersion(environment, replies).map { "tmux \($0)" } ?? "tmux"
        switch passthrough {
        case .enabled:
            reasons.append("inside \(tmux) with allow-passthrough on: queries and images pass through to the outer terminal")
            return (.tmuxPassthrough, nil)
        case .disabled:
            return (.none, "inside \(tmux) without passthrough (set -g allow-passthrough on)")
        case .unavailable:
            return (.none, "inside \(tmux), which has no allow-passthrough option (tmux 3.3 or later has)")
        case nil:
            return (.none, "inside \(tmux), allow-passthrough unknown")
        }
    }

    /// tmux sets TERM_PROGRAM=tmux and its version; without passthrough it also answers XTVERSION.
    static func tmuxVersion(_ environment: TerminalEnvironment, _ replies: TerminalReplies) -> TmuxVersion? {
        if environment.termProgram == "tmux", let text = environment.termProgramVersion, let version = TmuxVersion(text) {
            return version
        }
        if let reply = replies.terminalVersion, reply.hasPrefix("tmux ") {
            return TmuxVersion(String(reply.dropFirst(5)))
        }
        return nil
    }

    /// Terminals known to take 24-bit colour, by XTVERSION name or TERM_PROGRAM.
    private static let truecolorTerminals: Set<String> = [
        "kitty", "WezTerm", "iTerm2", "iTerm.app", "foot", "ghostty", "contour", "vscode", "mlterm", "Alacritty"
    ]

    private static func colorDepth(_ environment: TerminalEnvironment, _ replies: TerminalReplies) -> (ColorDepth, String) {
        let colorTerm = (environment.colorTerm ?? "").lowercased()
        if colorTerm == "truecolor" || colorTerm == "24bit" {
            return (.truecolor, "COLORTERM=\(colorTerm): 24-bit colour")
        }
        let term = environment.term ?? ""
        if term.hasSuffix("-direct") { return (.truecolor, "TERM=\(term): 24-bit colour") }
        if let name = replies.terminalName, truecolorTerminals.contains(name) {
            return (.truecolor, "\(name) takes 24-bit colour")
        }
        if let program = environment.termProgram, truecolorTerminals.contains(program) {
            return (.truecolor, "TERM_PROGRAM=\(program) takes 24-bit colour")
        }
        if replies.kittyGraphics == .ok { return (.truecolor, "a kitty-protocol terminal takes 24-bit colour") }
        if term.contains("256color") { return (.palette256, "TERM=\(term): 256 colours") }
        if term.isEmpty || term == "dumb" || ["vt52", "vt100", "vt102", "vt220"].contains(term) {
            return (.mono, term.isEmpty ? "TERM is not set: no colours" : "TERM=\(term): no colours")
        }
        return (.palette8, "TERM=\(term): 8 colours")
    }

    private static func cellSize(_ environment: TerminalEnvironment, _ replies: TerminalReplies) -> (PixelSize, CellSizeSource) {
        if let size = environment.windowSize?.plausibleCellSize { return (size, .windowSize) }
        if let size = replies.cellPixelSize.flatMap(CellSizePlausibility.check) { return (size, .cellSizeReply) }
        if let area = replies.textAreaPixelSize, let window = environment.windowSize, window.rows > 0, window.columns > 0,
            let size = CellSizePlausibility.check(PixelSize(width: area.width / window.columns, height: area.height / window.rows))
        {
            return (size, .textAreaReply)
        }
        return (assumedCellSize, .assumed)
    }

    /// Why we believe the terminal shows iTerm2 inline images, or nil.
    private static func iTermHint(_ environment: TerminalEnvironment, _ replies: TerminalReplies) -> String? {
        if let name = replies.terminalName, name == "iTerm2" || name == "WezTerm" { return "XTVERSION names \(name)" }
        if let program = environment.termProgram, program == "iTerm.app" || program == "WezTerm" {
            return "TERM_PROGRAM=\(program)"
        }
        if environment.lcTerminal == "iTerm2" { return "LC_TERMINAL=iTerm2" }
        return nil
    }

    static func formatSeconds(_ seconds: Double) -> String {
        let tenths = Int((seconds * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// How the capability probe went.
public enum ProbeStatus: Sendable, Equatable {
    /// The DA1 sentinel arrived: every query was answered or ignored.
    case answered
    /// The sentinel did not arrive within this many seconds.
    case timedOut(seconds: Double)
    /// There was no terminal to ask (no controlling tty, not a tty, in the background…).
    case noTerminal(String)
    /// The caller chose not to probe.
    case notRun
}
