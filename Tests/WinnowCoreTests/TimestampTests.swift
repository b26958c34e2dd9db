import Foundation
import Testing
@testable import WinnowCore

@Suite("Timestamps")
struct TimestampTests {
    /// The hand-written stored form must be exactly what ISO8601DateFormatter writes and reads.
    @Test func theStoredFormMatchesTheFormatterBothWays() {
        var rng = SplitMix64(seed: 7)
        let formatter = Timestamp.formatter()
        var dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -0.0005), Date(timeIntervalSince1970: 951_782_400), // 2000-02-29
            Date(timeIntervalSince1970: 1_798_761_599.999), Date(timeIntervalSince1970: -86_400 * 365.25 * 60)
        ]
        for _ in 0..<2000 {
            // 1900 to 2100, with sub-millisecond parts.
            dates.append(
                Date(
                    timeIntervalSince1970: Double(Int64(rng.next() % 6_311_390_400_000) - 2_208_988_800_000) / 1000 + Double(rng.next() % 1000)
                        / 1_000_000))
        }
        for date in dates {
            let expected = formatter.string(from: date)
            #expect(Timestamp.string(from: date) == expected, "\(date.timeIntervalSince1970)")
            #expect(Timestamp.date(from: expected) == formatter.date(from: expected), "\(expected)")
        }
    }

    @Test func otherFormsGoThroughTheFormatter() {
        #expect(Timestamp.date(from: "2026-11-22T22:15:04Z") == Date(timeIntervalSince1970: 1_795_385_704))
        let odd = "2026-04-31T00:00:00.000Z" // no such day: the formatter's own (lenient) reading
        #expect(Timestamp.storedForm(odd) == nil && Timestamp.date(from: odd) == Timestamp.formatter().date(from: odd))
        #expect(Timestamp.date(from: "yesterday") == nil)
    }

    @Test func labelSetsOfOneClassSkipTheSplit() {
        #expect(LabelSet(storageText: "cat").names == ["cat"])
        #expect(LabelSet(storageText: "cat\u{1F}dog").names == ["cat", "dog"])
    }
}
