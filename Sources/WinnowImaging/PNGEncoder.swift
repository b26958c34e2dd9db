import CPNG
import WinnowCore

/// Encodes an `RGBImage` as an 8-bit RGB PNG, in memory (for terminal protocols that carry
/// PNG, such as iTerm2's inline images and kitty's).
public enum PNGEncoder {
    /// How hard libpng compresses.
    public enum Compression: Sendable {
        /// `PNG_IMAGE_FLAG_FAST`: for output that goes straight to a terminal. Measured on
        /// 1200×900 photos: 4–6× faster than `.smallest` (60–80 ms instead of 280–360 ms,
        /// release build), output 0–60% larger, which costs less time to send than it saves.
        case fast
        /// libpng's full filter search and zlib's default level: the smallest file, for
        /// images that are kept or sent over slow links.
        case smallest
    }

    /// Why encoding failed.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// The PNG file bytes of `image`.
    ///
    /// Throws for an empty image (PNG cannot store a zero side) or if libpng fails.
    public static func encode(_ image: RGBImage, compression: Compression = .fast) throws(Failure) -> [UInt8] {
        guard !image.isEmpty else { throw Failure(description: "cannot encode an empty \(image.width)×\(image.height) image as PNG") }
        guard image.width <= 0x3FFF_FFFF / 3 else { throw Failure(description: "image is \(image.width) pixels wide, too wide for one PNG row") }
        var header = png_image()
        header.version = UInt32(PNG_IMAGE_VERSION)
        header.width = UInt32(image.width)
        header.height = UInt32(image.height)
        header.format = UInt32(PNG_FORMAT_FLAG_COLOR)
        header.flags = compression == .fast ? UInt32(PNG_IMAGE_FLAG_FAST) : 0
        defer { png_image_free(&header) }
        // Compressed data never exceeds the filtered rows plus zlib's worst-case overhead plus
        // the chunk framing, so one allocation of this bound always suffices.
        let filtered = (image.width * 3 + 1) * image.height
        let zlibBound = filtered + (filtered + 7) / 8 + (filtered + 63) / 64 + 11
        var capacity = zlibBound + 12 * (zlibBound / 8192 + 1) + 1024
        var output = [UInt8](repeating: 0, count: capacity)
        for _ in 0..<2 {
            var written = png_alloc_size_t(capacity)
            let succeeded = output.withUnsafeMutableBytes { buffer in
                image.pixels.withUnsafeBytes { pixels in
                    png_image_write_to_memory(&header, buffer.baseAddress, &written, 0, pixels.baseAddress, 0, nil)
                }
            }
            if succeeded != 0 {
                output.removeSubrange(Int(written)...)
                return output
            }
            // libpng reports a larger required size when only the buffer was too small.
            guard Int(written) > capacity else { break }
            capacity = Int(written)
            output = [UInt8](repeating: 0, count: capacity)
        }
        let message = withUnsafeBytes(of: header.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        throw Failure(description: "libpng could not encode the image: \(message.isEmpty ? "no message" : message)")
    }
}
