import Foundation
import WinnowCore
@testable import WinnowGraphics

/// `\e` stands for ESC in test strings, to keep real terminal replies readable.
func bytes(_ text: String) -> [UInt8] {
    Array(text.replacingOccurrences(of: "\\e", with: "\u{1B}").utf8)
}

/// Bytes as text with ESC shown as `\e` and BEL as `\a`, for readable failures.
func visible(_ data: [UInt8]) -> String {
    String(decoding: data, as: UTF8.self)
        .replacingOccurrences(of: "\u{1B}", with: "\\e")
        .replacingOccurrences(of: "\u{07}", with: "\\a")
}

func base64Decode(_ data: some Collection<UInt8>) -> [UInt8]? {
    Data(base64Encoded: Data(data)).map { Array($0) }
}

enum TestImages {
    /// Four flat quadrants in well-separated colours: an exact sixel palette.
    static func quadrants(width: Int = 24, height: Int = 12) -> RGBImage {
        let colours = [RGB(255, 0, 0), RGB(0, 153, 0), RGB(0, 0, 255), RGB(255, 255, 255)]
        var image = RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                image[x, y] = colours[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)]
            }
        }
        return image
    }

    /// A smooth two-axis gradient: many colours, like a photo.
    static func gradient(width: Int, height: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                image[x, y] = RGB(
                    UInt8(x * 255 / max(1, width - 1)), UInt8(y * 255 / max(1, height - 1)), UInt8((x + y) * 127 / max(1, width + height - 2)))
            }
        }
        return image
    }

    /// Deterministic noise: the worst case for every encoder.
    static func noise(width: Int, height: Int, seed: UInt64 = 42) -> RGBImage {
        var state = seed
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for index in pixels.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            pixels[index] = UInt8(truncatingIfNeeded: state >> 56)
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}

extension Array where Element == UInt8 {
    /// True when `pattern` occurs somewhere in the array.
    func contains(subsequence pattern: [UInt8]) -> Bool {
        guard !pattern.isEmpty, pattern.count <= count else { return pattern.isEmpty }
        return (0...(count - pattern.count)).contains { self[$0..<($0 + pattern.count)].elementsEqual(pattern) }
    }
}
