import ArgumentParser
import WinnowCore
import WinnowGraphics
import WinnowImaging
import WinnowSession

/// Encode times and sizes of the terminal image protocols on a photo, for the notes and the
/// README (was the opt-in `EncodingMeasurements` test suite: timings are not assertions).
struct BenchGraphicsEncoding: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graphics-encoding",
        abstract: "Sixel, kitty and iTerm2 encode times and sizes on a photo, at 400 and 128 pixels.",
        discussion: """
            The photo is scaled to squares (like the notes' measurements). Sixel at 256 and 64 \
            colours (the mean of 5 encodes after a warm-up); kitty raw RGB, kitty PNG and iTerm2 \
            once each.

            EXAMPLES:
              winnow-bench graphics-encoding SampleProjects/shapes/images/circle/img_0001.png
            """)

    @Argument(help: ArgumentHelp("The photo (PNG, JPEG or WebP).", valueName: "image")) var photo: String

    func run() throws {
        let path = photo
        try BenchReview.blocking { try await Self.measure(path) }
    }

    static func measure(_ path: String) async throws {
        let photo = try ImageDecoder.decode(contentsOf: path).image
        let clock = ContinuousClock()
        for (side, colors) in [(400, 256), (400, 64), (128, 256), (128, 64)] {
            // Square, like the notes' measurements (a centre crop would do as well for sizes).
            let image = photo.resized(width: side, height: side)
            let encoder = SixelEncoder(colors: colors)
            _ = try await encoder.encode(image) // warm up
            var bytes: [UInt8] = []
            let elapsed = try await clock.measure { for _ in 0..<5 { bytes = try await encoder.encode(image) } } / 5
            print("sixel \(image.size) \(colors) colours: \(bytes.count) bytes, \(elapsed)")
        }
        for side in [400, 128] {
            let image = photo.resized(width: side, height: side)
            guard
                let layout = ImageLayout.fitting(
                    imageSize: image.size, in: Rect(x: 0, y: 0, width: 200, height: 200),
                    cellSize: PixelSize(width: side / 40, height: side / 20), alignment: .topLeft)
            else {
                throw CLIFailure(message: "no layout for a \(side)-pixel square in 200×200 cells", exit: .projectError)
            }
            var kitty: [[UInt8]] = []
            let kittyTime = try clock.measure { kitty = try KittyEncoder().encode(image, layout: layout, imageID: 1) }
            var kittyPNG: [[UInt8]] = []
            let kittyPNGTime = try clock.measure {
                kittyPNG = try KittyEncoder(pixelFormat: .png(PNGEncoding.standard)).encode(image, layout: layout, imageID: 1)
            }
            var iterm: [UInt8] = []
            let itermTime = try clock.measure { iterm = try ITermEncoder().encode(image, layout: layout) }
            print(
                "kitty rgb \(image.size): \(kitty.reduce(0) { $0 + $1.count }) bytes, \(kittyTime); kitty png: \(kittyPNG.reduce(0) { $0 + $1.count }) bytes, \(kittyPNGTime); iterm: \(iterm.count) bytes, \(itermTime)"
            )
        }
    }
}
