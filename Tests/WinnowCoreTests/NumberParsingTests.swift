import Foundation
import Testing
@testable import WinnowCore

@Suite("Number parsing")
struct NumberParsingTests {
    func parse(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBytes { NumberParsing.double($0) }
    }

    @Test(arguments: [
        "0", "1", "0.5", "0.123456", ".5", "5.", "1e-05", "1E5", "-0.25", "+0.75", "  0.3 ", "0.000000",
        "123456789012345678901234567890", "1.7976931348623157e308", "4.9e-324", "0x1p-2"
    ])
    func agreesWithStrtod(text: String) {
        #expect(parse(text) == strtod(text, nil))
    }

    @Test func randomDecimalsRoundTripExactly() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let value = Double.random(in: 0...1, using: &rng)
            for text in [String(value), String(format: "%.6f", value), String(format: "%.9e", value)] {
                #expect(parse(text) == strtod(text, nil), "\(text)")
            }
        }
    }

    @Test(arguments: ["", " ", "abc", "1.2.3", "1e", "--1", "1,5", "0.5x"])
    func rejectsNonNumbers(text: String) {
        #expect(parse(text) == nil)
    }

    @Test func nanAndInfinityParseSoTheCallerCanNameThem() {
        #expect(parse("nan")?.isNaN == true)
        #expect(parse("NaN")?.isNaN == true)
        #expect(parse("inf")?.isInfinite == true)
        #expect(parse("-inf") == -.infinity)
    }
}
