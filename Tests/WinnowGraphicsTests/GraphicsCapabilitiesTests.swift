import Testing
import WinnowCore
@testable import WinnowGraphics

@Suite("Choosing the graphics protocol")
struct GraphicsCapabilitiesTests {
    static let xterm = TerminalEnvironment(
        variables: ["TERM": "xterm-256color"], windowSize: WindowSize(rows: 40, columns: 120, pixelWidth: 1200, pixelHeight: 800))
    static let sixelReplies = TerminalReplyParser.parse(bytes(TerminalReplyParserTests.xtermVT340))
    static let plainXtermReplies = TerminalReplyParser.parse(bytes("\\eP>|XTerm(379)\\e\\\\e[?1;0;1024S\\e[?64;1;2;6;9;15;16;17;18;21;22;28c"))
    static let kittyReplies = TerminalReplyParser.parse(bytes(TerminalReplyParserTests.kitty))

    func decide(
        _ environment: TerminalEnvironment = xterm, _ replies: TerminalReplies, probe: ProbeStatus = .answered,
        tmux: TmuxPassthroughSetting? = nil, override: GraphicsMode = .auto
    ) -> GraphicsCapabilities {
        GraphicsCapabilities.decide(environment: environment, replies: replies, probe: probe, tmuxPassthrough: tmux, override: override)
    }

    func hasReason(_ capabilities: GraphicsCapabilities, _ fragment: String) -> Bool {
        capabilities.reasons.contains { $0.contains(fragment) }
    }

    @Test func kittyWhenItAnsweredOK() {
        let chosen = decide(Self.xterm, Self.kittyReplies)
        #expect(chosen.imageProtocol == .kitty)
        #expect(chosen.wrapping == .none)
        #expect(chosen.blockColors == .truecolor, "kitty: 24-bit colour even without COLORTERM")
    }

    @Test func sixelWhenDA1Lists4() {
        let chosen = decide(Self.xterm, Self.sixelReplies)
        #expect(chosen.imageProtocol == .sixel)
        #expect(chosen.sixelColors == 256)
        #expect(chosen.sixelMaxGeometry == PixelSize(width: 1000, height: 1000))
        #expect(hasReason(chosen, "DA1 lists 4 (sixel)"))
    }

    @Test func xtsmgraphicsAloneIsNotSixel() {
        // A default xterm answers XTSMGRAPHICS but its DA1 lacks 4.
        let chosen = decide(Self.xterm, Self.plainXtermReplies)
        #expect(chosen.imageProtocol == .blocks)
        #expect(hasReason(chosen, "no image protocol detected"))
    }

    @Test func registersAreCappedAt256() {
        let replies = TerminalReplyParser.parse(bytes(TerminalReplyParserTests.mlterm))
        #expect(decide(Self.xterm, replies).sixelColors == 256)
        let vt340 = TerminalReplyParser.parse(bytes("\\e[?1;0;16S\\e[?63;4c"))
        #expect(decide(Self.xterm, vt340).sixelColors == 16)
    }

    @Test func iTermByTermProgramOrXTVERSION() {
        var environment = Self.xterm
        environment.termProgram = "iTerm.app"
        let noSixel = TerminalReplyParser.parse(bytes("\\e[?62;22c"))
        #expect(decide(environment, noSixel).imageProtocol == .iterm)

        let wezterm = TerminalReplyParser.parse(bytes("\\eP>|WezTerm 20240203-110809-5046fc22\\e\\\\e[?62;22c"))
        #expect(decide(Self.xterm, wezterm).imageProtocol == .iterm)

        var forwarded = Self.xterm
        forwarded.lcTerminal = "iTerm2"
        #expect(decide(forwarded, noSixel).imageProtocol == .iterm)
    }

    @Test func orderIsKittyThenSixelThenITerm() {
        var environment = Self.xterm
        environment.termProgram = "WezTerm"
        let both = TerminalReplyParser.parse(bytes("\\e_Gi=31;OK\\e\\\\e[?65;4;6;18;22c"))
        #expect(decide(environment, both).imageProtocol == .kitty)
        let sixelOnly = TerminalReplyParser.parse(bytes("\\e[?65;4;6;18;22c"))
        #expect(decide(environment, sixelOnly).imageProtocol == .sixel)
    }

    @Test func insideTmuxWithoutPassthroughUsesBlocks() {
        let environment = TerminalEnvironment(variables: [
            "TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1234,0", "TERM_PROGRAM": "tmux", "TERM_PROGRAM_VERSION": "3.3a"
        ])
        let chosen = decide(environment, TerminalReplyParser.parse(bytes(TerminalReplyParserTests.tmux)), tmux: .disabled)
        #expect(chosen.imageProtocol == .blocks)
        #expect(chosen.wrapping == .none)
        #expect(hasReason(chosen, "inside tmux 3.3a without passthrough"))
        #expect(chosen.blockColors == .palette256)
    }

    @Test func insideTmuxWithPassthroughUsesTheOuterTerminal() {
        let environment = TerminalEnvironment(variables: ["TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1234,0"])
        // The wrapped queries were answered by the outer xterm.
        let chosen = decide(environment, Self.sixelReplies, tmux: .enabled)
        #expect(chosen.imageProtocol == .sixel)
        #expect(chosen.wrapping == .tmuxPassthrough)
        #expect(hasReason(chosen, "allow-passthrough on"))
        // Even a sixel-capable outer terminal is unreachable without passthrough.
        #expect(decide(environment, Self.sixelReplies, tmux: .disabled).imageProtocol == .blocks)
    }

    @Test func oldTmuxOrUnknownSettingUsesBlocks() {
        let environment = TerminalEnvironment(variables: ["TERM": "screen-256color", "TMUX": "/tmp/tmux-0/default,1,0"])
        let old = decide(environment, TerminalReplyParser.parse(bytes("\\eP>|tmux 3.2a\\e\\\\e[?1;2c")), tmux: .unavailable)
        #expect(old.imageProtocol == .blocks)
        #expect(hasReason(old, "tmux 3.2a, which has no allow-passthrough"))
        #expect(decide(environment, Self.sixelReplies, tmux: nil).imageProtocol == .blocks)
    }

    @Test func insideScreenOnlySixelPasses() {
        let environment = TerminalEnvironment(variables: ["TERM": "screen.xterm-256color", "STY": "1234.pts-0.host"])
        let sixel = decide(environment, Self.sixelReplies)
        #expect(sixel.imageProtocol == .sixel)
        #expect(sixel.wrapping == .screenPackets)
        let kitty = decide(environment, Self.kittyReplies)
        #expect(kitty.imageProtocol == .blocks)
        #expect(hasReason(kitty, "GNU screen only sixel"))
    }

    @Test func nestedMultiplexersUseBlocks() {
        let environment = TerminalEnvironment(variables: ["TERM": "screen", "STY": "1.a", "TMUX": "/tmp/t,1,0"])
        let chosen = decide(environment, Self.sixelReplies, tmux: .enabled)
        #expect(chosen.imageProtocol == .blocks)
        #expect(hasReason(chosen, "both tmux and GNU screen"))
    }

    @Test(arguments: [
        (["TERM": "xterm-256color", "COLORTERM": "truecolor"], ColorDepth.truecolor),
        (["TERM": "xterm", "COLORTERM": "24bit"], .truecolor),
        (["TERM": "xterm-direct"], .truecolor),
        (["TERM": "xterm-256color"], .palette256),
        (["TERM": "tmux-256color"], .palette256),
        (["TERM": "xterm"], .palette8),
        (["TERM": "linux"], .palette8),
        (["TERM": "dumb"], .mono),
        ([:], .mono)
    ])
    func colourDepthFromTheEnvironment(variables: [String: String], expected: ColorDepth) {
        let chosen = decide(TerminalEnvironment(variables: variables), TerminalReplies())
        #expect(chosen.textColors == expected)
        #expect(chosen.blockColors == expected)
    }

    @Test func noColorTurnsOffTextColoursOnly() {
        let environment = TerminalEnvironment(variables: ["TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"])
        let chosen = decide(environment, Self.sixelReplies)
        #expect(chosen.textColors == .mono)
        #expect(chosen.blockColors == .truecolor)
        #expect(chosen.imageProtocol == .sixel, "images are content, not decoration")
        #expect(hasReason(chosen, "NO_COLOR"))
        // An empty NO_COLOR does not count.
        let empty = TerminalEnvironment(variables: ["TERM": "xterm-256color", "NO_COLOR": ""])
        #expect(decide(empty, TerminalReplies()).textColors == .palette256)
    }

    @Test func aTerminalWithoutColoursGetsNoImages() {
        let chosen = decide(TerminalEnvironment(variables: ["TERM": "dumb"]), TerminalReplies())
        #expect(chosen.imageProtocol == .none)
    }

    @Test(arguments: GraphicsMode.allCases.filter { $0 != .auto })
    func theOverrideWins(mode: GraphicsMode) {
        let chosen = decide(Self.xterm, Self.kittyReplies, override: mode)
        #expect(chosen.imageProtocol.rawValue == mode.rawValue)
        #expect(hasReason(chosen, "--graphics \(mode.rawValue)"))
    }

    @Test func aForcedProtocolInsideTmuxIsWrappedAndWarned() {
        let environment = TerminalEnvironment(variables: ["TERM": "tmux-256color", "TMUX": "/tmp/t,1,0"])
        let chosen = decide(environment, TerminalReplies(), tmux: .disabled, override: .sixel)
        #expect(chosen.imageProtocol == .sixel)
        #expect(chosen.wrapping == .tmuxPassthrough)
        #expect(hasReason(chosen, "warning: inside tmux without passthrough"))
    }

    @Test func noTerminalMeansNoImages() {
        let chosen = decide(Self.xterm, TerminalReplies(), probe: .noTerminal("cannot open /dev/tty: No such device or address"))
        #expect(chosen.imageProtocol == .none)
        #expect(hasReason(chosen, "no terminal to query"))
    }

    @Test func aTimeoutIsExplained() {
        let chosen = decide(Self.xterm, TerminalReplies(), probe: .timedOut(seconds: 1))
        #expect(chosen.imageProtocol == .blocks)
        #expect(hasReason(chosen, "within 1.0 s"))
    }

    @Test func cellSizeSources() {
        // TIOCGWINSZ first.
        #expect(decide(Self.xterm, Self.kittyReplies).cellSize == PixelSize(width: 10, height: 20))
        #expect(decide(Self.xterm, Self.kittyReplies).cellSizeSource == .windowSize)

        // No pixel size in TIOCGWINSZ: CSI 16 t.
        let noPixels = TerminalEnvironment(variables: ["TERM": "xterm"], windowSize: WindowSize(rows: 40, columns: 120))
        let fromReply = decide(noPixels, Self.kittyReplies)
        #expect(fromReply.cellSize == PixelSize(width: 10, height: 21))
        #expect(fromReply.cellSizeSource == .cellSizeReply)

        // Only CSI 14 t: divided by the cells.
        let areaOnly = TerminalReplyParser.parse(bytes("\\e[4;800;960t\\e[?62c"))
        let fromArea = decide(noPixels, areaOnly)
        #expect(fromArea.cellSize == PixelSize(width: 8, height: 20))
        #expect(fromArea.cellSizeSource == .textAreaReply)

        // Nothing believable: a bogus 1-pixel window size and no replies.
        let bogus = TerminalEnvironment(
            variables: ["TERM": "xterm"], windowSize: WindowSize(rows: 40, columns: 120, pixelWidth: 120, pixelHeight: 40))
        let assumed = decide(bogus, TerminalReplies())
        #expect(assumed.cellSize == PixelSize(width: 10, height: 20))
        #expect(assumed.cellSizeSource == .assumed)
    }

    @Test func synchronizedOutput() {
        #expect(decide(Self.xterm, Self.kittyReplies).synchronizedOutput)
        #expect(!decide(Self.xterm, Self.sixelReplies).synchronizedOutput)
    }

    @Test func tmuxSettingAndVersionParsing() {
        #expect(TmuxPassthroughSetting.parse(output: "on\n", exitStatus: 0) == .enabled)
        #expect(TmuxPassthroughSetting.parse(output: "all\n", exitStatus: 0) == .enabled)
        #expect(TmuxPassthroughSetting.parse(output: "off\n", exitStatus: 0) == .disabled)
        #expect(TmuxPassthroughSetting.parse(output: "", exitStatus: 1) == .unavailable)
        #expect(TmuxPassthroughSetting.parse(output: "  on  \n", exitStatus: 0) == .enabled)
        #expect(TmuxVersion("3.3a")!.hasPassthroughOption)
        #expect(!TmuxVersion("3.2a")!.hasPassthroughOption)
        #expect(TmuxVersion("next-3.4")! > TmuxVersion("3.3a")!)
        #expect(TmuxVersion("master") == nil)
    }

    @Test func queryWrappingFollowsTheMultiplexer() {
        let tmux = TerminalEnvironment(variables: ["TMUX": "/tmp/t,1,0"])
        #expect(GraphicsDetection.queryWrapping(environment: tmux, tmuxPassthrough: .enabled) == .tmuxPassthrough)
        #expect(GraphicsDetection.queryWrapping(environment: tmux, tmuxPassthrough: .disabled) == .none)
        #expect(GraphicsDetection.queryWrapping(environment: TerminalEnvironment(variables: ["STY": "1.a"]), tmuxPassthrough: nil) == .screenPackets)
        #expect(GraphicsDetection.queryWrapping(environment: Self.xterm, tmuxPassthrough: nil) == .none)
    }

    @Test func theQueriesEndWithDA1() {
        let plain = TerminalQueries.bytes(for: .none)
        #expect(plain.suffix(3) == bytes("\\e[c")[...])
        #expect(plain.contains(subsequence: bytes("\\e_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\\e\\")))
        let wrapped = TerminalQueries.bytes(for: .tmuxPassthrough)
        #expect(MultiplexerWrapping.unwrapTmuxPassthrough(wrapped) == plain)
        let screen = TerminalQueries.bytes(for: .screenPackets)
        #expect(!screen.contains(subsequence: bytes("\\e_G")), "no kitty query inside screen")
    }
}
