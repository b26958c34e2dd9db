import Foundation

/// Reads a point in time from the command line: an ISO 8601 date or time, or a duration
/// back from now. Times without a zone are UTC, as the log stores and shows them.
enum TimeArgument {
    static let help =
        "an ISO 8601 date or time (2026-11-01, 2026-11-01T14:30, 2026-11-01T14:30:00+02:00; UTC unless a zone is given) or a duration back from now (45s, 90m, 2h, 3d, 1w)"

    static func parse(_ text: String, now: Date = Date()) -> Date? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let ago = duration(text) { return now.addingTimeInterval(-ago) }
        let time = text.replacingOccurrences(of: " ", with: "T")
        guard let t = time.firstIndex(of: "T") else {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withFullDate]
            formatter.timeZone = TimeZone(identifier: "UTC")
            return formatter.date(from: time)
        }
        // HH:MM[:SS[.fff]] then an optional zone (Z, ±hh:mm): none is UTC, no seconds is :00.
        let clock = time[time.index(after: t)...]
        let zoneStart = clock.firstIndex { $0 == "Z" || $0 == "+" || $0 == "-" } ?? clock.endIndex
        var clockTime = String(clock[..<zoneStart])
        if clockTime.filter({ $0 == ":" }).count == 1 { clockTime += ":00" }
        let zone = zoneStart == clock.endIndex ? "Z" : String(clock[zoneStart...])
        let normalised = String(time[..<t]) + "T" + clockTime + zone
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: normalised) { return date }
        }
        return nil
    }

    /// "90m" → 5400 seconds; nil when `text` is not a count and a unit (s, m, h, d, w).
    static func duration(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let count = Double(text.dropLast()), count >= 0, text.dropLast().allSatisfy(\.isNumber) else { return nil }
        switch unit {
        case "s": return count
        case "m": return count * 60
        case "h": return count * 3600
        case "d": return count * 86400
        case "w": return count * 7 * 86400
        default: return nil
        }
    }
}
