#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses decimal numbers from CSV bytes without building a `String` first.
///
/// Probability files have millions of cells; this takes the exact fast path (Clinger's:
/// an integer mantissa below 2^53 scaled by an exactly representable power of ten) for the
/// usual `0.123456` / `1e-05` forms and falls back to `strtod` for anything else, so the
/// result is always the correctly rounded value.
public enum NumberParsing {
    private static let powersOfTen: [Double] = (0...22).map { p in (0..<p).reduce(1.0) { a, _ in a * 10 } }

    /// The number in `bytes`, or nil when it is not a number (NaN and infinities parse; the
    /// caller decides whether they are allowed).
    public static func double(_ bytes: UnsafeRawBufferPointer) -> Double? {
        var i = 0
        let n = bytes.count
        while i < n, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
        var end = n
        while end > i, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        guard i < end else { return nil }
        var negative = false
        if bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if bytes[i] == UInt8(ascii: "+") { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        while i < end, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            sawDigit = true
            if digits < 19 { mantissa = mantissa * 10 + UInt64(bytes[i] - 0x30); if mantissa > 0 { digits += 1 } } else { exponent += 1 }
            i += 1
        }
        if i < end, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                sawDigit = true
                if digits < 19 { mantissa = mantissa * 10 + UInt64(bytes[i] - 0x30); if mantissa > 0 { digits += 1 }; exponent -= 1 }
                i += 1
            }
        }
        if sawDigit, i < end, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < end, bytes[i] == UInt8(ascii: "-") { expNegative = true; i += 1 } else if i < end, bytes[i] == UInt8(ascii: "+") { i += 1 }
            var e = 0
            var expDigits = 0
            while i < end, bytes[i] >= 0x30, bytes[i] <= 0x39 { if e < 100_000 { e = e * 10 + Int(bytes[i] - 0x30) }; expDigits += 1; i += 1 }
            if expDigits == 0 { return slowPath(bytes) }
            exponent += expNegative ? -e : e
        }
        guard sawDigit, i == end else { return slowPath(bytes) }
        if mantissa < (1 << 53), exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / powersOfTen[-exponent] : value * powersOfTen[exponent]
            return negative ? -value : value
        }
        return slowPath(bytes)
    }

    /// `strtod` on a NUL-terminated copy: handles everything C does (hex floats, nan, inf).
    private static func slowPath(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard bytes.count < 512 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer -> Double? in
            for (i, b) in bytes.enumerated() { buffer[i] = CChar(bitPattern: b) }
            buffer[bytes.count] = 0
            var endPointer: UnsafeMutablePointer<CChar>?
            let value = strtod(buffer.baseAddress!, &endPointer)
            guard let endPointer else { return nil }
            var consumed = endPointer - buffer.baseAddress!
            while consumed < bytes.count, buffer[consumed] == 0x20 || buffer[consumed] == 0x09 { consumed += 1 }
            guard consumed == bytes.count, consumed > 0 else { return nil }
            // strtod accepts leading spaces; an all-space field is not a number.
            guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return nil }
            return value
        }
    }
}
