import WinnowCore

/// The largest input the decoder accepts: checked on the header, before any pixel memory is
/// allocated, so that a hostile or broken file (a 30-byte PNG claiming 100000×100000) is
/// refused instead of exhausting memory.
///
/// The defaults cover every camera and scanner a labelled dataset plausibly comes from while
/// bounding one decode to a few hundred MiB:
///
/// - `maxSide` 16384: WebP cannot exceed 16383, GPUs and most viewers stop at 16384, and
///   no phone or full-frame camera comes close (a 61-megapixel sensor is 9504 pixels wide).
/// - `maxPixels` 64 Mi (67,108,864 = 8192×8192): a full-resolution frame from any 35 mm
///   camera, and power-of-two textures up to 8192². The decoded RGB is 192 MiB, plus up to
///   256 MiB of RGBA while compositing alpha, so a few workers decoding at once still fit in
///   a laptop's memory. Medium-format 100-megapixel originals must be downscaled first (or
///   the limit raised).
/// - `maxFileBytes` 256 MiB: more than any of the three formats needs for 64 Mi pixels of
///   8-bit RGB(A) (192–256 MiB uncompressed), and checked before the file is read.
public struct DecodeLimits: Sendable, Hashable {
    /// The longest width or height accepted, in pixels.
    public var maxSide: Int
    /// The most pixels (width × height) accepted.
    public var maxPixels: Int
    /// The largest input accepted, in bytes.
    public var maxFileBytes: Int

    public init(maxSide: Int = 16_384, maxPixels: Int = 64 << 20, maxFileBytes: Int = 256 << 20) {
        self.maxSide = maxSide
        self.maxPixels = maxPixels
        self.maxFileBytes = maxFileBytes
    }

    /// The defaults described above.
    public static let standard = DecodeLimits()

    /// Throws when an image of `size` must not be decoded: an empty image, a side over
    /// `maxSide` or an area over `maxPixels`.
    public func check(_ size: PixelSize, format: ImageFormat) throws(ImageDecodeError) {
        if size.width <= 0 || size.height <= 0 { throw .emptyImage(format, size) }
        if size.width > maxSide || size.height > maxSide { throw .sideTooLong(size, limit: maxSide) }
        // Divide rather than multiply, so that no configured limit can overflow.
        if size.width > maxPixels / size.height { throw .tooManyPixels(size, limit: maxPixels) }
    }
}
