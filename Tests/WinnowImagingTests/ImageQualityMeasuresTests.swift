import Foundation
import Testing
@testable import WinnowCore
import WinnowImaging

/// CleanVision's per-image properties of the fixtures in Fixtures/cleanvision (made by
/// scripts/make-cleanvision-fixtures.py with cleanvision 0.3.7 and Pillow 13), against
/// Winnow's own decode and `ImageQualityMeasures`.
struct CleanVisionImage: Decodable, Sendable, CustomTestStringConvertible {
    let file: String
    let mode: String
    let width: Int
    let height: Int
    let brightness_perc_99: Double
    let brightness_perc_5: Double
    let entropy: Double
    let blurriness: Double
    let blurriness_grayscale_std: Double
    let size: Double
    let aspect_ratio: Double
    let flags: [String]

    var testDescription: String { file }

    static let directory = Bundle.module.resourcePath! + "/Fixtures/cleanvision"

    static let all: [CleanVisionImage] = {
        struct File: Decodable { let images: [CleanVisionImage] }
        let data = try! Data(contentsOf: URL(fileURLWithPath: directory + "/expected.json"))
        return try! JSONDecoder().decode(File.self, from: data).images
    }()

    func measures() throws -> ImageQualityMeasures {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.directory + "/" + file))
        let decoded = try ImageDecoder.decode(data: [UInt8](data))
        return ImageQualityMeasures(of: decoded.image, storedSize: decoded.info.storedSize, storedGreyscale: decoded.info.storedGreyscale)
    }
}

@Suite struct ImageQualityMeasuresTests {
    @Test(arguments: CleanVisionImage.all)
    func matchesCleanVision(_ expected: CleanVisionImage) throws {
        let m = try measures(expected)
        #expect(m.width == expected.width && m.height == expected.height)
        #expect(m.storedGreyscale == (expected.mode == "L"))
        // Brightness percentiles and entropy come from every pixel: exact up to the last bits
        // of the floating-point formula.
        #expect(abs(m.brightness99 - expected.brightness_perc_99) < 1e-12, "p99 \(m.brightness99) vs \(expected.brightness_perc_99)")
        #expect(abs(m.brightness5 - expected.brightness_perc_5) < 1e-12, "p5 \(m.brightness5) vs \(expected.brightness_perc_5)")
        #expect(abs(m.entropy - expected.entropy) < 1e-12, "entropy \(m.entropy) vs \(expected.entropy)")
        // Blur goes through Pillow's fixed-point resize, luma and edge filter: equal to the bit.
        #expect(m.blurriness == expected.blurriness, "blurriness \(m.blurriness) vs \(expected.blurriness)")
        #expect(
            abs(m.greyLevelSpread - expected.blurriness_grayscale_std) < 1e-9,
            "histogram spread \(m.greyLevelSpread) vs \(expected.blurriness_grayscale_std)")
        #expect(m.sizeProperty == expected.size)
        #expect(m.aspectRatio == expected.aspect_ratio)
    }

    private func measures(_ expected: CleanVisionImage) throws -> ImageQualityMeasures { try expected.measures() }

    @Test func greyscalePicturesSavedAsRGBHaveNoColour() throws {
        let grey = try #require(CleanVisionImage.all.first { $0.file == "grey-as-rgb-72x72.png" })
        let m = try grey.measures()
        #expect(!m.storedGreyscale && !m.hasColour)
        let colour = try #require(CleanVisionImage.all.first { $0.file == "noise-rgb-48x40.png" })
        #expect(try colour.measures().hasColour)
    }

    @Test func encodingRoundTrips() throws {
        for fixture in CleanVisionImage.all.prefix(5) {
            let m = try fixture.measures()
            #expect(ImageQualityMeasures(encoded: m.encoded) == m)
        }
        #expect(ImageQualityMeasures(encoded: [1, 2]) == nil)
        #expect(ImageQualityMeasures(encoded: [0, 5, 0, 0, 0, 0, 0, 0]) == nil)
    }

    /// Python's float floor division, as CleanVision sizes the blur image with it.
    @Test func blurSizeFollowsPython() {
        #expect(ImageQualityMeasures.blurSize(width: 64, height: 64) == PixelSize(width: 64, height: 64))
        #expect(ImageQualityMeasures.blurSize(width: 65, height: 64) == PixelSize(width: 64, height: 63))
        #expect(ImageQualityMeasures.blurSize(width: 300, height: 40) == PixelSize(width: 64, height: 8))
        #expect(ImageQualityMeasures.blurSize(width: 10_000, height: 3) == PixelSize(width: 64, height: 1))
        #expect(ImageQualityMeasures.pythonFloorDivide(7, 2) == 3)
        #expect(ImageQualityMeasures.pythonFloorDivide(-7, 2) == -4)
    }

    /// The two-pass order statistics equal a full sort, on images large enough to spread
    /// over many buckets and with heavy ties.
    @Test func percentilesEqualASort() {
        var generator = SystemRandomNumberGenerator()
        for (width, height, levels) in [(37, 23, 256), (100, 3, 4), (1, 1, 256), (64, 64, 2)] {
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            for i in pixels.indices { pixels[i] = UInt8(Int.random(in: 0..<levels, using: &generator) * (255 / max(1, levels - 1))) }
            let image = RGBImage(width: width, height: height, pixels: pixels)
            let statistics = PixelStatistics(image)
            let brightness = (0..<(width * height)).map { i -> Double in
                let r = Double(pixels[i * 3]), g = Double(pixels[i * 3 + 1]), b = Double(pixels[i * 3 + 2])
                return (0.241 * (r * r) + 0.691 * (g * g) + 0.068 * (b * b)).squareRoot() / 255
            }.sorted()
            func numpy(_ q: Double) -> Double {
                let virtual = Double(brightness.count - 1) * q
                let low = Int(virtual.rounded(.down)), high = min(low + 1, brightness.count - 1)
                let t = virtual - Double(low), d = brightness[high] - brightness[low]
                return t >= 0.5 ? brightness[high] - d * (1 - t) : brightness[low] + d * t
            }
            let (p5, p99) = statistics.brightnessPercentiles(greyscale: false)
            #expect(abs(p5 - numpy(0.05)) < 1e-12)
            #expect(abs(p99 - numpy(0.99)) < 1e-12)
        }
    }
}
