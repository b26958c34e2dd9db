import Foundation
import WinnowUI

/// Runs a write (a decision, an undo) again while the store is unreachable, waiting longer
/// each time: 0.5 s, 1, 2, 4, 8, then every 10 s, until the store answers, refuses (an
/// error other than `StoreUnreachable`, passed on at once) or `stopped` says the session
/// ends. Each failed attempt is reported with the wait before the next, for the status line.
public enum StoreRetry {
    /// The longest wait between attempts: a restarted server is noticed within it.
    public static let longestWait = 10.0

    /// Seconds to wait after the `failures`-th failed attempt in a row.
    public static func wait(afterFailures failures: Int) -> Double {
        min(longestWait, 0.5 * pow(2, Double(min(max(0, failures - 1), 16))))
    }

    /// `attempt` until it succeeds; when `stopped` while the store is unreachable, the last
    /// `StoreUnreachable` is thrown (nothing was stored). `sleep` is a seam for tests.
    public static func run<T>(
        _ attempt: () throws -> T, unreachable: (StoreUnreachable, _ retryIn: Double) -> Void, stopped: () -> Bool,
        sleep: (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }
    ) throws -> T {
        var failures = 0
        while true {
            do {
                return try attempt()
            } catch let error as StoreUnreachable {
                failures += 1
                if stopped() { throw error }
                let wait = wait(afterFailures: failures)
                unreachable(error, wait)
                // In short slices, so quitting never waits for a whole wait.
                var left = wait
                while left > 0 {
                    if stopped() { throw error }
                    let slice = min(left, 0.1)
                    sleep(slice)
                    left -= slice
                }
            }
        }
    }
}

/// A flag set once from any thread (the session ends: writes stop retrying).
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    var isSet: Bool { lock.withLock { set } }
    func raise() { lock.withLock { set = true } }
}

/// A count kept from any thread.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}
