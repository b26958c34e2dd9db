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
        guard !image.isEmpty else { throw SixelError.emptyImage }
        let colors = self.colors
        let diffusion = self.diffusion
        return try await LibSixelWorker.run {
            try Self.encodeOnWorker(image, colors: colors, diffusion: diffusion)
        }
    }

    /// Collects libsixel's output chunks; reached from the C callback through `Unmanaged`.
    private final class OutputSink {
        var bytes: [UInt8] = []
    }

    private static func encodeOnWorker(_ image: RGBImage, colors: Int, diffusion: Diffusion) throws -> [UInt8] {
        let sink = OutputSink()
        var output: OpaquePointer?
        try check(sixel_output_new(&output, { data, size, context in
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
        var dither: OpaquePointer?
        if let palette = exactPalette(of: image, limit: colors) {
            try check(sixel_dither_new(&dither, Int32(palette.count / 3), nil), "sixel_dither_new")
            var palette = palette
            palette.withUnsafeMutableBufferPointer { sixel_dither_set_palette(dither, $0.baseAddress) }
        } else {
            try check(sixel_dither_new(&dither, Int32(colors), nil), "sixel_dither_new")
            try pixels.withUnsafeMutableBufferPointer { buffer in
                try check(sixel_dither_initialize(
                    dither, buffer.baseAddress, Int32(image.width), Int32(image.height),
                    SIXEL_PIXELFORMAT_RGB888, SIXEL_LARGE_AUTO, SIXEL_REP_AUTO, SIXEL_QUALITY_AUTO),
                    "sixel_dither_initialize")
            }
        }
        defer { sixel_dither_unref(dither) }
        sixel_dither_set_diffusion_type(dither, diffusion.libsixelValue)

        try pixels.withUnsafeMutableBufferPointer { buffer in
            try check(sixel_encode(buffer.baseAddress, Int32(image.width), Int32(image.height), 3, dither, output), "sixel_encode")
        }
        withExtendedLifetime(sink) {}
        return sink.bytes
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
