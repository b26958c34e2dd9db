import Foundation
import Testing
@testable import WinnowCore

/// The container the helper cache and the saved queues share: what is written reads back,
/// and a damaged file reads as nothing rather than trapping or allocating what it claims.
@Suite("Cache container")
struct CacheContainerTests {
    struct Header: Codable, Equatable {
        var count: Int
        var name: String
    }

    static let magic = Array("WINNOW-TEST-1\n".utf8)

    static func encode(_ header: Header, ids: [Int32], scores: [Double]) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try CacheContainer.write(magic: magic, header: header, to: { bytes.append(contentsOf: $0) }) { arrays in
            try arrays.append(ids)
            try arrays.append(scores)
        }
        return bytes
    }

    @Test("what is written reads back, in order, and fills the file exactly")
    func roundTrip() throws {
        let bytes = try Self.encode(Header(count: 3, name: "q"), ids: [4, -1, 7], scores: [0.5, 1e-300, .infinity])
        try bytes.withUnsafeBytes { raw in
            var reader = try #require(CacheContainer.Reader(raw, magic: Self.magic))
            #expect(reader.header(Header.self) == Header(count: 3, name: "q"))
            #expect(reader.take(3, as: Int32.self) == [4, -1, 7])
            #expect(reader.take(3, as: Double.self) == [0.5, 1e-300, .infinity])
            #expect(reader.remaining == 0)
            #expect(reader.take(1, as: UInt8.self) == nil)
        }
    }

    @Test("another magic, a cut header, a header length past the end are refused")
    func refusedContainers() throws {
        let bytes = try Self.encode(Header(count: 1, name: "q"), ids: [1], scores: [1])
        bytes.withUnsafeBytes { raw in
            #expect(CacheContainer.Reader(raw, magic: Array("WINNOW-OTHER-1\n".utf8)) == nil)
            #expect(CacheContainer.Reader(UnsafeRawBufferPointer(rebasing: raw[..<(Self.magic.count + 4)]), magic: Self.magic) == nil)
        }
        var huge = bytes
        for i in 0..<8 { huge[Self.magic.count + i] = 0xFF } // header length 2^64 - 1
        huge.withUnsafeBytes { #expect(CacheContainer.Reader($0, magic: Self.magic) == nil) }
        var long = bytes
        long[Self.magic.count] = 0xF0 // longer than the file
        long.withUnsafeBytes { #expect(CacheContainer.Reader($0, magic: Self.magic) == nil) }
    }

    @Test("negative, overflowing and too large counts read as nothing")
    func checkedCounts() throws {
        let bytes = try Self.encode(Header(count: 2, name: "q"), ids: [1, 2], scores: [1, 2])
        try bytes.withUnsafeBytes { raw in
            var reader = try #require(CacheContainer.Reader(raw, magic: Self.magic))
            #expect(reader.take(-1, as: Int32.self) == nil)
            #expect(reader.take(Int.max / 2, as: Int64.self) == nil) // count × 8 overflows
            #expect(reader.take(reader.remaining + 1, as: UInt8.self) == nil)
            // A refused take moves nothing: the arrays still read.
            #expect(reader.take(2, as: Int32.self) == [1, 2])
            #expect(reader.header(Int.self) == nil) // a header of another shape
        }
    }
}
