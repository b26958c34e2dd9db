import Dispatch
import NIOCore
import PostgresNIO
import WinnowStore

/// Statements of one transaction sent before the previous ones answered. postgres-nio queues
/// a connection's statements and sends each as soon as the one before it has finished, on
/// its event loop; the calling thread only waits once for the lot. Each wait is a round of
/// thread wake-ups (this thread, the event loop, the server), which on a busy machine costs
/// far more than the statement itself: a decision waits three times (BEGIN, the lock with
/// its read, the insert with COMMIT) instead of eight.
///
/// Order and atomicity are the connection's: statements run one after another, in the order
/// sent, inside the open transaction. A statement that fails aborts the transaction, so the
/// ones behind it fail too (and a COMMIT behind it rolls back): the first failure, in order,
/// is the one reported, and nothing of the transaction is stored.
final class PendingStatements {
    var futures: [EventLoopFuture<PostgresQueryResult>] = []
}

extension PostgresTransaction {
    /// Sends `query` without waiting for it. Its result is checked by the next statement that
    /// waits (at the latest the transaction's COMMIT): a failure still fails the transaction.
    func send(_ query: PostgresQuery) {
        pending.futures.append(connection.query(query, logger: PostgresConnections.logger))
    }

    /// Runs `queries` one after another, waiting once for all of them (and for what `send`
    /// sent before): their results, in order.
    @discardableResult
    func pipeline(_ queries: [PostgresQuery]) throws(StoreError) -> [PostgresQueryResult] {
        let earlier = pending.futures
        pending.futures = []
        let futures = earlier + queries.map { connection.query($0, logger: PostgresConnections.logger) }
        guard let last = futures.last else { return [] }
        // whenAllComplete never fails: each result says for itself.
        let outcomes = try waitUnlessClosed(EventLoopFuture.whenAllComplete(futures, on: last.eventLoop)) ?? []
        var results: [PostgresQueryResult] = []
        results.reserveCapacity(queries.count)
        for (index, outcome) in outcomes.enumerated() {
            switch outcome {
            case .success(let result): if index >= earlier.count { results.append(result) }
            case .failure(let error): throw failure(error)
            }
        }
        guard results.count == queries.count else { throw StoreError.io("PostgreSQL (\(url.redacted)): a statement went unanswered") }
        return results
    }

    /// Waits for `future`, unless the connection closes under it and the future is still not
    /// answered a few seconds later. Statements queued on a connection the server ended (a
    /// terminated backend, under load) were seen never to be failed by the client library,
    /// which hung the caller for good; this says "unreachable" instead. The outcome is
    /// unknown: a COMMIT may have been among them.
    private func waitUnlessClosed<T: Sendable>(_ future: EventLoopFuture<T>) throws(StoreError) -> T? {
        let answered = DispatchSemaphore(value: 0)
        future.whenComplete { _ in answered.signal() }
        var closedSince: DispatchTime?
        while answered.wait(timeout: .now() + 0.25) == .timedOut {
            guard connection.isClosed else { continue }
            let since = closedSince ?? .now()
            closedSince = since
            if DispatchTime.now() > since + 3 {
                throw StoreError.unreachable(
                    url: url.redacted, reason: "the connection closed with statements unanswered", outcomeUnknown: true)
            }
        }
        return try? future.wait()
    }
}
