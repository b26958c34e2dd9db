/// Values under keys, the least recently used dropped first once their bytes pass a budget.
///
/// The review screen's caches (decoded pixels, encoded pictures) hold images of very
/// different sizes, a thumbnail or a full-screen photo: a budget in bytes bounds their
/// memory where a count would not. Not synchronised: its owner holds it under a lock.
public struct LeastRecentlyUsed<Key: Hashable, Value> {
    /// The most bytes kept. A value larger than this on its own is not kept.
    public let byteLimit: Int
    private let bytes: (Value) -> Int

    private struct Entry {
        var value: Value
        var bytes: Int
        var lastUse: UInt64
    }

    private var entries: [Key: Entry] = [:]
    private var clock: UInt64 = 0
    /// The bytes held now.
    public private(set) var totalBytes = 0

    /// - Parameter bytes: the size of a value (what it holds in memory).
    public init(byteLimit: Int, bytes: @escaping (Value) -> Int) {
        self.byteLimit = byteLimit
        self.bytes = bytes
    }

    public var count: Int { entries.count }

    /// The value under `key`, now the most recently used; nil when absent.
    public mutating func value(for key: Key) -> Value? {
        guard var entry = entries[key] else { return nil }
        clock += 1
        entry.lastUse = clock
        entries[key] = entry
        return entry.value
    }

    /// True when `key` is held (without counting as a use).
    public func contains(_ key: Key) -> Bool { entries[key] != nil }

    /// Keeps `value` under `key`, then drops the least recently used entries until the total
    /// is within ``byteLimit``.
    public mutating func insert(_ value: Value, for key: Key) {
        if let old = entries.removeValue(forKey: key) { totalBytes -= old.bytes }
        let size = bytes(value)
        guard size <= byteLimit else { return }
        clock += 1
        entries[key] = Entry(value: value, bytes: size, lastUse: clock)
        totalBytes += size
        while totalBytes > byteLimit {
            // A linear scan: these caches hold hundreds of entries, not millions.
            guard let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) else { break }
            entries.removeValue(forKey: oldest.key)
            totalBytes -= oldest.value.bytes
        }
    }

    public mutating func removeAll() {
        entries.removeAll()
        totalBytes = 0
    }
}
