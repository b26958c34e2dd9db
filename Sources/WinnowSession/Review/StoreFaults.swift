import Foundation
import WinnowCore
import WinnowStore
import WinnowUI

/// The review screen's side of a store that cannot be reached (its server stopped or
/// restarts, the network dropped): such failures become `StoreUnreachable`, which the
/// screen keeps and retries; the store's refusals pass through as they are.
enum StoreFaults {
    static func retryable<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            guard case .unreachable(let url, let reason, _) = error else { throw error }
            // Short, for the status line: where, and what happened (not the fix: it retries).
            throw StoreUnreachable(message: "\(url): \(reason.split(separator: "\n").first.map(String.init) ?? reason)")
        }
    }
}

/// A write whose COMMIT the server may or may not have done before the connection broke
/// (`StoreError.unreachable` with `outcomeUnknown`). Trying it again blindly could store it
/// twice, so before the next write the source looks for it in the log: an event of the same
/// reviewer, action and timestamp (to the millisecond) on each item means it was stored.
struct UncertainWrite {
    let requests: [DecisionRequest]
    /// The items' ids, in request order.
    let ids: [Int64]
    /// The items' rows on screen, in request order.
    let items: [Int]
    /// The time the write was stamped with (each attempt of a write gets its own).
    let date: Date

    /// The write's outcomes as stored, or nil when it was not stored.
    func stored(in store: any ProjectStoring) throws -> [DecisionOutcome]? {
        let states = try store.itemStates(ids: ids)
        let stamp = Timestamp.string(from: date)
        var outcomes: [DecisionOutcome] = []
        for (request, id) in zip(requests, ids) {
            guard let state = states.first(where: { $0.id == id }),
                let at = state.events.lastIndex(where: {
                    $0.reviewer == request.reviewer && $0.action == request.action && Timestamp.string(from: $0.createdAt) == stamp
                })
            else { return nil }
            let history = Array(state.events[...at])
            let event = history[at]
            outcomes.append(
                DecisionOutcome(
                    event: event, before: ItemHistory.resolve(given: state.given, events: Array(history.dropLast())),
                    after: ItemHistory.resolve(given: state.given, events: history),
                    undone: event.undoes.flatMap { undone in history.first { $0.id == undone } },
                    // The chain's link is not needed here (the screen shows ids, not hashes).
                    hash: "", history: history))
        }
        return outcomes
    }
}
