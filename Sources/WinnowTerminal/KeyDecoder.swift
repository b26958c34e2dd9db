import CNcursesw
import WinnowUI

/// Turns what `get_wch` returns into keys.
enum KeyDecoder {
    /// `code` is a character when `isFunctionKey` is false, else a `KEY_*` constant.
    /// Nil for keys the workstation does not use (mouse, unknown sequences).
    static func key(code: UInt32, isFunctionKey: Bool) -> Key? {
        if isFunctionKey {
            switch Int32(code) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_NPAGE: return .pageDown
            case KEY_PPAGE: return .pageUp
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_BTAB: return .backTab
            case KEY_BACKSPACE: return .backspace
            case KEY_DC: return .delete
            case KEY_ENTER: return .enter
            default:
                for n in 1...24 where Int32(code) == winnow_key_f(Int32(n)) { return .function(n) }
                return nil
            }
        }
        switch code {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(code + 96)!))
        case 0, 28...31: return nil
        default:
            guard let scalar = Unicode.Scalar(code) else { return nil }
            return .character(Character(scalar))
        }
    }
}
