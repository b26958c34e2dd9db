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
/// The ranking weight is κ × (AUROC − 0.5 + δ)^`exponent`, normalised. The power is steep, so that a
/// source that clearly ranks better dominates (the fused ranking then follows it, never
/// falling far below it), while sources of similar quality share the weight (and their
/// combination ranks better than either). κ is Cohen's kappa of the source's top class
/// against the current labels (agreement beyond what its class frequencies give by
/// chance): it does not order sources of real skill (those have similar κ even when they
/// rank very differently), it zeroes a source at chance. That is needed with two sources:
/// each is measured against the other, so a source at chance makes the other look like
/// chance too, and only the labels tell which of the two has skill. δ (`marginFloor`) keeps a
/// source with skill from losing everything to measurement noise in that case. The weights
/// and AUROCs are re-estimated for `rounds` rounds, each round's consensus using the
/// previous round's weights, so a poor source stops blurring the targets the others are
/// measured against.
///
/// Measured against each other, sources that share their mistakes (models trained on the
/// same noisy labels from the same features) vouch for each other, and an independent
/// source that ranks better (the neighbours, on handwriting) looks worse than it is. The
/// labels themselves are the view that breaks that tie: the final weight is the mean of
/// the ranking weight above and the source's share in the mixture that best explains the
/// current labels through a noisy channel (`channelWeights`: each item's label is
/// p(label) with probability 1 − ε, any other class uniformly otherwise; the mixture
/// weights are fitted by `channelIterations` EM steps from equal weights, early-stopped so
/// that they stay a soft preference, not a winner-takes-all).
///
/// The form of the fused score is chosen too (`chooseForm`): 1 − the weighted p(label)
/// (cleanlab's self-confidence), or cleanlab's normalized margin of the weighted
/// distribution, which also counts how strongly one other class is favoured. Which ranks
/// better depends on the noise (the margin where labels are swapped between pairs of
/// classes, self-confidence where the runner-up class is arbitrary), and is estimated without
/// ground truth by spectral meta-learning (see `chooseForm`).
///
/// Cost: O(rounds × sources × items), with AUROCs from histograms of the scores (no sort);
/// the form choice O(sources × items + sources² × flagged items); deterministic (fixed
/// summation order), and invariant to the order of the sources and of the items (up to
/// floating-point rounding in sums).
public enum SourceWeighting {
    /// Steepness of the weight in the estimated ranking quality.
    public static let exponent = 4.0
    /// Rounds of re-estimation.
    public static let rounds = 3
    /// EM steps of the noisy-channel mixture weights.
    public static let channelIterations = 10
    /// Added to every AUROC − 0.5 (see above).
    public static let marginFloor = 0.01
    /// Histogram resolution of the AUROC (scores are probabilities in [0, 1]).
    static let bins = 4096
    /// Fewest sources for which the form is chosen (see `chooseForm`).
    public static let formChoiceMinimumSources = 3

    /// The fused score's form (both are in [0, 1], higher = more likely mislabelled).
    public enum Form: String, Sendable, Equatable {
        /// 1 − p(label), cleanlab's self-confidence turned around.
        case selfConfidence = "self-confidence"
        /// (1 − p(label) + max over the other classes of p) / 2: cleanlab's normalized margin
        /// turned around.
        case normalizedMargin = "normalized margin"

        /// The score of a weighted distribution `combined` for an item labelled `label`.
        @inlinable public func score(_ combined: [Double], label: Int) -> Double {
            let own = combined[label]
            guard self == .normalizedMargin else { return 1 - own }
            var other = 0.0
            for c in combined.indices where c != label { other = max(other, combined[c]) }
            return (1 - own + other) / 2
        }
    }

    public struct Estimate: Sendable, Equatable {
        /// Each source's estimated AUROC at ranking label errors (nil with a single source:
        /// there is no other source to measure it against).
        public var auroc: [Double?]
        /// Each source's Cohen's kappa against the current labels (0: chance).
        public var kappa: [Double]
        /// The weights from ranking quality alone, and from the noisy channel alone.
        public var rankingWeights: [Double]
        public var channelWeights: [Double]
        /// The weights, summing to 1: the mean of the two.
        public var weights: [Double]
        /// The fused score's form.
        public var form: Form = .selfConfidence
    }

    /// - Parameters:
    ///   - labels: the current label of each judged item.
    ///   - classes: the number of classes.
    ///   - labelProbability: per source, each judged item's probability of its current label.
    ///   - predicted: per source, each judged item's top class.
    ///   - runnerUp: per source, each judged item's highest probability of a class other than
    ///     its label; nil leaves the form at self-confidence.
    public static func estimate(labels: [Int32], classes: Int, labelProbability q: [[Float]], predicted: [[Int32]], runnerUp: [[Float]]? = nil)
        -> Estimate
    {
        let s = q.count
        let kappa = predicted.map { cohensKappa(labels: labels, predicted: $0, classes: classes) }
        guard s > 1 else {
            return Estimate(
                auroc: s == 1 ? [nil] : [], kappa: kappa, rankingWeights: s == 1 ? [1] : [], channelWeights: s == 1 ? [1] : [],
                weights: s == 1 ? [1] : [])
        }
        let n = q[0].count
        var weights = normalised(kappa.map { max($0, 0) })
        var auroc = [Double](repeating: 0.5, count: s)
        guard n > 0 else { return Estimate(auroc: auroc, kappa: kappa, rankingWeights: weights, channelWeights: weights, weights: weights) }
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
            weights = normalised((0..<s).map { max(kappa[$0], 0) * pow(max(auroc[$0] - 0.5, 0) + marginFloor, exponent) })
        }
        let channel = channelWeights(labelProbability: q, predicted: predicted, labels: labels, classes: classes)
        let combined = normalised((0..<s).map { (weights[$0] + channel[$0]) / 2 })
        let form =
            runnerUp.map { chooseForm(labelProbability: q, runnerUp: $0, predicted: predicted, labels: labels, classes: classes, weights: combined) }
            ?? .selfConfidence
        return Estimate(auroc: auroc, kappa: kappa, rankingWeights: weights, channelWeights: channel, weights: combined, form: form)
    }

    /// Whether the fused score should be the normalized margin rather than self-confidence,
    /// by spectral meta-learning (Parisi et al. 2014, "Ranking and combining multiple
    /// predictors without labeled data"; Jaffe et al. 2015).
    ///
    /// Each source gives two candidate rankings, its self-confidence and its normalized
    /// margin. Each candidate votes "mislabelled" on its k most suspicious items, k the
    /// number of labels the most label-consistent source disputes (an estimate of the
    /// number of errors; a vote at the top of a ranking rather than its full ranks, because
    /// the items every ranking finds easy share a difficulty that is not the label's
    /// correctness, and with full ranks that shared order dominates the covariances). If
    /// the candidates' votes are conditionally independent given whether the label is wrong,
    /// the covariance of two candidates' votes is p(1 − p) J_a J_b, J = true-positive rate −
    /// false-positive rate (Youden's index; with k = the number of errors, J is an affine
    /// function of precision at k). So the covariance matrix off its diagonal is rank one,
    /// and its best rank-one fit v estimates each J up to a common scale. The two forms of one
    /// source are anything but independent, so the fit uses only pairs of candidates from
    /// different sources (the dependent pairs are left out, as in Jaffe et al.'s extension
    /// to dependent classifiers); within a source the ratio v(margin) / v(self-confidence)
    /// is then measured against the other sources, which is why at least
    /// `formChoiceMinimumSources` are needed (with two, the one other source is too thin a
    /// reference: on the label-issue suite the choice then did more harm than good).
    /// The margin is chosen when the sources' estimated J gain from it, weighted as in the
    /// fused score, is positive. With two classes the forms rank alike.
    static func chooseForm(
        labelProbability q: [[Float]], runnerUp r: [[Float]], predicted: [[Int32]], labels: [Int32], classes: Int, weights: [Double]
    ) -> Form {
        let s = q.count, n = labels.count
        guard s >= formChoiceMinimumSources, classes > 2, n > 2, r.count == s else { return .selfConfidence }
        var k = n
        for source in 0..<s {
            var wrong = 0
            for i in 0..<n where predicted[source][i] != labels[i] { wrong += 1 }
            k = min(k, wrong)
        }
        k = max(k, 1)
        guard k < n else { return .selfConfidence }
        // Candidate 2·source: self-confidence, 2·source + 1: margin; suspicion in [0, 1].
        var votes: [[Int]] = []
        var suspicion = [Double](repeating: 0, count: n)
        for source in 0..<s {
            for margin in [false, true] {
                q[source].withUnsafeBufferPointer { own in
                    r[source].withUnsafeBufferPointer { other in
                        for i in 0..<n { suspicion[i] = margin ? (1 - Double(own[i]) + Double(other[i])) / 2 : 1 - Double(own[i]) }
                    }
                }
                votes.append(topVotes(suspicion, k: k))
            }
        }
        let m = votes.count
        var covariance = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
        var marked = [Bool](repeating: false, count: n)
        for a in 0..<m {
            for i in votes[a] { marked[i] = true }
            for b in 0..<m where b / 2 != a / 2 {
                var both = 0
                for i in votes[b] where marked[i] { both += 1 }
                covariance[a][b] = (Double(both) - Double(votes[a].count) * Double(votes[b].count) / Double(n)) / Double(n - 1)
            }
            for i in votes[a] { marked[i] = false }
        }
        let v = rankOneFit(covariance, excluding: { $0 / 2 == $1 / 2 })
        var gain = 0.0
        for source in 0..<s { gain += weights[source] * (v[2 * source + 1] - v[2 * source]) }
        return gain > 0 ? .normalizedMargin : .selfConfidence
    }

    /// The items whose average rank by `suspicion` (1 = most suspicious, tied items sharing
    /// the mean of their ranks) is at most k, in O(items): a histogram finds the bin holding
    /// the k-th item, and only that bin is sorted. Equal scores fall in one bin, so a tie
    /// group never straddles bins.
    static func topVotes(_ suspicion: [Double], k: Int) -> [Int] {
        let n = suspicion.count
        func bin(_ x: Double) -> Int { min(max(Int(x * Double(bins)), 0), bins - 1) }
        var counts = [Int](repeating: 0, count: bins)
        for x in suspicion { counts[bin(x)] += 1 }
        var above = 0, boundary = bins - 1
        while boundary > 0 && above + counts[boundary] < k { above += counts[boundary]; boundary -= 1 }
        var chosen: [Int] = []
        chosen.reserveCapacity(k)
        var edge: [Int] = []
        for i in 0..<n {
            let b = bin(suspicion[i])
            if b > boundary { chosen.append(i) } else if b == boundary { edge.append(i) }
        }
        edge.sort { suspicion[$0] != suspicion[$1] ? suspicion[$0] > suspicion[$1] : $0 < $1 }
        var start = 0
        while start < edge.count {
            var end = start
            while end < edge.count && suspicion[edge[end]] == suspicion[edge[start]] { end += 1 }
            // Ranks above + start + 1 ... above + end; their mean.
            let meanRank = Double(above) + Double(start + 1 + end) / 2
            if meanRank > Double(k) { break }
            chosen.append(contentsOf: edge[start..<end])
            start = end
        }
        return chosen
    }

    /// v minimising Σ (C_ab − v_a v_b)² over the pairs not `excluding`, by damped
    /// alternating least squares from the mean of each row (deterministic; each step uses
    /// only the previous one, so the order of the rows does not matter).
    static func rankOneFit(_ c: [[Double]], excluding: (Int, Int) -> Bool, iterations: Int = 200) -> [Double] {
        let m = c.count
        var v = (0..<m).map { a -> Double in
            var sum = 0.0, count = 0
            for b in 0..<m where !excluding(a, b) { sum += c[a][b]; count += 1 }
            return max(count > 0 ? sum / Double(count) : 0, 1e-12).squareRoot()
        }
        for _ in 0..<iterations {
            var next = [Double](repeating: 0, count: m)
            var change = 0.0
            for a in 0..<m {
                var numerator = 0.0, denominator = 0.0
                for b in 0..<m where !excluding(a, b) {
                    numerator += c[a][b] * v[b]
                    denominator += v[b] * v[b]
                }
                next[a] = denominator > 0 ? numerator / denominator : 0
                change = max(change, abs(next[a] - v[a]))
            }
            if change < 1e-12 { return next }
            for a in 0..<m { v[a] = 0.5 * v[a] + 0.5 * next[a] }
        }
        return v
    }

    /// Mixture weights of the sources that make the current labels most likely through a
    /// symmetric noisy channel, by `channelIterations` EM steps from equal weights. ε is the
    /// sources' mean disagreement with the labels (clipped to [0.01, 0.5]).
    static func channelWeights(labelProbability q: [[Float]], predicted: [[Int32]], labels: [Int32], classes: Int) -> [Double] {
        let s = q.count, n = labels.count
        var disagreement = 0.0
        for source in 0..<s {
            var wrong = 0
            for i in 0..<n where predicted[source][i] != labels[i] { wrong += 1 }
            disagreement += Double(wrong) / Double(n)
        }
        let epsilon = min(max(disagreement / Double(s), 0.01), 0.5)
        let other = epsilon / Double(max(classes - 1, 1))
        var weights = [Double](repeating: 1 / Double(s), count: s)
        var likelihood = [Double](repeating: 0, count: s)
        for _ in 0..<channelIterations {
            var responsibility = [Double](repeating: 0, count: s)
            for i in 0..<n {
                var total = 0.0
                for source in 0..<s {
                    let p = Double(q[source][i])
                    likelihood[source] = weights[source] * ((1 - epsilon) * p + other * (1 - p))
                    total += likelihood[source]
                }
                guard total > 0 else { continue }
                for source in 0..<s { responsibility[source] += likelihood[source] / total }
            }
            weights = normalised(responsibility)
        }
        return weights
    }

    /// Cohen's kappa of `predicted` against `labels`: (agreement − chance) / (1 − chance), the
    /// chance agreement from the two sides' class frequencies. 0 when undefined.
    static func cohensKappa(labels: [Int32], predicted: [Int32], classes: Int) -> Double {
        let n = labels.count
        guard n > 0, classes > 0 else { return 0 }
        var labelCounts = [Int](repeating: 0, count: classes), predictedCounts = [Int](repeating: 0, count: classes)
        var agree = 0
        for i in 0..<n {
            labelCounts[Int(labels[i])] += 1
            if predicted[i] >= 0 { predictedCounts[Int(predicted[i])] += 1 }
            if predicted[i] == labels[i] { agree += 1 }
        }
        var chance = 0.0
        for c in 0..<classes { chance += Double(labelCounts[c]) * Double(predictedCounts[c]) }
        chance /= Double(n) * Double(n)
        guard chance < 1 else { return 0 }
        return (Double(agree) / Double(n) - chance) / (1 - chance)
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
