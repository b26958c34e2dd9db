/// Makes untrusted text (labels, file names, metadata) safe to put on a terminal.
///
/// Dataset text is user data: a file named `\u{1B}]52;c;...` would otherwise be able to
/// rewrite the clipboard or the screen. Every C0/C1 control character and DEL is replaced
/// by a visible stand-in, and bidirectional overrides (which can disguise a file name) too.
public enum TerminalText {
    public static func sanitize(_ text: String) -> String {
        if isSafe(text) { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if needsReplacement(scalar) {
                out.append(contentsOf: visible(scalar).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// True when the text contains nothing `sanitize` would replace.
    public static func isSafe(_ text: String) -> Bool {
        // Printable ASCII needs no closer look; only then walk the scalars.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return true }
        return text.unicodeScalars.allSatisfy { !needsReplacement($0) }
    }

    static func needsReplacement(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 || v == 0x7F { return true }
        if (0x80...0x9F).contains(v) { return true }
        // Bidi embeddings/overrides/isolates: can make "gpj.exe" look like "exe.jpg".
        if (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) { return true }
        return false
    }

    static func visible(_ scalar: Unicode.Scalar) -> String {
        let v = scalar.value
        if v < 0x20 { return String(Unicode.Scalar(0x2400 + v)!) }  // ␀ … ␟
        if v == 0x7F { return "\u{2421}" }  // ␡
        return "\u{FFFD}"
    }
}
