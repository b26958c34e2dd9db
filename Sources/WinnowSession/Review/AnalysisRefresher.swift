import Foundation
import WinnowAnalysis

/// Keeps the analysis following the labels: after this session's relabels, others'
/// decisions and a retrained helper. Up to `refreshLimit` items the analysis is recomputed
/// before the change returns (a few milliseconds); above it, in the background, one at a
/// time, a newer request superseding an older one, so a decision never waits for it. Each
/// fresh analysis re-ranks the queues and raises `reRanked`, so the screen's queue follows
/// without a key.
final class AnalysisRefresher: @unchecked Sendable {
    private let state: ReviewState
    private let settings: AnalysisSettings
    private let refreshLimit: Int
    private let reRanked: QueueChangeSignal
    private let retrained: QueueChangeSignal
    private let work = DispatchQueue(label: "winnow.review.refresh")
    private let lock = NSLock()
    private var generation = 0

    /// `reRanked` is raised after relabels, `retrained` after new models (the screen is told
    /// of each through its own observer).
    init(state: ReviewState, settings: AnalysisSettings, refreshLimit: Int, reRanked: QueueChangeSignal, retrained: QueueChangeSignal) {
        self.retrained = retrained
        self.state = state
        self.settings = settings
        self.refreshLimit = refreshLimit
        self.reRanked = reRanked
    }

    private var runsInBackground: Bool { state.read { $0.count } > refreshLimit }

    /// Builds the incremental analysis in the background (large projects only).
    func start() {
        guard runsInBackground else { return }
        let snapshot = state.read { $0.input }
        let settings = self.settings
        work.async { [state] in
            let built = IncrementalAnalysis(snapshot, settings: settings)
            state.write { $0.installEngine(built) }
        }
    }

    private func nextGeneration() -> Int {
        lock.lock()
        defer { lock.unlock() }
        generation += 1
        return generation
    }

    private func isCurrent(_ wanted: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return wanted == generation
    }

    /// Label evidence changed (the model has it already): a fresh analysis. `announce`:
    /// raise `reRanked` even when it is done at once (not needed when the caller is reading
    /// the queue anyway, as when it takes in others' decisions).
    func labelsChanged(announce: Bool = true) {
        guard runsInBackground else { return reanalyseNow(announce ? reRanked : nil, behindScreen: !announce) }
        let wanted = nextGeneration()
        let settings = self.settings
        work.async { [self] in
            // A newer relabel has queued its own refresh: leave the work to that one.
            guard isCurrent(wanted) else { return }
            // From the incremental analysis when it is built (the fused scores, ~150 ms at 1M
            // items, are all that is left to compute), else a full analysis (seconds).
            let (engine, snapshot) = state.read { ($0.engine, $0.engine == nil ? $0.input : nil) }
            let fresh = engine?.analysis ?? LabelAnalysis(snapshot!, settings: settings)
            guard isCurrent(wanted) else { return }
            state.write { $0.install(fresh, behindScreen: true) }
            reRanked.raise()
        }
    }

    /// The models changed (a retrained helper): at once for small projects, else the
    /// incremental analysis is built again behind the screen with decisions made meanwhile
    /// brought in.
    func modelsChanged() {
        guard runsInBackground else { return reanalyseNow(retrained, behindScreen: true) }
        _ = nextGeneration()
        let snapshot = state.read { $0.input }
        let settings = self.settings
        work.async { [self] in
            let built = IncrementalAnalysis(snapshot, settings: settings)
            let current = state.write { model -> IncrementalAnalysis in
                model.installEngine(built, everyItem: true)
                return model.engine!
            }
            let fresh = current.analysis
            state.write { $0.install(fresh, behindScreen: true) }
            retrained.raise()
        }
    }

    /// `behindScreen`: false when a decision of the screen's own waits for it (the screen
    /// reads its facts again once the decision returns).
    private func reanalyseNow(_ signal: QueueChangeSignal?, behindScreen: Bool) {
        let settings = self.settings
        state.write { $0.install(LabelAnalysis($0.input, settings: settings), behindScreen: behindScreen) }
        signal?.raise()
    }

    /// Waits for a background re-analysis to finish (benchmarks, tests).
    func wait() { work.sync {} }
}
