/// Whether tmux forwards DCS passthrough sequences to the outer terminal.
///
/// The caller runs `tmux show -Apv allow-passthrough` (see ``TmuxCommand``) and hands the
/// result to ``parse(output:exitStatus:)``; keeping the command out of the decision keeps
/// the decision a pure function.
public enum TmuxPassthroughSetting: Sendable, Hashable {
    /// `on` (or `all`, tmux ≥ 3.4): wrapped sequences reach the outer terminal.
    case enabled
    /// `off`, tmux's default: tmux drops the wrapped sequences.
    case disabled
    /// The option does not exist (tmux older than 3.3) or tmux could not be asked.
    case unavailable

    /// The setting from the command's standard output and exit status.
    public static func parse(output: String, exitStatus: Int32) -> TmuxPassthroughSetting {
        guard exitStatus == 0 else { return .unavailable }
        let firstLine = output.split(whereSeparator: \.isNewline).first ?? ""
        let value = String(firstLine.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        switch value {
        case "on", "all": return .enabled
        case "off": return .disabled
        default: return value.isEmpty ? .disabled : .unavailable
        }
    }
}

/// A tmux version such as `3.3a` or `next-3.4`, compared by its numbers.
public struct TmuxVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    /// As tmux spells it, e.g. `3.3a`.
    public var text: String

    public init?(_ text: String) {
        var digits = Substring(text)
        if digits.hasPrefix("next-") { digits = digits.dropFirst(5) }
        let parts = digits.split(separator: ".", maxSplits: 1)
        guard let major = parts.first.flatMap({ Int($0) }) else { return nil }
        self.major = major
        self.minor = parts.count > 1 ? Int(parts[1].prefix { $0.isNumber }) ?? 0 : 0
        self.text = text
    }

    public static func < (lhs: TmuxVersion, rhs: TmuxVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    public var description: String { text }

    /// tmux 3.3 introduced `allow-passthrough`.
    public var hasPassthroughOption: Bool { (major, minor) >= (3, 3) }
}
