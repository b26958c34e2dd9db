import Synchronization
import WinnowCore

/// Encoded images, least recently used dropped first once their bytes pass a budget.
///
/// Paging back and forth through a review queue shows the same images again; re-encoding a
/// sixel costs tens of milliseconds and a photo's bytes are a few hundred kilobytes, so a
/// few tens of megabytes cover the neighbourhood of the current item. Safe to share
/// between tasks: every access goes through one mutex, held only for dictionary work.
public final class EncodedImageCache: Sendable {
    /// The most bytes kept. An entry larger than this on its own is not kept.
    public let byteLimit: Int

    private let entries: Mutex<LeastRecentlyUsed<EncodedImageKey, EncodedImage>>

    public init(byteLimit: Int = 32 << 20) {
        self.byteLimit = byteLimit
        entries = Mutex(LeastRecentlyUsed(byteLimit: byteLimit, bytes: \.byteCount))
    }

    /// The cached encoding for `key`, now the most recently used; nil when absent.
    public func image(for key: EncodedImageKey) -> EncodedImage? {
        entries.withLock { $0.value(for: key) }
    }

    /// Keeps `image` under `key`, then drops the least recently used entries until the
    /// total is within ``byteLimit``.
    public func insert(_ image: EncodedImage, for key: EncodedImageKey) {
        entries.withLock { $0.insert(image, for: key) }
    }

    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }

    /// The bytes held now.
    public var totalBytes: Int { entries.withLock { $0.totalBytes } }

    public var count: Int { entries.withLock { $0.count } }
}
