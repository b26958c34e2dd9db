import WinnowCore

/// The RIFF chunks of a WebP file that libwebp's decoding API ignores: the `EXIF` chunk,
/// which carries the orientation.
struct WebPStructure {
    var orientation: ExifOrientation?

    init(_ bytes: UnsafeRawBufferPointer) {
        // "RIFF", size, "WEBP", then chunks: FourCC, little-endian size, payload padded to even.
        var offset = 12
        while let length = bytes.uint32(at: offset + 4, bigEndian: false).map(Int.init) {
            let payload = offset + 8
            guard let chunk = bytes.slice(payload..<min(payload + length, bytes.count)) else { return }
            if bytes.matches("EXIF", at: offset) {
                orientation = ExifOrientationReader.orientation(inTIFF: chunk)
                return
            }
            offset = payload + length + (length & 1)
        }
    }
}
