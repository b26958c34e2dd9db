import WinnowCore

/// Finds the Orientation tag (0x0112) in an EXIF block: a TIFF header followed by IFD0.
///
/// Written by hand (about forty lines) instead of pulling in an EXIF library: only one tag
/// is needed, and every offset in the block comes from the file and is checked here before
/// use. Anything malformed (bad byte-order mark, offsets outside the block, a value outside
/// 1…8) means "no orientation", never an error: the pixels are still fine.
enum ExifOrientationReader {
    private static let orientationTag: UInt16 = 0x0112
    private static let typeShort: UInt16 = 3
    private static let typeLong: UInt16 = 4

    /// The orientation in `tiff` (which starts at the "II*\0" / "MM\0*" header), if any.
    /// A leading "Exif\0\0" (as in JPEG APP1 and some WebP files) is skipped.
    static func orientation(inTIFF block: UnsafeRawBufferPointer) -> ExifOrientation? {
        var tiff = block
        if tiff.matches("Exif\0\0", at: 0), let rest = tiff.slice(6..<tiff.count) { tiff = rest }
        let bigEndian: Bool
        if tiff.matches("MM", at: 0) { bigEndian = true } else if tiff.matches("II", at: 0) { bigEndian = false } else { return nil }
        guard tiff.uint16(at: 2, bigEndian: bigEndian) == 42,
            let ifdOffset = tiff.uint32(at: 4, bigEndian: bigEndian).map(Int.init),
            let entryCount = tiff.uint16(at: ifdOffset, bigEndian: bigEndian)
        else { return nil }
        for entry in 0..<Int(entryCount) {
            let entryOffset = ifdOffset + 2 + entry * 12
            guard let tag = tiff.uint16(at: entryOffset, bigEndian: bigEndian),
                let type = tiff.uint16(at: entryOffset + 2, bigEndian: bigEndian),
                let valueCount = tiff.uint32(at: entryOffset + 4, bigEndian: bigEndian)
            else { return nil }
            guard tag == orientationTag else { continue }
            guard valueCount == 1 else { return nil }
            // A value that fits in four bytes is stored in the entry itself, left-aligned.
            let value: Int?
            switch type {
            case typeShort: value = tiff.uint16(at: entryOffset + 8, bigEndian: bigEndian).map(Int.init)
            case typeLong: value = tiff.uint32(at: entryOffset + 8, bigEndian: bigEndian).map(Int.init)
            default: value = nil
            }
            return value.flatMap(ExifOrientation.init(rawValue:))
        }
        return nil
    }
}
