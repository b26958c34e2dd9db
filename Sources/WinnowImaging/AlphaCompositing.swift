import WinnowCore

/// Flattens RGBA onto a solid background, for the formats that carry alpha (PNG and WebP).
///
/// Reviewers see transparency as the background colour. Doing it here rather than in each
/// library makes a PNG and its WebP conversion look the same (libpng alone would composite in
/// linear light, libwebp not at all), which also keeps their near-duplicate features equal.
enum AlphaCompositing {
    /// `rgba` is non-premultiplied RGBA; the result is RGB of `rgba.count / 4` pixels:
    /// `colour · α + background · (1 − α)`, rounded.
    static func rgb(fromRGBA rgba: [UInt8], over background: RGB) -> [UInt8] {
        let pixelCount = rgba.count / 4
        var rgb = [UInt8](repeating: 0, count: pixelCount * 3)
        let backdrop = (Int(background.red), Int(background.green), Int(background.blue))
        rgba.withUnsafeBufferPointer { source in
            rgb.withUnsafeMutableBufferPointer { destination in
                for pixel in 0..<pixelCount {
                    let alpha = Int(source[pixel * 4 + 3])
                    let inverse = 255 - alpha
                    destination[pixel * 3] = UInt8((Int(source[pixel * 4]) * alpha + backdrop.0 * inverse + 127) / 255)
                    destination[pixel * 3 + 1] = UInt8((Int(source[pixel * 4 + 1]) * alpha + backdrop.1 * inverse + 127) / 255)
                    destination[pixel * 3 + 2] = UInt8((Int(source[pixel * 4 + 2]) * alpha + backdrop.2 * inverse + 127) / 255)
                }
            }
        }
        return rgb
    }
}
