import CNcursesw
import Testing
@testable import WinnowTerminal
import WinnowUI

/// What `get_wch` returns, turned into keys. ncurses itself decodes UTF-8 and the escape
/// sequences of the terminal's description (keypad mode); these are the codes it hands on.
@Suite("Key decoder")
struct KeyDecoderTests {
    @Test(arguments: [
        (KEY_UP, Key.up), (KEY_DOWN, .down), (KEY_LEFT, .left), (KEY_RIGHT, .right),
        (KEY_NPAGE, .pageDown), (KEY_PPAGE, .pageUp), (KEY_HOME, .home), (KEY_END, .end),
        (KEY_BTAB, .backTab), (KEY_BACKSPACE, .backspace), (KEY_DC, .delete), (KEY_ENTER, .enter)
    ])
    func functionKeys(code: Int32, key: Key) {
        #expect(KeyDecoder.key(code: UInt32(code), isFunctionKey: true) == key)
    }

    @Test func numberedFunctionKeys() {
        for n in [1, 5, 12, 24] {
            #expect(KeyDecoder.key(code: UInt32(winnow_key_f(Int32(n))), isFunctionKey: true) == .function(n))
        }
    }

    @Test func functionKeysTheWorkstationDoesNotUseAreDropped() {
        // The mouse, and a code no terminal description sends.
        #expect(KeyDecoder.key(code: UInt32(KEY_MOUSE), isFunctionKey: true) == nil)
        #expect(KeyDecoder.key(code: 0o7777, isFunctionKey: true) == nil)
    }

    @Test func controlCharacters() {
        #expect(KeyDecoder.key(code: 9, isFunctionKey: false) == .tab)
        #expect(KeyDecoder.key(code: 10, isFunctionKey: false) == .enter)
        #expect(KeyDecoder.key(code: 13, isFunctionKey: false) == .enter)
        #expect(KeyDecoder.key(code: 27, isFunctionKey: false) == .escape)
        #expect(KeyDecoder.key(code: 127, isFunctionKey: false) == .backspace)
        #expect(KeyDecoder.key(code: 8, isFunctionKey: false) == .backspace)
        #expect(KeyDecoder.key(code: 12, isFunctionKey: false) == .control("l"))
        #expect(KeyDecoder.key(code: 1, isFunctionKey: false) == .control("a"))
        #expect(KeyDecoder.key(code: 26, isFunctionKey: false) == .control("z"))
        for code: UInt32 in [0, 28, 29, 30, 31] { #expect(KeyDecoder.key(code: code, isFunctionKey: false) == nil) }
    }

    @Test func printableAndWideCharacters() {
        for text in ["a", "Z", "7", " ", "é", "ß", "猫", "😀"] {
            let scalar = text.unicodeScalars.first!
            #expect(KeyDecoder.key(code: scalar.value, isFunctionKey: false) == .character(Character(text)))
        }
    }

    @Test func c1AndBidiControlsArePassedOnAsCharacters() {
        // The editors decide what to keep (a pasted bidi override must not reach the
        // decision log: Reducer+Editors); the decoder only reports what arrived.
        for value: UInt32 in [0x85, 0x9B, 0x9D, 0x202E, 0x2066, 0x200F] {
            #expect(KeyDecoder.key(code: value, isFunctionKey: false) == .character(Character(Unicode.Scalar(value)!)))
        }
    }

    @Test func codesThatAreNoCharacterAreDropped() {
        // A lone surrogate or a value past Unicode (a broken wide-character read).
        #expect(KeyDecoder.key(code: 0xD800, isFunctionKey: false) == nil)
        #expect(KeyDecoder.key(code: 0x110000, isFunctionKey: false) == nil)
    }
}
