#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// cleanlab 2.9's multi-label label-quality scores
/// (`multilabel_classification.rank.get_label_quality_scores`): per class, the binary score
/// of the item's annotation of that class on `[1 − p, p]`; across classes, an aggregate
/// that leans towards the worst class. Low means some class of the item is likely
/// mis-annotated.
public enum MultiLabelQuality {
    public enum Aggregator: Sendable, Equatable {
        /// The per-class scores sorted from best to worst, then EMA_1 = s_1,
        /// EMA_t = α s_t + (1 − α) EMA_{t−1}. nil α means 2 / (K + 1). cleanlab's default is
        /// α = 0.8.
        case exponentialMovingAverage(alpha: Double?)
        /// Σ s_j softmax((1 − s)/T)_j: a soft minimum.
        case softmin(temperature: Double)

        public static let cleanlabDefault = Aggregator.exponentialMovingAverage(alpha: 0.8)
    }

    /// cleanlab's `EPSILON`: the smallest temperature.
    static let epsilon = 1e-6

    /// Aggregates one item's per-class scores (`scores` is reordered).
    public static func aggregate(_ scores: inout [Double], _ aggregator: Aggregator) -> Double {
        let k = scores.count
        switch aggregator {
        case .exponentialMovingAverage(let alpha):
            // np.sort then fliplr: descending; equal values are interchangeable. Insertion
            // sort: K is small, and this runs once per item.
            for t in 1..<max(k, 1) {
                let value = scores[t]
                var j = t
                while j > 0 && scores[j - 1] < value { scores[j] = scores[j - 1]; j -= 1 }
                scores[j] = value
            }
            let a = alpha ?? 2 / Double(k + 1)
            let b = 1 - a
            var ema = scores[0]
            for t in 1..<max(k, 1) { ema = a * scores[t] + b * ema }
            return ema
        case .softmin(let temperature):
            let divisor = max(temperature, epsilon)
            var largest = -Double.infinity
            var x = scores.map { s -> Double in
                let v = (1 - s) / divisor
                largest = max(largest, v)
                return v
            }
            for j in 0..<k { x[j] = exp(x[j] - largest) }
            let total = NumpyArithmetic.sum(x)
            var result = 0.0
            for j in 0..<k { result += scores[j] * (x[j] / total) }
            return result
        }
    }

    /// Every item's score (cleanlab's defaults: self-confidence, α = 0.8).
    public static func scores(
        _ cl: MultiLabelConfidentLearning, method: LabelQuality.Method = .selfConfidence,
        aggregator: Aggregator = .cleanlabDefault, adjustPredProbs: Bool = false
    ) -> [Double] {
        scores(cl, items: Array(0..<cl.count), method: method, aggregator: aggregator, adjustPredProbs: adjustPredProbs)
    }

    /// The scores of `items` only (in that order): ranking a few flagged items needs no more.
    public static func scores(
        _ cl: MultiLabelConfidentLearning, items: [Int], method: LabelQuality.Method = .selfConfidence,
        aggregator: Aggregator = .cleanlabDefault, adjustPredProbs: Bool = false
    ) -> [Double] {
        precondition(!(adjustPredProbs && method == .confidenceWeightedEntropy), "cleanlab does not adjust for confidence_weighted_entropy")
        let k = cl.classes
        let thresholds = adjustPredProbs ? cl.confidentThresholds() : []
        var result = [Double](repeating: 0, count: items.count)
        var row = [Double](repeating: 0, count: k)
        cl.labels.members.withUnsafeBufferPointer { members in
            cl.probabilities.withUnsafeBufferPointer { p in
                for (position, i) in items.enumerated() {
                    for c in 0..<k {
                        row[c] = classScore(
                            method, p: p[i * k + c], label: Int(members[c * cl.count + i]),
                            thresholds: adjustPredProbs ? thresholds[c] : nil)
                    }
                    result[position] = aggregate(&row, aggregator)
                }
            }
        }
        return result
    }

    /// cleanlab's `get_label_quality_scores_per_class`: `[class][item]`.
    public static func scoresPerClass(
        _ cl: MultiLabelConfidentLearning, method: LabelQuality.Method = .selfConfidence,
        adjustPredProbs: Bool = false
    ) -> [[Double]] {
        let thresholds = adjustPredProbs ? cl.confidentThresholds() : []
        return (0..<cl.classes).map { c in
            cl.withProblem(c) { problem in
                (0..<cl.count).map { i in
                    classScore(method, p: problem.probability[i], label: problem.label(i), thresholds: adjustPredProbs ? thresholds[c] : nil)
                }
            }
        }
    }

    /// One class's score of one item; `thresholds` (that class's) when adjusting.
    @inline(__always) static func classScore(_ method: LabelQuality.Method, p: Float, label: Int, thresholds: [Double]?) -> Double {
        var p1 = Double(p), p0 = 1 - p1
        if let thresholds { (p0, p1) = OneVsRestProblem.adjusted(p0: p0, p1: p1, thresholds: thresholds) }
        return OneVsRestProblem.score(method, p0: p0, p1: p1, label: label)
    }
}
