import CPNG
import WinnowCore

/// Decodes PNG with libpng's simplified API, which reports errors through a message in the
/// `png_image` instead of `longjmp` (which Swift cannot survive).
///
/// Every colour type and bit depth is read as 8-bit sRGB RGB, or RGBA when the file has an
/// alpha channel or transparency (`tRNS`); alpha is then composited by `AlphaCompositing`,
/// the same way as WebP's. 16-bit samples are taken as sRGB when the file has no gAMA/sRGB
/// chunk (`PNG_IMAGE_FLAG_16BIT_sRGB`): libpng would otherwise assume linear light and
/// brighten them, while 16-bit PNGs from cameras, scanners and Python are sRGB-encoded.
struct PNGReader {
    let info: ImageInfo
    private let structure: PNGStructure

    /// Reads the header with Winnow's own chunk walk: libpng does not see the file until its
    /// size has passed the limits.
    init(_ bytes: UnsafeRawBufferPointer) throws(ImageDecodeError) {
        structure = try PNGStructure(bytes)
        info = ImageInfo(
            format: .png, storedSize: structure.size, orientation: structure.orientation ?? .topLeft,
            hasAlpha: structure.hasAlpha, storedGreyscale: structure.storedGreyscale)
    }

    /// Decodes the pixels (the caller has checked `info.storedSize` against its limits).
    func decode(_ bytes: UnsafeRawBufferPointer, background: RGB) throws(ImageDecodeError) -> DecodedPixels {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_memory(&image, bytes.baseAddress, bytes.count) != 0 else {
            throw .damaged(.png, detail: Self.message(of: image))
        }
        guard Int(image.width) == info.storedSize.width, Int(image.height) == info.storedSize.height else {
            throw .damaged(.png, detail: "libpng read a size of \(image.width)×\(image.height), the IHDR says \(info.storedSize)")
        }
        // libpng's own view of alpha decides the layout (it agrees with the chunk walk on valid files).
        let hasAlpha = image.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
        let channels = hasAlpha ? 4 : 3
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR) | (hasAlpha ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0)
        image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
        let (width, height) = (info.storedSize.width, info.storedSize.height)
        var samples = [UInt8](repeating: 0, count: width * height * channels)
        let finished = samples.withUnsafeMutableBytes { buffer in
            png_image_finish_read(&image, nil, buffer.baseAddress, Int32(width * channels), nil)
        }
        guard finished != 0 else { throw .damaged(.png, detail: Self.message(of: image)) }
        if let damage = structure.structuralDamage { throw .damaged(.png, detail: damage) }
        let warning = image.warning_or_error & 3 == UInt32(PNG_IMAGE_WARNING) ? Self.message(of: image) : nil
        let pixels = hasAlpha ? AlphaCompositing.rgb(fromRGBA: samples, over: background) : samples
        return DecodedPixels(image: RGBImage(width: width, height: height, pixels: pixels), warning: warning)
    }

    /// libpng's message: a NUL-terminated string in a fixed 64-byte field.
    private static func message(of image: png_image) -> String {
        let text = withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "libpng reported an error without a message" : text
    }
}

/// Pixels as stored in the file (before orientation), and any damage the library recovered from.
struct DecodedPixels {
    var image: RGBImage
    var warning: String?
}
