import WinnowCore

/// The metadata segments of a JPEG file that the TurboJPEG API does not expose: the EXIF
/// orientation (APP1 "Exif") and Adobe's APP14 marker, which says whether CMYK samples are
/// stored inverted (Photoshop's convention).
///
/// Walks the marker segments from SOI up to the first scan (metadata always precedes it),
/// trusting no length: a segment that reaches past the data ends the walk.
struct JPEGStructure {
    var orientation: ExifOrientation?
    var hasAdobeMarker = false
    /// A frame header (SOF0–SOF15) was found before the first scan: without one the file
    /// ends (or is cut) before it says how large the image is.
    var hasFrameHeader = false

    init(_ bytes: UnsafeRawBufferPointer) {
        var offset = 2 // after SOI (FF D8)
        while let marker = bytes.byte(at: offset + 1), bytes[offset] == 0xFF {
            // Fill bytes: any number of FF before the marker code.
            if marker == 0xFF { offset += 1; continue }
            // Standalone markers carry no length: TEM and RST0–RST7.
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { offset += 2; continue }
            // Start of scan or end of image: the metadata is behind us.
            if marker == 0xDA || marker == 0xD9 { return }
            guard let length = bytes.uint16(at: offset + 2, bigEndian: true).map(Int.init), length >= 2,
                let segment = bytes.slice(offset + 4..<offset + 2 + length)
            else { return }
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) { hasFrameHeader = true }
            if marker == 0xE1, orientation == nil, segment.matches("Exif\0\0", at: 0),
                let tiff = segment.slice(6..<segment.count)
            {
                orientation = ExifOrientationReader.orientation(inTIFF: tiff)
            } else if marker == 0xEE, segment.matches("Adobe", at: 0) {
                hasAdobeMarker = true
            }
            offset += 2 + length
        }
    }
}
