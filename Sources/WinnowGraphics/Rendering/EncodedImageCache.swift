import Synchronization

/// Encoded images, least recently used dropped first once their bytes pass a budget.
///
/// Paging back and forth through a review queue shows the same images again; re-encoding a
/// sixel costs tens of milliseconds and a photo's bytes are a few hundred kilobytes, so a
/// few tens of megabytes cover the neighbourhood of the current item. Safe to share
/// between tasks: every access goes through one mutex, held only for dictionary work.
public final class EncodedImageCache: Sendable {
    /// The most bytes kept. An entry larger than this on its own is not kept.
    public let byteLimit: Int

    private struct Entry {
        var image: EncodedImage
        var lastUse: UInt64
    }

    private struct State {
        var entries: [EncodedImageKey: Entry] = [:]
        var totalBytes = 0
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())

    public init(byteLimit: Int = 32 << 20) {
        self.byteLimit = byteLimit
    }

    /// The cached encoding for `key`, now the most recently used; nil when absent.
    public func image(for key: EncodedImageKey) -> EncodedImage? {
        state.withLock { state in
            guard var entry = state.entries[key] else { return nil }
            state.clock += 1
            entry.lastUse = state.clock
            state.entries[key] = entry
            return entry.image
        }
    }

    /// Keeps `image` under `key`, then drops the least recently used entries until the
    /// total is within ``byteLimit``.
    public func insert(_ image: EncodedImage, for key: EncodedImageKey) {
        let size = image.byteCount
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: key) { state.totalBytes -= old.image.byteCount }
            guard size <= byteLimit else { return }
            state.clock += 1
            state.entries[key] = Entry(image: image, lastUse: state.clock)
            state.totalBytes += size
            while state.totalBytes > byteLimit {
                // A linear scan: a cache this size holds hundreds of entries, not millions.
                guard let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) else { break }
                state.entries.removeValue(forKey: oldest.key)
                state.totalBytes -= oldest.value.image.byteCount
            }
        }
    }

    public func removeAll() {
        state.withLock { state in
            state.entries.removeAll()
            state.totalBytes = 0
        }
    }

    /// The bytes held now.
    public var totalBytes: Int { state.withLock { $0.totalBytes } }

    public var count: Int { state.withLock { $0.entries.count } }
}
