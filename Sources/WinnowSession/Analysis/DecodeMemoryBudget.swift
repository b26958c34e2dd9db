import Foundation

/// Bounds the memory that images decoded at once may take, whatever the number of cores.
///
/// `DecodeLimits` bounds one decode (64 megapixels, a few hundred MiB); on a machine with
/// many cores, every worker decoding such an image at the same time would still add up to
/// tens of GiB. Each worker reserves what its image will take (from the header, before any
/// pixel is allocated) and waits while the others' reservations leave too little. A worker
/// holds nothing while it waits, so nobody waits forever; an image larger than the whole
/// budget is decoded alone.
package final class DecodeMemoryBudget: @unchecked Sendable {
    /// The default: 1 GiB of pixels in flight.
    package static let standardCapacity = 1 << 30

    package let capacity: Int
    private var used = 0
    private let condition = NSCondition()
    /// The most bytes ever reserved at once (for tests and benchmarks).
    package private(set) var peak = 0

    package init(capacity: Int = DecodeMemoryBudget.standardCapacity) {
        precondition(capacity > 0, "an empty decode budget")
        self.capacity = capacity
    }

    /// Waits until `bytes` fit beside the other reservations (an oversized request waits
    /// for an empty budget), then runs `body` with them reserved.
    package func withReservation<T>(_ bytes: Int, _ body: () -> T) -> T {
        let amount = min(max(0, bytes), capacity)
        condition.lock()
        while used + amount > capacity { condition.wait() }
        used += amount
        peak = max(peak, used)
        condition.unlock()
        defer {
            condition.lock()
            used -= amount
            condition.broadcast()
            condition.unlock()
        }
        return body()
    }

    /// What decoding an image of `pixels` pixels in full, then measuring it, may hold at its
    /// peak: the RGB result, the RGBA (or CMYK) buffer a transparent image (or a CMYK JPEG) is
    /// decoded into first, and a second RGB copy while EXIF orientation is applied.
    package static func decodeCost(pixels: Int) -> Int { pixels * (3 + 4 + 3) }
}
