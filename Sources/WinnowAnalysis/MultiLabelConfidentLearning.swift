import Dispatch
import WinnowCore

/// Multi-label confident learning exactly as cleanlab 2.9's
/// `cleanlab.multilabel_classification` computes it: each class is a one-vs-rest binary
/// problem (`OneVsRestProblem`) run through single-label confident learning, and an item
/// has a label issue when any of its classes does.
///
/// "Exactly" is meant as in `ConfidentLearning`: cleanlab run on the float64 copy of the
/// float32 probabilities, with its sorts made stable (ties go to the lower index; cleanlab's
/// own quicksort orders ties by CPU). Two deliberate differences, both where cleanlab
/// refuses to compute: a class on every item and (for `predicted_neq_given`) a class on
/// no item make cleanlab raise "Labels must contain at least 2 classes", although its
/// algorithm is defined for them (and it accepts a class on no item everywhere else);
/// Winnow computes them, as cleanlab does with that one check lifted. The tests compare
/// against fixtures made that way (`Tests/WinnowAnalysisTests/Fixtures/multilabel/`).
public struct MultiLabelConfidentLearning: Sendable {
    /// cleanlab's `filter_by` for multi-label data.
    public enum FilterBy: String, Sendable, CaseIterable {
        case pruneByNoiseRate = "prune_by_noise_rate"
        case pruneByClass = "prune_by_class"
        case both
        case confidentLearning = "confident_learning"
        case predictedNotGiven = "predicted_neq_given"
        /// The items with the lowest multi-label quality scores (self-confidence, aggregated
        /// by the default exponential moving average), as many as `confident_learning`
        /// flags. Per class: the same on that class's scores.
        case lowSelfConfidence = "low_self_confidence"
        /// On multi-label data cleanlab ranks by the same default score as
        /// `low_self_confidence` (its code passes no method), so the two flag the same items;
        /// per class they differ (normalized margin).
        case lowNormalizedMargin = "low_normalized_margin"
    }

    public let labels: MultiLabelSets
    /// Row-major items × classes, each value the probability of that class (rows need not
    /// sum to 1).
    public let probabilities: [Float]
    /// The same, column-major.
    let columns: [Float]
    public var count: Int { labels.count }
    public var classes: Int { labels.classes }
    /// cleanlab's `min_examples_per_class`.
    public var minExamplesPerClass = 1

    public init(labels: MultiLabelSets, probabilities: [Float]) {
        precondition(probabilities.count == labels.count * labels.classes, "probabilities must be items × classes")
        self.labels = labels
        self.probabilities = probabilities
        self.columns = columnMajor(probabilities, items: labels.count, classes: labels.classes)
    }

    /// Runs `body` on class k's problem.
    func withProblem<R>(_ k: Int, _ body: (OneVsRestProblem) -> R) -> R {
        let n = count
        return labels.members.withUnsafeBufferPointer { members in
            columns.withUnsafeBufferPointer { columns in
                body(
                    OneVsRestProblem(
                        given: UnsafeBufferPointer(rebasing: members[(k * n)..<((k + 1) * n)]),
                        probability: UnsafeBufferPointer(rebasing: columns[(k * n)..<((k + 1) * n)])))
            }
        }
    }

    /// `body(k)` for every class, classes spread over the cores, results in class order.
    func perClass<R>(_ body: @escaping @Sendable (Int) -> R) -> [R] {
        var results = [R?](repeating: nil, count: classes)
        results.withUnsafeMutableBufferPointer { buffer in
            let out = UnsafeSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: classes) { k in out.value[k] = body(k) }
        }
        return results.map { $0! }
    }

    // MARK: - Per class

    /// cleanlab's `count.get_confident_thresholds(multi_label=True)`: per class, the
    /// thresholds of its columns `[1 − p, p]`.
    public func confidentThresholds() -> [[Double]] {
        let n = count
        return perClass { k in
            let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(n, 1))
            defer { scratch.deallocate() }
            return self.withProblem(k) { $0.confidentThresholds(counts: $0.labelCounts(), scratch: scratch) }
        }
    }

    /// cleanlab's `count.compute_confident_joint(multi_label=True)`: per class, the
    /// calibrated 2 × 2 confident joint [given][guessed].
    public func confidentJoints() -> [[[Int]]] {
        let n = count
        return perClass { k in
            let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(n, 1))
            defer { scratch.deallocate() }
            return self.withProblem(k) { problem in
                let counts = problem.labelCounts()
                let (joint, _) = problem.confidentJoint(thresholds: problem.confidentThresholds(counts: counts, scratch: scratch))
                return ConfidentLearning.calibrated(joint, counts: counts)
            }
        }
    }

    /// cleanlab's `find_multilabel_issues_per_class`: for each class, the items whose
    /// annotation of that class looks wrong (ascending). An item that has the class is
    /// probably wrongly given it; one that has not is probably missing it.
    public func issuesPerClass(filterBy: FilterBy = .pruneByNoiseRate) -> [[Int32]] {
        let n = count, minimum = minExamplesPerClass
        return perClass { k in
            let scratch = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(n, 1))
            let flags = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(n, 1))
            flags.initialize(repeating: 0)
            defer { scratch.deallocate(); flags.deallocate() }
            return self.withProblem(k) { $0.issues(filterBy, minExamplesPerClass: minimum, scratch: scratch, flags: flags) }
        }
    }

    // MARK: - Per item

    /// cleanlab's multi-label `find_label_issues`: the items with an issue in any class,
    /// ascending.
    public func findLabelIssues(filterBy: FilterBy = .pruneByNoiseRate) -> [Int] {
        switch filterBy {
        case .lowSelfConfidence, .lowNormalizedMargin:
            return lowScoreIssues().sorted()
        default:
            return Self.union(issuesPerClass(filterBy: filterBy), count: count)
        }
    }

    /// Ascending union of per-class index lists (`reduce(np.union1d, …)`).
    static func union(_ lists: [[Int32]], count: Int) -> [Int] {
        var flagged = [Bool](repeating: false, count: count)
        for list in lists { for i in list { flagged[Int(i)] = true } }
        return flagged.indices.filter { flagged[$0] }
    }

    /// The low_* methods on multi-label data: the `confident_learning` count of items with
    /// the lowest default multi-label scores, in cleanlab's order (ascending score, ties by
    /// index).
    func lowScoreIssues() -> [Int] {
        let limit = findLabelIssues(filterBy: .confidentLearning).count
        guard limit > 0 else { return [] }
        let scores = MultiLabelQuality.scores(self)
        var heap = ConfidentLearning.SmallestElements(limit: limit)
        for i in 0..<count { heap.offer(ConfidentLearning.Ranked(key: scores[i], index: Int32(i))) }
        return heap.heap.unordered.sorted().map { Int($0.index) }
    }

    /// `find_label_issues(..., return_indices_ranked_by: method)`: the issues by their
    /// multi-label quality score (`method` per class, the default exponential moving
    /// average across classes), lowest first, ties by index.
    ///
    /// For the low_* methods cleanlab 2.9 pairs two orders that do not match: it scores the
    /// issues in index order and uses those scores' ranks to reorder the issues sorted by
    /// the default score. Reproduced as is (the list has the right items; its order is
    /// cleanlab's).
    public func rankedLabelIssues(filterBy: FilterBy = .pruneByNoiseRate, rankBy method: LabelQuality.Method) -> [Int] {
        switch filterBy {
        case .lowSelfConfidence, .lowNormalizedMargin:
            let byDefaultScore = lowScoreIssues()
            let inIndexOrder = byDefaultScore.sorted()
            let scores = MultiLabelQuality.scores(self, items: inIndexOrder, method: method)
            let order = Self.stableOrder(scores)
            return order.map { byDefaultScore[$0] }
        default:
            let issues = findLabelIssues(filterBy: filterBy)
            let scores = MultiLabelQuality.scores(self, items: issues, method: method)
            return Self.stableOrder(scores).map { issues[$0] }
        }
    }

    /// The positions of `values` in ascending order, ties by position (a stable argsort).
    static func stableOrder(_ values: [Double]) -> [Int] {
        values.indices.sorted { values[$0] != values[$1] ? values[$0] < values[$1] : $0 < $1 }
    }
}
