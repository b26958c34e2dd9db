/// Checks image paths from dataset files: relative to `images/`, `/`-separated, and never
/// able to reach outside it.
public enum DatasetPath {
    /// Why `path` is not an acceptable image path, or nil when it is fine.
    public static func problem(with path: String) -> (message: String, hint: String)? {
        if path.isEmpty { return ("the image path is empty", "give the path of the image relative to images/") }
        if path.hasPrefix("/") || (path.count > 1 && path.dropFirst().hasPrefix(":")) {
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
                return ("\"\(TerminalText.sanitize(path))\" escapes images/ with ..", "every image must be inside images/; give its path relative to it")
            }
            if component.isEmpty || component == "." {
                return ("\"\(TerminalText.sanitize(path))\" has an empty or '.' folder name", "write the path plainly, e.g. cats/001.jpg")
            }
        }
        return nil
    }
}
