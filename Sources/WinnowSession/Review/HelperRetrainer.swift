import Dispatch
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowHelperModel

/// Retrains the helper model behind the review screen as decisions come in: after every
/// `[helper] retrain_every` decisions, and once the reviewer has paused (`idleSeconds`
/// without a decision) with decisions not yet learnt from. It runs on its own background
/// queue, one training at a time, starting from the previous weights; a key never waits for
/// it. Each result is saved to the state folder and handed to `install`, which puts the new
/// probabilities into the analysis.
package final class HelperRetrainer: @unchecked Sendable {
    private let queue = DispatchQueue(label: "winnow.review.helper", qos: .utility)
    private let lock = NSLock()
    private let session: AnalysisSession
    private let retrainEvery: Int
    /// A pause this long after the last decision counts as idle.
    package var idleSeconds: Double {
        get { locked { idleDelay } }
        set { locked { idleDelay = newValue } }
    }
    private var idleDelay: Double
    /// The current training labels and weights (read from the review source).
    private let training: @Sendable () -> (labels: [Int32], weights: [Float])
    private let install: @Sendable (HelperCache) -> Void
    /// Prepared on the background queue at the first retrain (features, folds, weights).
    private var model: HelperModel?
    private var earlier: HelperCache?
    private var pending = 0
    private var running = false
    private var idleGeneration = 0
    /// Retrains finished (tests, benchmarks).
    package var completed: Int { locked { finished } }
    private var finished = 0
    /// Retrain when the reviewer pauses (benchmarks that simulate a reviewer turn it off).
    package var idleRetrain: Bool {
        get { locked { idleEnabled } }
        set { locked { idleEnabled = newValue } }
    }
    private var idleEnabled = true

    package init(
        session: AnalysisSession, earlier: HelperCache?, idleSeconds: Double = 4,
        training: @escaping @Sendable () -> (labels: [Int32], weights: [Float]), install: @escaping @Sendable (HelperCache) -> Void
    ) {
        self.session = session
        self.earlier = earlier
        self.retrainEvery = max(1, session.config.helperRetrainEvery)
        self.idleDelay = idleSeconds
        self.training = training
        self.install = install
    }

    /// `count` decisions were stored (this reviewer's or others').
    package func decisionsMade(_ count: Int = 1) {
        guard count > 0 else { return }
        let start: Bool = locked {
            pending += count
            idleGeneration += 1
            return pending >= retrainEvery && !running
        }
        if start { begin() } else { scheduleIdleRetrain() }
    }

    /// Retrains now if decisions are waiting (the screen went idle, or a benchmark asks).
    package func retrainIfPending() {
        if locked({ pending > 0 && !running }) { begin() }
    }

    /// Returns once no retrain is running or queued.
    package func waitUntilIdle() {
        while true {
            queue.sync {}
            if !locked({ running }) { return }
        }
    }

    private func scheduleIdleRetrain() {
        let (generation, delay) = locked { (idleGeneration, idleDelay) }
        queue.asyncAfter(deadline: .now() + delay) { [weak self] in
            guard let self, self.locked({ self.idleGeneration == generation && self.idleEnabled }) else { return }
            self.retrainIfPending()
        }
    }

    private func begin() {
        guard
            locked({ () -> Bool in
                guard !running else { return false }
                running = true
                pending = 0
                return true
            })
        else { return }
        queue.async { [self] in
            let (labels, weights) = training()
            if let trained = try? retrain(labels: labels, weights: weights) {
                try? trained.write(to: HelperEvidence.cachePath(session))
                install(trained)
                locked { finished += 1 }
            }
            let again = locked { () -> Bool in
                running = false
                return pending >= retrainEvery
            }
            if again { begin() }
        }
    }

    /// One training, on the background queue: the first prepares the features (from the
    /// folds and weights kept in the state folder), the next ones reuse them.
    private func retrain(labels: [Int32], weights: [Float]) throws -> HelperCache {
        if model == nil {
            let cache = try HelperEvidence.train(session: session, labels: labels, weights: weights, from: earlier, keep: &model)
            earlier = nil
            return cache
        }
        return HelperEvidence.retrain(&model!, session: session, labels: labels, weights: weights)
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

extension HelperRetrainer {
    /// The retrainer behind a review source, when the helper applies and could be trained
    /// (`input` is the analysis input the source opened with).
    package static func start(for source: StoreReviewSource, session: AnalysisSession, input: AnalysisInput) -> HelperRetrainer? {
        guard HelperEvidence.status(config: session.config, context: session.context).on else { return nil }
        let earlier = HelperCache.read(HelperEvidence.cachePath(session))
        // No features to learn from (constant, too few classes): retraining would not change that.
        if let earlier, earlier.summary.parameters == 0 { return nil }
        let name = HelperEvidence.name(avoiding: session.context.models.map(\.name))
        return HelperRetrainer(
            session: session, earlier: earlier,
            training: { [weak source] in source?.helperTraining() ?? ([], []) },
            install: { [weak source] cache in
                guard cache.summary.unused == nil else { return }
                source?.installHelper(cache.probabilities, name: name)
            })
    }
}
