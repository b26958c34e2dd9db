/// How well a score ranks known label errors above clean items: precision at K, AUROC and
/// AUPRC (average precision). Ties are handled without favouring either side: items with
/// equal scores are in random order, and each figure is its expectation over that order.
public struct RankingMetrics: Sendable, Equatable {
    /// Precision among the K most suspicious items, K = the number of real errors.
    public var precisionAtK: Double
    /// Probability that a random error scores above a random clean item (ties count half).
    public var auroc: Double
    /// Average precision: mean over the error-recall steps of the precision there, with the
    /// items of one score entering together (scikit-learn's `average_precision_score`).
    public var auprc: Double

    /// - Parameters:
    ///   - suspicion: higher = more likely a label error (NaN: least suspicious of all).
    ///   - isError: the ground truth, one per score.
    /// - Returns: nil when there are no errors or no clean items.
    public init?(suspicion: [Double], isError: [Bool]) {
        precondition(suspicion.count == isError.count, "one score per item")
        let n = suspicion.count
        let errors = isError.lazy.filter { $0 }.count
        guard errors > 0, errors < n else { return nil }
        let key = suspicion.map { $0.isNaN ? -Double.infinity : $0 }
        let order = (0..<n).sorted { key[$0] > key[$1] }
        // Groups of equal scores, most suspicious first.
        var rankedErrors = 0, rankedItems = 0
        var precision = 0.0, averagePrecision = 0.0, concordant = 0.0
        var cleanSeen = 0
        var start = 0
        while start < n {
            var end = start
            var groupErrors = 0
            while end < n && key[order[end]] == key[order[start]] {
                if isError[order[end]] { groupErrors += 1 }
                end += 1
            }
            let size = end - start, groupClean = size - groupErrors
            // Precision at K: the group straddling K contributes its error share of the seats left.
            if rankedItems < errors {
                let seats = min(size, errors - rankedItems)
                precision += size == seats ? Double(groupErrors) : Double(seats) * Double(groupErrors) / Double(size)
            }
            // AUROC: errors in this group beat every clean item below and half of the clean ties.
            concordant += Double(groupErrors) * (Double(n - errors - cleanSeen - groupClean) + 0.5 * Double(groupClean))
            rankedErrors += groupErrors
            rankedItems += size
            cleanSeen += groupClean
            if groupErrors > 0 { averagePrecision += Double(groupErrors) / Double(errors) * Double(rankedErrors) / Double(rankedItems) }
            start = end
        }
        precisionAtK = precision / Double(errors)
        auroc = concordant / (Double(errors) * Double(n - errors))
        auprc = averagePrecision
    }
}
