import WinnowCore
import WinnowImaging

/// Turns pixels into a PNG file: what the iTerm2 protocol (and kitty's `f=100`) carries.
///
/// A closure rather than a direct call keeps the encoders testable with any PNG writer
/// and lets the caller trade file size for speed.
public typealias PNGEncode = @Sendable (RGBImage) throws -> [UInt8]

public enum PNGEncoding {
    /// libpng at zlib's default level (WinnowImaging's `PNGEncoder`): the smallest files,
    /// which is what matters over SSH.
    public static let standard: PNGEncode = { image in try PNGEncoder.encode(image) }
}
