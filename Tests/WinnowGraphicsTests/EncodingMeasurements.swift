import Foundation
import Testing
import WinnowCore
import WinnowImaging
@testable import WinnowGraphics

/// Encode times and sizes for the report, on a photo named by `WINNOW_GRAPHICS_PHOTO`.
/// Off unless that variable is set: timings are not assertions.
@Suite("Encoding measurements", .enabled(if: ProcessInfo.processInfo.environment["WINNOW_GRAPHICS_PHOTO"] != nil))
struct EncodingMeasurements {
    @Test func sizesAndTimes() async throws {
        let path = ProcessInfo.processInfo.environment["WINNOW_GRAPHICS_PHOTO"]!
        let photo = try ImageDecoder.decode(contentsOf: path).image
        let clock = ContinuousClock()
        for (side, colors) in [(400, 256), (400, 64), (128, 256), (128, 64)] {
            // Square, like the notes' measurements (a centre crop would do as well for sizes).
            let image = photo.resized(width: side, height: side)
            let encoder = SixelEncoder(colors: colors)
            _ = try await encoder.encode(image)  // warm up
            var bytes: [UInt8] = []
            let elapsed = try await clock.measure { for _ in 0..<5 { bytes = try await encoder.encode(image) } } / 5
            print("sixel \(image.size) \(colors) colours: \(bytes.count) bytes, \(elapsed)")
        }
        for side in [400, 128] {
            let image = photo.resized(width: side, height: side)
            let layout = ImageLayout.fitting(imageSize: image.size, in: Rect(x: 0, y: 0, width: 200, height: 200), cellSize: PixelSize(width: side / 40, height: side / 20), alignment: .topLeft)!
            var kitty: [[UInt8]] = []
            let kittyTime = try clock.measure { kitty = try KittyEncoder().encode(image, layout: layout, imageID: 1) }
            var kittyPNG: [[UInt8]] = []
            let kittyPNGTime = try clock.measure { kittyPNG = try KittyEncoder(pixelFormat: .png(PNGEncoding.standard)).encode(image, layout: layout, imageID: 1) }
            var iterm: [UInt8] = []
            let itermTime = try clock.measure { iterm = try ITermEncoder().encode(image, layout: layout) }
            print("kitty rgb \(image.size): \(kitty.reduce(0) { $0 + $1.count }) bytes, \(kittyTime); kitty png: \(kittyPNG.reduce(0) { $0 + $1.count }) bytes, \(kittyPNGTime); iterm: \(iterm.count) bytes, \(itermTime)")
        }
    }
}
