import Foundation
import PostgresNIO
import WinnowStore

/// Leases are timed by the database server's clock, not the host's: reviewers' hosts may
/// disagree by minutes, and a host whose clock runs ahead would otherwise take items others
/// still hold (their leases look expired to it) or keep its own past their end (it stamps
/// them later). The server is the one clock every host shares.
///
/// The lease methods still take a `now`: the caller's idea of the time. What counts is how
/// far it is from this host's clock at the call (nothing in use, as callers pass the host's
/// clock; tests move time forward that way), and that distance is added to the server's
/// clock. A host's skew cancels out: its `now` and its clock are skewed alike.
extension PostgresTransaction {
    /// How far `now` is ahead of this host's clock, in seconds.
    func shift(_ now: Date) -> Double { now.timeIntervalSince(hostClock()) }

    /// The server's clock now (seconds since 1970), moved by `shift(now)`.
    func serverSeconds(at now: Date) throws(StoreError) -> Double {
        let server = try row("SELECT \(unescaped: PostgresServerClock.now)", as: Double.self) ?? 0
        return server + shift(now)
    }
}

enum PostgresServerClock {
    /// The server's clock as SQL (seconds since 1970), for comparisons inside one statement.
    static let now = "extract(epoch FROM clock_timestamp())::float8"
}
