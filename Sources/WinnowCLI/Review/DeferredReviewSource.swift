import Foundation
import WinnowUI

/// A data source that is still being opened. The review screen starts at once (and says
/// it is loading the queue) while the analysis runs in the background; every call waits
/// until the real source is ready. Calls come from the runtime's background queues, never
/// from the UI thread, except `imagePath`, which is only asked for items of a loaded queue.
final class DeferredReviewSource: ReviewDataSource, @unchecked Sendable {
    private let ready = DispatchGroup()
    private let lock = NSLock()
    private var result: Result<StoreReviewSource, any Error>?

    init(open: @escaping @Sendable () throws -> StoreReviewSource) {
        ready.enter()
        Thread.detachNewThread { [self] in
            let opened = Result { try open() }
            lock.lock()
            result = opened
            lock.unlock()
            ready.leave()
        }
    }

    /// The opened source, once it is ready (or the error that stopped it).
    func source() throws -> StoreReviewSource {
        ready.wait()
        lock.lock()
        defer { lock.unlock() }
        return try result!.get()
    }

    /// The error that stopped the opening, if it has finished and failed (never waits:
    /// quitting while a million items are still loading must not wait for them).
    var failure: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        if case .failure(let error) = result { return error }
        return nil
    }

    func queue(named name: String) throws -> (slots: [QueueSlot], counts: [String: Int]) { try source().queue(named: name) }
    func details(of items: [Int]) throws -> [ItemDetails] { try source().details(of: items) }
    func decide(_ command: DecisionCommand) throws -> (eventIDs: [Int64], message: String) { try source().decide(command) }
    func undo(items: [Int]) throws -> String { try source().undo(items: items) }
    func similar(to item: Int) throws -> [SimilarItem] { try source().similar(to: item) }
    func stats() throws -> ReviewStats { try source().stats() }
    func imagePath(of item: Int) -> String { (try? source().imagePath(of: item)) ?? "" }
    func markImageProblem(item: Int, message: String) { try? source().markImageProblem(item: item, message: message) }
}
