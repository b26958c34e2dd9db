import Foundation

/// Timestamps as stored and shown: ISO 8601, UTC, milliseconds (`2026-11-22T22:15:04.123Z`).
/// Strings in this form sort in time order, which the log queries rely on.
///
/// The stored form is written and read by hand: an `ISO8601DateFormatter` per call cost
/// about 0.4 ms, which made reading a log of 100,000 decisions take most of a minute.
/// Any other ISO 8601 form still goes through the formatter.
public enum Timestamp {
    public static func string(from date: Date) -> String {
        // The nearest whole millisecond, as the formatter writes it.
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (days, msOfDay) = floorDivision(milliseconds, 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        guard (0...9999).contains(year) else { return formatter().string(from: date) }
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int64, at offset: Int, digits: Int) {
            var v = value
            for i in stride(from: offset + digits - 1, through: offset, by: -1) {
                bytes[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(year, at: 0, digits: 4); bytes[4] = UInt8(ascii: "-")
        put(month, at: 5, digits: 2); bytes[7] = UInt8(ascii: "-")
        put(day, at: 8, digits: 2); bytes[10] = UInt8(ascii: "T")
        put(msOfDay / 3_600_000, at: 11, digits: 2); bytes[13] = UInt8(ascii: ":")
        put(msOfDay / 60_000 % 60, at: 14, digits: 2); bytes[16] = UInt8(ascii: ":")
        put(msOfDay / 1000 % 60, at: 17, digits: 2); bytes[19] = UInt8(ascii: ".")
        put(msOfDay % 1000, at: 20, digits: 3); bytes[23] = UInt8(ascii: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reading every event of a large log goes through here: the stored form is parsed by
    /// hand; anything else goes to the formatter.
    public static func date(from string: String) -> Date? {
        if let date = storedForm(string) { return date }
        return formatter().date(from: string) ?? ISO8601DateFormatter().date(from: string)
    }

    /// The date of a time in exactly the stored form (`string(from:)` gives the same text
    /// back), else nil: a reader that must show what is stored keeps the text otherwise.
    public static func storedDate(from string: String) -> Date? {
        string.utf8.count == 24 ? storedForm(string) : nil
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` or `…:SS.mmmZ` (a real calendar date), to exactly the Date the
    /// formatter gives: Foundation converts ICU's integral milliseconds since 1970 as
    /// ms / 1000 − 978307200, and so does this. Nil for any other form.
    static func storedForm(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { b -> Date? in
            guard b.count == 20 || b.count == 24, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A,
                b[b.count - 1] == 0x5A
            else { return nil }
            func number(_ at: Int, _ length: Int) -> Int64? {
                var value: Int64 = 0
                for i in at..<(at + length) {
                    let digit = Int64(b[i]) &- 0x30
                    guard (0...9).contains(digit) else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
            else { return nil }
            var milliseconds: Int64 = 0
            if b.count == 24 {
                guard b[19] == 0x2E, let ms = number(20, 3) else { return nil }
                milliseconds = ms
            }
            let days = daysFromCivil(year: year, month: month, day: day)
            guard civil(fromDays: days) == (year, month, day) else { return nil } // 31 April and the like
            let seconds = days * 86_400 + hour * 3600 + minute * 60 + second
            return Date(timeIntervalSinceReferenceDate: Double(seconds * 1000 + milliseconds) / 1000 - 978_307_200)
        }
    }

    static func formatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }

    static func floorDivision(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01 (inverse of `daysFromCivil`).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
