/// The image formats Winnow decodes, recognised by their first bytes (never by file extension:
/// datasets are full of `.jpg` files that are PNGs and vice versa).
public enum ImageFormat: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case png
    case jpeg
    case webp

    /// The format `bytes` start with, or nil.
    public init?(sniffing bytes: UnsafeRawBufferPointer) {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if bytes.starts(with: Array("RIFF".utf8)), bytes.count >= 12,
            bytes[8] == UInt8(ascii: "W"), bytes[9] == UInt8(ascii: "E"), bytes[10] == UInt8(ascii: "B"), bytes[11] == UInt8(ascii: "P")
        {
            self = .webp
        } else {
            return nil
        }
    }

    public init?(sniffing bytes: [UInt8]) {
        guard let format = bytes.withUnsafeBytes({ ImageFormat(sniffing: $0) }) else { return nil }
        self = format
    }

    /// "PNG", "JPEG", "WebP": the name used in messages.
    public var description: String {
        switch self {
        case .png: "PNG"
        case .jpeg: "JPEG"
        case .webp: "WebP"
        }
    }

    /// The name of a well-known image format Winnow does not decode, so that the error can
    /// say "this is a GIF" rather than just "not an image".
    static func unsupportedFormatName(of bytes: UnsafeRawBufferPointer) -> String? {
        func startsWith(_ text: String, at offset: Int = 0) -> Bool {
            let expected = Array(text.utf8)
            guard bytes.count >= offset + expected.count else { return false }
            return (0..<expected.count).allSatisfy { bytes[offset + $0] == expected[$0] }
        }
        if startsWith("GIF87a") || startsWith("GIF89a") { return "GIF" }
        if startsWith("BM"), bytes.count >= 14 { return "BMP" }
        if startsWith("II*\0") || startsWith("MM\0*") { return "TIFF" }
        if startsWith("ftypavif", at: 4) || startsWith("ftypavis", at: 4) { return "AVIF" }
        if startsWith("ftyphei", at: 4) || startsWith("ftypheix", at: 4) || startsWith("ftypmif1", at: 4) { return "HEIF/HEIC" }
        if startsWith("qoif") { return "QOI" }
        if bytes.starts(with: [0xFF, 0x0A]) || startsWith("\0\0\0\u{0C}JXL ") { return "JPEG XL" }
        if startsWith("RIFF") { return "RIFF (not WebP)" }
        if startsWith("<") || startsWith("\u{FEFF}<") { return "text (HTML or SVG?)" }
        return nil
    }
}
