import Testing
import WinnowCore
@testable import WinnowGraphics

@Suite("Sixel encoder")
struct SixelEncoderTests {
    @Test func framingIsADCSWithRasterAttributes() async throws {
        let sixel = try await SixelEncoder(colors: 16).encode(TestImages.quadrants())
        #expect(sixel.starts(with: [0x1B, UInt8(ascii: "P")]))
        #expect(sixel.suffix(2).elementsEqual([0x1B, UInt8(ascii: "\\")]))
        // The DCS parameters end at `q`, before any colour definition.
        let q = try #require(sixel.firstIndex(of: UInt8(ascii: "q")))
        let firstColour = try #require(sixel.firstIndex(of: UInt8(ascii: "#")))
        #expect(q < firstColour)
        #expect(sixel[(q + 1)...].starts(with: Array("\"1;1;24;12".utf8)), "raster attributes give the size")
        #expect(sixel.filter { $0 == 0x1B }.count == 2, "one DCS: ESC P and the ESC of ST")
    }

    @Test func sameInputSameBytes() async throws {
        let encoder = SixelEncoder(colors: 64)
        let image = TestImages.gradient(width: 40, height: 30)
        let first = try await encoder.encode(image)
        let second = try await encoder.encode(image)
        #expect(first == second)
    }

    @Test func fewColoursRoundTripExactly() async throws {
        let image = TestImages.quadrants(width: 30, height: 18)
        let decoded = try await SixelDecoder.decode(try await SixelEncoder(colors: 16).encode(image))
        #expect(decoded.width == image.width && decoded.height == image.height)
        // Sixel colours are percentages: 0, 60 % and 100 % are exact in 8 bits.
        #expect(decoded == image)
    }

    @Test func colourPrecisionIsTheSixelPercentStep() async throws {
        // Colours that are not whole percentages come back within one percent step.
        var image = RGBImage(width: 12, height: 12, fill: RGB(10, 200, 77))
        for x in 0..<6 { for y in 0..<12 { image[x, y] = RGB(12, 12, 12) } }
        let decoded = try await SixelDecoder.decode(try await SixelEncoder().encode(image))
        #expect(maximumChannelError(decoded, image) <= 2)
        #expect(decoded[0, 0] != decoded[11, 0], "near colours stay apart with an exact palette")
    }

    @Test func photosComeBackClose() async throws {
        let image = TestImages.gradient(width: 96, height: 72)
        let decoded = try await SixelDecoder.decode(try await SixelEncoder(colors: 256).encode(image))
        #expect(decoded.width == 96 && decoded.height == 72)
        #expect(meanChannelError(decoded, image) < 6)
    }

    @Test func theColourCountIsRespected() async throws {
        let image = TestImages.gradient(width: 64, height: 48)
        let decoded = try await SixelDecoder.decode(try await SixelEncoder(colors: 16).encode(image))
        var colours = Set<RGB>()
        for y in 0..<decoded.height { for x in 0..<decoded.width { colours.insert(decoded[x, y]) } }
        #expect(colours.count <= 16)
        #expect(colours.count > 4)
    }

    @Test func theInputIsNotModified() async throws {
        // libsixel diffuses errors into its input buffer; the encoder gives it a copy.
        let image = TestImages.gradient(width: 48, height: 36)
        let before = image.pixels
        _ = try await SixelEncoder(colors: 8, diffusion: .floydSteinberg).encode(image)
        #expect(image.pixels == before)
    }

    @Test func layoutSizesAreMultiplesOfSix() async throws {
        let layout = try #require(
            ImageLayout.fitting(
                imageSize: PixelSize(width: 300, height: 200), in: Rect(x: 3, y: 2, width: 30, height: 7),
                cellSize: PixelSize(width: 10, height: 20), heightMultiple: 6))
        #expect(layout.pixelSize.height % 6 == 0)
        #expect(layout.pixelSize.height <= 140 && layout.pixelSize.width <= 300)
        let decoded = try await SixelDecoder.decode(try await SixelEncoder().encode(TestImages.gradient(width: 300, height: 200), layout: layout))
        #expect(decoded.width == layout.pixelSize.width && decoded.height == layout.pixelSize.height)
    }

    @Test func manyTasksAtOnceGetTheSameBytesAsOne() async throws {
        let images = (0..<8).map { TestImages.noise(width: 24 + $0, height: 18, seed: UInt64($0)) }
        let encoder = SixelEncoder(colors: 32)
        var serial: [[UInt8]] = []
        for image in images { serial.append(try await encoder.encode(image)) }
        let parallel = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for (index, image) in images.enumerated() {
                group.addTask { (index, try await encoder.encode(image)) }
            }
            var results = [[UInt8]](repeating: [], count: images.count)
            for try await (index, bytes) in group { results[index] = bytes }
            return results
        }
        #expect(parallel == serial)
    }

    @Test func emptyImagesAreRefused() async {
        await #expect(throws: SixelError.emptyImage) { try await SixelEncoder().encode(RGBImage(width: 0, height: 0)) }
    }

    @Test func exactPaletteOnlyForFewColours() {
        #expect(SixelEncoder.exactPalette(of: TestImages.quadrants(), limit: 4)?.count == 12)
        #expect(SixelEncoder.exactPalette(of: TestImages.quadrants(), limit: 3) == nil)
        #expect(SixelEncoder.exactPalette(of: RGBImage(width: 2, height: 2, fill: RGB(9, 9, 9)), limit: 16) == [9, 9, 9, 0, 0, 0])
    }
}

func maximumChannelError(_ a: RGBImage, _ b: RGBImage) -> Int {
    zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
}

func meanChannelError(_ a: RGBImage, _ b: RGBImage) -> Double {
    Double(zip(a.pixels, b.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(max(1, a.pixels.count))
}
