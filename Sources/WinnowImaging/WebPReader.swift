import CWebP
import WinnowCore

/// Decodes still WebP (lossy, lossless, with or without alpha) with libwebp's one-shot
/// decoder into a buffer Winnow owns.
///
/// Animated WebP is refused with a clear error: its frames need libwebp's demuxer, which is
/// not linked, and a dataset item is a single picture. Alpha is decoded as RGBA and
/// composited by `AlphaCompositing`, as for PNG.
struct WebPReader {
    let info: ImageInfo

    init(_ bytes: UnsafeRawBufferPointer) throws(ImageDecodeError) {
        var features = WebPBitstreamFeatures()
        let status = WebPGetFeatures(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, &features)
        guard status == VP8_STATUS_OK else { throw Self.error(for: status) }
        if features.has_animation != 0 {
            throw .unsupported(.webp, detail: "it is animated; only still WebP images are decoded (save the first frame as a still image)")
        }
        info = ImageInfo(
            format: .webp, storedSize: PixelSize(width: Int(features.width), height: Int(features.height)),
            orientation: WebPStructure(bytes).orientation ?? .topLeft, hasAlpha: features.has_alpha != 0)
    }

    func decode(_ bytes: UnsafeRawBufferPointer, background: RGB) throws(ImageDecodeError) -> DecodedPixels {
        let (width, height) = (info.storedSize.width, info.storedSize.height)
        let channels = info.hasAlpha ? 4 : 3
        var samples = [UInt8](repeating: 0, count: width * height * channels)
        var config = WebPDecoderConfig()
        guard WebPInitDecoderConfig(&config) != 0 else {
            throw .damaged(.webp, detail: "libwebp's decoder does not match the headers it was built with")
        }
        let status = samples.withUnsafeMutableBufferPointer { buffer in
            config.output.colorspace = info.hasAlpha ? MODE_RGBA : MODE_RGB
            config.output.is_external_memory = 1
            config.output.u.RGBA.rgba = buffer.baseAddress
            config.output.u.RGBA.stride = Int32(width * channels)
            config.output.u.RGBA.size = buffer.count
            let status = WebPDecode(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, &config)
            WebPFreeDecBuffer(&config.output)
            return status
        }
        guard status == VP8_STATUS_OK else { throw Self.error(for: status) }
        guard Int(config.output.width) == width, Int(config.output.height) == height else {
            throw .damaged(.webp, detail: "decoded \(config.output.width)×\(config.output.height) pixels, the header says \(info.storedSize)")
        }
        let pixels = info.hasAlpha ? AlphaCompositing.rgb(fromRGBA: samples, over: background) : samples
        return DecodedPixels(image: RGBImage(width: width, height: height, pixels: pixels))
    }

    private static func error(for status: VP8StatusCode) -> ImageDecodeError {
        switch status {
        case VP8_STATUS_NOT_ENOUGH_DATA: .damaged(.webp, detail: "the data ends before the image does")
        case VP8_STATUS_BITSTREAM_ERROR: .damaged(.webp, detail: "the bitstream is invalid")
        case VP8_STATUS_UNSUPPORTED_FEATURE: .unsupported(.webp, detail: "it uses a feature libwebp does not support")
        case VP8_STATUS_OUT_OF_MEMORY: .damaged(.webp, detail: "libwebp ran out of memory")
        default: .damaged(.webp, detail: "libwebp failed with status \(status.rawValue)")
        }
    }
}
