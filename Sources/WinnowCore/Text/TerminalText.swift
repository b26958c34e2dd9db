/// Makes untrusted text (labels, file names, metadata) safe to put on a terminal.
///
/// Dataset text is user data: a file named `\u{1B}]52;c;...` would otherwise be able to
/// rewrite the clipboard or the screen. Every C0/C1 control character and DEL is replaced
/// by a visible stand-in, and bidirectional controls (which can disguise a file name) too.
public enum TerminalText {
    public static func sanitize(_ text: String) -> String {
        sanitize(text, keepingLineBreaks: false)
    }

    /// `sanitize`, but line feeds (and tabs) stay: see `sanitize(_:keepingLineBreaks:)`.
    public static func sanitizeKeepingLineBreaks(_ text: String) -> String {
        sanitize(text, keepingLineBreaks: true)
    }

    /// `sanitize`, but line feeds (and tabs) stay as they are: for whole messages and
    /// tables, whose lines are the writer's own. Carriage returns are replaced, so a value
    /// cannot return to the start of a line and overwrite what was written before it.
    static func sanitize(_ text: String, keepingLineBreaks: Bool) -> String {
        if keepingLineBreaks ? isSafeKeepingLineBreaks(text) : isSafe(text) { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if needsReplacement(scalar), !(keepingLineBreaks && (scalar == "\n" || scalar == "\t")) {
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

    static func isSafeKeepingLineBreaks(_ text: String) -> Bool {
        if text.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A || $0 == 0x09 }) { return true }
        return text.unicodeScalars.allSatisfy { !needsReplacement($0) || $0 == "\n" || $0 == "\t" }
    }

    /// C0 and C1 controls, DEL, and the invisible bidirectional controls.
    public static func needsReplacement(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 || v == 0x7F { return true }
        if (0x80...0x9F).contains(v) { return true }
        return isBidiControl(scalar)
    }

    /// Bidi embeddings, overrides and isolates (U+202A–202E, U+2066–2069) and the marks
    /// U+200E, U+200F and U+061C: each can make "gpj.exe" look like "exe.jpg", or make two
    /// different names look alike.
    public static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C
    }

    static func visible(_ scalar: Unicode.Scalar) -> String {
        let v = scalar.value
        if v < 0x20 { return String(Unicode.Scalar(0x2400 + v)!) } // ␀ … ␟
        if v == 0x7F { return "\u{2421}" } // ␡
        return "\u{FFFD}"
    }
}
