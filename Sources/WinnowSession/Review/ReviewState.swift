import Foundation

/// The owner of the session's one `ReviewModel`: every read and change of the live review
/// state goes through here, one at a time. Readers get the model borrowed (no copy of its
/// million-element arrays), writers get it `inout`; neither can keep it past the call.
final class ReviewState: @unchecked Sendable {
    private let lock = NSLock()
    private var model: ReviewModel

    init(_ model: ReviewModel) { self.model = model }

    func read<T>(_ body: (ReviewModel) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(model)
    }

    func write<T>(_ body: (inout ReviewModel) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&model)
    }
}
