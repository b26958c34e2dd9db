import TOMLKit
import WinnowCore

/// Reads theme files: `name`, a `[roles]` table and a `[reasons]` table of colours, each
/// `"#rrggbb"`, a 256-colour index, or `"default"`. A role the file leaves out keeps the
/// built-in colour; an unknown key or a malformed colour is an error naming its line.
public enum ThemeFile {
    public static func parse(_ text: String, file: String) throws(DatasetInvalid) -> Theme {
        let root = try TOMLDocument.parse(text, file: file)
        var problems = ProblemCollector()
        let locator = TOMLKeyLocator(text: text)
        var theme = Theme.builtIn
        theme.name = baseName(of: file)
        for (key, value) in root {
            switch key {
            case "name":
                if let name = value.string { theme.name = name }
            case "roles", "reasons":
                guard let table = value.table else {
                    problems.add(
                        DataProblem(
                            file: file, line: locator.line(ofKey: key, inTable: nil), message: "\(key) must be a table", hint: "write it as [\(key)]")
                    )
                    continue
                }
                for (name, item) in table {
                    let line = locator.line(ofKey: name, inTable: key)
                    guard
                        let color = item.string.flatMap(parseColor)
                            ?? item.int.flatMap({ (0...255).contains($0) ? TerminalColor.indexed(UInt8($0)) : nil })
                    else {
                        problems.add(
                            DataProblem(
                                file: file, line: line, message: "\(key).\(TerminalText.sanitize(name)) is not a colour",
                                hint: "write \"#rrggbb\", a number 0–255, or \"default\""))
                        continue
                    }
                    if key == "roles", let role = Theme.Role(rawValue: name) {
                        theme.roles[role] = color
                    } else if key == "reasons", let reason = Theme.ReasonKind(rawValue: name) {
                        theme.reasons[reason] = color
                    } else {
                        let known = key == "roles" ? Theme.Role.allCases.map(\.rawValue) : Theme.ReasonKind.allCases.map(\.rawValue)
                        problems.add(
                            DataProblem(
                                file: file, line: line, message: "unknown \(key == "roles" ? "role" : "reason") \"\(TerminalText.sanitize(name))\"",
                                hint: "known: \(known.joined(separator: ", "))"))
                    }
                }
            default:
                problems.add(
                    DataProblem(
                        file: file, line: locator.line(ofTable: key) ?? locator.line(ofKey: key, inTable: nil),
                        message: "unknown theme setting \"\(TerminalText.sanitize(key))\"", hint: "a theme has name, [roles] and [reasons]"))
            }
        }
        try problems.check()
        return theme
    }

    /// `"#rrggbb"` or `"default"`.
    public static func parseColor(_ text: String) -> TerminalColor? {
        if text == "default" { return .default }
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[0] == UInt8(ascii: "#"), let value = UInt32(text.dropFirst(), radix: 16) else { return nil }
        return .rgb(RGB(UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)))
    }
}

/// The file name without folders and extension: a theme's name when it does not give one.
func baseName(of path: String) -> String {
    let last = path.split(separator: "/").last.map(String.init) ?? path
    guard let dot = last.lastIndex(of: "."), dot != last.startIndex else { return last }
    return String(last[..<dot])
}
