import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowDataset
import WinnowStore
import WinnowUI
import WinnowSession

/// A reviewer who knows the truth, working through one of Winnow's queues with the review
/// screen's own data source (`StoreReviewSource`): every decision is stored and the analysis
/// follows it as on screen (`winnow-bench review-yield`).
struct ReviewSimulation {
    let project: Project
    let session: AnalysisSession

    enum Helper { case off, once, retrained }

    /// The dataset imported into a fresh state folder, with settings changed by `change`.
    static func open(dataset: String, state: String, change: (inout WinnowConfig) -> Void) throws -> ReviewSimulation {
        try? FileManager.default.removeItem(atPath: state)
        let opened = try Project.open(ProjectOptions.parse([dataset, "--state", state]), importIfNeeded: false)
        if !opened.store.hasImported {
            let snapshot = try DatasetReader(root: opened.root, config: opened.config).read(progress: SilentProgress())
            _ = try opened.store.applyImport(snapshot, datasetRoot: opened.root, progress: SilentProgress())
        }
        let project = opened.with(change)
        return ReviewSimulation(project: project, session: try AnalysisSession(project, progress: SilentProgress()))
    }

    /// Decides the head of `queue` until `limit` decisions, 95 % of `target` errors fixed, or
    /// an empty queue (then goes on with `then`, as a reviewer who has emptied label-issues
    /// moves to triage); true for each decision that fixed a real error. With `.retrained`, a
    /// retrain runs (and is waited for) every `[helper] retrain_every` decisions, and the
    /// queue is loaded again after it, as the screen does when told the queues changed.
    func run(queue first: String, then: String? = nil, truth: GroundTruth, helper: Helper, limit: Int, target: Int) throws -> [Bool] {
        var queue = first
        var next = then
        let source = try StoreReviewSource.open(project, reviewer: "simulated-reviewer", stratifyBy: nil, progress: SilentProgress())
        source.helper?.idleRetrain = false
        var slots = try source.queue(named: queue).slots
        var position = 0
        var fixed: [Bool] = []
        var found = 0
        var retrains = source.helper?.completed ?? 0
        let items = session.context.items
        while fixed.count < limit, found * 20 < target * 19 {
            if position >= slots.count {
                // The queue as loaded is done: load it again (it may have grown).
                slots = try source.queue(named: queue).slots
                position = 0
                if slots.isEmpty, let fallback = next {
                    queue = fallback
                    next = nil
                    slots = try source.queue(named: queue).slots
                }
                guard !slots.isEmpty else { break }
            }
            let slot = slots[position]
            position += 1
            let item = items[slot.item]
            let isError = truth.isError(item)
            _ = try source.decide(DecisionCommand(items: [slot.item], kind: truth.decision(for: item), queue: queue, reason: slot.source))
            fixed.append(isError)
            if isError { found += 1 }
            if helper == .retrained, let retrainer = source.helper {
                retrainer.waitUntilIdle()
                if retrainer.completed != retrains {
                    retrains = retrainer.completed
                    slots = try source.queue(named: queue).slots
                    position = 0
                }
            }
        }
        source.waitForRefresh()
        return fixed
    }
}

/// float32 matrices for the Python references.
enum NPYFiles {
    static func write(_ values: [Float], rows: Int, columns: Int, to path: String) throws {
        var data = Data(NPYWriter.float32Header(rows: rows, columns: columns))
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        try data.write(to: URL(fileURLWithPath: path))
    }
}
