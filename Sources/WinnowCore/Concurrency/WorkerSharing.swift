import Synchronization

/// Hands a value to `DispatchQueue.concurrentPerform` workers that touch disjoint parts of
/// it (rows of an output buffer) or only read it. The caller guarantees that; the compiler
/// cannot check it.
public struct UnsafeSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}

/// A counter shared by worker threads: progress totals, or handing out work items.
public final class SharedCounter: Sendable {
    private let value = Atomic<Int>(0)

    public init() {}

    /// Adds `n`; returns the new total.
    @discardableResult
    public func add(_ n: Int) -> Int { value.wrappingAdd(n, ordering: .relaxed).newValue }

    /// The next number below `limit`, or nil once they are all taken.
    public func take(below limit: Int) -> Int? {
        let taken = value.wrappingAdd(1, ordering: .relaxed).oldValue
        return taken < limit ? taken : nil
    }
}
