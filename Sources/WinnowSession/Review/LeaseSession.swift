import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowStore
import WinnowUI

/// One review session's leases: the items on screen and just ahead are held in the store so
/// no other session is shown them; a heartbeat renews them while the session lives, and
/// they are let go when it ends. A session that dies without ending (kill -9, a dropped SSH
/// connection) stops renewing, and its items come back when the leases expire.
package final class LeaseSession: @unchecked Sendable {
    package let id: String
    package let reviewer: String
    package let policy: TeamPolicy
    private let store: any ProjectStoring
    private let lock = NSLock()
    private var last: (ids: [Int64], settling: Bool)?
    private var heartbeat: DispatchSourceTimer?

    package init(store: any ProjectStoring, reviewer: String, policy: TeamPolicy) {
        self.store = store
        self.reviewer = reviewer
        self.policy = policy
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        id = "\(reviewer)@\(String(cString: host)):\(getpid()):\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "winnow.review.heartbeat"))
        let every = max(1, policy.leaseSeconds / 3)
        timer.schedule(deadline: .now() + every, repeating: every, leeway: .seconds(1))
        timer.setEventHandler { [store, id, policy] in try? store.renewLeases(session: id, seconds: policy.leaseSeconds) }
        timer.resume()
        heartbeat = timer
    }

    /// Holds `ids` (and lets go of the rest). Asking again for items all held already is
    /// free: the heartbeat renews them.
    package func hold(_ ids: [Int64], settling: Bool) throws -> [Int64: HoldOutcome] {
        lock.lock()
        defer { lock.unlock() }
        if let last, last.ids == ids, last.settling == settling { return [:] }
        let outcomes = try store.hold(itemIDs: ids, reviewer: reviewer, session: id, policy: policy, settling: settling)
        let refused = outcomes.filter { $0.value != .held }
        // Only a hold that got everything may be skipped next time: what was refused is asked again.
        last = refused.isEmpty ? (ids, settling) : nil
        return refused
    }

    /// Holds the review screen's window (items by their index, with their ids) and says, by
    /// index, why those it could not hold are not this reviewer's now. `queue`: the queue
    /// they come from (in the disputed queue, disputed items are the open ones).
    package func hold(_ items: [(index: Int, id: Int64)], queue: String) throws -> [Int: Unavailable] {
        let refused = try hold(items.map(\.id), settling: queue == QueueName.disputed.rawValue)
        var why: [Int: Unavailable] = [:]
        for item in items { if let outcome = refused[item.id] { why[item.index] = explain(outcome) } }
        return why
    }

    /// Items other sessions hold now.
    package func heldByOthers() -> [Int64: String] { (try? store.itemsHeldByOthers(session: id)) ?? [:] }

    /// Why an item could not be held, for the status line.
    package func explain(_ outcome: HoldOutcome) -> Unavailable {
        switch outcome {
        case .held: return Unavailable("held")
        case .heldBy(let other): return Unavailable("\(TerminalText.sanitize(other)) is reviewing it")
        case .settled(let reviewers):
            if reviewers.contains(reviewer) { return Unavailable("you reviewed it already", decidedElsewhere: true) }
            return Unavailable(
                reviewers.isEmpty ? "it needs no review now" : "already decided by \(reviewers.map(TerminalText.sanitize).joined(separator: ", "))",
                decidedElsewhere: true)
        }
    }

    package func close() {
        lock.lock()
        defer { lock.unlock() }
        heartbeat?.cancel()
        heartbeat = nil
        last = nil
        try? store.releaseLeases(session: id)
    }
}
