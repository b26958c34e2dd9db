#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One class of a multi-label dataset as the binary problem cleanlab 2.9 reduces it to
/// (`find_multilabel_issues_per_class`): given label 1 when the item has the class, 0 when
/// not; predicted probabilities `[1 − p, p]` (`stack_complement`), computed in float64
/// from the stored float32 `p`. Everything below is `ConfidentLearning` (cleanlab's
/// single-label `find_label_issues`, see its comments and
/// `Tests/WinnowAnalysisTests/Fixtures/cleanlab/ALGORITHM.md`) with K = 2, written out
/// for two columns so that one class of a million items is a few passes over two arrays,
/// and with the second column `1 − p` held in Double (float32 cannot hold it).
///
/// The calibration and the prune-count matrix are `ConfidentLearning`'s own.
struct OneVsRestProblem {
    /// 1 where the item has the class.
    let given: UnsafeBufferPointer<UInt8>
    /// The model's probability of the class, per item.
    let probability: UnsafeBufferPointer<Float>
    var count: Int { given.count }

    @inline(__always) func p1(_ i: Int) -> Double { Double(probability[i]) }
    @inline(__always) func p0(_ i: Int) -> Double { 1 - Double(probability[i]) }
    /// Column `c` of `[1 − p, p]`.
    @inline(__always) func p(_ i: Int, _ c: Int) -> Double { c == 0 ? p0(i) : p1(i) }
    @inline(__always) func label(_ i: Int) -> Int { Int(given[i]) }

    /// (items without the class, items with it).
    func labelCounts() -> [Int] {
        var n1 = 0
        for i in 0..<count { n1 &+= Int(given[i]) }
        return [count - n1, n1]
    }

    /// cleanlab's `get_confident_thresholds`: per column, the mean probability over the items
    /// given that column (numpy's pairwise sum), at least 2e-6; 2.0 for a column nobody has.
    /// `scratch` holds at least `count` values.
    func confidentThresholds(counts: [Int], scratch: UnsafeMutableBufferPointer<Double>) -> [Double] {
        (0..<2).map { c -> Double in
            guard counts[c] > 0 else { return ConfidentLearning.absentClassThreshold }
            var n = 0
            for i in 0..<count where label(i) == c {
                scratch[n] = p(i, c)
                n &+= 1
            }
            let sum = NumpyArithmetic.sum(UnsafeBufferPointer(rebasing: scratch[0..<n]))
            return max(sum / Double(n), ConfidentLearning.thresholdLowerBound)
        }
    }

    /// The confident joint before calibration, [given][guessed], diagonal at least 1, and
    /// the confident items whose guess is not their label (ascending).
    func confidentJoint(thresholds t: [Double]) -> (joint: [[Int]], offDiagonal: [Int32]) {
        let cut0 = t[0] - ConfidentLearning.comparisonTolerance, cut1 = t[1] - ConfidentLearning.comparisonTolerance
        var joint = [0, 0, 0, 0]
        var offDiagonal: [Int32] = []
        for i in 0..<count {
            let q1 = p1(i), q0 = 1 - q1
            let confident0 = q0 >= cut0, confident1 = q1 >= cut1
            let guess: Int
            if confident0 && confident1 {
                guess = q1 > q0 ? 1 : 0
            } // argmax, ties to column 0
            else if confident0 {
                guess = 0
            } else if confident1 {
                guess = 1
            } else {
                continue
            }
            let y = label(i)
            joint[y * 2 + guess] &+= 1
            if guess != y { offDiagonal.append(Int32(i)) }
        }
        return ([[max(joint[0], 1), joint[1]], [joint[2], max(joint[3], 1)]], offDiagonal)
    }

    /// cleanlab's `_reduce_issues`: an item whose given column, raised by 1e-6, is the
    /// argmax (ties to column 0) is never an issue.
    @inline(__always) func predictionAgreesWithLabel(_ i: Int) -> Bool {
        let q1 = p1(i), q0 = 1 - q1
        return label(i) == 1 ? !(q0 >= q1 + ConfidentLearning.comparisonTolerance) : !(q1 > q0 + ConfidentLearning.comparisonTolerance)
    }

    /// argmax of `[1 − p, p]` ≠ the given label.
    @inline(__always) func predictedNotGiven(_ i: Int) -> Bool {
        let q1 = p1(i), q0 = 1 - q1
        return (q1 > q0 ? 1 : 0) != label(i)
    }

    /// The `limit` items with label `c` whose `key` is smallest, ties by index (a stable
    /// argsort's first `limit`), ascending by index.
    ///
    /// Exact and fast for the thousands a class of a million items prunes: every 32nd
    /// member's key estimates the cutoff generously, one pass collects the members at or
    /// below it, and sorting those few gives the answer whenever at least `limit` were
    /// collected (every member left out is larger than all of them). An unlucky sample
    /// falls back to a bounded heap over every member.
    func smallest(_ limit: Int, withLabel c: Int, members: Int, key: (Int) -> Double) -> [Int32] {
        var chosen: [Int32] = []
        if limit >= members {
            chosen.reserveCapacity(members)
            for i in 0..<count where label(i) == c { chosen.append(Int32(i)) }
            return chosen
        }
        var cutoff = Double.infinity
        if members >= 2048, limit * 4 < members {
            var sample: [Double] = []
            sample.reserveCapacity(members / 32 + 1)
            var seen = 0
            for i in 0..<count where label(i) == c {
                if seen & 31 == 0 { sample.append(key(i)) }
                seen &+= 1
            }
            sample.sort()
            // Twice the expected rank, plus slack, so the true cutoff is very likely inside.
            let rank = Int(Double(limit) / Double(members) * Double(sample.count) * 2) + 8
            if rank < sample.count { cutoff = sample[rank] }
        }
        if cutoff < .infinity {
            var collected: [ConfidentLearning.Ranked] = []
            collected.reserveCapacity(limit * 2)
            for i in 0..<count where label(i) == c {
                let value = key(i)
                if value <= cutoff { collected.append(ConfidentLearning.Ranked(key: value, index: Int32(i))) }
            }
            if collected.count >= limit {
                collected.sort()
                chosen = collected.prefix(limit).map(\.index)
                chosen.sort()
                return chosen
            }
        }
        var heap = ConfidentLearning.SmallestElements(limit: limit)
        for i in 0..<count where label(i) == c { heap.offer(ConfidentLearning.Ranked(key: key(i), index: Int32(i))) }
        chosen = heap.indices
        chosen.sort()
        return chosen
    }

    /// The items flagged for this class by `filterBy` (cleanlab's single-label
    /// `find_label_issues` on `[1 − p, p]`), ascending. `flags` is a zeroed scratch of
    /// `count` bytes, left zeroed.
    func issues(
        _ filterBy: MultiLabelConfidentLearning.FilterBy, minExamplesPerClass: Int,
        scratch: UnsafeMutableBufferPointer<Double>, flags: UnsafeMutableBufferPointer<UInt8>
    ) -> [Int32] {
        let counts = labelCounts()
        let thresholds = confidentThresholds(counts: counts, scratch: scratch)
        let (joint, offDiagonal) = confidentJoint(thresholds: thresholds)
        var flagged: [Int32]
        switch filterBy {
        case .pruneByNoiseRate, .pruneByClass, .both:
            let prune = ConfidentLearning.pruneCountMatrix(ConfidentLearning.calibrated(joint, counts: counts), keep: minExamplesPerClass)
            var byClass: [Int32] = [], byNoiseRate: [Int32] = []
            for c in 0..<2 {
                let m = counts[c]
                // cleanlab: no pruning at or below min_examples_per_class, and a class mask of
                // one item is dropped (`if len(mask) > 1`).
                guard m > minExamplesPerClass, m > 1 else { continue }
                if filterBy != .pruneByNoiseRate {
                    let limit = m - prune[c][c]
                    if limit >= 1 { byClass += smallest(limit, withLabel: c, members: m) { p($0, c) } }
                }
                if filterBy != .pruneByClass {
                    let j = 1 - c
                    let limit = prune[j][c]
                    if limit > 0 { byNoiseRate += smallest(limit, withLabel: c, members: m) { -(p($0, j) - p($0, c)) } }
                }
            }
            switch filterBy {
            case .pruneByClass: flagged = byClass
            case .pruneByNoiseRate: flagged = byNoiseRate
            default:
                for i in byClass { flags[Int(i)] = 1 }
                flagged = byNoiseRate.filter { flags[Int($0)] != 0 }
                for i in byClass { flags[Int(i)] = 0 }
            }
            flagged.sort()
        case .confidentLearning:
            flagged = offDiagonal
        case .predictedNotGiven:
            flagged = (0..<count).compactMap { predictedNotGiven($0) ? Int32($0) : nil }
        case .lowSelfConfidence, .lowNormalizedMargin:
            // cleanlab's single-label low_* path: as many as `num_label_issues` (the
            // confident_learning count) of the lowest scores, no `_reduce_issues`.
            let issues = offDiagonal.reduce(0) { $0 + (predictionAgreesWithLabel(Int($1)) ? 0 : 1) }
            let method: LabelQuality.Method = filterBy == .lowSelfConfidence ? .selfConfidence : .normalizedMargin
            var heap = ConfidentLearning.SmallestElements(limit: issues)
            if issues > 0 {
                for i in 0..<count { heap.offer(ConfidentLearning.Ranked(key: score(method, i), index: Int32(i))) }
            }
            return heap.indices.sorted()
        }
        return flagged.filter { !predictionAgreesWithLabel(Int($0)) }
    }

    // MARK: - Scores

    /// cleanlab's per-class label-quality score of item i (`ClassLabelScorer` on `[1 − p, p]`).
    @inline(__always) func score(_ method: LabelQuality.Method, _ i: Int) -> Double {
        let q1 = p1(i)
        return Self.score(method, p0: 1 - q1, p1: q1, label: label(i))
    }

    @inline(__always) static func score(_ method: LabelQuality.Method, p0: Double, p1: Double, label: Int) -> Double {
        let selfConfidence = label == 1 ? p1 : p0
        let other = label == 1 ? p0 : p1
        switch method {
        case .selfConfidence:
            return selfConfidence
        case .normalizedMargin:
            return (selfConfidence - other + 1) / 2
        case .confidenceWeightedEntropy:
            // −(0 + p0 log p0 + p1 log p1) / log 2, then as LabelQuality.
            var sum = 0.0
            sum += p0 == 0 ? 0 : p0 * log(p0)
            sum += p1 == 0 ? 0 : p1 * log(p1)
            let entropy = -sum / log(2.0)
            let s = entropy / max(selfConfidence, LabelQuality.clippingLowerBound)
            return log(s + 1) / max(s, LabelQuality.clippingLowerBound)
        }
    }

    /// `_subtract_confident_thresholds` on `[1 − p, p]`: each column minus its threshold, plus
    /// the largest threshold, each row divided by its sum.
    @inline(__always) static func adjusted(p0: Double, p1: Double, thresholds t: [Double]) -> (Double, Double) {
        let shift = max(t[0], t[1])
        let a0 = (p0 - t[0]) + shift, a1 = (p1 - t[1]) + shift
        let sum = a0 + a1
        return (a0 / sum, a1 / sum)
    }
}
