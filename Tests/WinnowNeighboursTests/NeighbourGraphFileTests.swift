import Testing
@testable import WinnowNeighbours

/// The neighbour graph's cache file: what is written reads back the same, and a damaged or
/// hostile file is refused (never a trap, never an allocation of what it claims).
@Suite("Neighbour graph cache file")
struct NeighbourGraphFileTests {
    static let graph = NeighbourGraph(count: 3, k: 2, ids: [1, 2, 0, 2, 1, -1], similarities: [0.9, 0.5, 0.9, 0.25, 0.5, 0])

    static func bytes(_ graph: NeighbourGraph) -> [UInt8] {
        var out: [UInt8] = []
        NeighbourGraphFile.write(graph) { out += $0 }
        return out
    }

    static func read(_ bytes: [UInt8]) -> NeighbourGraph? {
        bytes.withUnsafeBytes { try? NeighbourGraphFile.read($0) }
    }

    @Test func writtenGraphsReadBackTheSame() {
        let bytes = Self.bytes(Self.graph)
        #expect(bytes.count == NeighbourGraphFile.magic.count + 16 + 3 * 2 * 8)
        #expect(Array(bytes.prefix(20)) == Array("WINNOW-NEIGHBOURS-1\n".utf8))
        #expect(Self.read(bytes) == Self.graph)
        let empty = NeighbourGraph(count: 0, k: 5, ids: [], similarities: [])
        #expect(Self.read(Self.bytes(empty)) == empty)
    }

    @Test func anotherMagicOrAShortFileIsRefused() {
        var bytes = Self.bytes(Self.graph)
        bytes[0] = UInt8(ascii: "X")
        #expect(Self.read(bytes) == nil)
        #expect(Self.read(Array(Self.bytes(Self.graph).dropLast())) == nil)
        #expect(Self.read(Self.bytes(Self.graph) + [0]) == nil)
        #expect(Self.read(Array(NeighbourGraphFile.magic)) == nil)
        #expect(Self.read([]) == nil)
    }

    @Test(arguments: [[UInt64.max, 10], [1 << 62, 1 << 62], [6, 1 << 61], [1 << 63, 1]])
    func hugeOrOverflowingSizesAreRefused(counts: [UInt64]) {
        var bytes = NeighbourGraphFile.magic
        for count in counts { withUnsafeBytes(of: count.littleEndian) { bytes += $0 } }
        #expect(Self.read(bytes + [UInt8](repeating: 0, count: 64)) == nil)
    }
}
