/// How many colours the terminal shows: what the review screen draws text in, what half-block
/// images use, and what `winnow doctor` reports. Themes are written in 24-bit colour and
/// degrade to this.
public enum ColorDepth: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// 24-bit colour (`CSI 38;2;r;g;b m`).
    case truecolor
    /// The xterm 256-colour palette.
    case palette256 = "256"
    /// The eight ANSI colours.
    case palette8 = "8"
    /// No colour at all (`NO_COLOR`, or a terminal without colours): attributes only.
    case mono

    public var description: String {
        switch self {
        case .truecolor: return "24-bit colour"
        case .palette256: return "256 colours"
        case .palette8: return "8 colours"
        case .mono: return "no colour"
        }
    }
}
