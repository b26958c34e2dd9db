import Foundation

/// Tells the screen that its queue's order changed without a key of its own: a re-analysis
/// after this session's relabels finished, or the helper model was retrained. The screen
/// then asks for the queue again (`refreshedQueue`), keeping the item on screen in place.
final class QueueChangeSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var observer: (@Sendable () -> Void)?
    private var raised = false

    func observe(_ changed: @escaping @Sendable () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        observer = changed
    }

    /// The queues were ranked over a new analysis; the observer is called outside the lock.
    func raise() {
        lock.lock()
        raised = true
        let observer = self.observer
        lock.unlock()
        observer?()
    }

    /// Whether it was raised since the last look (and the look resets it).
    func take() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        defer { raised = false }
        return raised
    }
}
