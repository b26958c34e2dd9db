/// Receives progress of long work (import, analysis) so the edge can draw a bar.
/// Implementations must be cheap: `advance` is called often from hot loops.
public protocol ProgressReporter: Sendable {
    /// A new phase begins; `total` units, when known.
    func begin(_ phase: String, total: Int?)
    /// `completed` units of the current phase are done (absolute, not a delta).
    func update(_ completed: Int)
    func end()
}

/// Reports nothing.
public struct SilentProgress: ProgressReporter {
    public init() {}
    public func begin(_ phase: String, total: Int?) {}
    public func update(_ completed: Int) {}
    public func end() {}
}
