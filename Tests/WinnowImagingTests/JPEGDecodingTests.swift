import Testing
import WinnowCore
@testable import WinnowImaging

@Suite("JPEG decoding: baseline, progressive, greyscale, CMYK, scaled")
struct JPEGDecodingTests {
    @Test(arguments: ["baseline.jpg", "progressive.jpg", "subsampled.jpg", "cmyk.jpg"])
    func colourFixturesShowTheQuadrants(name: String) throws {
        let decoded = try Fixture.decode(name)
        #expect(decoded.format == .jpeg && decoded.image.size == PixelSize(width: 64, height: 32))
        #expect(decoded.warning == nil)
        expectQuadrants(decoded.image, tolerance: 6)
    }

    @Test func greyscaleBecomesEqualChannels() throws {
        let image = try Fixture.decode("grey.jpg").image
        for (x, y, colour) in [(16, 8, Fixture.red), (48, 8, Fixture.green), (16, 24, Fixture.blue), (48, 24, Fixture.yellow)] {
            let pixel = image[x, y]
            #expect(pixel.red == pixel.green && pixel.green == pixel.blue)
            #expect(abs(Int(pixel.red) - Int(Fixture.grey(colour))) <= 3)
        }
    }

    @Test func cmykWithoutTheAdobeMarkerIsReadAsPlainInk() {
        // C=0 M=255 Y=255 K=0 is red; inverted (Adobe) storage of the same ink is 255 0 0 255.
        #expect(JPEGReader.rgb(fromCMYK: [0, 255, 255, 0], inverted: false) == [255, 0, 0])
        #expect(JPEGReader.rgb(fromCMYK: [255, 0, 0, 255], inverted: true) == [255, 0, 0])
        #expect(JPEGReader.rgb(fromCMYK: [0, 0, 0, 128], inverted: false) == [127, 127, 127])
    }

    @Test func theScaleFactorIsTheSmallestThatCoversTheBox() {
        let photo = PixelSize(width: 4000, height: 3000)
        #expect(JPEGReader.scaledSize(of: photo, covering: PixelSize(width: 800, height: 600)) == PixelSize(width: 1000, height: 750))
        #expect(JPEGReader.scaledSize(of: photo, covering: PixelSize(width: 500, height: 375)) == PixelSize(width: 500, height: 375))
        #expect(JPEGReader.scaledSize(of: photo, covering: PixelSize(width: 501, height: 10)) == PixelSize(width: 1000, height: 750))
        #expect(JPEGReader.scaledSize(of: photo, covering: PixelSize(width: 3999, height: 3000)) == photo)
        #expect(JPEGReader.scaledSize(of: photo, covering: PixelSize(width: 1, height: 1)) == PixelSize(width: 500, height: 375))
    }

    @Test func fittingDecodesAtReducedScaleThenFits() throws {
        let decoded = try Fixture.decode("baseline.jpg", fitting: PixelSize(width: 10, height: 10))
        #expect(decoded.image.size == PixelSize(width: 10, height: 5))
        #expect(decoded.originalSize == PixelSize(width: 64, height: 32))
        expectQuadrants(decoded.image, tolerance: 12)
    }

    @Test func harmlessDamageIsPassedOnAsAWarning() throws {
        // Two stray bytes before the EOI marker: libjpeg skips them and says so.
        var bytes = Fixture.bytes("baseline.jpg")
        bytes.insert(contentsOf: [0x12, 0x34], at: bytes.count - 2)
        let decoded = try ImageDecoder.decode(data: bytes)
        expectQuadrants(decoded.image, tolerance: 6)
        #expect(decoded.warning?.contains("extraneous bytes") == true)
    }

    @Test func aCutOffFileIsAnErrorNotAGreyPicture() {
        #expect {
            try Fixture.decode("truncated.jpg")
        } throws: { error in
            guard case .damaged(.jpeg, let detail) = error as? ImageDecodeError else { return false }
            return detail.lowercased().contains("premature end")
        }
    }
}
