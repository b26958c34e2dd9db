import WinnowCore
import WinnowUI

/// How to get better pictures than this terminal session gives, in words for the header
/// and the help screen.
public enum ImageHints {
    /// Half blocks in fewer than 24-bit colours: the terminal may well show them all, but
    /// its terminfo description (TERM) does not say so; `COLORTERM=truecolor` does.
    public static func colour(graphics: String, depth: ColorDepth, noColor: Bool) -> [String] {
        guard graphics.hasPrefix("blocks"), !noColor, depth != .truecolor, depth != .mono else { return [] }
        return ["COLORTERM=truecolor"]
    }
}
