import Foundation
import Testing
@testable import WinnowTerminal
import WinnowUI

/// The inbox wakes the UI thread's `poll` when background work posts, hands results over
/// in order, and never blocks a poster.
@Suite("Inbox")
struct InboxTests {
    static func readable(_ inbox: Inbox) -> Bool {
        var descriptor = pollfd(fd: inbox.fileDescriptor, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) == 1
    }

    /// Actions are not Equatable (some carry errors): compared by their description.
    static func described(_ actions: some Sequence<Action>) -> [String] { actions.map { "\($0)" } }

    @Test func postingWakesThePollAndDrainingQuietsIt() throws {
        let inbox = try Inbox()
        #expect(!Self.readable(inbox))
        inbox.post(.imageReady(item: 1))
        #expect(Self.readable(inbox))
        let (actions, stop) = inbox.drain()
        #expect(Self.described(actions) == ["imageReady(item: 1)"])
        #expect(!stop)
        #expect(!Self.readable(inbox))
        #expect(inbox.drain().actions.isEmpty)
    }

    @Test func actionsComeOutInTheOrderTheyWerePosted() throws {
        let inbox = try Inbox()
        for item in 0..<50 { inbox.post(.imageReady(item: item)) }
        #expect(Self.described(inbox.drain().actions) == (0..<50).map { "imageReady(item: \($0))" })
    }

    @Test func aStopRequestIsReportedWithWhatCameBefore() throws {
        let inbox = try Inbox()
        inbox.post(.othersChanged)
        inbox.requestStop()
        #expect(Self.readable(inbox))
        let (actions, stop) = inbox.drain()
        #expect(Self.described(actions) == ["othersChanged"])
        #expect(stop)
    }

    @Test func postersNeverBlockOnAFullPipe() throws {
        // Far more wake-ups than a pipe holds (64 KiB on Linux): a blocking write would hang here.
        let inbox = try Inbox()
        let count = 200_000
        for item in 0..<count { inbox.post(.imageReady(item: item)) }
        #expect(Self.readable(inbox))
        let actions = inbox.drain().actions
        #expect(actions.count == count)
        #expect(Self.described(actions.suffix(1)) == ["imageReady(item: \(count - 1))"])
        #expect(!Self.readable(inbox))
    }

    @Test func postsFromManyThreadsAllArriveEachInItsThreadsOrder() throws {
        let inbox = try Inbox()
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for n in 0..<1_000 { inbox.post(.imageReady(item: thread * 10_000 + n)) }
        }
        let items = inbox.drain().actions.compactMap { action -> Int? in
            if case .imageReady(let item) = action { return item } else { return nil }
        }
        #expect(items.count == 4_000)
        for thread in 0..<4 {
            let own = items.filter { $0 / 10_000 == thread }
            #expect(own == (0..<1_000).map { thread * 10_000 + $0 })
        }
    }
}
