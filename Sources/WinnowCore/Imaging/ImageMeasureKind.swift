/// A per-image measure the analysis keeps in the project store (table `image_measures`),
/// computed in one read of each image file and cached with the file's size and time.
///
/// Each measure has its own version: bumping it (because its computation changed) makes
/// only that measure stale, and the next analysis reads the images again for it. New
/// measures (a content hash, pixel features) are new kinds: one read of an image computes
/// them all.
public struct ImageMeasureKind: Sendable, Hashable, CustomStringConvertible {
    /// The name stored in the `measure` column.
    public var name: String
    public var version: Int

    public init(name: String, version: Int) {
        self.name = name
        self.version = version
    }

    public var description: String { "\(name) v\(version)" }

    /// Whether the image decodes in full: the stored value is the decoder's reason (UTF-8)
    /// when it does not, nothing when it does. A failure is a problem of the item.
    public static let decode = ImageMeasureKind(name: "decode", version: 1)
    /// `ImageQualityMeasures.encoded` as little-endian doubles; nothing when the image does
    /// not decode.
    public static let quality = ImageMeasureKind(name: "quality", version: 1)
}
