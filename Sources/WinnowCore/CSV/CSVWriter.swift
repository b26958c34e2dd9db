/// Writes RFC 4180 CSV, with an optional guard against spreadsheet formula injection.
///
/// A label or file name such as `=HYPERLINK("http://…")` runs as a formula when an export
/// is opened in a spreadsheet. With `formulaGuard` on (the default for exports) a value
/// that starts with `=`, `+`, `-`, `@`, a tab or a carriage return, and is not a plain
/// number, is prefixed with a single quote `'`, which spreadsheets show as text.
public struct CSVWriter: Sendable {
    public var formulaGuard: Bool

    public init(formulaGuard: Bool = true) {
        self.formulaGuard = formulaGuard
    }

    /// One record, terminated by `\n`.
    public func record(_ fields: [String]) -> String {
        var line = ""
        for (i, field) in fields.enumerated() {
            if i > 0 { line += "," }
            line += encode(field)
        }
        line += "\n"
        return line
    }

    public func encode(_ value: String) -> String {
        let text = formulaGuard ? Self.neutralizingFormula(value) : value
        guard Self.needsQuotes(text) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A comma, quote, CR or LF: the value must be quoted. (A plain loop over the bytes: a
    /// million rows of an export call this seven times each.)
    static func needsQuotes(_ text: String) -> Bool {
        func special(_ b: UInt8) -> Bool { b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D }
        if let found = text.utf8.withContiguousStorageIfAvailable({ bytes -> Bool in
            for b in bytes where special(b) { return true }
            return false
        }) {
            return found
        }
        return text.utf8.contains(where: special)
    }

    /// `value` unchanged, or with a leading `'` when a spreadsheet would run it as a formula.
    public static func neutralizingFormula(_ value: String) -> String {
        guard let first = value.utf8.first else { return value }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "@"), 0x09, 0x0D:
            return "'" + value
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            return isPlainNumber(value) ? value : "'" + value
        default:
            return value
        }
    }

    /// `[+-]?(digits[.digits] | .digits)([eE][+-]?digits)?`
    static func isPlainNumber(_ value: String) -> Bool {
        var bytes = Array(value.utf8)[...]
        if let s = bytes.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        var digits = 0, sawDot = false
        while let b = bytes.first {
            if b >= 0x30 && b <= 0x39 { digits += 1 } else if b == UInt8(ascii: "."), !sawDot { sawDot = true } else { break }
            bytes = bytes.dropFirst()
        }
        guard digits > 0 else { return false }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let s = bytes.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
            return true
        }
        return bytes.isEmpty
    }
}
