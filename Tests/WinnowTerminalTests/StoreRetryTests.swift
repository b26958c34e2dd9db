import Testing
import WinnowTerminal
import WinnowUI

/// The review runtime's retries of a write while the store is unreachable.
@Suite("Review runtime: retrying writes while the store is unreachable")
struct StoreRetryTests {
    struct Refused: Error {}

    @Test("waits 0.5, 1, 2, 4, 8 s, then every 10 s")
    func backoff() {
        #expect((1...8).map(StoreRetry.wait(afterFailures:)) == [0.5, 1, 2, 4, 8, 10, 10, 10])
        #expect(StoreRetry.wait(afterFailures: 10_000) == 10)
    }

    @Test("retries until the store answers, reporting each failure with the wait before the next attempt")
    func retriesUntilBack() throws {
        var attempts = 0
        var reports: [(String, Double)] = []
        var slept = 0.0
        let value = try StoreRetry.run(
            {
                attempts += 1
                if attempts < 4 { throw StoreUnreachable(message: "down \(attempts)") }
                return "saved"
            }, unreachable: { reports.append(($0.message, $1)) }, stopped: { false }, sleep: { slept += $0 })
        #expect(value == "saved" && attempts == 4)
        #expect(reports.map(\.0) == ["down 1", "down 2", "down 3"] && reports.map(\.1) == [0.5, 1, 2])
        #expect(abs(slept - 3.5) < 1e-9)
    }

    @Test("a refusal is passed on at once, never retried")
    func refusalsNotRetried() {
        var attempts = 0
        #expect(throws: Refused.self) {
            try StoreRetry.run(
                {
                    attempts += 1; throw Refused()
                }, unreachable: { _, _ in Issue.record("reported") }, stopped: { false }, sleep: { _ in })
        }
        #expect(attempts == 1)
    }

    @Test("the session ending stops the retries within a slice of the wait, with the last failure")
    func stops() {
        var attempts = 0
        var slept = 0.0
        #expect(throws: StoreUnreachable.self) {
            try StoreRetry.run(
                { () throws -> Int in
                    attempts += 1; throw StoreUnreachable(message: "down")
                }, unreachable: { _, _ in },
                stopped: { slept >= 0.3 }, sleep: { slept += $0 })
        }
        #expect(attempts == 1 && slept < 0.5)
    }
}
