import WinnowCore

/// What an image file is, read from its header without decoding pixels.
public struct ImageInfo: Sendable, Hashable {
    public var format: ImageFormat
    /// The size as stored in the file, before orientation.
    public var storedSize: PixelSize
    /// The EXIF orientation found in the file (`.topLeft` when there is none).
    public var orientation: ExifOrientation
    /// Whether the image has an alpha channel (or PNG transparency), which decoding
    /// composites over `ImageDecoder.alphaBackground`.
    public var hasAlpha: Bool
    /// Whether the file stores grey samples (a PNG of colour type 0 or 4, a one-component
    /// JPEG): decoding still gives RGB, with equal channels. Image-quality measures follow
    /// Pillow, which reads such files in its "L" mode.
    public var storedGreyscale: Bool

    public init(
        format: ImageFormat, storedSize: PixelSize, orientation: ExifOrientation = .topLeft, hasAlpha: Bool,
        storedGreyscale: Bool = false
    ) {
        self.format = format
        self.storedSize = storedSize
        self.orientation = orientation
        self.hasAlpha = hasAlpha
        self.storedGreyscale = storedGreyscale
    }

    /// The full-resolution size as displayed: `storedSize` with orientation applied.
    public var size: PixelSize { orientation.displayedSize(ofStored: storedSize) }
}

/// A decoded image: upright RGB pixels and what the file said about them.
public struct DecodedImage: Sendable, Equatable {
    /// The pixels, orientation applied, alpha composited; scaled down when decoding was asked
    /// to fit a box.
    public var image: RGBImage
    public var info: ImageInfo
    /// Damage the decoding library recovered from (for instance "Corrupt JPEG data: 3
    /// extraneous bytes before marker 0xd9"): the image is usable but the file is not clean.
    public var warning: String?

    public init(image: RGBImage, info: ImageInfo, warning: String? = nil) {
        self.image = image
        self.info = info
        self.warning = warning
    }

    public var format: ImageFormat { info.format }
    /// The full-resolution upright size (before any `fitting:` reduction).
    public var originalSize: PixelSize { info.size }
    public var orientation: ExifOrientation { info.orientation }
}
