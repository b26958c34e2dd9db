/// Checks image paths from dataset files: relative to `images/`, `/`-separated, and never
/// able to reach outside it.
public enum DatasetPath {
    /// Why `path` is not an acceptable image path, or nil when it is fine.
    public static func problem(with path: String) -> (message: String, hint: String)? {
        if isPlainlySafe(path) { return nil }
        if path.isEmpty { return ("the image path is empty", "give the path of the image relative to images/") }
        let start = Array(path.prefix(3))
        let driveLetter = start.count == 3 && start[0].isLetter && start[1] == ":" && (start[2] == "/" || start[2] == "\\")
        if path.hasPrefix("/") || driveLetter {
            return ("\"\(TerminalText.sanitize(path))\" is an absolute path", "paths are relative to images/, e.g. cats/001.jpg")
        }
        if path.contains("\\") {
            return ("\"\(TerminalText.sanitize(path))\" contains a backslash", "separate folders with /, e.g. cats/001.jpg")
        }
        if !TerminalText.isSafe(path) || path.unicodeScalars.contains(where: { $0.value == 0 }) {
            return ("\"\(TerminalText.sanitize(path))\" contains control characters", "rename the file so its name has no control characters")
        }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            if component == ".." {
                return (
                    "\"\(TerminalText.sanitize(path))\" escapes images/ with ..", "every image must be inside images/; give its path relative to it"
                )
            }
            if component.isEmpty || component == "." {
                return ("\"\(TerminalText.sanitize(path))\" has an empty or '.' folder name", "write the path plainly, e.g. cats/001.jpg")
            }
        }
        return nil
    }

    /// One pass over the bytes for the usual path: printable ASCII or UTF-8 letters, no `\\`,
    /// no leading `/`, and no `.`-only, `..` or empty components. Anything else gets the
    /// detailed checks above (which also produce the message).
    static func isPlainlySafe(_ path: String) -> Bool {
        var componentLength = 0
        var dotsOnly = true
        var first = true
        for byte in path.utf8 {
            // C1 controls (C2 80–9F), U+061C (D8 9C) and bidi marks (E2 80 …) take the slow path.
            if byte < 0x20 || byte == 0x7F || byte == 0x5C || byte == 0xC2 || byte == 0xD8 || byte == 0xE2 { return false }
            if byte == 0x2F {
                if first || componentLength == 0 || dotsOnly { return false }
                componentLength = 0
                dotsOnly = true
            } else {
                componentLength += 1
                if byte != 0x2E { dotsOnly = false }
            }
            first = false
            if componentLength == 2, byte == 0x3A, path.utf8.count > 1 { return false } // "C:" drive letters
        }
        return componentLength > 0 && !dotsOnly
    }
}
