import CJPEG
import WinnowCore

/// Decodes JPEG with libjpeg-turbo's TurboJPEG API, which returns errors instead of
/// `longjmp`ing out of the caller (impossible to survive in Swift).
///
/// - Colour: YCbCr, RGB and greyscale come out as RGB directly; CMYK and YCCK are decoded as
///   CMYK and converted here, reading the samples as inverted when Adobe's APP14 marker is
///   present (Photoshop's convention, which nearly every CMYK JPEG follows).
/// - Speed: `decode(_:covering:)` asks the decoder to scale by the smallest of its factors
///   (1/8, 2/8, …, 8/8) that still covers the requested size, which skips most of the inverse
///   DCT and colour conversion (entropy decoding remains). Measured on a 12-megapixel photo
///   (release build): 48 ms in full, 21 ms to fit 800×600, 12 ms to fit 256×256.
/// - Safety: a new decompressor per call (calls are independent and may run concurrently);
///   `TJFLAG_LIMITSCANS` refuses progressive files with pathological scan counts, which could
///   otherwise take minutes.
/// - Damage: libjpeg recovers from corrupt data with a warning and paints what it could not
///   decode grey. Winnow treats every warning as damage (an error) except the few that leave
///   the pixels intact — stray bytes between segments, an unknown JFIF or Adobe version, a
///   bad ICC profile — which come back as `DecodedImage.warning`. TurboJPEG only keeps the
///   last message, so a file is decoded first with `TJFLAG_STOPONWARNING` (to see the first
///   warning) and, only if that one is harmless, again without it (to see the last).
struct JPEGReader {
    let info: ImageInfo
    private let colourSpace: Int32
    private let hasAdobeMarker: Bool

    init(_ bytes: UnsafeRawBufferPointer) throws(ImageDecodeError) {
        let decompressor = try Self.makeDecompressor()
        defer { tjDestroy(decompressor) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourSpace: Int32 = 0
        let status = tjDecompressHeader3(
            decompressor, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt(bytes.count),
            &width, &height, &subsampling, &colourSpace)
        guard status == 0 else { throw .damaged(.jpeg, detail: Self.message(decompressor)) }
        let structure = JPEGStructure(bytes)
        // libjpeg reads a file cut before its frame header as an image of 0×0 pixels.
        if width == 0 || height == 0, !structure.hasFrameHeader {
            throw .damaged(.jpeg, detail: "the data ends before the frame header that gives the image's size (after \(bytes.count) bytes)")
        }
        self.colourSpace = colourSpace
        hasAdobeMarker = structure.hasAdobeMarker
        info = ImageInfo(
            format: .jpeg, storedSize: PixelSize(width: Int(width), height: Int(height)),
            orientation: structure.orientation ?? .topLeft, hasAlpha: false,
            storedGreyscale: colourSpace == Int32(TJCS_GRAY.rawValue))
    }

    private var isCMYK: Bool { colourSpace == Int32(TJCS_CMYK.rawValue) || colourSpace == Int32(TJCS_YCCK.rawValue) }

    /// Decodes the pixels, scaled down when `minimumSize` (in stored orientation) allows it.
    func decode(_ bytes: UnsafeRawBufferPointer, covering minimumSize: PixelSize?) throws(ImageDecodeError) -> DecodedPixels {
        let decompressor = try Self.makeDecompressor()
        defer { tjDestroy(decompressor) }
        let size = minimumSize.map { Self.scaledSize(of: info.storedSize, covering: $0) } ?? info.storedSize
        let channels = isCMYK ? 4 : 3
        let pixelFormat = isCMYK ? TJPF_CMYK.rawValue : TJPF_RGB.rawValue
        var samples = [UInt8](repeating: 0, count: size.width * size.height * channels)
        let status = samples.withUnsafeMutableBufferPointer { buffer in
            decompress(decompressor, bytes, into: buffer, size: size, pixelFormat: pixelFormat, stopOnWarning: true)
        }
        var warning: String?
        if status != 0 {
            let firstProblem = Self.message(decompressor)
            guard Self.isHarmless(firstProblem) else { throw .damaged(.jpeg, detail: firstProblem) }
            let retry = samples.withUnsafeMutableBufferPointer { buffer in
                decompress(decompressor, bytes, into: buffer, size: size, pixelFormat: pixelFormat, stopOnWarning: false)
            }
            let lastProblem = retry == 0 ? firstProblem : Self.message(decompressor)
            guard Self.isHarmless(lastProblem) else { throw .damaged(.jpeg, detail: lastProblem) }
            warning = lastProblem
        }
        let pixels = isCMYK ? Self.rgb(fromCMYK: samples, inverted: hasAdobeMarker) : samples
        return DecodedPixels(image: RGBImage(width: size.width, height: size.height, pixels: pixels), warning: warning)
    }

    /// The smallest size TurboJPEG can decode `size` at (scale num/denom ≤ 1, rounded up as
    /// `TJSCALED` does) whose sides are both at least `minimum`'s.
    static func scaledSize(of size: PixelSize, covering minimum: PixelSize) -> PixelSize {
        var count: Int32 = 0
        guard let factors = tjGetScalingFactors(&count) else { return size }
        var best = size
        for index in 0..<Int(count) {
            let factor = factors[index]
            guard factor.num > 0, factor.denom > 0, factor.num <= factor.denom else { continue }
            let (num, denom) = (Int(factor.num), Int(factor.denom))
            let scaled = PixelSize(width: (size.width * num + denom - 1) / denom, height: (size.height * num + denom - 1) / denom)
            if scaled.width >= minimum.width, scaled.height >= minimum.height, scaled.area < best.area { best = scaled }
        }
        return best
    }

    private func decompress(
        _ decompressor: tjhandle, _ bytes: UnsafeRawBufferPointer, into buffer: UnsafeMutableBufferPointer<UInt8>,
        size: PixelSize, pixelFormat: Int32, stopOnWarning: Bool
    ) -> Int32 {
        tjDecompress2(
            decompressor, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt(bytes.count),
            buffer.baseAddress, Int32(size.width), 0, Int32(size.height), pixelFormat,
            TJFLAG_ACCURATEDCT | TJFLAG_LIMITSCANS | (stopOnWarning ? TJFLAG_STOPONWARNING : 0))
    }

    /// libjpeg's warnings that leave every pixel decoded (texts from libjpeg's jerror.h, stable
    /// for decades). Anything else — "Premature end of JPEG file", "bad Huffman code", a fatal
    /// error — means missing or garbled pixels.
    static func isHarmless(_ message: String) -> Bool {
        let harmless = ["extraneous bytes before marker", "unknown JFIF revision", "Unknown Adobe color transform", "bad ICC marker"]
        return harmless.contains { message.contains($0) }
    }

    /// CMYK to RGB without a colour profile: R = (1 − C)(1 − K) and so on. Adobe-inverted
    /// files store 1 − C, so there R = C′ · K′.
    static func rgb(fromCMYK cmyk: [UInt8], inverted: Bool) -> [UInt8] {
        let pixelCount = cmyk.count / 4
        var rgb = [UInt8](repeating: 0, count: pixelCount * 3)
        cmyk.withUnsafeBufferPointer { source in
            rgb.withUnsafeMutableBufferPointer { destination in
                for pixel in 0..<pixelCount {
                    /// How much of the paper this ink leaves uncovered, 0…255.
                    @inline(__always) func uncovered(_ channel: Int) -> Int {
                        let value = Int(source[pixel * 4 + channel])
                        return inverted ? value : 255 - value
                    }
                    let black = uncovered(3)
                    for channel in 0..<3 {
                        destination[pixel * 3 + channel] = UInt8((uncovered(channel) * black + 127) / 255)
                    }
                }
            }
        }
        return rgb
    }

    private static func makeDecompressor() throws(ImageDecodeError) -> tjhandle {
        guard let decompressor = tjInitDecompress() else {
            throw .damaged(.jpeg, detail: "cannot create a TurboJPEG decompressor (out of memory?)")
        }
        return decompressor
    }

    private static func message(_ decompressor: tjhandle) -> String {
        guard let text = tjGetErrorStr2(decompressor) else { return "libjpeg reported an error without a message" }
        return String(cString: text)
    }
}
