import WinnowCore

/// Why an image could not be decoded. `description` is a sentence for the user that says
/// what is wrong with the file (the importer and the review screen show it as is).
public enum ImageDecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The data has no bytes.
    case empty
    /// The data is not PNG, JPEG or WebP. `leadingBytes` are its first bytes (up to 8), for
    /// the message; `knownFormat` names a recognised but unsupported format ("GIF").
    case unrecognisedFormat(leadingBytes: [UInt8], knownFormat: String?)
    /// The file or data is larger than `DecodeLimits.maxFileBytes`.
    case fileTooLarge(byteCount: Int, limit: Int)
    /// The file could not be read (missing, a directory, no permission…).
    case unreadableFile(path: String, reason: String)
    /// The header declares a width or height of zero.
    case emptyImage(ImageFormat, PixelSize)
    /// A side is longer than `DecodeLimits.maxSide`.
    case sideTooLong(PixelSize, limit: Int)
    /// The area is larger than `DecodeLimits.maxPixels`.
    case tooManyPixels(PixelSize, limit: Int)
    /// The data is cut short or corrupt; `detail` is what the decoding library (or Winnow's
    /// own structure check) reported.
    case damaged(ImageFormat, detail: String)
    /// A valid file using a feature Winnow does not decode (animated WebP).
    case unsupported(ImageFormat, detail: String)

    public var description: String {
        switch self {
        case .empty:
            return "the image data is empty (0 bytes)"
        case .unrecognisedFormat(let leadingBytes, let knownFormat):
            if let knownFormat { return "not a PNG, JPEG or WebP image: it looks like \(knownFormat), which Winnow does not decode" }
            let hex = leadingBytes.map { byte in
                let digits = String(byte, radix: 16, uppercase: true)
                return digits.count == 1 ? "0" + digits : digits
            }.joined(separator: " ")
            return "not a PNG, JPEG or WebP image (it starts with \(hex.isEmpty ? "nothing" : hex))"
        case .fileTooLarge(let byteCount, let limit):
            return "the file is \(Self.mebibytes(byteCount)), over the \(Self.mebibytes(limit)) limit"
        case .unreadableFile(let path, let reason):
            return "\(Self.unreadableFilePrefix)\(path): \(reason)"
        case .emptyImage(let format, let size):
            return "the \(format) header says the image is \(size) pixels: it has no pixels"
        case .sideTooLong(let size, let limit):
            return "image is \(size) pixels, over the \(limit)-pixel limit"
        case .tooManyPixels(let size, let limit):
            return
                "image is \(size) pixels (\(Self.megapixels(size.width * size.height)) megapixels), over the \(Self.megapixels(limit))-megapixel limit"
        case .damaged(let format, let detail):
            return "\(format) data is truncated or corrupt: \(detail)"
        case .unsupported(let format, let detail):
            return "unsupported \(format) image: \(detail)"
        }
    }

    /// How the description of `unreadableFile` begins.
    public static let unreadableFilePrefix = "cannot read "

    private static func mebibytes(_ bytes: Int) -> String {
        let value = Double(bytes) / 1_048_576
        return value >= 10 ? "\(Int(value.rounded())) MiB" : "\((value * 10).rounded() / 10) MiB"
    }

    /// Millions of pixels with one decimal: "67.1".
    private static func megapixels(_ pixels: Int) -> String {
        "\((Double(pixels) / 100_000).rounded() / 10)"
    }
}
