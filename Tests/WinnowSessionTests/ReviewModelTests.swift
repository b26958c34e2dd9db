import Foundation
import Testing
import WinnowAnalysis
import WinnowCore
import WinnowTestSupport
import WinnowUI
@testable import WinnowSession

/// The live review state on its own: what a store outcome changes, and when the queues are
/// ranked again. No store writes, no threads.
@Suite("Review model")
struct ReviewModelTests {
    func model(function: String = #function) throws -> (TemporaryDataset, ReviewModel, TeamPolicy) {
        let dataset = Repository.copyOfSample(Repository.sampleShapes, function: function)
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        let session = try AnalysisSession(project, progress: SilentProgress())
        let input = try session.input(graph: try session.neighbourGraph()?.graph)
        let analysis = LabelAnalysis(input, settings: session.settings())
        let builder = try session.queueBuilder(analysis, input: input, stratifyBy: nil, reviewer: "tester")
        let model = ReviewModel(
            context: session.context, input: input, analysis: analysis, builder: builder, reviewer: "tester", refreshLimit: 20_000)
        return (dataset, model, project.config.team)
    }

    @Test("an outcome changes the label evidence only when labels, exclusion or split-off change; applying it twice changes nothing")
    func updateSaysWhenLabelsChanged() throws {
        let (dataset, start, policy) = try model()
        defer { withExtendedLifetime(dataset) {} }
        var model = start
        let i = try #require(model.context.items.indices.first { model.context.items[$0].resolution.labels != nil })
        let before = model.context.items[i].resolution
        let other = try #require(model.context.classes.first { $0 != before.labels?.names.first })
        var accepted = before
        accepted.status = .accepted
        let acceptChanged = model.update(i, to: accepted, consensus: policy.consensus([]))
        #expect(!acceptChanged, "an accept keeps the labels")
        #expect(model.queuesStale, "the item's status changed: the queues are ranked again")
        var relabelled = before
        relabelled.status = .relabelled
        relabelled.labels = LabelSet([other], in: model.taxonomy)
        let relabelChanged = model.update(i, to: relabelled, consensus: policy.consensus([]))
        #expect(relabelChanged && model.input.labels[i] == Int32(model.taxonomy.position(of: other)!))
        let replayChanged = model.update(i, to: relabelled, consensus: policy.consensus([]))
        #expect(!replayChanged, "replayed: nothing new")
        var excluded = relabelled
        excluded.status = .excluded
        let excludeChanged = model.update(i, to: excluded, consensus: policy.consensus([]))
        #expect(excludeChanged && model.input.excluded[i])
        var split = excluded
        split.isSplitOff = true
        let splitChanged = model.update(i, to: split, consensus: policy.consensus([]))
        #expect(splitChanged && model.input.splitOff.contains(Int32(i)))
    }

    @Test("queues are ranked again only when stale; a marked problem joins the problems queue; the queue handed out explains its items")
    func queuesFollowTheState() throws {
        let (dataset, start, _) = try model()
        defer { withExtendedLifetime(dataset) {} }
        var model = start
        #expect(!model.queuesStale)
        let i = try #require(model.context.items.indices.first { model.context.items[$0].problem == nil })
        let before = model.order(.problems, leavingOut: [])
        #expect(!before.contains { $0.item == i })
        model.markProblem(i, "cannot decode")
        #expect(model.queuesStale)
        let problems = model.order(.problems, leavingOut: [])
        #expect(!model.queuesStale && problems.contains { $0.item == i })
        #expect(model.surfacedBy[i] == .problems)
        // Items other sessions hold are left out.
        let held = model.order(.problems, leavingOut: [model.id(of: i)])
        #expect(!held.contains { $0.item == i })
    }
}
