import CSixel
import Testing
import WinnowCore
@testable import WinnowGraphics

@Suite("Multiplexer wrapping")
struct MultiplexerWrappingTests {
    @Test func tmuxDoublesEveryEscapeAndRoundTrips() {
        let payload = bytes("\\e7\\e[3;4H\\ePq#0;2;0;0;0~\\e\\\\e8")
        let wrapped = MultiplexerWrapping.tmuxPassthrough.wrap(payload)
        #expect(wrapped.starts(with: bytes("\\ePtmux;")))
        #expect(wrapped.suffix(2).elementsEqual(bytes("\\e\\")))
        let inner = Array(wrapped.dropFirst(7).dropLast(2))
        #expect(inner.filter { $0 == 0x1B }.count == 2 * payload.filter { $0 == 0x1B }.count)
        // Every ESC inside comes in a pair, so none can end the wrapper early.
        var index = 0
        while index < inner.count {
            if inner[index] == 0x1B {
                #expect(index + 1 < inner.count && inner[index + 1] == 0x1B)
                index += 2
            } else {
                index += 1
            }
        }
        #expect(MultiplexerWrapping.unwrapTmuxPassthrough(wrapped) == payload)
        #expect(MultiplexerWrapping.unwrapTmuxPassthrough(payload) == nil)
        #expect(MultiplexerWrapping.none.wrap(payload) == payload)
    }

    @Test func screenPacketsAreShortAndNeverHoldAnST() {
        let payload = bytes("\\e7\\e[1;1H") + bytes("\\ePq") + Array(repeating: UInt8(ascii: "~"), count: 1000) + bytes("\\e\\\\e8")
        let wrapped = MultiplexerWrapping.screenPackets(payload)
        var bodies: [UInt8] = []
        var index = 0
        while index < wrapped.count {
            #expect(wrapped[index..<(index + 2)].elementsEqual(bytes("\\eP")))
            // Find this packet's terminator: the first ESC \ after the header.
            var end = index + 2
            while !(wrapped[end] == 0x1B && wrapped[end + 1] == UInt8(ascii: "\\")) { end += 1 }
            let body = Array(wrapped[(index + 2)..<end])
            #expect(body.count + 4 <= 256)
            bodies += body
            index = end + 2
        }
        #expect(bodies == payload)
    }

    @Test func screenPacketsMatchLibsixelsOwn() async throws {
        // libsixel's penetrate mode is what is known to work with GNU screen; for an image
        // under its 16 KiB flush size the packets must be byte for byte the same.
        let image = TestImages.quadrants(width: 40, height: 30)
        let plain = try await SixelEncoder(colors: 16).encode(image)
        let penetrated = try await LibSixelWorker.run { try Self.libsixelPenetrated(image) }
        #expect(plain.count < 16 * 1024)
        #expect(MultiplexerWrapping.screenPackets(plain) == penetrated)
    }

    private final class Sink { var bytes: [UInt8] = [] }

    private static func libsixelPenetrated(_ image: RGBImage) throws -> [UInt8] {
        let sink = Sink()
        var output: OpaquePointer?
        try SixelEncoder.check(
            sixel_output_new(
                &output,
                { data, size, context in
                    let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
                    data!.withMemoryRebound(to: UInt8.self, capacity: Int(size)) { sink.bytes += UnsafeBufferPointer(start: $0, count: Int(size)) }
                    return 0
                }, Unmanaged.passUnretained(sink).toOpaque(), nil), "sixel_output_new")
        defer { sixel_output_unref(output) }
        sixel_output_set_penetrate_multiplexer(output, 1)
        guard var palette = SixelEncoder.exactPalette(of: image, limit: 16) else { throw SixelError.notSixel }
        var dither: OpaquePointer?
        try SixelEncoder.check(sixel_dither_new(&dither, Int32(palette.count / 3), nil), "sixel_dither_new")
        defer { sixel_dither_unref(dither) }
        palette.withUnsafeMutableBufferPointer { sixel_dither_set_palette(dither, $0.baseAddress) }
        sixel_dither_set_diffusion_type(dither, Int32(SIXEL_DIFFUSE_NONE))
        var pixels = image.pixels
        try pixels.withUnsafeMutableBufferPointer {
            try SixelEncoder.check(sixel_encode($0.baseAddress, Int32(image.width), Int32(image.height), 3, dither, output), "sixel_encode")
        }
        return withExtendedLifetime(sink) { sink.bytes }
    }
}
