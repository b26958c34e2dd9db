import Testing
import WinnowCore
import WinnowImaging

@Suite("PNG encoding")
struct PNGEncoderTests {
    @Test(arguments: [PNGEncoder.Compression.fast, .smallest])
    func encodedImagesDecodeToTheSamePixels(compression: PNGEncoder.Compression) throws {
        for image in [syntheticPhoto(width: 57, height: 31, seed: 9), RGBImage(width: 1, height: 1, fill: RGB(1, 2, 3)), Fixture.small] {
            let png = try PNGEncoder.encode(image, compression: compression)
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            let decoded = try ImageDecoder.decode(data: png)
            #expect(decoded.image == image && decoded.format == .png)
        }
    }

    @Test func incompressibleNoiseStillFitsTheBuffer() throws {
        var random = SplitMix64(seed: 4)
        let noise = RGBImage(width: 300, height: 200, pixels: (0..<300 * 200 * 3).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        let png = try PNGEncoder.encode(noise, compression: .smallest)
        #expect(png.count > 180_000)
        #expect(try ImageDecoder.decode(data: png).image == noise)
    }

    @Test func anEmptyImageCannotBeEncoded() {
        #expect(throws: PNGEncoder.Failure.self) { try PNGEncoder.encode(RGBImage(width: 0, height: 5)) }
    }
}
