import Dispatch
import WinnowCore

/// CROWDLAB (Goh, Tkachenko & Mueller, 2022) exactly as cleanlab 2.9's
/// `multiannotator.get_label_quality_multiannotator` computes it with its defaults
/// (`consensus_method="best_quality"`, `quality_method="crowdlab"`, no calibration): a
/// consensus label per item that weighs each annotator by how often they agree with the
/// others and the model by how often it agrees with the annotators, a quality score for
/// that consensus, and a quality score for each annotator. Also `get_majority_vote_label`.
///
/// The arithmetic follows numpy's order (pairwise sums where numpy sums an array, plain
/// left-to-right where cleanlab accumulates annotator by annotator), so the results equal
/// cleanlab's bit for bit on the fixtures in `Tests/WinnowAnalysisTests/Fixtures/multiannotator/`.
/// One difference: where cleanlab breaks a majority-vote tie that survives all its rules
/// at random (`np.random.choice`), Winnow takes the lowest class, so results are
/// reproducible.
///
/// Inputs are those cleanlab accepts: every item labelled by someone, every annotator
/// labelled something, at least two annotators, some item labelled twice
/// (`Crowdlab.problem(with:)` says which is missing).
public enum Crowdlab {
    public enum ConsensusMethod: String, Sendable, CaseIterable {
        /// The class with the highest posterior (annotators and model combined); majority
        /// vote where the posterior ties. cleanlab's default.
        case bestQuality = "best_quality"
        case majorityVote = "majority_vote"
    }

    public enum QualityMethod: String, Sendable, CaseIterable {
        /// Posterior of annotators and model: cleanlab's default.
        case crowdlab
        /// The share of an item's annotators who chose the consensus.
        case agreement
    }

    public struct AnnotatorStats: Sendable, Equatable {
        public var annotator: Int
        /// cleanlab's `annotator_quality`; nil where it is NaN (an annotator who labelled
        /// only items nobody else labelled).
        public var quality: Double?
        /// The share of the annotator's labels that equal the consensus.
        public var agreementWithConsensus: Double
        /// The class whose labels by this annotator agree least with the consensus.
        public var worstClass: Int
        public var itemsLabelled: Int
    }

    public struct Result: Sendable {
        public var consensusLabel: [Int32]
        public var consensusQuality: [Double]
        /// Per item, the share of its annotators who chose the consensus.
        public var annotatorAgreement: [Double]
        public var numAnnotations: [Int]
        /// The quality of each annotation (entries of `AnnotatorLabels`), cleanlab's
        /// `detailed_label_quality`.
        public var labelQuality: [Double]
        /// Per annotator, in annotator order.
        public var annotators: [AnnotatorStats]
        /// cleanlab's `annotator_stats` order: worst quality first (undefined last), then
        /// lowest agreement.
        public var annotatorOrder: [Int]
        /// nil for `QualityMethod.agreement`.
        public var modelWeight: Double?
        public var annotatorWeights: [Double]?
    }

    static let clippingLowerBound = 1e-6

    /// Why CROWDLAB cannot run on `labels` (cleanlab refuses the same), or nil.
    public static func problem(with labels: AnnotatorLabels, classes: Int) -> String? {
        if classes < 2 { return "there are fewer than two classes" }
        if labels.annotators < 2 { return "there is only one annotator" }
        if (0..<labels.count).contains(where: { labels.annotations(of: $0) == 0 }) { return "some items have no label" }
        if labels.entriesByAnnotator().contains(where: \.isEmpty) { return "some annotators labelled nothing" }
        if !(0..<labels.count).contains(where: { labels.annotations(of: $0) > 1 }) { return "no item was labelled by two annotators" }
        if labels.label.contains(where: { Int($0) >= classes }) { return "a label is not one of the classes" }
        return nil
    }

    // MARK: - Majority vote

    /// `get_majority_vote_label`: the most frequent label; ties go to the model's most
    /// probable (when given), then to the class with fewer votes overall, then to the class
    /// whose annotators agree most with the untied votes, then (cleanlab: at random) to the
    /// lowest class.
    public static func majorityVote(_ labels: AnnotatorLabels, probabilities: [Float]?, classes k: Int) -> [Int32] {
        let n = labels.count
        var result = [Int32](repeating: -1, count: n)
        var untied = [Bool](repeating: false, count: n)
        var frequency = [Int](repeating: 0, count: k)
        for l in labels.label { frequency[Int(l)] += 1 }
        var counts = [Int](repeating: 0, count: k)
        var tied: [(item: Int, modes: [Int32])] = []
        for i in 0..<n {
            let range = labels.entries(of: i)
            var top = 0
            for e in range { counts[Int(labels.label[e])] += 1; top = max(top, counts[Int(labels.label[e])]) }
            // The classes with the top count (each once: a counted one is marked -1).
            var modes: [Int32] = []
            var first: Int32 = -1
            for e in range where counts[Int(labels.label[e])] == top {
                let l = labels.label[e]
                if first >= 0 { if modes.isEmpty { modes.append(first) }; modes.append(l) } else { first = l }
                counts[Int(l)] = -1
            }
            for e in range { counts[Int(labels.label[e])] = 0 }
            if modes.isEmpty { result[i] = first; untied[i] = true } else { tied.append((i, modes.sorted())) }
        }
        func settle(_ keep: (Int, [Int32]) -> [Int32]) {
            tied = tied.compactMap { entry in
                let kept = keep(entry.item, entry.modes)
                if kept.count == 1 { result[entry.item] = kept[0]; return nil }
                return (entry.item, kept)
            }
        }
        if let p = probabilities, !tied.isEmpty {
            settle { i, modes in
                let best = modes.map { p[i * k + Int($0)] }.max()!
                return modes.filter { p[i * k + Int($0)] == best }
            }
        }
        if !tied.isEmpty {
            settle { _, modes in
                let least = modes.map { frequency[Int($0)] }.min()!
                return modes.filter { frequency[Int($0)] == least }
            }
        }
        if !tied.isEmpty {
            // Each annotator's agreement with the untied votes (the mean where undefined).
            var agree = [Int](repeating: 0, count: labels.annotators), seen = [Int](repeating: 0, count: labels.annotators)
            for i in 0..<n where untied[i] {
                for e in labels.entries(of: i) {
                    let a = Int(labels.annotator[e])
                    seen[a] += 1
                    if labels.label[e] == result[i] { agree[a] += 1 }
                }
            }
            var agreement = (0..<labels.annotators).map { seen[$0] == 0 ? Double.nan : Double(agree[$0]) / Double(seen[$0]) }
            let defined = agreement.filter { !$0.isNaN }
            let mean = defined.isEmpty ? Double.nan : NumpyArithmetic.sum(defined) / Double(defined.count)
            for a in agreement.indices where agreement[a].isNaN { agreement[a] = mean }
            settle { i, modes in
                let scores = modes.map { mode -> Double in
                    let values = labels.entries(of: i).filter { labels.label[$0] == mode }.map { agreement[Int(labels.annotator[$0])] }
                    return NumpyArithmetic.sum(values) / Double(values.count)
                }
                let best = scores.max()!
                return modes.indices.filter { scores[$0] == best }.map { modes[$0] }
            }
        }
        for entry in tied { result[entry.item] = entry.modes[0] }
        return result
    }

    // MARK: - CROWDLAB

    /// `get_label_quality_multiannotator(labels, pred_probs, ...)` on `probabilities`
    /// (row-major items × classes, computed in float64 as cleanlab does on their float64 copy).
    public static func analyse(
        _ labels: AnnotatorLabels, probabilities: [Float], classes k: Int,
        consensus method: ConsensusMethod = .bestQuality,
        quality qualityMethod: QualityMethod = .crowdlab
    ) -> Result {
        precondition(probabilities.count == labels.count * k, "probabilities must be items × classes")
        let numAnnotations = (0..<labels.count).map { labels.annotations(of: $0) }
        let index = EntryIndex(labels)
        // Agreement with the other annotators does not depend on the consensus: once for both passes.
        let withOthers = qualityMethod == .crowdlab ? agreementWithAnnotators(labels, index: index, numAnnotations: numAnnotations) : []
        let majority = majorityVote(labels, probabilities: probabilities, classes: k)
        var stats = ConsensusStats(
            labels, probabilities: probabilities, classes: k, numAnnotations: numAnnotations,
            consensus: majority, method: qualityMethod, withOthers: withOthers)
        var consensus = majority
        if method == .bestQuality {
            consensus = (0..<labels.count).map { i in
                let row = stats.posterior[(i * k)..<((i + 1) * k)]
                let best = row.max()!
                var first = -1, ties = 0
                for (c, value) in row.enumerated() where value == best { if first < 0 { first = c }; ties += 1 }
                return ties == 1 ? Int32(first) : majority[i]
            }
            stats = ConsensusStats(
                labels, probabilities: probabilities, classes: k, numAnnotations: numAnnotations,
                consensus: consensus, method: qualityMethod, withOthers: withOthers)
        }
        var quality = [Double](repeating: 0, count: labels.label.count)
        for i in 0..<labels.count { for e in labels.entries(of: i) { quality[e] = stats.posterior[i * k + Int(labels.label[e])] } }
        let annotators = annotatorStats(
            labels, index: index, consensus: consensus, numAnnotations: numAnnotations, stats: stats,
            labelQuality: quality, method: qualityMethod, classes: k)
        let order = annotators.indices.sorted { l, r in
            let a = annotators[l], b = annotators[r]
            switch (a.quality, b.quality) {
            case let (x?, y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.agreementWithConsensus != b.agreementWithConsensus ? a.agreementWithConsensus < b.agreementWithConsensus : l < r
            }
        }
        return Result(
            consensusLabel: consensus, consensusQuality: stats.consensusQuality, annotatorAgreement: stats.agreement,
            numAnnotations: numAnnotations, labelQuality: quality, annotators: annotators, annotatorOrder: order,
            modelWeight: stats.modelWeight, annotatorWeights: stats.annotatorWeights)
    }

    /// `_get_consensus_stats` for one consensus: agreement, posterior, weights, quality.
    struct ConsensusStats {
        var agreement: [Double]
        /// Row-major items × classes.
        var posterior: [Double]
        var modelWeight: Double?
        var annotatorWeights: [Double]?
        var consensusQuality: [Double]

        init(
            _ labels: AnnotatorLabels, probabilities: [Float], classes k: Int, numAnnotations: [Int], consensus: [Int32], method: QualityMethod,
            withOthers: [Double]
        ) {
            let n = labels.count
            let agreement = (0..<n).map { i in
                var same = 0
                for e in labels.entries(of: i) where labels.label[e] == consensus[i] { same += 1 }
                return Double(same) / Double(numAnnotations[i])
            }
            self.agreement = agreement
            switch method {
            case .agreement:
                posterior = [Double](repeating: 0, count: n * k)
                // The vote shares, as cleanlab's `value_counts` fills them: the annotations are
                // floats (NaN marks a missing one), so unless every class was voted for, the
                // counts of the classes voted for land in the first columns, in class order,
                // not in their own (a cleanlab 2.9 quirk, reproduced: it decides the
                // best_quality consensus and the label qualities of this method).
                for i in 0..<n {
                    var counts = [Int](repeating: 0, count: k)
                    for e in labels.entries(of: i) { counts[Int(labels.label[e])] += 1 }
                    let voted = counts.filter { $0 > 0 }
                    let columns = voted.count == k ? counts : voted + [Int](repeating: 0, count: k - voted.count)
                    for c in 0..<k { posterior[i * k + c] = Double(columns[c]) / Double(numAnnotations[i]) }
                }
                modelWeight = nil
                annotatorWeights = nil
                consensusQuality = agreement
                return
            case .crowdlab:
                break
            }
            let several = (0..<n).filter { numAnnotations[$0] != 1 }
            let consensusLikelihood = NumpyArithmetic.sum(several.map { agreement[$0] }) / Double(several.count)
            let nonConsensusLikelihood = (1 - consensusLikelihood) / Double(k - 1)
            // The error of always answering the most common consensus class.
            var bincount = [Int](repeating: 0, count: k)
            for i in several { bincount[Int(consensus[i])] += 1 }
            let common = bincount.indices.max { bincount[$0] != bincount[$1] ? bincount[$0] < bincount[$1] : $0 > $1 }!
            let mostLikelyClassError = max(Double(several.count { consensus[$0] != Int32(common) }) / Double(several.count), clippingLowerBound)
            let weights = withOthers.map { max(1 - ((1 - $0) / mostLikelyClassError), clippingLowerBound) }
            let modelError = Double(several.count { rowArgmax(probabilities, row: $0, classes: k) != Int(consensus[$0]) }) / Double(several.count)
            let meanAnnotations = Double(numAnnotations.reduce(0, +)) / Double(n)
            let modelWeight = max(1 - (modelError / mostLikelyClassError), clippingLowerBound) * meanAnnotations.squareRoot()
            // Per class: p × model weight, then each annotator's vote in annotator order, then
            // divided by the total weight (cleanlab's order; the products are the same values
            // whether computed once per annotator or once per use).
            let agreeing = weights.map { $0 * consensusLikelihood }, disagreeing = weights.map { $0 * nonConsensusLikelihood }
            var posterior = [Double](repeating: 0, count: n * k)
            posterior.withUnsafeMutableBufferPointer { buffer in
                probabilities.withUnsafeBufferPointer { p in
                    let post = UnsafeSendable(buffer), p = UnsafeSendable(p)
                    // Items in chunks across cores: each item's row is its own.
                    let chunk = 1 << 14
                    DispatchQueue.concurrentPerform(iterations: (n + chunk - 1) / chunk) { part in
                        let post = post.value, p = p.value
                        for i in (part * chunk)..<min(n, (part + 1) * chunk) {
                            let row = i &* k
                            var total = 0.0
                            for e in labels.entries(of: i) { total += weights[Int(labels.annotator[e])] }
                            total = total + modelWeight
                            for c in 0..<k { post[row &+ c] = Double(p[row &+ c]) * modelWeight }
                            for e in labels.entries(of: i) {
                                let a = Int(labels.annotator[e]), label = Int(labels.label[e])
                                let yes = agreeing[a], no = disagreeing[a]
                                for c in 0..<k { post[row &+ c] += c == label ? yes : no }
                            }
                            for c in 0..<k { post[row &+ c] = post[row &+ c] / total }
                        }
                    }
                }
            }
            self.posterior = posterior
            self.modelWeight = modelWeight
            self.annotatorWeights = weights
            self.consensusQuality = (0..<n).map { posterior[$0 * k + Int(consensus[$0])] }
        }
    }

    /// `_get_annotator_agreement_with_annotators`: per annotator, the share of the other
    /// annotators of their items who chose the same label (weighted by how many others
    /// there are); annotators who share no item with anyone get the mean of the rest.
    static func agreementWithAnnotators(_ labels: AnnotatorLabels, index: EntryIndex, numAnnotations: [Int]) -> [Double] {
        let item = index.itemOfEntry
        var result = index.byAnnotator.map { entries -> Double in
            var weightTotal = 0
            var products = [Double](repeating: 0, count: entries.count)
            for (position, e) in entries.enumerated() {
                let i = Int(item[e])
                let others = numAnnotations[i] - 1
                weightTotal += others
                guard others > 0 else { continue }
                var same = 0.0
                for f in labels.entries(of: i) where labels.label[f] == labels.label[e] { same += 1 }
                // np.average: sum(a * w) / sum(w), a = (same − 1) / (n − 1).
                products[position] = ((same - 1) / Double(others)) * Double(others)
            }
            guard weightTotal > 0 else { return .nan }
            return NumpyArithmetic.sum(products) / Double(weightTotal)
        }
        let defined = result.filter { !$0.isNaN }
        if defined.count < result.count {
            let mean = NumpyArithmetic.sum(defined) / Double(defined.count)
            for a in result.indices where result[a].isNaN { result[a] = mean }
        }
        return result
    }

    /// `_get_annotator_stats`.
    static func annotatorStats(
        _ labels: AnnotatorLabels, index: EntryIndex, consensus: [Int32], numAnnotations: [Int], stats: ConsensusStats,
        labelQuality: [Double], method: QualityMethod, classes k: Int
    ) -> [AnnotatorStats] {
        let n = labels.count, m = labels.annotators
        let byAnnotator = index.byAnnotator
        let item = index.itemOfEntry
        // Agreement with the consensus on the items labelled more than once (NaN: none).
        let overlapAgreement = byAnnotator.map { entries -> Double in
            var seen = 0, same = 0
            for e in entries where numAnnotations[Int(item[e])] != 1 {
                seen += 1
                if labels.label[e] == consensus[Int(item[e])] { same += 1 }
            }
            return seen == 0 ? .nan : Double(same) / Double(seen)
        }
        var quality = overlapAgreement
        if method == .crowdlab, let modelWeight = stats.modelWeight, let weights = stats.annotatorWeights {
            // np.nanmean over each annotator's column of the items × annotators matrix of
            // label qualities: a pairwise sum over every item (0 where not labelled).
            var column = [Double](repeating: 0, count: n)
            let meanQuality = byAnnotator.map { entries -> Double in
                for e in entries { column[Int(item[e])] = labelQuality[e] }
                let total = NumpyArithmetic.sum(column)
                for e in entries { column[Int(item[e])] = 0 }
                return total / Double(entries.count)
            }
            let meanAnnotationsShare = (Double(numAnnotations.reduce(0, +)) / Double(n)) / Double(m)
            let annotatorWeight = NumpyArithmetic.sum(weights) * meanAnnotationsShare
            let w = modelWeight / (modelWeight + annotatorWeight)
            quality = (0..<m).map { w * meanQuality[$0] + (1 - w) * overlapAgreement[$0] }
        }
        return (0..<m).map { a in
            let entries = byAnnotator[a]
            let same = entries.count { labels.label[$0] == consensus[Int(item[$0])] }
            return AnnotatorStats(
                annotator: a, quality: quality[a].isNaN ? nil : quality[a],
                agreementWithConsensus: Double(same) / Double(entries.count),
                worstClass: worstClass(
                    entries, labels: labels, item: item, consensus: consensus, consensusQuality: stats.consensusQuality,
                    classes: k),
                itemsLabelled: entries.count)
        }
    }

    /// `_get_single_annotator_worst_class`: the class of the annotator's labels with the
    /// lowest agreement with the consensus; ties to the class they used most, then to the
    /// highest mean consensus quality (pandas' compensated mean), then the lowest class.
    static func worstClass(_ entries: [Int], labels: AnnotatorLabels, item: [Int32], consensus: [Int32], consensusQuality: [Double], classes k: Int)
        -> Int
    {
        var count = [Int](repeating: 0, count: k), same = [Int](repeating: 0, count: k)
        var sum = [Double](repeating: 0, count: k), compensation = [Double](repeating: 0, count: k)
        for e in entries { // by ascending item, as pandas' groupby reads them
            let i = Int(item[e]), c = Int(labels.label[e])
            count[c] += 1
            if labels.label[e] == consensus[i] { same[c] += 1 }
            // pandas group_mean: Kahan summation.
            let y = consensusQuality[i] - compensation[c]
            let t = sum[c] + y
            compensation[c] = t - sum[c] - y
            if compensation[c].isNaN { compensation[c] = 0 }
            sum[c] = t
        }
        var candidates = (0..<k).filter { count[$0] > 0 }
        let accuracy = { (c: Int) -> Double in Double(same[c]) / Double(count[c]) }
        let lowest = candidates.map(accuracy).min()!
        candidates = candidates.filter { accuracy($0) == lowest }
        if candidates.count > 1 {
            let most = candidates.map { count[$0] }.max()!
            candidates = candidates.filter { count[$0] == most }
        }
        if candidates.count > 1 {
            let mean = { (c: Int) -> Double in sum[c] / Double(count[c]) }
            let best = candidates.map(mean).max()!
            candidates = candidates.filter { mean($0) == best }
        }
        return candidates[0]
    }

    /// The annotations by annotator (ascending item) and the item of each annotation,
    /// built once per analysis.
    struct EntryIndex {
        let byAnnotator: [[Int]]
        let itemOfEntry: [Int32]
        init(_ labels: AnnotatorLabels) {
            byAnnotator = labels.entriesByAnnotator()
            itemOfEntry = labels.itemOfEntry()
        }
    }
}
