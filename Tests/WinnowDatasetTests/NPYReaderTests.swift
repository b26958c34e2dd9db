import Foundation
import Testing
import WinnowCore
import WinnowTestSupport
@testable import WinnowDataset

/// The NPY reader against files written by numpy (Fixtures/npy/make_fixtures.py).
@Suite("NPY reader vs numpy fixtures")
struct NPYReaderTests {
    struct Expectation: Decodable, Sendable, CustomTestStringConvertible {
        let file: String
        let ok: Bool
        let shape: [Int]?
        let values: [Value]?
        let error_kind: String?
        let has_non_finite: Bool?
        var testDescription: String { file }

        enum Value: Decodable, Sendable {
            case number(Double)
            case special(String)
            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .special(try c.decode(String.self)) }
            }
            func matches(_ x: Double) -> Bool {
                switch self {
                case .number(let d): return d == x
                case .special("nan"): return x.isNaN
                case .special("inf"): return x == .infinity
                case .special("-inf"): return x == -.infinity
                case .special: return false
                }
            }
        }
    }

    static let directory = Bundle.module.resourcePath! + "/Fixtures/npy"

    static let expectations: [Expectation] = {
        let text = try! String(contentsOfFile: directory + "/expected.json", encoding: .utf8)
        struct File: Decodable { let fixtures: [Expectation] }
        return try! JSONDecoder().decode(File.self, from: Data(text.utf8)).fixtures
    }()

    @Test(arguments: expectations)
    func fixture(_ expected: Expectation) throws {
        let path = Self.directory + "/" + expected.file
        if expected.ok {
            let matrix = try NPYMatrix(path: path, displayName: expected.file)
            #expect([matrix.rows, matrix.columns] == expected.shape)
            let values = (0..<matrix.rows).flatMap { r in (0..<matrix.columns).map { c in matrix.value(row: r, column: c) } }
            let want = expected.values ?? []
            #expect(values.count == want.count)
            for (got, w) in zip(values, want) { #expect(w.matches(got), "\(expected.file): \(got)") }
            #expect((matrix.firstNonFinite() != nil) == (expected.has_non_finite ?? false))
        } else {
            let kind = try #require(expected.error_kind)
            do {
                _ = try NPYMatrix(path: path, displayName: expected.file)
                Issue.record("\(expected.file) should be rejected (\(kind))")
            } catch {
                let words: [String: String] = [
                    "fortran_order": "Fortran", "big_endian": "big-endian", "unsupported_dtype": "not supported",
                    "truncated": "truncated", "bad_magic": "not a .npy file", "not_2d": "dimension", "structured": "structured"
                ]
                #expect(error.message.contains(words[kind]!), "\(expected.file): \(error.message)")
                #expect(error.file == expected.file)
                #expect(!error.hint.isEmpty)
            }
        }
    }

    @Test func writerOutputIsReadBack() throws {
        let header = NPYWriter.float32Header(rows: 2, columns: 3)
        #expect(header.count % 64 == 0)
        var bytes = header
        for v: Float in [1, 2, 3, 4, 5, -6] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        let dataset = TemporaryDataset()
        dataset.write("m.npy", bytes: bytes)
        let matrix = try NPYMatrix(path: dataset.root + "/m.npy", displayName: "m.npy")
        #expect(matrix.rows == 2 && matrix.columns == 3)
        #expect(matrix.value(row: 1, column: 2) == -6)
    }
}
