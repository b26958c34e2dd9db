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
        // Re-ranked: handed out once when that changed the order on screen (the queue as
        // handed out, less the two items decided here); nothing when it did not.
        let shown = slots.map(\.item).filter { $0 != slots[0].item && $0 != slots[1].item }
        let refreshed = try source.refreshedQueue(named: "triage")
        let now = try source.queue(named: "triage").slots.map(\.item)
        if let refreshed {
            #expect(refreshed.slots.map(\.item) == now && now != shown, "handed out, but the order on screen was right")
            #expect(refreshed.counts == ["triage": now.count], "only the queue on screen is counted")
        } else {
            #expect(now == shown, "the order changed, but the screen was not given it")
        }
        #expect(try source.refreshedQueue(named: "triage") == nil)
    }

    @Test("a re-rank that leaves the order on screen as it is hands out nothing; one that moves it does")
    func unchangedOrderIsNotHandedOut() throws {
        let dataset = Repository.copyOfSample(Repository.sampleShapes)
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        let source = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, progress: SilentProgress())
        source.helper?.idleRetrain = false // a retrained helper would be handed out in any order
        var shown = try source.queue(named: "label-issues").slots.map(\.item)
        var skipped = 0, handedOut = 0
        for step in 0..<10 {
            // Relabel the head to the class after its own: the analysis changes every time.
            let item = shown[0]
            let current = try #require(try source.details(of: [item]).first?.currentLabels.first)
            let other = source.classes[(source.classes.firstIndex(of: current)! + 1) % source.classes.count]
            _ = try source.decide(DecisionCommand(items: [item], kind: .relabel([other]), queue: "label-issues"))
            shown.removeAll { $0 == item }
            let refreshed = try source.refreshedQueue(named: "label-issues")
            // What a fresh load would show (handing it out again changes nothing).
            let now = try source.queue(named: "label-issues").slots.map(\.item)
            if let refreshed {
                handedOut += 1
                #expect(refreshed.slots.map(\.item) == now, "step \(step)")
                #expect(now != shown, "step \(step): handed out an order the screen had")
            } else {
                skipped += 1
                #expect(now == shown, "step \(step): the order moved, the screen was not told")
            }
            shown = now
        }
        #expect(handedOut > 0, "ten relabels never moved the queue: the test shows nothing")
    }

    @Test("a background re-analysis is handed out even in the same order: the screen reads its facts again")
    func backgroundAnalysisIsHandedOut() throws {
        let dataset = Repository.copyOfSample(Repository.sampleShapes)
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        let source = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, refreshLimit: 0, progress: SilentProgress())
        source.helper?.idleRetrain = false
        source.waitForRefresh()
        var shown = try source.queue(named: "label-issues").slots.map(\.item)
        for step in 0..<4 {
            let item = shown[0]
            let current = try #require(try source.details(of: [item]).first?.currentLabels.first)
            let other = source.classes[(source.classes.firstIndex(of: current)! + 1) % source.classes.count]
            _ = try source.decide(DecisionCommand(items: [item], kind: .relabel([other]), queue: "label-issues"))
            source.waitForRefresh()
            let refreshed = try #require(try source.refreshedQueue(named: "label-issues"), "step \(step)")
            shown = refreshed.slots.map(\.item)
            #expect(try source.refreshedQueue(named: "label-issues") == nil, "step \(step): handed out once")
        }
    }

    @Test("after re-ranks that counted only the queue on screen, the switcher shows every queue's count as it is now")
    func switcherCountsAreCurrentWhenShown() throws {
        let dataset = Repository.copyOfSample(Repository.sampleShapes)
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        let source = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, progress: SilentProgress())
        let harness = ReviewHarness(source: source, classes: source.classes, queue: "label-issues")
        let countsBefore = harness.state.queueCounts
        for _ in 0..<6 {
            let key = try #require(Self.relabelKey(harness))
            harness.press(key)
            harness.send(.queuesChanged)
        }
        #expect(harness.state.queueCounts["triage"] == countsBefore["triage"], "the re-ranks did not count triage (not on screen)")
        // Tab: while counting, no old count is shown for another queue; then the fresh ones.
        let effects = Reducer.reduce(&harness.state, .key(.tab))
        #expect(effects.contains(.loadQueueCounts))
        let counting = harness.screenText
        #expect(counting.contains("counting…") && !counting.contains("\(countsBefore["triage"]!) open"))
        harness.run(effects)
        let text = harness.screenText
        for name in ["triage", "label-issues", "bad-components", "duplicates", "random"] {
            let open = try source.queue(named: name).slots.count
            #expect(harness.state.queueCounts[name] == open, "\(name)")
            #expect(text.contains("\(open) open"), "\(name): \(open) not shown")
        }
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
