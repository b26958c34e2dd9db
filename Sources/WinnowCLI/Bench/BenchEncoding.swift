import ArgumentParser
import Foundation
import WinnowCore
import WinnowGraphics
import WinnowImaging

/// Encode times and sizes of the terminal image protocols on one photo: what was a test
/// that only printed (`EncodingMeasurements`, run with WINNOW_GRAPHICS_PHOTO). Timings are
/// measurements, not assertions, so they live with the benchmarks.
struct BenchEncoding: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encoding",
        abstract: "Sixel, kitty and iTerm2 encode times and sizes on one photo.",
        discussion: """
            Sixel at 400 and 128 px square with 256 and 64 colours (mean of 5 after a warm-up); \
            kitty (raw RGB and PNG) and iTerm2 at 400 and 128 px (one run each).
            """)

    @Argument(help: ArgumentHelp("A photo (PNG, JPEG or WebP).", valueName: "photo"))
    var photo: String

    func run() throws {
        let photo = try ImageDecoder.decode(contentsOf: photo).image
        let clock = ContinuousClock()
        for (side, colors) in [(400, 256), (400, 64), (128, 256), (128, 64)] {
            // Square, like the notes' measurements (a centre crop would do as well for sizes).
            let image = photo.resized(width: side, height: side)
            let encoder = SixelEncoder(colors: colors)
            _ = try BenchReview.blocking { try await encoder.encode(image) }  // warm up
            var bytes: [UInt8] = []
            let elapsed = try clock.measure { for _ in 0..<5 { bytes = try BenchReview.blocking { try await encoder.encode(image) } } } / 5
            print("sixel \(image.size) \(colors) colours: \(bytes.count) bytes, \(elapsed)")
        }
        for side in [400, 128] {
            let image = photo.resized(width: side, height: side)
            guard let layout = ImageLayout.fitting(imageSize: image.size, in: Rect(x: 0, y: 0, width: 200, height: 200),
                                                   cellSize: PixelSize(width: side / 40, height: side / 20), alignment: .topLeft) else { continue }
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
