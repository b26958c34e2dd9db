import Testing
import WinnowCore
@testable import WinnowImaging

/// Every cut-off and every corrupted copy of a valid file must either decode or throw
/// `ImageDecodeError`: never trap, never hang, never produce an image over the limits.
@Suite("Robustness: truncations and byte flips of every valid fixture")
struct RobustnessTests {
    /// Small limits bound the work a flipped size field can ask for.
    static let limits = DecodeLimits(maxSide: 2048, maxPixels: 1 << 20)

    /// All cut points when the file is small, otherwise 200 spread evenly.
    static func cutPoints(of length: Int) -> [Int] {
        length <= 200 ? Array(0..<length) : (0..<200).map { $0 * length / 200 }
    }

    @Test(arguments: Fixture.valid)
    func everyTruncationIsAnError(name: String) {
        let bytes = Fixture.bytes(name)
        var decodedCuts: [Int] = []
        for cut in Self.cutPoints(of: bytes.count) {
            do {
                _ = try ImageDecoder.decode(data: Array(bytes.prefix(cut)), limits: Self.limits)
                decodedCuts.append(cut)
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
        #expect(decodedCuts.isEmpty, "\(name) decoded without complaint when cut to \(decodedCuts.prefix(5)) of \(bytes.count) bytes")
    }

    @Test(arguments: Fixture.valid)
    func randomByteChangesNeverCrash(name: String) {
        let original = Fixture.bytes(name)
        var random = SplitMix64(seed: name.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }) // FNV-1a of the name
        for _ in 0..<250 {
            var bytes = original
            let changes = 1 + Int(random.next() % 4)
            for _ in 0..<changes {
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            do {
                let decoded = try ImageDecoder.decode(data: bytes, limits: Self.limits)
                #expect(decoded.image.width <= 2048 && decoded.image.height <= 2048)
                #expect(decoded.image.pixels.count == decoded.image.width * decoded.image.height * 3)
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }
}
