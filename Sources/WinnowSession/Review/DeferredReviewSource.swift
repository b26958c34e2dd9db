import Foundation
import WinnowAnalysis
import WinnowStore
import WinnowUI

/// A data source that is still being opened. The review screen starts at once: the saved
/// queue (`QuickStartSource`, when there is a current one) answers the first screens while
/// the full analysis loads in the background, and every call the quick start cannot answer
/// waits for the analysis. Decisions made meanwhile are stored at once and replayed into
/// the analysis when it is ready, so nothing depends on which of the two answered.
///
/// Calls come from the runtime's background queues, never from the UI thread, except
/// `imagePath`, which is only asked for items of a loaded queue.
package final class DeferredReviewSource: ReviewDataSource, @unchecked Sendable {
    private let quickReady = DispatchGroup()
    private let ready = DispatchGroup()
    private let finished = DispatchGroup()
    private let lock = NSLock()
    private var quick: QuickStartSource?
    private var full: StoreReviewSource?
    private var result: Result<StoreReviewSource, any Error>?
    /// Decisions stored through the quick start, to replay into the full source.
    private var pending: [(outcomes: [DecisionOutcome], items: [Int])] = []
    /// Whether the quick start handed out its queue (the full source then adopts it, so
    /// reasons are explained by the sub-queue that surfaced each item on screen).
    private var quickQueueShown = false
    private var problems: [(item: Int, message: String)] = []

    private let leases: LeaseSession?
    /// Notes typed without a decision: kept at once, without waiting for the analysis.
    private let notes: NoteDrafts?
    /// How other sessions' writes are noticed (the state folder watched, or the database asked).
    private let changes: ProjectChangeSource?
    private var watcher: (any ProjectChangeWatching)?

    /// `quickStart` runs first (it must be fast, and may find nothing); then `open` loads
    /// the analysis; then `loaded` runs with both in the background (to save the next quick start).
    package init(
        leases: LeaseSession? = nil, changes: ProjectChangeSource? = nil, notes: NoteDrafts? = nil,
        quickStart: @escaping @Sendable () -> QuickStartSource? = { nil },
        open: @escaping @Sendable () throws -> StoreReviewSource,
        loaded: @escaping @Sendable (StoreReviewSource, QuickStartSource?) -> Void = { _, _ in }
    ) {
        self.leases = leases
        self.notes = notes
        self.changes = changes
        quickReady.enter()
        ready.enter()
        finished.enter()
        Thread.detachNewThread { [self] in
            let started = quickStart()
            locked { quick = started }
            quickReady.leave()
            let opened = Result { try open() }
            locked {
                if case .success(let source) = opened {
                    // Under the lock: no quick-start decision can slip between replay and switch.
                    if quickQueueShown, let started { source.adopt(started.slots) }
                    for decision in pending { source.apply(decision.outcomes, items: decision.items) }
                    for problem in problems { source.markImageProblem(item: problem.item, message: problem.message) }
                    pending = []
                    full = source
                }
                result = opened
            }
            ready.leave()
            if case .success(let source) = opened { loaded(source, started) }
            finished.leave()
        }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The opened source, once it is ready (or the error that stopped it).
    package func source() throws -> StoreReviewSource {
        ready.wait()
        return try locked { try result!.get() }
    }

    /// Waits until the background work after loading (`loaded`) is done (benchmarks, tests).
    package func waitUntilFinished() { finished.wait() }

    /// Whether the quick start answered the first queue (for benchmarks and tests).
    package var startedQuickly: Bool {
        quickReady.wait()
        return locked { quick != nil }
    }

    /// The error that stopped the opening, if it has finished and failed (never waits:
    /// quitting while a million items are still loading must not wait for them).
    package var failure: (any Error)? {
        locked {
            if case .failure(let error) = result { return error }
            return nil
        }
    }

    /// Runs `body` on the quick start while the analysis is not ready (under the lock, so
    /// the switch waits for it); nil when the analysis is ready or the quick start cannot answer.
    private func whileQuick<T>(_ body: (QuickStartSource) throws -> T?) rethrows -> T? {
        quickReady.wait()
        return try locked {
            guard full == nil, result == nil, let quick else { return nil }
            return try body(quick)
        }
    }

    package func queue(named name: String) throws -> (slots: [QueueSlot], counts: [String: Int]) {
        let slots = whileQuick { quick -> [QueueSlot]? in
            guard quick.queueName == name else { return nil }
            quickQueueShown = true
            return quick.slots
        }
        if let slots { return (slots, [name: slots.count]) }
        return try source().queue(named: name)
    }

    package func details(of items: [Int]) throws -> [ItemDetails] {
        if let details = try whileQuick({ try $0.details(of: items) }) { return details }
        return try source().details(of: items)
    }

    package func decide(_ command: DecisionCommand) throws -> (eventIDs: [Int64], message: String) {
        try StoreFaults.retryable { try decideNow(command) }
    }

    private func decideNow(_ command: DecisionCommand) throws -> (eventIDs: [Int64], message: String) {
        let quickly = try whileQuick { quick -> (eventIDs: [Int64], message: String)? in
            guard let done = try quick.decide(command) else { return nil }
            pending.append((done.outcomes, command.items))
            return (done.outcomes.map(\.event.id), done.message)
        }
        if let quickly { return quickly }
        return try source().decide(command)
    }

    package func undo(items: [Int]) throws -> String {
        try StoreFaults.retryable { try undoNow(items: items) }
    }

    private func undoNow(items: [Int]) throws -> String {
        let quickly = try whileQuick { quick -> String? in
            guard let done = try quick.undo(items: items) else { return nil }
            pending.append((done.outcomes, items))
            return done.message
        }
        if let quickly { return quickly }
        return try source().undo(items: items)
    }

    package func hold(items: [Int], queue: String) throws -> [Int: Unavailable] {
        if let refused = try whileQuick({ try $0.hold(items: items, queue: queue) }) { return refused }
        return try source().hold(items: items, queue: queue)
    }

    /// Lets go of the session's leases without waiting for the analysis to load.
    package func close() {
        locked { watcher?.stop() }
        leases?.close()
    }

    package func queueCounts() throws -> [String: Int] { try source().queueCounts() }

    /// Nil until the analysis is ready: the quick start's queue is current as it is, and a
    /// read must never wait for the analysis on the screen's read queue.
    package func refreshedQueue(named name: String) throws -> (slots: [QueueSlot], counts: [String: Int])? {
        guard let full = locked({ full }) else { return nil }
        return try full.refreshedQueue(named: name)
    }

    package func undoEarlier() throws -> EarlierUndo? { try source().undoEarlier() }

    package func watchForChanges(_ changed: @escaping @Sendable () -> Void) {
        guard let changes else { return }
        let made = changes.watch(changed)
        locked { watcher = made }
    }

    /// The full source is the one whose queues change (its helper retrains): it is told once loaded.
    package func observeQueueChanges(_ changed: @escaping @Sendable () -> Void) {
        Thread.detachNewThread { [self] in (try? source())?.observeQueueChanges(changed) }
    }

    /// Only the full source re-analyses after relabels: it is told once loaded.
    package func observeReRanking(_ changed: @escaping @Sendable () -> Void) {
        Thread.detachNewThread { [self] in (try? source())?.observeReRanking(changed) }
    }

    package func keepNote(_ text: String?, forImage path: String) throws {
        if let notes { try notes.keep(text, forImage: path) } else { try source().keepNote(text, forImage: path) }
    }

    package func keptNotes() throws -> [String: String] { try notes?.all() ?? source().keptNotes() }

    package func similar(to item: Int) throws -> [SimilarItem] { try source().similar(to: item) }
    package func stats() throws -> ReviewStats { try source().stats() }

    package func imagePath(of item: Int) -> String {
        if let path = whileQuick({ $0.imagePath(of: item) }) { return path }
        return (try? source().imagePath(of: item)) ?? ""
    }

    package func markImageProblem(item: Int, message: String) {
        let marked = whileQuick { quick -> Bool? in
            guard quick.markImageProblem(item: item, message: message) else { return nil }
            problems.append((item, message))
            return true
        }
        if marked == nil { try? source().markImageProblem(item: item, message: message) }
    }
}
