import CSixel
import WinnowCore

/// Encodes images as DEC sixel graphics with libsixel, in memory.
///
/// Every libsixel call runs on one shared serial worker (``LibSixelWorker``), so any
/// number of encoders can be used from any task. Output is deterministic for the same
/// pixels and settings, which makes it cacheable.
///
/// Palette: an image with no more distinct colours than ``colors`` (flat graphics, masks,
/// thumbnails of synthetic data) is sent with exactly its colours. Otherwise libsixel builds
/// the palette by median cut. Note that for small images libsixel samples only every sixth
/// pixel to build it, so a detail in a colour of its own can come out in the nearest other
/// colour. Error diffusion is off by default: on photos it is larger and no sharper.
public final class SixelEncoder: Sendable {
    /// Colours in the palette, 2…256 (the `--colors` setting, capped by the terminal's registers).
    public let colors: Int
    public let diffusion: Diffusion

    /// libsixel's error diffusion methods.
    public enum Diffusion: Sendable, Hashable {
        case none, atkinson, floydSteinberg

        var libsixelValue: Int32 {
            switch self {
            case .none: return SIXEL_DIFFUSE_NONE
            case .atkinson: return SIXEL_DIFFUSE_ATKINSON
            case .floydSteinberg: return SIXEL_DIFFUSE_FS
            }
        }
    }

    public init(colors: Int = 256, diffusion: Diffusion = .none) {
        self.colors = min(max(colors, 2), GraphicsCapabilities.maximumSixelColors)
        self.diffusion = diffusion
    }

    /// The sixel DCS (`ESC P q … ESC \`) for `image`, resized to `layout.pixelSize`.
    ///
    /// Lay out with `heightMultiple: 6` (see ``ImageLayout/fitting(imageSize:in:cellSize:heightMultiple:maximum:alignment:)``):
    /// the last band of six pixel rows is always drawn whole.
    public func encode(_ image: RGBImage, layout: ImageLayout) async throws -> [UInt8] {
        try await encode(image.resized(width: layout.pixelSize.width, height: layout.pixelSize.height))
    }

    /// The sixel DCS for `image` at its own size.
    public func encode(_ image: RGBImage) async throws -> [UInt8] {
        try await encode([image])[0]
    }

    /// One sixel DCS per image, all with the same palette, built from all their pixels.
    ///
    /// For pictures that are drawn together but must be sent apart, such as the rows of a
    /// thumbnail grid (the text rows between them stay text): near-duplicates in different
    /// rows then get exactly the same colours, as they would on one canvas.
    public func encode(_ images: [RGBImage]) async throws -> [[UInt8]] {
        guard !images.isEmpty, images.allSatisfy({ !$0.isEmpty }) else { throw SixelError.emptyImage }
        let colors = self.colors
        let diffusion = self.diffusion
        return try await LibSixelWorker.run {
            try Self.encodeOnWorker(images, colors: colors, diffusion: diffusion)
        }
    }

    /// Collects libsixel's output chunks; reached from the C callback through `Unmanaged`.
    private final class OutputSink {
        var bytes: [UInt8] = []
    }

    private static func encodeOnWorker(_ images: [RGBImage], colors: Int, diffusion: Diffusion) throws -> [[UInt8]] {
        // One dither object (palette) for every image: built once, applied to each.
        var dither: OpaquePointer?
        if let palette = exactPalette(of: images, limit: colors) {
            try check(sixel_dither_new(&dither, Int32(palette.count / 3), nil), "sixel_dither_new")
            var palette = palette
            palette.withUnsafeMutableBufferPointer { sixel_dither_set_palette(dither, $0.baseAddress) }
        } else {
            try check(sixel_dither_new(&dither, Int32(colors), nil), "sixel_dither_new")
            // The palette is built from all the images' pixels: laid end to end in one buffer
            // (the histogram does not care where rows break), padded to whole rows.
            let sample = images.count == 1 ? images[0] : concatenated(images)
            var pixels = sample.pixels
            try pixels.withUnsafeMutableBufferPointer { buffer in
                try check(
                    sixel_dither_initialize(
                        dither, buffer.baseAddress, Int32(sample.width), Int32(sample.height),
                        SIXEL_PIXELFORMAT_RGB888, SIXEL_LARGE_AUTO, SIXEL_REP_AUTO, SIXEL_QUALITY_AUTO),
                    "sixel_dither_initialize")
            }
        }
        defer { sixel_dither_unref(dither) }
        sixel_dither_set_diffusion_type(dither, diffusion.libsixelValue)
        // Keep the palette as built for every image (an optimised one is cut down to the
        // colours each encode uses).
        if images.count > 1 { sixel_dither_set_optimize_palette(dither, 0) }
        return try images.map { try encodeOnWorker($0, dither: dither) }
    }

    /// One DCS for `image` with `dither`'s palette.
    private static func encodeOnWorker(_ image: RGBImage, dither: OpaquePointer?) throws -> [UInt8] {
        let sink = OutputSink()
        var output: OpaquePointer?
        try check(
            sixel_output_new(
                &output,
                { data, size, context in
                    guard let data, let context, size > 0 else { return 0 }
                    let sink = Unmanaged<OutputSink>.fromOpaque(context).takeUnretainedValue()
                    data.withMemoryRebound(to: UInt8.self, capacity: Int(size)) {
                        sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(size)))
                    }
                    return 0
                }, Unmanaged.passUnretained(sink).toOpaque(), nil), "sixel_output_new")
        defer { sixel_output_unref(output) }

        // libsixel writes into the pixels while it encodes: give it a copy.
        var pixels = image.pixels
        try pixels.withUnsafeMutableBufferPointer { buffer in
            try check(sixel_encode(buffer.baseAddress, Int32(image.width), Int32(image.height), 3, dither, output), "sixel_encode")
        }
        withExtendedLifetime(sink) {}
        return sink.bytes
    }

    /// The pixels of `images` end to end, as rows of the widest one (the last row padded
    /// with copies of the last pixel).
    static func concatenated(_ images: [RGBImage]) -> RGBImage {
        let width = images.map(\.width).max() ?? 1
        var pixels: [UInt8] = []
        pixels.reserveCapacity(images.reduce(0) { $0 + $1.pixels.count } + width * 3)
        for image in images { pixels += image.pixels }
        let last = Array(pixels.suffix(3))
        while pixels.count % (width * 3) != 0 { pixels += last }
        return RGBImage(width: width, height: pixels.count / (width * 3), pixels: pixels)
    }

    /// The distinct colours of all `images` as one RGB palette, or nil when there are more than `limit`.
    static func exactPalette(of images: [RGBImage], limit: Int) -> [UInt8]? {
        if images.count == 1 { return exactPalette(of: images[0], limit: limit) }
        return exactPalette(of: concatenated(images), limit: limit)
    }

    /// The image's distinct colours as an RGB palette, or nil when there are more than `limit`.
    ///
    /// Photos pass 256 colours within their first few hundred pixels, so this costs little.
    static func exactPalette(of image: RGBImage, limit: Int) -> [UInt8]? {
        var seen = Set<UInt32>()
        var palette: [UInt8] = []
        let found = image.pixels.withUnsafeBufferPointer { pixels -> Bool in
            var index = 0
            while index < pixels.count {
                let key = UInt32(pixels[index]) << 16 | UInt32(pixels[index + 1]) << 8 | UInt32(pixels[index + 2])
                if seen.insert(key).inserted {
                    if seen.count > limit { return false }
                    palette += [pixels[index], pixels[index + 1], pixels[index + 2]]
                }
                index += 3
            }
            return true
        }
        guard found else { return nil }
        // libsixel wants a palette of at least two colours.
        if palette.count == 3 { palette += palette[0] == 0 ? [255, 255, 255] : [0, 0, 0] }
        return palette
    }

    static func check(_ status: SIXELSTATUS, _ call: String) throws {
        if winnow_sixel_failed(status) != 0 {
            throw SixelError.libsixel(call: call, status: Int(status), message: String(cString: sixel_helper_format_error(status)))
        }
    }
}

/// A sixel encode or decode that failed.
public enum SixelError: Error, Equatable, CustomStringConvertible {
    case emptyImage
    case libsixel(call: String, status: Int, message: String)
    /// The bytes are not a sixel image libsixel can read.
    case notSixel

    public var description: String {
        switch self {
        case .emptyImage: return "cannot encode an empty image as sixel"
        case .libsixel(let call, let status, let message): return "\(call) failed (\(status)): \(message)"
        case .notSixel: return "not a sixel image"
        }
    }
}
