import WinnowCore

/// The chunk layout of a PNG file, walked without decompressing anything: the IHDR size
/// (checked against the limits before libpng sees the file), whether there is alpha, the
/// `eXIf` orientation, and whether the chunks run intact up to IEND.
///
/// libpng stops reading once it has the pixels, so a file cut off after its last IDAT would
/// otherwise pass; datasets need to know that such a file is damaged.
struct PNGStructure {
    var size: PixelSize
    /// An alpha channel (colour types 4 and 6) or a `tRNS` transparency chunk.
    var hasAlpha: Bool
    /// Grey samples (colour types 0 and 4).
    var storedGreyscale: Bool
    var orientation: ExifOrientation?
    /// Why the chunk sequence does not reach IEND intact, or nil when it does.
    var structuralDamage: String?

    private static let signatureLength = 8

    init(_ bytes: UnsafeRawBufferPointer) throws(ImageDecodeError) {
        // Signature, then IHDR: length 13, "IHDR", width, height, …
        guard bytes.count >= Self.signatureLength + 8 + 13 else {
            throw .damaged(.png, detail: "the file ends inside its header (\(bytes.count) bytes)")
        }
        guard bytes.uint32(at: 8, bigEndian: true) == 13, bytes.matches("IHDR", at: 12),
            let width = bytes.uint32(at: 16, bigEndian: true), let height = bytes.uint32(at: 20, bigEndian: true),
            let colourType = bytes.byte(at: 25)
        else {
            throw .damaged(.png, detail: "the first chunk is not a valid IHDR header")
        }
        size = PixelSize(width: Int(width), height: Int(height))
        hasAlpha = colourType & 4 != 0
        storedGreyscale = colourType & 2 == 0
        orientation = nil
        structuralDamage = nil

        var offset = Self.signatureLength
        while true {
            guard let length = bytes.uint32(at: offset, bigEndian: true), bytes.count - offset >= 8 else {
                structuralDamage = "the data ends before the IEND chunk (after \(offset) bytes)"
                return
            }
            let dataStart = offset + 8
            guard length <= 0x7FFF_FFFF else {
                structuralDamage = "chunk length \(length) at byte \(offset) is invalid"
                return
            }
            let dataEnd = dataStart + Int(length)
            guard dataEnd + 4 <= bytes.count else {
                structuralDamage = "the data ends inside a chunk (at byte \(bytes.count), chunk ends at \(dataEnd + 4))"
                return
            }
            if bytes.matches("eXIf", at: offset + 4), orientation == nil, let exif = bytes.slice(dataStart..<dataEnd) {
                orientation = ExifOrientationReader.orientation(inTIFF: exif)
            }
            if bytes.matches("tRNS", at: offset + 4) { hasAlpha = true }
            if bytes.matches("IEND", at: offset + 4) { return }
            offset = dataEnd + 4
        }
    }
}
