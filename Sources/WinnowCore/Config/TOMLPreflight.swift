/// A check of TOML text before it reaches TOMLKit's parser (toml++ 3.4.0).
///
/// toml++ parses a table header's name without checking its first character: `[*x]`, `[`
/// at the end of a line or `[[ {` reach an assertion that aborts the process in a build
/// without NDEBUG (SwiftPM's debug builds: `make demo`, `make test`), and an "assume" the
/// optimiser may act on otherwise. A hostile winnow.toml must be an error, never that, so a
/// line that starts (after spaces) with `[` or `[[` must continue with what toml++ accepts
/// there: a bare key character (A–Z, a–z, 0–9, `_`, `-`), a quote, or `]` (which toml++
/// reports itself). Found by `make fuzz` (the toml target).
///
/// The check does not follow multi-line strings or arrays: a line inside one that starts
/// with `[` and then some other character (`[{`, `[+1`) is refused too. winnow.toml has no
/// such values; the message says how to write them otherwise.
public enum TOMLPreflight {
    /// The 1-based line and column of the first table header toml++ cannot be trusted with.
    public static func problem(in text: String) -> (line: Int, column: Int)? {
        // toml++ skips a byte-order mark; only spaces and tabs lead a line otherwise (any other
        // whitespace is an error of its own).
        var utf8 = Substring(text).utf8[...]
        if utf8.starts(with: [0xEF, 0xBB, 0xBF]) { utf8 = utf8.dropFirst(3) }
        for (index, line) in utf8.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            var rest = line.drop { $0 == 0x20 || $0 == 0x09 }
            guard rest.first == 0x5B else { continue } // [
            rest = rest.dropFirst()
            let hadSpace = rest.first == 0x20 || rest.first == 0x09
            rest = rest.drop { $0 == 0x20 || $0 == 0x09 }
            if rest.first == 0x5B, !hadSpace { rest = rest.dropFirst().drop { $0 == 0x20 || $0 == 0x09 } } // [[
            guard let next = rest.first else { return (index + 1, line.count + 1) }
            if isBareKey(next) || next == 0x22 || next == 0x27 || next == 0x5D || (next == 0x5B && hadSpace) { continue }
            return (index + 1, line.count - rest.count + 1)
        }
        return nil
    }

    static func isBareKey(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F || byte == 0x2D
    }
}
