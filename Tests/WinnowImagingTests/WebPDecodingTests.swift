import Testing
import WinnowCore
@testable import WinnowImaging

@Suite("WebP decoding: lossy, lossless, alpha; animation refused")
struct WebPDecodingTests {
    @Test func lossyShowsTheQuadrants() throws {
        let decoded = try Fixture.decode("lossy.webp")
        #expect(decoded.format == .webp && !decoded.info.hasAlpha)
        #expect(decoded.image.size == PixelSize(width: 64, height: 32))
        expectQuadrants(decoded.image, tolerance: 12)
    }

    @Test func losslessIsExact() throws {
        #expect(try Fixture.decode("lossless.webp").image == Fixture.small)
    }

    @Test func losslessAlphaIsCompositedLikePNG() throws {
        let webp = try Fixture.decode("alpha-lossless.webp")
        #expect(webp.info.hasAlpha)
        #expect(webp.image == (try Fixture.decode("rgba.png")).image)
    }

    @Test func lossyAlphaIsComposited() throws {
        let image = try Fixture.decode("alpha-lossy.webp").image
        #expect(isClose(image[16, 8], ImageDecoder.alphaBackground, tolerance: 2)) // the transparent quadrant
        #expect(isClose(image[48, 8], Fixture.green, tolerance: 12))
        #expect(isClose(image[48, 24], Fixture.yellow, tolerance: 12))
    }

    @Test func animationIsRefusedClearly() {
        #expect(
            throws: ImageDecodeError.unsupported(
                .webp, detail: "it is animated; only still WebP images are decoded (save the first frame as a still image)")
        ) {
            try Fixture.decode("animated.webp")
        }
    }

    @Test func aCutOffFileIsAnError() {
        #expect(throws: ImageDecodeError.damaged(.webp, detail: "the data ends before the image does")) {
            try Fixture.decode("truncated.webp")
        }
    }
}
