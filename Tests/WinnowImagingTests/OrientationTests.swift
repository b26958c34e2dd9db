import Testing
import WinnowCore
@testable import WinnowImaging

@Suite("EXIF orientation: applying all eight, and reading the tag")
struct OrientationTests {
    /// Stored 3×2:  a b c / d e f  (values 1…6 in the red channel).
    static let stored = RGBImage(width: 3, height: 2, pixels: (1...6).flatMap { [UInt8($0), 0, 0] })

    static let expected: [(ExifOrientation, width: Int, rows: [[UInt8]])] = [
        (.topLeft, 3, [[1, 2, 3], [4, 5, 6]]),
        (.topRight, 3, [[3, 2, 1], [6, 5, 4]]),
        (.bottomRight, 3, [[6, 5, 4], [3, 2, 1]]),
        (.bottomLeft, 3, [[4, 5, 6], [1, 2, 3]]),
        (.leftTop, 2, [[1, 4], [2, 5], [3, 6]]),
        (.rightTop, 2, [[4, 1], [5, 2], [6, 3]]),
        (.rightBottom, 2, [[6, 3], [5, 2], [4, 1]]),
        (.leftBottom, 2, [[3, 6], [2, 5], [1, 4]])
    ]

    @Test(arguments: expected.indices)
    func orientingMovesEveryPixelWhereTIFFSays(index: Int) {
        let (orientation, width, rows) = Self.expected[index]
        let upright = Self.stored.oriented(orientation)
        #expect(upright.width == width && upright.height == rows.count)
        let reds = (0..<upright.height).map { y in (0..<upright.width).map { x in upright[x, y].red } }
        #expect(reds == rows, "orientation \(orientation)")
    }

    @Test(arguments: 1...8)
    func jpegFixturesComeOutUpright(orientation: Int) throws {
        let decoded = try Fixture.decode("orientation-\(orientation).jpg")
        #expect(decoded.orientation.rawValue == orientation)
        #expect(decoded.image.size == PixelSize(width: 64, height: 32))
        #expect(decoded.originalSize == PixelSize(width: 64, height: 32))
        expectQuadrants(decoded.image, tolerance: 8)
    }

    @Test func pngEXIfChunkIsApplied() throws {
        let decoded = try Fixture.decode("orientation-6.png")
        #expect(decoded.orientation == .rightTop)
        // The stored 8×6 pattern is displayed turned 90° clockwise.
        #expect(decoded.image == Fixture.small.oriented(.rightTop))
    }

    @Test func webpEXIFChunkIsApplied() throws {
        let decoded = try Fixture.decode("orientation-8.webp")
        #expect(decoded.orientation == .leftBottom)
        #expect(decoded.image == Fixture.large)
    }

    @Test func orientationIsAppliedBeforeFitting() throws {
        let decoded = try Fixture.decode("orientation-6.jpg", fitting: PixelSize(width: 16, height: 16))
        #expect(decoded.image.size == PixelSize(width: 16, height: 8))
        expectQuadrants(decoded.image, tolerance: 12)
    }

    // MARK: The TIFF reader on hand-made and hostile blocks

    static func tiff(bigEndian: Bool, entries: [(tag: UInt16, type: UInt16, count: UInt32, value: UInt32)], ifdOffset: UInt32 = 8) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32) -> [UInt8] { let b = (0..<4).map { UInt8((v >> (8 * UInt32($0))) & 0xFF) }; return bigEndian ? b.reversed() : b }
        var bytes: [UInt8] = (bigEndian ? Array("MM".utf8) : Array("II".utf8)) + u16(42) + u32(ifdOffset)
        bytes += u16(UInt16(entries.count))
        for entry in entries {
            let value = entry.type == 3 ? u16(UInt16(entry.value)) + [0, 0] : u32(entry.value)
            bytes += u16(entry.tag) + u16(entry.type) + u32(entry.count) + value
        }
        return bytes + u32(0)
    }

    static func orientation(in bytes: [UInt8]) -> ExifOrientation? {
        bytes.withUnsafeBytes { ExifOrientationReader.orientation(inTIFF: $0) }
    }

    @Test func readsTheTagInBothByteOrdersAfterOtherTags() {
        for bigEndian in [true, false] {
            let block = Self.tiff(bigEndian: bigEndian, entries: [(0x010F, 2, 4, 0), (0x0112, 3, 1, 6), (0x0131, 2, 4, 0)])
            #expect(Self.orientation(in: block) == .rightTop)
            #expect(Self.orientation(in: Array("Exif\0\0".utf8) + block) == .rightTop)
            #expect(Self.orientation(in: Self.tiff(bigEndian: bigEndian, entries: [(0x0112, 4, 1, 3)])) == .bottomRight)
        }
    }

    @Test func hostileOrMalformedBlocksGiveNoOrientation() {
        let good = Self.tiff(bigEndian: false, entries: [(0x0112, 3, 1, 8)])
        #expect(Self.orientation(in: good) == .leftBottom)
        #expect(Self.orientation(in: Self.tiff(bigEndian: false, entries: [(0x0112, 3, 1, 9)])) == nil) // not 1…8
        #expect(Self.orientation(in: Self.tiff(bigEndian: false, entries: [(0x0112, 3, 1, 0)])) == nil)
        #expect(Self.orientation(in: Self.tiff(bigEndian: false, entries: [(0x0112, 3, 2, 6)])) == nil) // two values
        #expect(Self.orientation(in: Self.tiff(bigEndian: true, entries: [(0x0112, 3, 1, 6)], ifdOffset: 0xFFFF_FFF0)) == nil)
        #expect(Self.orientation(in: Self.tiff(bigEndian: true, entries: [(0x0112, 3, 1, 6)], ifdOffset: 3)) == nil)
        var lyingCount = good
        lyingCount[8] = 0xFF; lyingCount[9] = 0xFF // 65535 entries in a 26-byte block
        #expect(Self.orientation(in: lyingCount) == .leftBottom) // the one real entry comes first
        lyingCount[10] = 0 // break the first entry's tag: the walk must stop at the end, not read past it
        #expect(Self.orientation(in: lyingCount) == nil)
        // Cut anywhere before the end of the value (8 header + 2 count + 8 entry bytes + 2): nothing.
        for length in 0..<20 { #expect(Self.orientation(in: Array(good.prefix(length))) == nil) }
        #expect(Self.orientation(in: Array(good.prefix(20))) == .leftBottom)
        #expect(Self.orientation(in: Array("XX*\0\0\0\0\u{8}".utf8)) == nil)
    }
}
