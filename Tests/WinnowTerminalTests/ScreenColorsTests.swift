import Testing
import WinnowCore
@testable import WinnowTerminal

/// The review screen's colours are decided by one rule (`ScreenColorRule`), applied by
/// `NcursesScreen.open`; `winnow doctor` reports them through `ScreenColors.detect`, which
/// starts ncurses the same way on /dev/null. These use the system's terminfo descriptions
/// (xterm-direct comes with ncurses-term, which `make deps` installs).
@Suite("Screen colours: one rule for the screen and doctor", .serialized)
struct ScreenColorsTests {
    @Test func theRuleListsDescriptionsAndMapsColoursToADepth() {
        #expect(ScreenColorRule.descriptions(term: "tmux-256color", colorTerm: "truecolor", noColor: false) == ["tmux-direct", "tmux-256color"])
        #expect(ScreenColorRule.descriptions(term: "xterm", colorTerm: "24BIT", noColor: false) == ["xterm-direct", "xterm"])
        #expect(ScreenColorRule.descriptions(term: "xterm-256color", colorTerm: "truecolor", noColor: true) == ["xterm-256color"])
        #expect(ScreenColorRule.descriptions(term: "xterm-direct", colorTerm: "truecolor", noColor: false) == ["xterm-direct"])
        #expect(ScreenColorRule.descriptions(term: "xterm-256color", colorTerm: nil, noColor: false) == ["xterm-256color"])
        #expect(ScreenColorRule.depth(noColor: false, hasColors: true, colors: 1 << 24) == .truecolor)
        #expect(ScreenColorRule.depth(noColor: false, hasColors: true, colors: 256) == .palette256)
        #expect(ScreenColorRule.depth(noColor: false, hasColors: true, colors: 88) == .palette8)
        #expect(ScreenColorRule.depth(noColor: false, hasColors: true, colors: 2) == .mono)
        #expect(ScreenColorRule.depth(noColor: true, hasColors: true, colors: 256) == .mono)
        #expect(ScreenColorRule.depth(noColor: false, hasColors: false, colors: 0) == .mono)
    }

    /// What ncurses opens decides, not what the environment advertises: WezTerm is known to
    /// take 24-bit colour, but with TERM=xterm-256color and no COLORTERM the screen draws in
    /// 256, and so doctor must say (it said 24-bit before the rule was shared).
    @Test func detectionStartsNcursesAsTheScreenDoes() throws {
        let cases: [([String: String], ColorDepth, String)] = [
            (["TERM": "xterm-256color"], .palette256, "xterm-256color"),
            (["TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"], .palette256, "xterm-256color"),
            (["TERM": "xterm-256color", "COLORTERM": "truecolor"], .truecolor, "xterm-direct"),
            (["TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"], .mono, "xterm-256color"),
            (["TERM": "xterm-256color", "NO_COLOR": ""], .palette256, "xterm-256color"),
            (["TERM": "xterm"], .palette8, "xterm"),
            (["TERM": "dumb"], .mono, "dumb")
        ]
        for (environment, depth, description) in cases {
            let colors = try #require(ScreenColors.detect(environment: environment), "\(environment)")
            #expect(colors.depth == depth && colors.description == description, "\(environment): \(colors)")
        }
        #expect(ScreenColors.detect(environment: ["TERM": "no-such-terminal-xyz"]) == nil)
        #expect(ScreenColors.detect(environment: ["TERM": "xterm-256color", "NO_COLOR": "1"])?.reason.contains("NO_COLOR") == true)
    }
}
