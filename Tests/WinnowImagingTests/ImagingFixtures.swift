import Foundation
import Testing
import WinnowCore
@testable import WinnowImaging

/// The files made by scripts/make-imaging-fixtures.py, and what they contain.
enum Fixture {
    static let directory = Bundle.module.resourcePath! + "/Fixtures"

    static func path(_ name: String) -> String { directory + "/" + name }

    static func bytes(_ name: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(name)) else {
            fatalError("missing fixture \(name): run scripts/make-imaging-fixtures.py")
        }
        return [UInt8](data)
    }

    static func decode(_ name: String, limits: DecodeLimits = .standard, fitting box: PixelSize? = nil) throws -> DecodedImage {
        try ImageDecoder.decode(data: bytes(name), limits: limits, fitting: box)
    }

    // The quadrant pattern: top-left red, top-right green, bottom-left blue, bottom-right yellow.
    static let red = RGB(220, 30, 30)
    static let green = RGB(30, 200, 60)
    static let blue = RGB(40, 60, 220)
    static let yellow = RGB(240, 220, 40)
    static let white = RGB(255, 255, 255)

    /// The 8×6 lossless pattern, with its white marker at (1, 1).
    static let small: RGBImage = {
        var image = quadrants(width: 8, height: 6)
        image[1, 1] = white
        return image
    }()

    /// The 64×32 pattern of the lossy fixtures.
    static let large = quadrants(width: 64, height: 32)

    static func quadrants(width: Int, height: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let (top, left) = (y < height / 2, x < width / 2)
                image[x, y] = top ? (left ? red : green) : (left ? blue : yellow)
            }
        }
        return image
    }

    /// Rec. 601 luma as Pillow's `convert("L")` computes it (16-bit fixed point).
    static func grey(_ colour: RGB) -> UInt8 {
        let (r, g, b): (Int, Int, Int) = (Int(colour.red), Int(colour.green), Int(colour.blue))
        let weighted: Int = r * 19595 + g * 38470 + b * 7471
        return UInt8((weighted + 0x8000) >> 16)
    }

    /// Every fixture that is a valid image.
    static let valid = [
        "rgb.png", "palette.png", "palette-transparent.png", "grey.png", "grey-1bit.png", "grey-alpha.png", "rgba.png",
        "rgb16.png", "grey16.png", "orientation-6.png",
        "baseline.jpg", "progressive.jpg", "subsampled.jpg", "grey.jpg", "cmyk.jpg",
        "orientation-1.jpg", "orientation-2.jpg", "orientation-3.jpg", "orientation-4.jpg",
        "orientation-5.jpg", "orientation-6.jpg", "orientation-7.jpg", "orientation-8.jpg",
        "lossy.webp", "lossless.webp", "alpha-lossless.webp", "alpha-lossy.webp", "orientation-8.webp",
        "scene-a.png", "scene-a.webp", "scene-a-q30.jpg"
    ]
}

/// Whether two colours differ by at most `tolerance` in every channel.
func isClose(_ a: RGB, _ b: RGB, tolerance: Int) -> Bool {
    abs(Int(a.red) - Int(b.red)) <= tolerance && abs(Int(a.green) - Int(b.green)) <= tolerance
        && abs(Int(a.blue) - Int(b.blue)) <= tolerance
}

/// Expects the four quadrant colours at the centres of the quadrants of `image`
/// (within `tolerance`, for lossy formats).
func expectQuadrants(_ image: RGBImage, tolerance: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    let (w, h) = (image.width, image.height)
    let centres = [
        (w / 4, h / 4, Fixture.red), (3 * w / 4, h / 4, Fixture.green),
        (w / 4, 3 * h / 4, Fixture.blue), (3 * w / 4, 3 * h / 4, Fixture.yellow)
    ]
    for (x, y, expected) in centres {
        #expect(
            isClose(image[x, y], expected, tolerance: tolerance), "pixel (\(x), \(y)) is \(image[x, y]), expected \(expected)",
            sourceLocation: sourceLocation)
    }
}

/// A deterministic image with structure at several scales: gradients, blocks and noise.
func syntheticPhoto(width: Int, height: Int, seed: UInt64) -> RGBImage {
    var random = SplitMix64(seed: seed)
    var image = RGBImage(width: width, height: height)
    let tint = (Int(random.next() % 200), Int(random.next() % 200), Int(random.next() % 200))
    var blobs: [(x: Int, y: Int, r: Int, colour: RGB)] = []
    for _ in 0..<6 {
        blobs.append(
            (
                Int(random.next() % UInt64(width)), Int(random.next() % UInt64(height)),
                width / 8 + Int(random.next() % UInt64(max(1, width / 4))),
                RGB(UInt8(random.next() % 256), UInt8(random.next() % 256), UInt8(random.next() % 256))
            ))
    }
    for y in 0..<height {
        for x in 0..<width {
            var colour = RGB(UInt8((tint.0 + 55 * x / max(1, width - 1)) % 256), UInt8((tint.1 + 55 * y / max(1, height - 1)) % 256), UInt8(tint.2))
            for blob in blobs where (x - blob.x) * (x - blob.x) + (y - blob.y) * (y - blob.y) < blob.r * blob.r { colour = blob.colour }
            let noise = Int(random.next() % 9) - 4
            image[x, y] = RGB(
                UInt8(clamping: Int(colour.red) + noise), UInt8(clamping: Int(colour.green) + noise),
                UInt8(clamping: Int(colour.blue) + noise))
        }
    }
    return image
}
