/// A key press, as the backend decodes it.
public enum Key: Sendable, Hashable, CustomStringConvertible {
    case character(Character)
    case enter, escape, tab, backTab, backspace, delete
    case up, down, left, right, pageUp, pageDown, home, end
    /// Ctrl plus a letter, lower-case (`.control("l")` is Ctrl-L).
    case control(Character)
    case function(Int)

    /// The name used in `winnow.toml` [keys] and in the help screen.
    public var description: String {
        switch self {
        case .character(" "): return "space"
        case .character(let c): return String(c)
        case .enter: return "enter"
        case .escape: return "esc"
        case .tab: return "tab"
        case .backTab: return "shift-tab"
        case .backspace: return "backspace"
        case .delete: return "delete"
        case .up: return "up"
        case .down: return "down"
        case .left: return "left"
        case .right: return "right"
        case .pageUp: return "pgup"
        case .pageDown: return "pgdn"
        case .home: return "home"
        case .end: return "end"
        case .control(let c): return "ctrl-\(c)"
        case .function(let n): return "f\(n)"
        }
    }

    /// Parses a key name as written in `winnow.toml`: a single character, or one of the
    /// names `description` produces (`enter`, `ctrl-l`, `f5`, `space`, …).
    public init?(name: String) {
        let lower = name.lowercased()
        let named: [String: Key] = [
            "enter": .enter, "return": .enter, "esc": .escape, "escape": .escape, "tab": .tab, "shift-tab": .backTab,
            "backspace": .backspace, "delete": .delete, "up": .up, "down": .down, "left": .left, "right": .right,
            "pgup": .pageUp, "pageup": .pageUp, "pgdn": .pageDown, "pagedown": .pageDown, "home": .home, "end": .end,
            "space": .character(" ")
        ]
        if name.count == 1, let c = name.first { self = .character(c); return }
        if let key = named[lower] { self = key; return }
        if lower.hasPrefix("ctrl-"), lower.count == 6, let c = lower.last, c.isLetter { self = .control(c); return }
        if lower.hasPrefix("f"), let n = Int(lower.dropFirst()), (1...24).contains(n) { self = .function(n); return }
        return nil
    }
}
