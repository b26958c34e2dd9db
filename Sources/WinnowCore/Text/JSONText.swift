/// Minimal, fast JSON text building for hot paths (a million metadata objects at import,
/// a million lines of JSONL export) where `JSONEncoder` would dominate the run time.
public enum JSONText {
    /// `value` as a JSON string literal, quotes included.
    public static func quoted(_ value: String) -> String {
        // Fast path: nothing to escape (the common case by far).
        if isPlain(value) {
            return "\"" + value + "\""
        }
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        var plainStart = value.unicodeScalars.startIndex
        var index = plainStart
        let scalars = value.unicodeScalars
        while index != scalars.endIndex {
            let scalar = scalars[index]
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            default:
                // Controls (C0, DEL, C1), bidi controls and the line separators: JSON allows
                // most of them raw, but JSONL is read on terminals too (`head`, `less`).
                if TerminalText.needsReplacement(scalar) || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escape = nil
                }
            }
            if let escape {
                out.unicodeScalars.append(contentsOf: scalars[plainStart..<index])
                out += escape
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        out.unicodeScalars.append(contentsOf: scalars[plainStart..<scalars.endIndex])
        out += "\""
        return out
    }

    /// True when `value` goes into a JSON string literal as it is: no control character,
    /// quote or backslash. Bytes that may start a C1 control (C2), U+061C (D8) or a bidi
    /// control or line separator (E2) take the careful path.
    public static func isPlain(_ value: String) -> Bool {
        func special(_ b: UInt8) -> Bool { b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F || b == 0xC2 || b == 0xD8 || b == 0xE2 }
        if let found = value.utf8.withContiguousStorageIfAvailable({ bytes -> Bool in
            for b in bytes where special(b) { return true }
            return false
        }) {
            return !found
        }
        return !value.utf8.contains(where: special)
    }

    /// A JSON object of string values, keys in the given order.
    public static func object(keys: [String], values: [String]) -> String {
        var out = "{"
        for (i, key) in keys.enumerated() {
            if i > 0 { out += "," }
            out += quoted(key)
            out += ":"
            out += quoted(values[i])
        }
        return out + "}"
    }

    public static func array(_ values: [String]) -> String {
        "[" + values.map(quoted).joined(separator: ",") + "]"
    }
}

extension JSONText {
    /// Encoded JSON (from `JSONEncoder`) with every control and bidi character that is
    /// still raw written as a `\u` escape. Outside string literals JSON is ASCII, so only
    /// the insides of strings change, and the document means the same.
    public static func escapingControls(inEncoded json: String) -> String {
        guard !TerminalText.isSafe(json) else { return json }
        var out = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            if TerminalText.needsReplacement(scalar) && scalar != "\n" {
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
