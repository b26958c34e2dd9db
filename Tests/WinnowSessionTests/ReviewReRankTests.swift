import Foundation
import Synchronization
import Testing
import WinnowCore
import WinnowTestSupport
import WinnowUI
@testable import WinnowSession

/// The screen's own relabels change the analysis, and so the queue's order: the re-ranked
/// queue reaches the screen without a key, and the item under the reviewer's eyes stays.
@Suite("The screen's own decisions re-rank its queue", .serialized)
struct ReviewReRankTests {
    final class Signals: Sendable {
        let count = Mutex(0)
        func raise() { count.withLock { $0 += 1 } }
        var raised: Int { count.withLock { $0 } }
    }

    /// The digit key that relabels the item on screen to a class it does not have.
    static func relabelKey(_ harness: ReviewHarness) -> Key? {
        let current = harness.state.currentDetails?.currentLabels ?? []
        guard let slot = harness.state.setup.legend.indices.first(where: { harness.state.setup.legend[$0].map { !current.contains($0) } ?? false })
        else { return nil }
        return .character(Character(ClassLegend.digitKey(ofSlot: slot)))
    }

    @Test(
        "a relabel's re-analysis reaches the screen's queue without a key; the item on screen stays",
        arguments: [StoreReviewSource.synchronousRefreshLimit, 0])
    func ownRelabelReRanksTheQueue(refreshLimit: Int) throws {
        let dataset = Repository.copyOfSample(Repository.sampleShapes, function: "rerank-\(refreshLimit)")
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        let source = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, refreshLimit: refreshLimit, progress: SilentProgress())
        source.waitForRefresh() // the large path's incremental analysis is built
        let signals = Signals()
        source.observeReRanking { signals.raise() }
        let harness = ReviewHarness(source: source, classes: source.classes, queue: "label-issues")
        var orderChanged = false
        for step in 0..<8 {
            let key = try #require(Self.relabelKey(harness))
            let raisedBefore = signals.raised
            harness.press(key)
            source.waitForRefresh()
            // The runtime turns the signal into `.queuesChanged`; nothing is pressed.
            #expect(signals.raised > raisedBefore, "step \(step): the re-analysis did not tell the screen")
            let (onScreen, position) = (harness.state.currentItem, harness.state.position)
            let shownBefore = harness.state.queue.map(\.item)
            harness.send(.queuesChanged)
            #expect(harness.state.currentItem == onScreen && harness.state.position == position, "step \(step): the item on screen moved")
            // Around it, the queue is the source's current order (what a fresh load would show).
            let fresh = try source.queue(named: "label-issues").slots.map(\.item)
                .filter { harness.state.settledThisSession[$0] == nil && $0 != onScreen }
            #expect(harness.state.queue.map(\.item).filter { $0 != onScreen } == fresh, "step \(step)")
            if shownBefore != harness.state.queue.map(\.item) { orderChanged = true }
        }
        #expect(orderChanged, "eight relabels never re-ranked the queue: the test shows nothing")
    }

    @Test("an accept changes no labels: no re-analysis, the screen is not told")
    func acceptDoesNotReRank() throws {
        let dataset = Repository.copyOfSample(Repository.sampleShapes)
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        let source = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, progress: SilentProgress())
        let signals = Signals()
        source.observeReRanking { signals.raise() }
        let slots = try source.queue(named: "triage").slots
        _ = try source.decide(DecisionCommand(items: [slots[0].item], kind: .accept, queue: "triage", reason: slots[0].source))
        source.waitForRefresh()
        #expect(signals.raised == 0)
        #expect(try source.refreshedQueue(named: "triage") == nil)
        let current = try #require(try source.details(of: [slots[1].item]).first?.currentLabels.first)
        _ = try source.decide(DecisionCommand(items: [slots[1].item], kind: .relabel([source.classes.first { $0 != current }!]), queue: "triage"))
        #expect(signals.raised == 1)
        #expect(try source.refreshedQueue(named: "triage") != nil, "re-ranked: handed out once")
        #expect(try source.refreshedQueue(named: "triage") == nil)
    }

    @Test("the queue-change signal is taken once per raise and calls its observer outside its lock")
    func signal() {
        let signal = QueueChangeSignal()
        #expect(!signal.take())
        signal.raise() // no observer yet: remembered
        let signals = Signals()
        signal.observe {
            signals.raise(); _ = signal.take()
        } // re-entrant: must not deadlock
        signal.raise()
        #expect(signals.raised == 1)
        #expect(!signal.take(), "the observer took it")
        signal.raise()
        #expect(signals.raised == 2)
    }
}
