import CSixel
import WinnowCore
@testable import WinnowGraphics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes a sixel image back to pixels with libsixel (`sixel_decode_raw`).
///
/// For the tests: it checks what a terminal would draw without one (the product never
/// decodes sixel, so it lives here). Runs on the same serial worker as the encoder, since
/// libsixel is not thread-safe.
enum SixelDecoder {
    static func decode(_ sixel: [UInt8]) async throws -> RGBImage {
        try await LibSixelWorker.run { try decodeOnWorker(sixel) }
    }

    private static func decodeOnWorker(_ sixel: [UInt8]) throws -> RGBImage {
        var input = sixel
        var indices: UnsafeMutablePointer<UInt8>?
        var palette: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0, height: Int32 = 0, colorCount: Int32 = 0
        let status = input.withUnsafeMutableBufferPointer { buffer in
            sixel_decode_raw(buffer.baseAddress, Int32(buffer.count), &indices, &width, &height, &palette, &colorCount, nil)
        }
        // With no allocator given, libsixel allocates with malloc.
        defer {
            free(indices)
            free(palette)
        }
        try SixelEncoder.check(status, "sixel_decode_raw")
        guard let indices, let palette, width > 0, height > 0 else { throw SixelError.notSixel }
        let pixelCount = Int(width) * Int(height)
        var pixels = [UInt8](repeating: 0, count: pixelCount * 3)
        for index in 0..<pixelCount {
            // The palette holds RGB triples; an index past its end shows as black.
            let entry = Int(indices[index])
            guard entry < Int(colorCount) else { continue }
            pixels[index * 3] = palette[entry * 3]
            pixels[index * 3 + 1] = palette[entry * 3 + 1]
            pixels[index * 3 + 2] = palette[entry * 3 + 2]
        }
        return RGBImage(width: Int(width), height: Int(height), pixels: pixels)
    }
}
