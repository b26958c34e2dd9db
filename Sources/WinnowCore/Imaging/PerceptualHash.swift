/// A 64-bit DCT perceptual hash ("pHash"): similar-looking images get hashes that differ in
/// few bits, whatever their size, encoding or brightness.
///
/// Computed as in the original pHash: the image is area-averaged to 32×32 greyscale (aspect
/// ratio ignored), transformed with a 2-D DCT-II, and the 8×8 block of lowest frequencies
/// *after* the DC row and column (vertical and horizontal frequencies 1…8) is compared with
/// its median: bit `(v − 1) · 8 + (u − 1)` is set when coefficient (v, u) is above it.
/// Skipping DC makes the hash blind to brightness; comparing with the median makes it blind to
/// contrast, and makes every bit equally likely to be 0 or 1 over unrelated images, so two
/// unrelated images differ in about 32 bits while re-encoded or resized copies differ in a few.
public struct PerceptualHash: Sendable, Hashable, CustomStringConvertible {
    public var bits: UInt64

    public init(bits: UInt64) { self.bits = bits }

    public init(of image: RGBImage) {
        self.init(ImageFeatures.dct(of: image))
    }

    init(_ dct: LowFrequencyDCT) {
        var values: [Float] = []
        values.reserveCapacity(64)
        for v in 1...8 {
            for u in 1...8 { values.append(dct[vertical: v, horizontal: u]) }
        }
        let sorted = values.sorted()
        let median = (sorted[31] + sorted[32]) / 2
        var bits: UInt64 = 0
        for (index, value) in values.enumerated() where value > median { bits |= 1 << UInt64(index) }
        self.bits = bits
    }

    /// The number of differing bits (0 = same hash, about 32 = unrelated).
    public func distance(to other: PerceptualHash) -> Int { Self.hammingDistance(bits, other.bits) }

    /// The number of bits in which `a` and `b` differ.
    public static func hammingDistance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }

    /// Sixteen lower-case hex digits.
    public var description: String {
        let hex = String(bits, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
