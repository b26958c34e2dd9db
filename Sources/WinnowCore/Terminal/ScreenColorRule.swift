/// How the review screen decides how many colours it draws in (text, and half-block
/// images, which are drawn as text). The terminal's terminfo description decides, as ncurses
/// reads it: what the screen can draw, whatever the terminal may also advertise.
/// `NcursesScreen` follows this rule when it starts, and `winnow doctor` reports it by
/// starting ncurses the same way (`ScreenColors.detect`), so the two cannot disagree.
public enum ScreenColorRule {
    /// The terminfo descriptions to open, in order (the first ncurses knows is used).
    /// `COLORTERM=truecolor` (or `24bit`) says the terminal shows 24-bit colour even when its
    /// TERM's description has 256 (tmux-256color, xterm-256color): the direct-colour
    /// description of the same terminal comes first then, when there is one.
    public static func descriptions(term: String, colorTerm: String?, noColor: Bool) -> [String] {
        let colorTerm = (colorTerm ?? "").lowercased()
        let wantsDirect = !noColor && (colorTerm == "truecolor" || colorTerm == "24bit")
        return (wantsDirect ? directVariants(of: term) : []) + [term]
    }

    /// Direct-colour descriptions that may describe `term` ("tmux-256color" → "tmux-direct").
    public static func directVariants(of term: String) -> [String] {
        guard !term.isEmpty, !term.hasSuffix("-direct") else { return [] }
        var base = term
        for suffix in ["-256color", "-88color", "-color"] where base.hasSuffix(suffix) { base.removeLast(suffix.count) }
        return [base + "-direct"]
    }

    /// The depth, from the opened description: none with NO_COLOR (or `--no-color`) or when
    /// it has no colours; else by its number of colours. A direct-colour description
    /// (TERM=xterm-direct and the like) has 2^24 colours whose numbers are the RGB values.
    public static func depth(noColor: Bool, hasColors: Bool, colors: Int) -> ColorDepth {
        guard !noColor, hasColors else { return .mono }
        return colors >= 1 << 24 ? .truecolor : colors >= 256 ? .palette256 : (colors >= 8 ? .palette8 : .mono)
    }
}
