import Dispatch
import WinnowCore
import HeapModule

/// Confident learning (Northcutt, Jiang & Chuang, 2021) exactly as cleanlab 2.9 computes it:
/// per-class confident thresholds, the confident joint, its calibration, and
/// `find_label_issues` with each `filter_by` method.
///
/// "Exactly" means the same flagged set on the same labels and probabilities: sums follow
/// numpy's order, rounding is half-to-even, and every sort is stable (ties go to the lower
/// index). cleanlab itself uses numpy's unstable quicksort, whose tie order depends on the
/// CPU; on data without exact ties the results are identical, and with ties Winnow's
/// are the ones cleanlab gives with a stable sort.
public struct ConfidentLearning: Sendable {
    /// How `findLabelIssues` decides which items are label issues (cleanlab's `filter_by`).
    public enum FilterBy: String, Sendable, CaseIterable {
        /// For each pair (given k, true j) remove the confident joint's estimate of items,
        /// those with the largest margin p[j] − p[k]. cleanlab's default.
        case pruneByNoiseRate = "prune_by_noise_rate"
        /// For each given class k remove the items with the lowest p[k], as many as the
        /// confident joint says are mislabelled.
        case pruneByClass = "prune_by_class"
        /// Both of the above.
        case both
        /// The off-diagonal entries of the confident joint.
        case confidentLearning = "confident_learning"
        /// The model's top prediction differs from the given label.
        case predictedNotGiven = "predicted_neq_given"
    }

    public let labels: [Int32]
    /// Row-major items × classes.
    public let probabilities: [Float]
    public let classes: Int
    public var count: Int { labels.count }

    /// Items whose own class has no more than this many items are never flagged by the
    /// pruning methods (cleanlab's `min_examples_per_class`).
    public var minExamplesPerClass = 1

    static let comparisonTolerance = 1e-6 // FLOATING_POINT_COMPARISON
    static let thresholdLowerBound = 2e-6 // CONFIDENT_THRESHOLDS_LOWER_BOUND
    static let absentClassThreshold = 2.0 // BIG_VALUE: no item can be confident in it
    static let tiny = 1e-100

    public init(labels: [Int32], probabilities: [Float], classes: Int) {
        precondition(probabilities.count == labels.count * classes, "probabilities must be items × classes")
        precondition(labels.allSatisfy { $0 >= 0 && Int($0) < classes }, "labels must be class indices")
        self.labels = labels
        self.probabilities = probabilities
        self.classes = classes
    }

    @inline(__always) func p(_ i: Int, _ k: Int) -> Double { Double(probabilities[i &* classes &+ k]) }

    @inline(__always) func argmax(_ i: Int) -> Int { rowArgmax(probabilities, row: i, classes: classes) }

    public func labelCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classes)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    /// The items of each given class, in index order.
    public func itemsByClass() -> [[Int32]] {
        var rows = [[Int32]](repeating: [], count: classes)
        for (k, n) in labelCounts().enumerated() { rows[k].reserveCapacity(n) }
        labels.withUnsafeBufferPointer { labels in
            for i in 0..<labels.count { rows[Int(labels[i])].append(Int32(i)) }
        }
        return rows
    }

    // MARK: - Thresholds and the confident joint

    /// Per class k: the mean of p[k] over the items labelled k (cleanlab's
    /// `get_confident_thresholds`), at least 2e-6; 2.0 for a class nobody is labelled with.
    public func confidentThresholds() -> [Double] { confidentThresholds(itemsByClass()) }

    public func confidentThresholds(_ groups: [[Int32]]) -> [Double] {
        var values = [Double](repeating: 0, count: groups.map(\.count).max() ?? 0)
        return probabilities.withUnsafeBufferPointer { p in
            values.withUnsafeMutableBufferPointer { values in
                groups.enumerated().map { k, rows in
                    guard !rows.isEmpty else { return Self.absentClassThreshold }
                    for (n, i) in rows.enumerated() { values[n] = Double(p[Int(i) &* classes &+ k]) }
                    let sum = NumpyArithmetic.sum(UnsafeBufferPointer(rebasing: values[0..<rows.count]))
                    return max(sum / Double(rows.count), Self.thresholdLowerBound)
                }
            }
        }
    }

    /// The confident joint before calibration: counts[given][guessed true class] over the
    /// items confident in at least one class, with its diagonal raised to at least 1; and the
    /// items whose guess differs from their label (the `confident_learning` issues).
    public func confidentJoint(thresholds: [Double]) -> (joint: [[Int]], offDiagonal: [Int]) {
        let cut = thresholds.map { $0 - Self.comparisonTolerance }
        // Rows in chunks across cores; each chunk counts into its own joint, merged in order.
        let chunkSize = 1 << 16
        let chunks = max(1, (count + chunkSize - 1) / chunkSize)
        var partial = [(joint: [Int], offDiagonal: [Int])](repeating: ([], []), count: chunks)
        partial.withUnsafeMutableBufferPointer { buffer in
            let out = UnsafeSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var joint = [Int](repeating: 0, count: classes * classes)
                var offDiagonal: [Int] = []
                for i in (c * chunkSize)..<min(count, (c + 1) * chunkSize) {
                    var confident = 0
                    var onlyConfident = 0
                    for k in 0..<classes where p(i, k) >= cut[k] {
                        confident += 1
                        onlyConfident = k
                    }
                    guard confident > 0 else { continue }
                    // Several confident classes: the guess is the argmax of the whole row.
                    let guess = confident == 1 ? onlyConfident : argmax(i)
                    let label = Int(labels[i])
                    joint[label * classes + guess] += 1
                    if guess != label { offDiagonal.append(i) }
                }
                out.value[c] = (joint, offDiagonal)
            }
        }
        var joint = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        var offDiagonal: [Int] = []
        for part in partial {
            for g in 0..<classes { for t in 0..<classes { joint[g][t] += part.joint[g * classes + t] } }
            offDiagonal += part.offDiagonal
        }
        for k in 0..<classes { joint[k][k] = max(joint[k][k], 1) }
        return (joint, offDiagonal)
    }

    /// cleanlab's `calibrate_confident_joint`: rows scaled to the class sizes, the whole
    /// scaled to the item count, each row rounded so its total is preserved.
    public func calibrated(_ joint: [[Int]]) -> [[Int]] { Self.calibrated(joint, counts: labelCounts()) }

    /// `calibrated` given the label counts (all it needs of the labels).
    static func calibrated(_ joint: [[Int]], counts: [Int]) -> [[Int]] {
        let classes = counts.count
        var scaled = (0..<classes).map { i -> [Double] in
            let rowSum = max(Double(joint[i].reduce(0, +)), Self.tiny)
            return (0..<classes).map { j in Double(joint[i][j]) / rowSum * Double(counts[i]) }
        }
        // numpy sums the transposed (column-major) array in memory order.
        var columnMajor: [Double] = []
        columnMajor.reserveCapacity(classes * classes)
        for j in 0..<classes { for i in 0..<classes { columnMajor.append(scaled[i][j]) } }
        let total = max(NumpyArithmetic.sum(columnMajor), Self.tiny)
        let n = Double(counts.reduce(0, +))
        for i in 0..<classes { for j in 0..<classes { scaled[i][j] = scaled[i][j] / total * n } }
        return scaled.map(Self.roundPreservingSum)
    }

    /// Rounds `floats` to integers whose total is the rounded total of `floats`, adjusting
    /// the entries with the largest rounding residuals (cleanlab's `round_preserving_sum`).
    static func roundPreservingSum(_ floats: [Double]) -> [Int] {
        var ints = floats.map(NumpyArithmetic.round)
        let target = NumpyArithmetic.round(NumpyArithmetic.sum(floats))
        var current = NumpyArithmetic.round(NumpyArithmetic.sum(ints))
        while abs(current - target) > comparisonTolerance {
            let difference = NumpyArithmetic.round(target - current)
            let increment: Double = difference < 0 ? -1 : 1
            let changes = min(Int(abs(difference)), floats.count)
            // Ascending residuals, ties by index (stable); reversed when adding.
            var order = Array(floats.indices).sorted { a, b in
                let ra = floats[a] - ints[a], rb = floats[b] - ints[b]
                return ra != rb ? ra < rb : a < b
            }
            if increment > 0 { order.reverse() }
            for i in order.prefix(changes) { ints[i] += increment }
            current = NumpyArithmetic.round(NumpyArithmetic.sum(ints))
        }
        return ints.map { Int($0) }
    }

    /// The calibrated confident joint, transposed ([true][given]), with each given class
    /// keeping at least one item (cleanlab's `_keep_at_least_n_per_class`, frac_noise = 1).
    public static func pruneCountMatrix(_ calibrated: [[Int]], keep n: Int) -> [[Int]] {
        let k = calibrated.count
        let m = (0..<k).map { i in (0..<k).map { j in Double(calibrated[j][i]) } }
        var result = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        for column in 0..<k {
            let diagonal = m[column][column]
            let raised = max(diagonal, Double(n))
            let deficit = raised - diagonal
            let nonZero = (0..<k).reduce(0) { $0 + (m[$1][column] != 0 ? 1 : 0) }
            let share = deficit / max(Double(nonZero) - 1, 1)
            for row in 0..<k {
                result[row][column] = row == column ? Int(raised) : Int(max(m[row][column] - share, 0)) // astype(int) truncates
            }
        }
        return result
    }

    // MARK: - Finding label issues

    /// The items flagged as label issues, in index order (cleanlab's `find_label_issues`
    /// with default arguments and the given `filter_by`).
    public func findLabelIssues(filterBy: FilterBy = .pruneByNoiseRate) -> [Int] {
        var flagged: [Bool]
        switch filterBy {
        case .pruneByNoiseRate, .pruneByClass, .both:
            let groups = itemsByClass()
            let (joint, _) = confidentJoint(thresholds: confidentThresholds(groups))
            let prune = Self.pruneCountMatrix(calibrated(joint), keep: minExamplesPerClass)
            let masks = pruneMasks(prune, groups: groups, wantByClass: filterBy != .pruneByNoiseRate, wantByNoiseRate: filterBy != .pruneByClass)
            switch filterBy {
            case .pruneByClass: flagged = masks.byClass
            case .pruneByNoiseRate: flagged = masks.byNoiseRate
            default: flagged = zip(masks.byClass, masks.byNoiseRate).map { $0 && $1 }
            }
        case .confidentLearning:
            flagged = [Bool](repeating: false, count: count)
            for i in confidentJoint(thresholds: confidentThresholds()).offDiagonal { flagged[i] = true }
        case .predictedNotGiven:
            flagged = (0..<count).map { argmax($0) != Int(labels[$0]) }
        }
        // Never flag an item whose given label is (within 1e-6) the model's top choice.
        var issues: [Int] = []
        flagged.withUnsafeBufferPointer { flagged in
            for i in 0..<flagged.count where flagged[i] && !predictionAgreesWithLabel(i) { issues.append(i) }
        }
        return issues
    }

    /// The argmax of the row after adding 1e-6 to the given label's probability is that label.
    @inline(__always) func predictionAgreesWithLabel(_ i: Int) -> Bool {
        let label = Int(labels[i])
        let boosted = p(i, label) + Self.comparisonTolerance
        for k in 0..<classes where k != label {
            let value = p(i, k)
            if k < label ? value >= boosted : value > boosted { return false }
        }
        return true
    }

    /// An item position with its sort key; compares by key, then by index (stable order).
    struct Ranked: Comparable {
        let key: Double
        let index: Int32
        static func < (a: Ranked, b: Ranked) -> Bool { a.key != b.key ? a.key < b.key : a.index < b.index }
    }

    /// Keeps the `limit` smallest elements seen, without sorting everything. `cutoff` is the
    /// largest element kept once full: callers compare against it first, because almost
    /// every candidate loses and the heap need not be touched for it.
    struct SmallestElements {
        let limit: Int
        var heap = Heap<Ranked>()
        private(set) var cutoff = Ranked(key: .infinity, index: .max)

        init(limit: Int) { self.limit = limit }

        @inline(__always) mutating func offer(_ element: Ranked) {
            guard element < cutoff else { return }
            if heap.count < limit {
                heap.insert(element)
                if heap.count == limit { cutoff = heap.max! }
            } else {
                heap.replaceMax(with: element)
                cutoff = heap.max!
            }
        }

        var indices: [Int32] { heap.unordered.map(\.index) }
    }

    /// The `prune_by_class` and `prune_by_noise_rate` masks. Classes run in parallel.
    public func pruneMasks(_ prune: [[Int]], groups: [[Int32]], wantByClass: Bool, wantByNoiseRate: Bool) -> (byClass: [Bool], byNoiseRate: [Bool]) {
        var picks = [[Int32]](repeating: [], count: classes * 2) // [2k]: by class, [2k+1]: by noise rate
        picks.withUnsafeMutableBufferPointer { output in
            let out = UnsafeSendable(output)
            DispatchQueue.concurrentPerform(iterations: classes) { k in
                let members = groups[k]
                guard members.count > minExamplesPerClass, members.count > 1 else { return }
                // Selections over the items labelled k, each "the `limit` smallest keys":
                // by class, key p[k] (the least confident); by noise rate, one per other class j
                // with key −(p[j] − p[k]) (the largest margins). Ties go to the lower index.
                var keyClasses: [Int] = [] // -1: by class; j: margin against class j
                var limits: [Int] = []
                if wantByClass, members.count - prune[k][k] >= 1 { keyClasses.append(-1); limits.append(members.count - prune[k][k]) }
                if wantByNoiseRate {
                    for j in 0..<classes where j != k && prune[j][k] > 0 { keyClasses.append(j); limits.append(prune[j][k]) }
                }
                let chosen = selectSmallest(members: members, ownClass: k, keyClasses: keyClasses, limits: limits)
                var byClass: [Int32] = [], byNoiseRate: [Int32] = []
                for (slot, keyClass) in keyClasses.enumerated() {
                    if keyClass < 0 { byClass = chosen[slot] } else { byNoiseRate += chosen[slot] }
                }
                out.value[2 * k] = byClass
                out.value[2 * k + 1] = byNoiseRate
            }
        }
        var byClass = [Bool](repeating: false, count: count)
        var byNoiseRate = [Bool](repeating: false, count: count)
        for k in 0..<classes {
            for i in picks[2 * k] { byClass[Int(i)] = true }
            for i in picks[2 * k + 1] { byNoiseRate[Int(i)] = true }
        }
        return (byClass, byNoiseRate)
    }

    /// For each key (see `pruneMasks`), the indices of the `limits[slot]` members with the
    /// smallest keys, ties by index.
    ///
    /// Exact, and fast when limits are large: a 1-in-32 sample estimates each cutoff
    /// generously; one pass collects only the members at or below it; sorting those few
    /// gives the answer whenever at least `limit` were collected. Otherwise (an unlucky
    /// sample) that key falls back to a bounded heap over all members.
    func selectSmallest(members: [Int32], ownClass k: Int, keyClasses: [Int], limits: [Int]) -> [[Int32]] {
        let slots = keyClasses.count
        guard slots > 0 else { return [] }
        return probabilities.withUnsafeBufferPointer { p -> [[Int32]] in
            @inline(__always) func key(_ i: Int32, _ slot: Int) -> Double {
                let row = Int(i) &* classes
                let own = Double(p[row &+ k])
                let other = keyClasses[slot]
                return other < 0 ? own : -(Double(p[row &+ other]) - own)
            }
            // 1. Estimated cutoffs from a sample.
            let stride = 32
            var cutoffs = [Double](repeating: .infinity, count: slots)
            if members.count >= stride * 64 {
                let sample = Swift.stride(from: 0, to: members.count, by: stride).map { members[$0] }
                for slot in 0..<slots {
                    let keys = sample.map { key($0, slot) }.sorted()
                    // Twice the expected rank, plus slack, so the true cutoff is very likely inside.
                    let rank = Int(Double(limits[slot]) / Double(members.count) * Double(keys.count) * 2) + 8
                    if rank < keys.count { cutoffs[slot] = keys[rank] }
                }
            }
            // 2. One pass collecting the members at or below each cutoff.
            var collected = [[Ranked]](repeating: [], count: slots)
            keyClasses.withUnsafeBufferPointer { keyClasses in
                cutoffs.withUnsafeBufferPointer { cutoffs in
                    collected.withUnsafeMutableBufferPointer { collected in
                        for i in members {
                            let row = Int(i) &* classes
                            let own = Double(p[row &+ k])
                            for slot in 0..<slots {
                                let other = keyClasses[slot]
                                let value = other < 0 ? own : -(Double(p[row &+ other]) - own)
                                if value <= cutoffs[slot] { collected[slot].append(Ranked(key: value, index: i)) }
                            }
                        }
                    }
                }
            }
            // 3. Sort the few collected; fall back where the sample was too optimistic.
            return (0..<slots).map { slot -> [Int32] in
                if collected[slot].count >= limits[slot] {
                    return collected[slot].sorted().prefix(limits[slot]).map(\.index)
                }
                var heap = SmallestElements(limit: limits[slot])
                for i in members { heap.offer(Ranked(key: key(i, slot), index: i)) }
                return heap.indices
            }
        }
    }

    /// `find_label_issues(..., return_indices_ranked_by:)`: the issues ordered by label
    /// quality, worst (lowest score) first, ties by index.
    public func rankedLabelIssues(filterBy: FilterBy = .pruneByNoiseRate, rankBy method: LabelQuality.Method) -> [Int] {
        let issues = findLabelIssues(filterBy: filterBy)
        let scored = issues.map { i in
            Ranked(key: LabelQuality.score(method, row: probabilities[(i * classes)..<((i + 1) * classes)], label: Int(labels[i])), index: Int32(i))
        }
        return scored.sorted().map { Int($0.index) }
    }
}
