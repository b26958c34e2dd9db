import Testing
import WinnowCore
@testable import WinnowImaging

@Suite("PNG decoding: every colour type and bit depth to RGB8")
struct PNGDecodingTests {
    @Test(arguments: ["rgb.png", "palette.png", "rgb16.png"])
    func colourFixturesDecodeExactly(name: String) throws {
        let decoded = try Fixture.decode(name)
        #expect(decoded.format == .png && decoded.orientation == .topLeft && !decoded.info.hasAlpha)
        #expect(decoded.image == Fixture.small)
        #expect(decoded.warning == nil)
    }

    @Test(arguments: ["grey.png", "grey16.png"])
    func greyFixturesReplicateGreyIntoRGB(name: String) throws {
        let decoded = try Fixture.decode(name)
        for y in 0..<6 {
            for x in 0..<8 {
                let grey = Fixture.grey(Fixture.small[x, y])
                #expect(decoded.image[x, y] == RGB(grey, grey, grey), "(\(x), \(y))")
            }
        }
    }

    @Test func oneBitGreyIsBlackAndWhite() throws {
        let image = try Fixture.decode("grey-1bit.png").image
        #expect(image[0, 0] == RGB(0, 0, 0)) // red is dark
        #expect(image[1, 1] == RGB(255, 255, 255)) // the white marker
        #expect(image[7, 0] == RGB(255, 255, 255)) // green is light
        #expect(image[7, 5] == RGB(255, 255, 255)) // yellow is light
    }

    /// `colour` at opacity `alpha` over the decoder's grey.
    static func composited(_ colour: RGB, alpha: Int) -> RGB {
        let background = ImageDecoder.alphaBackground
        func mix(_ c: UInt8, _ b: UInt8) -> UInt8 { UInt8((Int(c) * alpha + Int(b) * (255 - alpha) + 127) / 255) }
        return RGB(mix(colour.red, background.red), mix(colour.green, background.green), mix(colour.blue, background.blue))
    }

    @Test func alphaIsCompositedOverNeutralGrey() throws {
        let decoded = try Fixture.decode("rgba.png")
        #expect(decoded.info.hasAlpha)
        #expect(decoded.image[0, 0] == ImageDecoder.alphaBackground) // alpha 0
        #expect(decoded.image[7, 0] == Self.composited(Fixture.green, alpha: 128)) // alpha 128
        #expect(decoded.image[7, 0] == RGB(79, 164, 94))
        #expect(decoded.image[3, 5] == Fixture.blue && decoded.image[1, 1] == Fixture.white) // opaque
    }

    @Test func greyWithAlphaIsComposited() throws {
        let image = try Fixture.decode("grey-alpha.png").image
        let green = Fixture.grey(Fixture.green)
        #expect(image[0, 0] == ImageDecoder.alphaBackground)
        #expect(image[7, 0] == Self.composited(RGB(green, green, green), alpha: 128))
        let blue = Fixture.grey(Fixture.blue)
        #expect(image[0, 5] == RGB(blue, blue, blue))
    }

    @Test func paletteTransparencyIsComposited() throws {
        let decoded = try Fixture.decode("palette-transparent.png")
        #expect(decoded.info.hasAlpha)
        #expect(decoded.image[0, 0] == ImageDecoder.alphaBackground) // red is the transparent index
        #expect(decoded.image[7, 0] == Fixture.green && decoded.image[1, 1] == Fixture.white)
    }

    @Test func fittingScalesDownAndReportsTheOriginalSize() throws {
        let decoded = try Fixture.decode("rgb.png", fitting: PixelSize(width: 4, height: 4))
        #expect(decoded.image.size == PixelSize(width: 4, height: 3))
        #expect(decoded.originalSize == PixelSize(width: 8, height: 6))
    }

    @Test func infoReadsTheHeaderOnly() throws {
        let info = try ImageDecoder.info(data: Fixture.bytes("orientation-6.png"))
        #expect(info == ImageInfo(format: .png, storedSize: PixelSize(width: 8, height: 6), orientation: .rightTop, hasAlpha: false))
        #expect(info.size == PixelSize(width: 6, height: 8))
        // Header only: the size of a file far over the limits is still reported.
        #expect(try ImageDecoder.info(data: Fixture.bytes("huge-ihdr.png")).storedSize == PixelSize(width: 100_000, height: 100_000))
    }
}
