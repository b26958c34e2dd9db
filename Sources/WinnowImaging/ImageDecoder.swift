import WinnowCore

/// Decodes PNG, JPEG and WebP into upright RGB pixels, safely enough for untrusted datasets.
///
/// ```swift
/// let decoded = try ImageDecoder.decode(contentsOf: path, fitting: PixelSize(width: 640, height: 480))
/// show(decoded.image)                      // upright, at most 640×480
/// print(decoded.format, decoded.originalSize, decoded.orientation)
/// ```
///
/// ## What it guarantees
///
/// - **Format by content.** The first bytes decide (PNG signature, JPEG SOI, RIFF/WEBP); a
///   file's extension is never consulted.
/// - **Upright pixels.** The EXIF orientation (JPEG APP1, PNG `eXIf`, WebP `EXIF`) is read and
///   applied; `DecodedImage.orientation` says which one was found.
/// - **RGB only.** Greyscale, palette, 16-bit and CMYK become 8-bit RGB; alpha is composited
///   over `alphaBackground`.
/// - **Bounded work.** The header is read first and checked against `DecodeLimits` before
///   any pixel memory is allocated. Every failure (wrong magic, zero size, over the limits,
///   truncated or corrupt data, unsupported features) throws `ImageDecodeError` with a
///   sentence for the user; nothing traps, and no decode can loop forever.
/// - **Damage is caught.** A file whose data is cut short is an error even when the library
///   could show part of it: a PNG whose chunks do not reach IEND, a JPEG that runs out of
///   data, a WebP shorter than its bitstream.
/// - **Concurrency.** Every call owns all of its state (a fresh libpng, TurboJPEG or libwebp
///   context), so calls may run on any number of threads at once.
///
/// ## Fitting
///
/// With `fitting:`, the result is scaled (area-averaged, aspect ratio kept, never enlarged)
/// to fit the box. JPEG then decodes at a reduced scale inside libjpeg (1/2, 1/4, 1/8…, the
/// smallest that still covers the box), which makes thumbnails of large photos several times
/// cheaper. `originalSize` still reports the full size.
public enum ImageDecoder {
    /// The colour transparent pixels are shown on: a neutral mid grey, against which both
    /// dark and light subjects stay visible (black or white would hide one of them). The same
    /// for PNG and WebP, so a picture and its conversion look alike.
    public static let alphaBackground = RGB(128, 128, 128)

    /// Decodes an image held in memory.
    ///
    /// - Parameters:
    ///   - data: the complete file contents.
    ///   - limits: the largest input to accept (see `DecodeLimits.standard`).
    ///   - box: when given, the result is scaled down to fit inside it.
    public static func decode(data: [UInt8], limits: DecodeLimits = .standard, fitting box: PixelSize? = nil) throws(ImageDecodeError) -> DecodedImage
    {
        guard data.count <= limits.maxFileBytes else { throw .fileTooLarge(byteCount: data.count, limit: limits.maxFileBytes) }
        return try withUnsafeBytes(of: data) { (bytes) throws(ImageDecodeError) -> DecodedImage in
            try decode(bytes, limits: limits, fitting: box)
        }
    }

    /// Reads and decodes the file at `path`; a file over `limits.maxFileBytes` is refused
    /// before it is read.
    public static func decode(contentsOf path: String, limits: DecodeLimits = .standard, fitting box: PixelSize? = nil) throws(ImageDecodeError)
        -> DecodedImage
    {
        let data = try ImageFileReading.bytes(atPath: path, limit: limits.maxFileBytes)
        return try decode(data: data, limits: limits, fitting: box)
    }

    /// What the image is (format, size, orientation, alpha), from its header alone.
    ///
    /// Cheap, and does not apply `DecodeLimits` (call `DecodeLimits.check(_:format:)` to judge
    /// the size). It cannot tell whether the rest of the file is intact: only `decode` can.
    public static func info(data: [UInt8]) throws(ImageDecodeError) -> ImageInfo {
        try withUnsafeBytes(of: data) { (bytes) throws(ImageDecodeError) -> ImageInfo in
            try reader(for: bytes).info
        }
    }

    // MARK: - Implementation

    private static func decode(_ bytes: UnsafeRawBufferPointer, limits: DecodeLimits, fitting box: PixelSize?) throws(ImageDecodeError)
        -> DecodedImage
    {
        let reader = try reader(for: bytes)
        let info = reader.info
        try limits.check(info.storedSize, format: info.format)
        // The box applies to the upright image; the decoder works in stored orientation.
        let coveringSize = box.map { box in
            let upright = info.size.fitted(within: box)
            return info.orientation.swapsWidthAndHeight ? upright.transposed : upright
        }
        let decoded: DecodedPixels
        switch reader {
        case .png(let png): decoded = try png.decode(bytes, background: alphaBackground)
        case .jpeg(let jpeg): decoded = try jpeg.decode(bytes, covering: coveringSize)
        case .webp(let webp): decoded = try webp.decode(bytes, background: alphaBackground)
        }
        var image = decoded.image.oriented(info.orientation)
        if let box { image = image.resized(toFit: box) }
        return DecodedImage(image: image, info: info, warning: decoded.warning)
    }

    private static func reader(for bytes: UnsafeRawBufferPointer) throws(ImageDecodeError) -> FormatReader {
        guard bytes.count > 0 else { throw .empty }
        switch ImageFormat(sniffing: bytes) {
        case .png: return .png(try PNGReader(bytes))
        case .jpeg: return .jpeg(try JPEGReader(bytes))
        case .webp: return .webp(try WebPReader(bytes))
        case nil:
            throw .unrecognisedFormat(leadingBytes: Array(bytes.prefix(8)), knownFormat: ImageFormat.unsupportedFormatName(of: bytes))
        }
    }

    /// `Array.withUnsafeBytes` with a typed error.
    private static func withUnsafeBytes<Result>(of data: [UInt8], _ body: (UnsafeRawBufferPointer) throws(ImageDecodeError) -> Result)
        throws(ImageDecodeError) -> Result
    {
        let outcome: Swift.Result<Result, ImageDecodeError> = data.withUnsafeBytes { bytes in
            do throws(ImageDecodeError) { return .success(try body(bytes)) } catch { return .failure(error) }
        }
        return try outcome.get()
    }
}

/// The header of an image of one format, ready to decode.
private enum FormatReader {
    case png(PNGReader)
    case jpeg(JPEGReader)
    case webp(WebPReader)

    var info: ImageInfo {
        switch self {
        case .png(let reader): reader.info
        case .jpeg(let reader): reader.info
        case .webp(let reader): reader.info
        }
    }
}
