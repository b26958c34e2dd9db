#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-item label-quality scores (cleanlab's `get_label_quality_scores`): low means the
/// given label is likely wrong. Each takes one item's probabilities and its given label.
public enum LabelQuality {
    public enum Method: String, Sendable, CaseIterable {
        /// p[label].
        case selfConfidence = "self_confidence"
        /// (p[label] − max other p + 1) / 2.
        case normalizedMargin = "normalized_margin"
        /// log(s + 1) / s with s = normalised entropy / p[label].
        case confidenceWeightedEntropy = "confidence_weighted_entropy"
    }

    static let clippingLowerBound = 1e-6

    public static func score<Row: RandomAccessCollection<Float>>(_ method: Method, row: Row, label: Int) -> Double where Row.Index == Int {
        let base = row.startIndex
        let selfConfidence = Double(row[base + label])
        switch method {
        case .selfConfidence:
            return selfConfidence
        case .normalizedMargin:
            var best = -Double.infinity
            for k in 0..<row.count where k != label { best = max(best, Double(row[base + k])) }
            return (selfConfidence - best + 1) / 2
        case .confidenceWeightedEntropy:
            let entropy = normalizedEntropy(row)
            let s = entropy / max(selfConfidence, clippingLowerBound)
            return log(s + 1) / max(s, clippingLowerBound)
        }
    }

    /// −Σ p log p / log K, summed in numpy's order; 0 · log 0 = 0.
    public static func normalizedEntropy<Row: RandomAccessCollection<Float>>(_ row: Row) -> Double where Row.Index == Int {
        let terms = row.map { value -> Double in
            let p = Double(value)
            return p == 0 ? 0 : p * log(p)
        }
        return -NumpyArithmetic.sum(terms) / log(Double(row.count))
    }
}

/// cleanlab's `get_label_quality_ensemble_scores` with its default weighting by accuracy:
/// each model's per-item score, weighted by the share of items whose argmax equals the
/// given label. The baseline a multi-model ranking is measured against.
public enum EnsembleLabelQuality {
    /// - Parameters:
    ///   - models: each model's row-major items × classes probabilities.
    /// - Returns: the scores and the weight given to each model.
    public static func scores(
        labels: [Int32], models: [[Float]], classes: Int,
        method: LabelQuality.Method = .selfConfidence
    ) -> (scores: [Double], weights: [Double]) {
        let accuracies = models.map { probabilities -> Double in
            var correct = 0
            for (i, label) in labels.enumerated() where rowArgmax(probabilities, row: i, classes: classes) == Int(label) { correct += 1 }
            return Double(correct) / Double(labels.count)
        }
        var total = 0.0
        for a in accuracies { total = total + a }
        let weights = accuracies.map { $0 / total }
        var scores = [Double](repeating: 0, count: labels.count)
        for (i, label) in labels.enumerated() {
            var sum = 0.0
            for (m, probabilities) in models.enumerated() {
                let term = LabelQuality.score(method, row: probabilities[(i * classes)..<((i + 1) * classes)], label: Int(label)) * weights[m]
                sum = m == 0 ? term : sum + term
            }
            scores[i] = sum
        }
        return (scores, weights)
    }
}

/// The index of the largest value in `row` of a row-major matrix; the first one on ties, as
/// `np.argmax` (cleanlab's results depend on it).
@inline(__always)
func rowArgmax(_ values: [Float], row: Int, classes: Int) -> Int {
    let start = row &* classes
    var best = 0
    var bestValue = values[start]
    for c in 1..<max(classes, 1) where values[start &+ c] > bestValue {
        best = c
        bestValue = values[start &+ c]
    }
    return best
}
