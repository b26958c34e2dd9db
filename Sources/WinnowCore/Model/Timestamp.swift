import Foundation

/// Timestamps as stored and shown: ISO 8601, UTC, milliseconds (`2026-11-22T22:15:04.123Z`).
/// Strings in this form sort in time order, which the log queries rely on.
public enum Timestamp {
    public static func string(from date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// Reading every event of a large log goes through here: the stored form is parsed by
    /// hand (a fresh ISO8601DateFormatter per call cost about a millisecond, 20 minutes for
    /// a million events); anything else goes to the formatter.
    public static func date(from string: String) -> Date? {
        if let date = storedForm(string) { return date }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: string) ?? ISO8601DateFormatter().date(from: string)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` or `…:SS.mmmZ`, to exactly the Date the formatter gives:
    /// Foundation converts ICU's integral milliseconds since 1970 as ms / 1000 − 978307200,
    /// and so does this. Nil for any other form.
    static func storedForm(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { b -> Date? in
            guard b.count == 20 || b.count == 24, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A,
                  b[b.count - 1] == 0x5A else { return nil }
            func number(_ at: Int, _ length: Int) -> Int? {
                var value = 0
                for i in at..<(at + length) {
                    let digit = Int(b[i]) &- 0x30
                    guard (0...9).contains(digit) else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                  let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                  (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60, second < 60
            else { return nil }
            var milliseconds = 0
            if b.count == 24 {
                guard b[19] == 0x2E, let ms = number(20, 3) else { return nil }
                milliseconds = ms
            }
            let seconds = daysSince1970(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
            return Date(timeIntervalSinceReferenceDate: Double(seconds * 1000 + milliseconds) / 1000 - 978_307_200)
        }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's
    /// days_from_civil).
    static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
