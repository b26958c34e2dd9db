import Foundation
import Testing
@testable import WinnowCore

/// Issue 17, at the level of the core: the sanitiser, JSON escaping, NPY size arithmetic.
@Suite("Hardening: text safety and header sizes")
struct CoreHardeningTests {
    /// Every control and bidi character a terminal acts on or that disguises text.
    static let invisible: [Unicode.Scalar] = [
        "\u{00}", "\u{07}", "\u{1B}", "\u{7F}", "\u{80}", "\u{9B}", "\u{9F}",
        "\u{200E}", "\u{200F}", "\u{061C}", "\u{202A}", "\u{202E}", "\u{2066}", "\u{2069}"
    ]

    @Test func everyControlAndBidiCharacterIsReplacedOnATerminal() {
        for scalar in Self.invisible {
            let text = "a" + String(scalar) + "b"
            #expect(!TerminalText.isSafe(text), "U+\(String(scalar.value, radix: 16))")
            let safe = TerminalText.sanitize(text)
            #expect(safe.unicodeScalars.allSatisfy { !TerminalText.needsReplacement($0) } && safe.hasPrefix("a") && safe.hasSuffix("b"))
        }
        #expect(TerminalText.sanitize("עברית و عربي café 猫") == "עברית و عربي café 猫", "right-to-left letters themselves are text")
    }

    @Test func wholeMessagesKeepTheirLineBreaksButNotCarriageReturns() {
        let message = "line one\n\tindented \u{1B}]52;c;x\u{07}\nok\rEVIL"
        let safe = TerminalText.sanitizeKeepingLineBreaks(message)
        #expect(safe.split(separator: "\n").count == 3)
        #expect(safe.contains("\t") && !safe.contains("\r") && !safe.contains("\u{1B}") && !safe.contains("\u{07}"))
        #expect(TerminalText.sanitizeKeepingLineBreaks("plain\ntext\n") == "plain\ntext\n")
    }

    @Test func jsonEscapesC1AndBidiControlsAndStaysDecodable() throws {
        for scalar in Self.invisible + ["\u{2028}", "\u{2029}"] {
            let value = "x" + String(scalar) + "y\u{05D0}"
            let quoted = JSONText.quoted(value)
            #expect(quoted.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F || $0.value == 0x05D0 }, "\(quoted.debugDescription)")
            let decoded = try JSONSerialization.jsonObject(with: Data(("[" + quoted + "]").utf8)) as? [String]
            #expect(decoded == [value])
        }
        #expect(JSONText.isPlain("café 猫") && !JSONText.isPlain("a\u{9B}") && !JSONText.isPlain("a\u{061C}") && !JSONText.isPlain("a\u{7F}"))
    }

    @Test func encodedJSONGetsItsRemainingControlsEscaped() throws {
        let encoded = String(decoding: try JSONEncoder().encode(["k": "a\u{9B}b\u{202E}c\u{200F}"]), as: UTF8.self)
        let escaped = JSONText.escapingControls(inEncoded: encoded)
        #expect(TerminalText.isSafe(escaped))
        #expect(try JSONDecoder().decode([String: String].self, from: Data(escaped.utf8)) == ["k": "a\u{9B}b\u{202E}c\u{200F}"])
    }

    @Test(arguments: ["a\u{061C}b.png", "x/\u{200E}.png", "\u{9B}2J.png"])
    func pathsWithBidiMarksOrC1ControlsAreRefused(path: String) {
        #expect(DatasetPath.problem(with: path)?.message.contains("control characters") == true)
    }

    @Test func aDataProblemNamesItsFileSanitised() {
        let problem = DataProblem(file: "predictions/m\u{1B}]0;x\u{07}.csv", message: "m", hint: "h")
        #expect(TerminalText.isSafe(problem.location))
    }

    // MARK: - winnow.toml

    /// Table headers that reached an assertion in toml++ (an abort in debug builds); the
    /// first is the input `make fuzz` found.
    @Test(arguments: [
        "[*iKKJKK*74+\u{01}\u{01}", "\u{FEFF}[*id777u=acc", "[\n", "[", "  [ *x]", "[[ {a=1}]]", "[project]\nname = \"x\"\n[\r\n",
        "[\u{1B}]0;x\u{07}]"
    ])
    func tableHeadersTomlPlusPlusCannotTakeAreErrors(text: String) {
        #expect {
            try WinnowConfig.parse(text)
        } throws: { error in
            (error as? DatasetInvalid)?.problems.first?.message.contains("a table header's name must start with") == true
        }
    }

    @Test func ordinaryTablesAndArraysStillParse() throws {
        let config = try WinnowConfig.parse(
            """
            [project]
            name = "[*not a header*]"
              [ import ]
            check_images = false
            ["export"]
            policies = [
              "bad-components=hold",
            ]
            [review]
            sensitive_classes = ["a", "b"]
            """)
        #expect(config.projectName == "[*not a header*]" && !config.checkImages && config.sensitiveClasses == ["a", "b"])
    }

    // MARK: - NPY sizes

    func header(_ shape: String, descr: String = "<f4") -> [UInt8] {
        var text = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        text += String(repeating: " ", count: (64 - (11 + text.utf8.count) % 64) % 64) + "\n"
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(text.utf8.count & 0xFF), UInt8(text.utf8.count >> 8)] + Array(text.utf8)
    }

    func parse(_ bytes: [UInt8]) throws(NPYHeader.Failure) -> NPYHeader {
        let result: Result<NPYHeader, NPYHeader.Failure> = bytes.withUnsafeBytes { raw in
            do throws(NPYHeader.Failure) { return .success(try NPYHeader.parse(raw, fileSize: raw.count)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    @Test(arguments: [
        "(1, 4194304000000000000)", "(4611686018427387904, 4611686018427387904)", "(9223372036854775807, 1)",
        "(2305843009213693952, 2)", "(99999999999999999999999, 2)"
    ])
    func shapesWhoseSizeOverflowsAreTooLargeNotATrap(shape: String) {
        #expect {
            try parse(header(shape))
        } throws: { error in
            guard case .tooLarge = error as? NPYHeader.Failure else { return false }
            return (error as! NPYHeader.Failure).explanation.message.contains("is too large")
        }
    }

    @Test func anHonestHeaderStillParsesAndASmallLieIsTruncation() throws {
        var bytes = header("(2, 3)")
        bytes += [UInt8](repeating: 0, count: 24)
        #expect(try parse(bytes).dataByteCount == 24)
        #expect(throws: NPYHeader.Failure.truncated) { try parse(header("(1000, 3)")) }
    }

    @Test func checkedByteCounts() {
        #expect(NPYHeader.checkedByteCount([3, 4], elementSize: 4) == 48)
        #expect(NPYHeader.checkedByteCount([0, Int.max], elementSize: 8) == 0)
        #expect(NPYHeader.checkedByteCount([Int.max / 4 + 1], elementSize: 4) == nil)
        #expect(NPYHeader.checkedByteCount([1 << 32, 1 << 31], elementSize: 4) == nil)
        #expect(NPYHeader.checkedByteCount([-1, 2], elementSize: 4) == nil)
    }

    @Test func pixelAreaSaturatesInsteadOfTrapping() {
        #expect(PixelSize(width: 1 << 31, height: 1 << 31).area == 1 << 62)
        #expect(PixelSize(width: Int(UInt32.max), height: Int(UInt32.max)).area == Int.max, "(2^32 − 1)² overflows 64 bits")
        #expect(PixelSize(width: Int.max / 2, height: 3).area == Int.max)
    }
}
