import WinnowCore

/// An image encoded for one protocol, before positioning and multiplexer framing.
///
/// What ``EncodedImageCache`` keeps: positioning is cheap and depends on where the image
/// goes this time; encoding is not.
public struct EncodedImage: Sendable, Equatable {
    /// The protocol's escape sequences, in order: one DCS for sixel, one OSC for iTerm2,
    /// one APC per chunk for kitty.
    public var sequences: [[UInt8]]
    /// The image's size on screen, in pixels.
    public var pixelSize: PixelSize

    public init(sequences: [[UInt8]], pixelSize: PixelSize) {
        self.sequences = sequences
        self.pixelSize = pixelSize
    }

    public var byteCount: Int { sequences.reduce(0) { $0 + $1.count } }
}

/// Identifies one encoding of one image: the same pixels at the same size, colours and
/// protocol give the same bytes.
public struct EncodedImageKey: Sendable, Hashable {
    /// The caller's name for the pixels, e.g. a dataset item id plus a content hash.
    public var identity: String
    public var pixelSize: PixelSize
    public var colors: Int
    public var imageProtocol: ImageProtocol
    /// Anything else that changes the bytes: kitty's pixel format and image id, sixel diffusion.
    public var variant: String

    public init(identity: String, pixelSize: PixelSize, colors: Int, imageProtocol: ImageProtocol, variant: String = "") {
        self.identity = identity
        self.pixelSize = pixelSize
        self.colors = colors
        self.imageProtocol = imageProtocol
        self.variant = variant
    }
}
