import Foundation
import WinnowCore
import WinnowGraphics

/// Results of background work in a byte-limited cache (the least recently used dropped
/// first), with the keys under way, so the same work is never started twice.
struct ClaimedResults<Key: Hashable, Value> {
    private var values: LeastRecentlyUsed<Key, Value>
    private var underWay: Set<Key> = []

    init(byteLimit: Int, bytes: @escaping (Value) -> Int) {
        values = LeastRecentlyUsed(byteLimit: byteLimit, bytes: bytes)
    }

    mutating func value(for key: Key) -> Value? { values.value(for: key) }

    /// True when the caller should compute `key` (not stored, not under way).
    mutating func claim(_ key: Key) -> Bool {
        guard !values.contains(key), !underWay.contains(key) else { return false }
        underWay.insert(key)
        return true
    }

    mutating func store(_ value: Value, for key: Key) {
        underWay.remove(key)
        values.insert(value, for: key)
    }

    mutating func release(_ key: Key) { underWay.remove(key) }
}

/// Decoded pixels and encoded bytes, shared between the workers and the UI thread.
final class ResultStore: @unchecked Sendable {
    private let lock = NSLock()
    /// A screenful of thumbnails and the prefetched items at the review size: a few
    /// megabytes each on a large screen, so 128 MiB holds tens of them.
    private var images = ClaimedResults<TerminalImageLayer.TileKey, RGBImage>(byteLimit: 128 << 20) { $0.pixels.count }
    /// Encoded pictures ready to write (a sixel photo is a few hundred kilobytes).
    private var rendered = ClaimedResults<TerminalImageLayer.PlacementKey, RenderedImage>(byteLimit: 32 << 20) { $0.bytes.count }
    private var failedItems: Set<Int> = []

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    func image(for key: TerminalImageLayer.TileKey) -> RGBImage? { locked { images.value(for: key) } }
    func failed(_ item: Int) -> Bool { locked { failedItems.contains(item) } }

    /// True when the caller should decode `key` (not cached, not under way, not failed).
    func claimDecode(_ key: TerminalImageLayer.TileKey) -> Bool {
        locked { !failedItems.contains(key.item) && images.claim(key) }
    }

    func store(_ image: RGBImage, for key: TerminalImageLayer.TileKey) { locked { images.store(image, for: key) } }

    func fail(_ key: TerminalImageLayer.TileKey) {
        locked {
            images.release(key)
            failedItems.insert(key.item)
        }
    }

    func rendered(for key: TerminalImageLayer.PlacementKey) -> RenderedImage? { locked { rendered.value(for: key) } }
    func claimRender(_ key: TerminalImageLayer.PlacementKey) -> Bool { locked { rendered.claim(key) } }
    func store(_ image: RenderedImage, for key: TerminalImageLayer.PlacementKey) { locked { rendered.store(image, for: key) } }
    func releaseRender(_ key: TerminalImageLayer.PlacementKey) { locked { rendered.release(key) } }
}
