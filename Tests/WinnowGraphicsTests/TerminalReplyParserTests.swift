import Testing
import WinnowCore
@testable import WinnowGraphics

@Suite("Terminal reply parser")
struct TerminalReplyParserTests {
    // Replies recorded from real terminals (see shared/notes/terminal-graphics.md).
    static let xtermVT340 =
        "\\eP>|XTerm(379)\\e\\\\e[?1;0;256S\\e[?2;0;1000;1000S\\e[6;20;10t\\e[4;800;1200t\\e[?2026;0$y\\e[?63;1;2;4;6;9;15;16;22;28c"
    static let mlterm = "\\e[?1;0;1024S\\e[?63;1;2;3;4;7;29c"
    static let tmux = "\\eP>|tmux 3.3a\\e\\\\e[?1;2c"
    static let kitty = "\\eP>|kitty(0.35.2)\\e\\\\e_Gi=31;OK\\e\\\\e[6;21;10t\\e[?2026;2$y\\e[?62;c"

    @Test func xtermWithVT340Graphics() {
        let replies = TerminalReplyParser.parse(bytes(Self.xtermVT340))
        #expect(replies.terminalVersion == "XTerm(379)")
        #expect(replies.terminalName == "XTerm")
        #expect(replies.deviceAttributes?.parameters == [63, 1, 2, 4, 6, 9, 15, 16, 22, 28])
        #expect(replies.deviceAttributes?.advertisesSixel == true)
        #expect(replies.sixelColorRegisters == 256)
        #expect(replies.sixelMaxGeometry == PixelSize(width: 1000, height: 1000))
        #expect(replies.cellPixelSize == PixelSize(width: 10, height: 20))
        #expect(replies.textAreaPixelSize == PixelSize(width: 1200, height: 800))
        #expect(replies.synchronizedOutput == .notRecognized)
        #expect(replies.kittyGraphics == nil)
    }

    @Test func mltermHasSixelAnd1024RegistersButNoVersion() {
        let replies = TerminalReplyParser.parse(bytes(Self.mlterm))
        #expect(replies.deviceAttributes?.advertisesSixel == true)
        #expect(replies.sixelColorRegisters == 1024)
        #expect(replies.terminalVersion == nil)
    }

    @Test func tmuxClaimsAVT100() {
        let replies = TerminalReplyParser.parse(bytes(Self.tmux))
        #expect(replies.terminalVersion == "tmux 3.3a")
        #expect(replies.terminalName == "tmux")
        #expect(replies.deviceAttributes?.parameters == [1, 2])
        #expect(replies.deviceAttributes?.advertisesSixel == false)
    }

    @Test func kittyGraphicsOKAndAnEmptyLastAttribute() {
        let replies = TerminalReplyParser.parse(bytes(Self.kitty))
        #expect(replies.kittyGraphics == .ok)
        #expect(replies.terminalName == "kitty")
        #expect(replies.synchronizedOutput == .reset)
        #expect(replies.synchronizedOutput?.isSupported == true)
        #expect(replies.deviceAttributes?.parameters == [62, 0])
    }

    @Test func kittyErrorAndRepliesAboutOtherImages() {
        let refused = TerminalReplyParser.parse(bytes("\\e_Gi=31;ENOTSUPPORTED:no direct transmission\\e\\\\e[?62c"))
        #expect(refused.kittyGraphics == .error("ENOTSUPPORTED:no direct transmission"))
        let other = TerminalReplyParser.parse(bytes("\\e_Gi=7;OK\\e\\\\e[?62c"))
        #expect(other.kittyGraphics == nil)
    }

    @Test func repliesInAnyOrderWithTypedKeysAndGarbageBetween() {
        let mixed = "jk\\e[?63;4c\u{7F}q\\e[6;16;8t\\exyz\\eP>|foot(1.16.2)\\e\\\r\n\\e[?1;0;512S\u{0}"
        let replies = TerminalReplyParser.parse(bytes(mixed))
        #expect(replies.deviceAttributes?.advertisesSixel == true)
        #expect(replies.cellPixelSize == PixelSize(width: 8, height: 16))
        #expect(replies.terminalVersion == "foot(1.16.2)")
        #expect(replies.sixelColorRegisters == 512)
    }

    @Test func aCutOffReplyDoesNotHideTheNextOne() {
        // An XTVERSION without its ST, then a full DA1: the DCS is abandoned at the ESC.
        let replies = TerminalReplyParser.parse(bytes("\\eP>|XTer\\e[?64;4c\\e[6;2"))
        #expect(replies.terminalVersion == nil)
        #expect(replies.deviceAttributes?.parameters == [64, 4])
        #expect(replies.cellPixelSize == nil, "the cut-off CSI at the end is ignored")
    }

    @Test func partialInputAtEveryLengthNeverCrashesAndNeverInventsReplies() {
        let full = bytes(Self.xtermVT340)
        for length in 0...full.count {
            let prefix = Array(full.prefix(length))
            let replies = TerminalReplyParser.parse(prefix)
            if length < full.count {
                #expect(replies.deviceAttributes == nil, "DA1 is last; at \(length) bytes it is incomplete")
            }
            #expect(TerminalReplyParser.containsDeviceAttributes(prefix) == (length == full.count))
        }
    }

    @Test func randomGarbageIsSurvived() {
        var state: UInt64 = 7
        for _ in 0..<200 {
            var garbage: [UInt8] = []
            for _ in 0..<64 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                // Bias towards the bytes that matter: ESC, [, P, _, \, digits, ;.
                let pick = Int(state >> 59)
                let interesting: [UInt8] = [0x1B, 0x1B, 0x5B, 0x50, 0x5F, 0x5C, 0x3F, 0x3B, 0x63, 0x74, 0x53, 0x07, 0x31, 0x36]
                garbage.append(pick < interesting.count ? interesting[pick] : UInt8(truncatingIfNeeded: state >> 40))
            }
            _ = TerminalReplyParser.parse(garbage + bytes("\\e[?65;4c"))
            #expect(TerminalReplyParser.containsDeviceAttributes(garbage + bytes("\\e[?65;4c")))
        }
    }

    @Test func failedXTSMGRAPHICSAndNonsenseSizesAreIgnored() {
        let replies = TerminalReplyParser.parse(bytes("\\e[?1;3;0S\\e[?2;1;0S\\e[6;0;0t\\e[4;10t\\e[?2026;9$y"))
        #expect(replies.sixelColorRegisters == nil)
        #expect(replies.sixelMaxGeometry == nil)
        #expect(replies.cellPixelSize == nil)
        #expect(replies.textAreaPixelSize == nil)
        #expect(replies.synchronizedOutput == nil)
    }

    @Test func otherSequencesAreNotMistakenForReplies() {
        // DA2 (CSI > … c), a plain CSI c, an OSC colour reply and a sub-parameter.
        let replies = TerminalReplyParser.parse(bytes("\\e[>41;379;0c\\e[c\\e]11;rgb:0000/0000/0000\\a\\e[6;20:1;10t"))
        #expect(replies.deviceAttributes == nil)
        #expect(replies.cellPixelSize == PixelSize(width: 10, height: 20))
    }

    @Test func hugeNumbersDoNotOverflow() {
        let replies = TerminalReplyParser.parse(bytes("\\e[?1;0;99999999999999999999999999S\\e[?63;4c"))
        #expect(replies.sixelColorRegisters != nil)
        #expect(replies.deviceAttributes?.advertisesSixel == true)
    }
}
