import Testing
@testable import WinnowCore

/// Reads all records of `text` as string arrays with their line numbers.
func records(_ text: String) throws(DataProblem) -> [(line: Int, fields: [String])] {
    try records(bytes: Array(text.utf8))
}

func records(bytes: [UInt8]) throws(DataProblem) -> [(line: Int, fields: [String])] {
    var result: [(Int, [String])] = []
    var failure: DataProblem?
    bytes.withUnsafeBytes { raw in
        var reader = CSVReader(bytes: raw, file: "t.csv")
        do {
            while try reader.nextRecord() {
                var fields: [String] = []
                for i in 0..<reader.fieldCount { fields.append(try reader.string(i)) }
                result.append((reader.line, fields))
            }
        } catch { failure = error as? DataProblem }
    }
    if let failure { throw failure }
    return result
}

@Suite("CSV reader (RFC 4180)")
struct CSVReaderTests {
    @Test func plainRecords() throws {
        let r = try records("a,b,c\n1,2,3\n")
        #expect(r.map(\.fields) == [["a", "b", "c"], ["1", "2", "3"]])
        #expect(r.map(\.line) == [1, 2])
    }

    @Test func quotedFieldsWithSeparatorsQuotesAndNewlines() throws {
        let r = try records("image,note\n\"a,b.png\",\"say \"\"hi\"\"\"\n\"multi\nline.png\",x\nlast,y\n")
        #expect(r[1].fields == ["a,b.png", "say \"hi\""])
        #expect(r[2].fields == ["multi\nline.png", "x"])
        #expect(r[2].line == 3)
        #expect(r[3].line == 5, "a quoted newline advances the physical line count")
    }

    @Test func byteOrderMarkCRLFAndTrailingBlankLines() throws {
        let r = try records(bytes: [0xEF, 0xBB, 0xBF] + Array("image,label\r\na.png,cat\r\n\r\n\r\n".utf8))
        #expect(r.map(\.fields) == [["image", "label"], ["a.png", "cat"]])
    }

    @Test func blankLinesInTheMiddleAreSkippedButCounted() throws {
        let r = try records("h\n\na\n\nb")
        #expect(r.map(\.fields) == [["h"], ["a"], ["b"]])
        #expect(r.map(\.line) == [1, 3, 5])
    }

    @Test func emptyFieldsAndMissingFinalNewline() throws {
        let r = try records("a,,c\n,,\nx,y,")
        #expect(r.map(\.fields) == [["a", "", "c"], ["", "", ""], ["x", "y", ""]])
    }

    @Test func oldMacLineEnds() throws {
        #expect(try records("a\rb\rc").map(\.fields) == [["a"], ["b"], ["c"]])
    }

    @Test func unterminatedQuoteNamesTheLineWhereItOpened() {
        #expect {
            try records("image\nok.png\n\"broken.png\nmore\n")
        } throws: { error in
            guard let p = error as? DataProblem else { return false }
            return p.line == 3 && p.message.contains("never closed")
        }
    }

    @Test func garbageAfterClosingQuoteIsAnError() {
        #expect(throws: DataProblem.self) { try records("\"a\"b,c\n") }
    }

    @Test func invalidUTF8IsReportedWithLineAndColumn() {
        let bytes = Array("image,label\nok.png,cat\n".utf8) + [0x62, 0x61, 0x64, 0xFF, 0x2C, 0x63, 0x0A]
        #expect {
            try records(bytes: bytes)
        } throws: { error in
            guard let p = error as? DataProblem else { return false }
            return p.line == 3 && p.column == 1 && p.message.contains("UTF-8")
        }
    }

    @Test func headerRejectsDuplicateColumns() {
        let failed = Array("image,label,label\n".utf8).withUnsafeBytes { raw -> Bool in
            var reader = CSVReader(bytes: raw, file: "labels.csv")
            do throws(DataProblem) { _ = try reader.readHeader(); return false } catch { return error.message.contains("twice") }
        }
        #expect(failed)
    }

    @Test func headerTrimsSpaces() throws {
        let header = try Array(" image , label \n".utf8).withUnsafeBytes { raw throws -> [String] in
            var reader = CSVReader(bytes: raw, file: "labels.csv")
            return try reader.readHeader()
        }
        #expect(header == ["image", "label"])
    }
}

@Suite("CSV writer")
struct CSVWriterTests {
    @Test(arguments: [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@import", "'@import"),
        ("\tx", "'\tx"),
        ("-0.5", "-0.5"),
        ("+3", "+3"),
        ("-1e-5", "-1e-5"),
        ("cat", "cat"),
        ("", ""),
        ("-", "'-"),
        ("a=b", "a=b")
    ])
    func formulaGuard(input: String, expected: String) {
        #expect(CSVWriter.neutralizingFormula(input) == expected)
    }

    @Test func quotingRoundTripsThroughTheReader() throws {
        let writer = CSVWriter(formulaGuard: false)
        let fields = ["plain", "with,comma", "with \"quotes\"", "multi\nline", "=1+1", ""]
        let text = writer.record(fields) + writer.record(["x", "y", "z", "w", "v", "u"])
        let r = try records(text)
        #expect(r[0].fields == fields)
        #expect(r.count == 2)
    }

    @Test func guardIsOnByDefault() {
        #expect(CSVWriter().record(["=1+1", "ok"]) == "'=1+1,ok\n")
        #expect(CSVWriter(formulaGuard: false).record(["=1+1", "ok"]) == "=1+1,ok\n")
    }
}
