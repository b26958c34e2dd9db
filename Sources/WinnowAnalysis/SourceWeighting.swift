#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How much each source of label evidence (a model's probabilities, the neighbours' labels)
/// counts in the fused label-issue score: by how well it *ranks* label errors, estimated
/// without ground truth.
///
/// Accuracy against the current labels says little about that: the labels are what is in
/// doubt, at 40 % noise every good model agrees with about 60 % of them, and two models of
/// equal accuracy can rank their disagreements very differently (one confident exactly
/// where the label is wrong, the other confident at random). What is measured instead is
/// each source's AUROC at separating the items the *other* sources say are mislabelled
/// from those they say are right: a leave-one-out consensus of the others (weighted by
/// their own current weights) gives every item a soft "the label is wrong" target,
/// 1 − consensus p(label), and the source's suspicion, 1 − its own p(label), is scored
/// against it. Errors the others see are errors the source should rank high; its own
/// idiosyncratic mistakes are not confirmed by them and count against it. A source at
/// chance scores 0.5 whatever the others say.
///
/// The weight is (AUROC − 0.5)^`exponent`, normalised: steep, so that a source that clearly
/// ranks better dominates (the fused ranking then follows it, never falling far below it),
/// while sources of similar quality share the weight (and their combination ranks better
/// than either). The weights and AUROCs are re-estimated for `rounds` rounds, each round's
/// consensus using the previous round's weights, so a poor source stops blurring the
/// targets the others are measured against.
///
/// Cost: O(rounds × sources × items), with AUROCs from histograms of the scores (no sort);
/// deterministic (fixed summation order), and invariant to the order of the sources and of
/// the items (up to floating-point rounding in sums).
public enum SourceWeighting {
    /// Steepness of the weight in the estimated ranking quality.
    public static let exponent = 4.0
    /// Rounds of re-estimation.
    public static let rounds = 3
    /// Histogram resolution of the AUROC (scores are probabilities in [0, 1]).
    static let bins = 4096

    public struct Estimate: Sendable, Equatable {
        /// Each source's estimated AUROC at ranking label errors (nil with a single source:
        /// there is no other source to measure it against).
        public var auroc: [Double?]
        /// The weights, summing to 1.
        public var weights: [Double]
    }

    /// - Parameter labelProbability: per source, each judged item's probability of its
    ///   current label (the same items, in the same order, for every source).
    public static func estimate(labelProbability q: [[Float]]) -> Estimate {
        let s = q.count
        guard s > 1 else { return Estimate(auroc: [nil], weights: s == 1 ? [1] : []) }
        let n = q[0].count
        var weights = [Double](repeating: 1 / Double(s), count: s)
        var auroc = [Double](repeating: 0.5, count: s)
        guard n > 0 else { return Estimate(auroc: auroc, weights: weights) }
        var consensus = [Double](repeating: 0, count: n)
        for _ in 0..<rounds {
            // Σ_o w_o q_o, from which each source's leave-one-out consensus is taken.
            for i in 0..<n { consensus[i] = 0 }
            for o in 0..<s {
                let w = weights[o]
                q[o].withUnsafeBufferPointer { column in for i in 0..<n { consensus[i] += w * Double(column[i]) } }
            }
            let total = weights.reduce(0, +)
            for source in 0..<s {
                let others = total - weights[source]
                auroc[source] = softAUROC(source: source, q: q, consensus: consensus, weights: weights, othersWeight: others)
            }
            weights = normalised(auroc.map { pow(max($0 - 0.5, 0), exponent) })
        }
        return Estimate(auroc: auroc, weights: weights)
    }

    /// AUROC of source `source`'s suspicion (low p(label)) against the soft target
    /// 1 − (the others' weighted mean p(label)): Σ over (wrong, right) pairs weighted by
    /// each item's target share, with items in one histogram bin tied (counted half).
    static func softAUROC(source: Int, q: [[Float]], consensus: [Double], weights: [Double], othersWeight: Double) -> Double {
        let n = q[source].count
        var wrong = [Double](repeating: 0, count: bins), right = [Double](repeating: 0, count: bins)
        let own = weights[source]
        // Others with no weight left (all at chance): their plain mean.
        let plain = othersWeight <= 1e-12
        let plainShare = 1 / Double(q.count - 1)
        q[source].withUnsafeBufferPointer { column in
            for i in 0..<n {
                let p = Double(column[i])
                var othersP: Double
                if plain {
                    othersP = 0
                    for o in q.indices where o != source { othersP += Double(q[o][i]) * plainShare }
                } else {
                    othersP = (consensus[i] - own * p) / othersWeight
                }
                let target = min(max(1 - othersP, 0), 1)
                let bin = min(max(Int(p * Double(bins)), 0), bins - 1)
                wrong[bin] += target
                right[bin] += 1 - target
            }
        }
        // Wrong items should have the lower p(label): count the right items above each bin.
        var rightAbove = 0.0, concordant = 0.0, wrongTotal = 0.0
        for bin in stride(from: bins - 1, through: 0, by: -1) {
            concordant += wrong[bin] * (rightAbove + 0.5 * right[bin])
            rightAbove += right[bin]
            wrongTotal += wrong[bin]
        }
        let pairs = wrongTotal * rightAbove
        return pairs > 0 ? concordant / pairs : 0.5
    }

    static func normalised(_ raw: [Double]) -> [Double] {
        let total = raw.reduce(0, +)
        return total > 0 ? raw.map { $0 / total } : [Double](repeating: 1 / Double(raw.count), count: raw.count)
    }
}
