import Foundation
import Testing
import WinnowCore
import WinnowStore
import WinnowTestSupport
import WinnowUI
@testable import WinnowSession

/// The review screen's data source over a real project: what the screen is told after
/// each decision must match the store.
@Suite("Review data source")
struct StoreReviewSourceTests {
    func open(function: String = #function) throws -> (TemporaryDataset, StoreReviewSource) {
        let dataset = Repository.copyOfSample(Repository.sampleShapes, function: function)
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        return (dataset, try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, progress: SilentProgress()))
    }

    @Test("a relabel inside a near-duplicate group updates the group's counts at once; undo restores them")
    func componentCountsFollowDecisions() throws {
        let (_, source) = try open()
        let queue = try source.queue(named: "bad-components")
        let first = try #require(queue.slots.first).item
        let before = try #require(try source.details(of: [first]).first?.component)
        let target = try #require(source.classes.first { name in !before.labelCounts.contains { $0.label == name } })
        _ = try source.decide(DecisionCommand(items: [first], kind: .relabel([target]), queue: "bad-components"))
        let after = try #require(try source.details(of: [first]).first)
        #expect(after.currentLabels == [target] && after.status == "relabelled")
        #expect(after.component?.labelCounts.contains { $0.label == target && $0.count == 1 } == true)
        _ = try source.undo(items: [first])
        #expect(try source.details(of: [first]).first?.component?.labelCounts == before.labelCounts)
    }

    @Test("decided items leave the next queue load, skipped ones come last, undo brings them back")
    func queuesFollowDecisions() throws {
        let (_, source) = try open()
        let slots = try source.queue(named: "triage").slots
        let (a, b) = (slots[0].item, slots[1].item)
        _ = try source.decide(DecisionCommand(items: [a], kind: .accept, queue: "triage"))
        _ = try source.decide(DecisionCommand(items: [b], kind: .skip, queue: "triage"))
        let reloaded = try source.queue(named: "triage").slots.map(\.item)
        #expect(!reloaded.contains(a))
        #expect(reloaded.last == b)
        #expect(reloaded.count == slots.count - 1)
        _ = try source.undo(items: [a])
        #expect(try source.queue(named: "triage").slots.map(\.item).contains(a))
    }

    @Test("the stats view does not change which flag explains the items on screen")
    func statsLeaveReasonsAlone() throws {
        let (_, source) = try open()
        // Low-confidence items reach triage through other flags: explained differently there.
        let first = try #require(try source.queue(named: "low-confidence").slots.first).item
        let before = try #require(try source.details(of: [first]).first).reasons
        let stats = try source.stats()
        #expect(stats.sections.contains { $0.title.hasPrefix("Progress per queue") })
        #expect(try source.details(of: [first]).first?.reasons == before)
    }

    @Test("a decision made from a queue entry logs that entry's score and kinds of flag")
    func decisionsCarryTheirFlags() throws {
        let (dataset, source) = try open()
        let slot = try #require(try source.queue(named: "bad-components").slots.first)
        let score = try source.details(of: [slot.item]).first?.labelIssueScore
        _ = try source.decide(DecisionCommand(items: [slot.item], kind: .accept, queue: "bad-components", reason: slot.source))
        let store = try ProjectStore(stateDirectory: dataset.statePath)
        var logged: [DecisionLogEntry] = []
        try store.logEntries(image: nil, reviewer: nil, since: nil) { logged.append($0) }
        let entry = try #require(logged.last)
        // The score logged is the one that compares across queues: the item's label-issue score.
        #expect(entry.queue == "bad-components" && entry.reason == "bad-components" && entry.score != nil && entry.score == score)
        #expect(entry.flags.first == FlagKind.badComponent.rawValue)
        #expect(!entry.flags.contains(FlagKind.model.rawValue) && !entry.flags.contains(FlagKind.neighbours.rawValue))
        #expect(try store.verifyDecisionLog().isIntact)
    }

    @Test("the stats view shows agreement once two reviewers decided the same items, and each flag's precision")
    func statsShowAgreement() throws {
        // Two reviews per item: the second reviewer is shown the items the first decided.
        let (dataset, _) = try open()
        _ = dataset.write("winnow.toml", "[team]\nreviews_per_item = 2\n")
        let project = try Project.open(dataset: dataset.root)
        let source = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, progress: SilentProgress())
        let other = try StoreReviewSource.open(project, reviewer: "second", stratifyBy: nil, progress: SilentProgress())
        var stats = try source.stats()
        #expect(stats.sections.contains { $0.title.hasPrefix("Agreement (0 items") && $0.notes.first?.hasPrefix("none yet") == true })
        let slots = try source.queue(named: "triage").slots.prefix(3)
        for slot in slots {
            _ = try source.decide(DecisionCommand(items: [slot.item], kind: .accept, queue: "triage", reason: slot.source))
            _ = try other.decide(DecisionCommand(items: [slot.item], kind: .accept, queue: "triage", reason: slot.source))
        }
        stats = try source.stats()
        let agreement = try #require(stats.sections.first { $0.title.hasPrefix("Agreement (3 items") })
        // Both accepted the same labels: they agree on every item.
        #expect(agreement.bars.first { $0.label == "observed" }?.value == 1)
        #expect(agreement.bars.contains { $0.label == "Cohen's κ" })
        let reviewers = try #require(stats.sections.first { $0.title.hasPrefix("Each reviewer") })
        #expect(Set(reviewers.bars.map(\.label)) == ["tester", "second"] && reviewers.bars.allSatisfy { $0.value == 1 })
        let flags = try #require(stats.sections.first { $0.title.hasPrefix("Flag precision") })
        #expect(Set(flags.bars.map(\.label)) == Set(slots.map(\.source)))
        #expect(stats.sections.first { $0.title == "Decisions by reviewer" }?.bars.count == 2)
    }

    @Test("large projects follow decisions with the incremental analysis: the same screen as a fresh full analysis")
    func incrementalAnalysisFollowsDecisions() throws {
        let dataset = Repository.copyOfSample(Repository.sampleShapes)
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        // The large-project path on the sample: the analysis kept up to date decision by decision.
        let live = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, refreshLimit: 0, progress: SilentProgress())
        let slots = try live.queue(named: "triage").slots
        // Relabels before and after the engine is built, an exclusion and a split-off.
        for (n, slot) in slots.prefix(12).enumerated() {
            let current = try #require(try live.details(of: [slot.item]).first?.currentLabels.first)
            let kind: DecisionKind = n == 5 ? .exclude : n == 9 ? .splitOff : .relabel([live.classes.first { $0 != current }!])
            _ = try live.decide(DecisionCommand(items: [slot.item], kind: kind, queue: "triage", reason: slot.source))
            if n == 3 { live.waitForRefresh() }
        }
        live.waitForRefresh()
        let fresh = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, progress: SilentProgress())
        let items = slots.prefix(40).map(\.item)
        _ = try fresh.queue(named: "triage")
        let shown = try live.details(of: items), expected = try fresh.details(of: items)
        for (a, b) in zip(shown, expected) {
            #expect(a.suggested == b.suggested && a.component == b.component && a.currentLabels == b.currentLabels, "\(a.path)")
        }
        #expect(try live.queue(named: "label-issues").slots == (try fresh.queue(named: "label-issues").slots))
    }

    @Test("a whole group relabelled with one key is stored as one decision per member")
    func groupDecision() throws {
        let (dataset, source) = try open()
        let first = try #require(try source.queue(named: "bad-components").slots.first).item
        let members = try #require(try source.details(of: [first]).first?.component?.members)
        let majority = try #require(try source.details(of: [first]).first?.component?.majority)
        let result = try source.decide(DecisionCommand(items: members, kind: .relabel([majority]), queue: "bad-components"))
        #expect(result.eventIDs.count == members.count)
        #expect(result.message.hasPrefix("saved \(members.count) decisions"))
        let counts = try #require(try source.details(of: [first]).first?.component)
        #expect(counts.labelCounts.map(\.label) == [majority] && !counts.isBad)
        // Members that already had the majority label were accepted, the others relabelled.
        let info = WinnowProcess.run(["info", dataset.root, "--json"])
        #expect(info.stdout.contains("\"accept\"") && info.stdout.contains("\"relabel\""))
    }
}

@Suite("Review data source without embeddings")
struct FeatureNeighbourTests {
    @Test("more like this uses the image-feature neighbours when there are no embeddings")
    func similarFromFeatures() throws {
        let dataset = Repository.copyOfSample(Repository.sampleImageFolder)
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        let source = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, progress: SilentProgress())
        let item = try #require(try source.queue(named: "random").slots.first { !source.imagePath(of: $0.item).hasSuffix("broken.png") }).item
        let neighbours = try source.similar(to: item)
        #expect(!neighbours.isEmpty)
        #expect(neighbours.allSatisfy { $0.item != item && $0.similarity <= 1.0001 })
        #expect(zip(neighbours, neighbours.dropFirst()).allSatisfy { $0.similarity >= $1.similarity })
    }

    @Test("winnow similar answers from the image features too")
    func similarCommand() throws {
        let dataset = Repository.copyOfSample(Repository.sampleImageFolder)
        let result = WinnowProcess.run(["similar", dataset.root, "circle/circle_01.png", "-k", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 4)
    }
}
