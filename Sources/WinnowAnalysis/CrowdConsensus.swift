import WinnowCore

/// CROWDLAB run on a single-label dataset's annotations: which items it covers, their
/// consensus label and its quality, and each annotator's quality, by name.
///
/// It runs on the items somebody labelled (cleanlab refuses items without a label), with
/// the models' mean probabilities (cleanlab's `pred_probs`; with one model, exactly its
/// probabilities). It needs what cleanlab needs: two annotators, an item labelled twice,
/// two classes; `init` returns nil with the reason otherwise.
public struct CrowdConsensus: Sendable {
    public struct Annotator: Sendable, Equatable {
        public var name: String
        public var itemsLabelled: Int
        /// The share of their labels equal to the consensus.
        public var agreementWithConsensus: Double
        /// CROWDLAB's annotator quality; nil when undefined (they labelled only items
        /// nobody else labelled).
        public var quality: Double?
        /// The class of their labels that agrees least with the consensus.
        public var worstClass: String
    }

    /// Per dataset item: the consensus class (-1 where CROWDLAB did not run).
    public let consensus: [Int32]
    /// Per dataset item: the consensus quality score (NaN where CROWDLAB did not run).
    public let quality: [Double]
    /// Per dataset item: the share of its annotators who chose the consensus (NaN: none).
    public let agreement: [Double]
    public let numAnnotations: [Int]
    /// Annotators in cleanlab's order: lowest quality first (undefined last).
    public let annotators: [Annotator]
    public let modelWeight: Double

    /// Why CROWDLAB cannot run, when `init` returns nil.
    public static func unavailable(annotators: Int, labelledTwice: Bool, hasModel: Bool) -> String? {
        if !hasModel { return "there are no model probabilities" }
        if annotators < 2 { return "there is only one annotator" }
        if !labelledTwice { return "no item was labelled by two annotators" }
        return nil
    }

    /// - Parameters:
    ///   - annotations: (dataset item, annotator name, class index) for every single-label
    ///     annotation.
    ///   - probabilities: the models' mean probabilities, row-major items × classes.
    public init?(annotations: [(item: Int, annotator: String, label: Int32)], items n: Int, probabilities: [Float], classes: [String]) {
        let k = classes.count
        guard k >= 2, probabilities.count == n * k else { return nil }
        // Annotators in name order (cleanlab's columns): the same order however the
        // annotations were listed, so the import and the analysis compute the same bits.
        let names = Set(annotations.map(\.annotator)).sorted()
        let annotatorIndex = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Int32($0)) })
        var byItem = [[(annotator: Int32, label: Int32)]](repeating: [], count: n)
        for a in annotations { byItem[a.item].append((annotatorIndex[a.annotator]!, a.label)) }
        let covered = (0..<n).filter { !byItem[$0].isEmpty }
        let labels = AnnotatorLabels(covered.map { byItem[$0] }, annotators: names.count)
        guard Crowdlab.problem(with: labels, classes: k) == nil else { return nil }
        var subset = [Float]()
        subset.reserveCapacity(covered.count * k)
        for i in covered { subset += probabilities[(i * k)..<((i + 1) * k)] }
        let result = Crowdlab.analyse(labels, probabilities: subset, classes: k)
        var consensus = [Int32](repeating: -1, count: n)
        var quality = [Double](repeating: .nan, count: n)
        var agreement = [Double](repeating: .nan, count: n)
        var counts = [Int](repeating: 0, count: n)
        for (position, i) in covered.enumerated() {
            consensus[i] = result.consensusLabel[position]
            quality[i] = result.consensusQuality[position]
            agreement[i] = result.annotatorAgreement[position]
            counts[i] = result.numAnnotations[position]
        }
        self.consensus = consensus
        self.quality = quality
        self.agreement = agreement
        self.numAnnotations = counts
        self.annotators = result.annotatorOrder.map { a in
            let s = result.annotators[a]
            return Annotator(
                name: names[a], itemsLabelled: s.itemsLabelled, agreementWithConsensus: s.agreementWithConsensus,
                quality: s.quality, worstClass: classes[s.worstClass])
        }
        self.modelWeight = result.modelWeight ?? .nan
    }

    /// The models' mean probabilities (each model weighing the same), as the analysis'
    /// ensemble: row-major items × classes.
    public static func meanProbabilities(_ models: [[Float]]) -> [Float] {
        guard let first = models.first else { return [] }
        if models.count == 1 { return first }
        var mean = [Float](repeating: 0, count: first.count)
        let share = 1 / Float(models.count)
        for model in models { for i in 0..<mean.count { mean[i] += model[i] * share } }
        return mean
    }
}

/// How an import combines several annotators' labels into an item's given label.
public enum AnnotatorConsensusMethod: String, Sendable, CaseIterable {
    /// CROWDLAB when the dataset has several annotators and a model; majority vote otherwise.
    case crowdlab
    /// Always the most frequent label (ties to the label listed first in labels.csv).
    case majorityVote = "majority_vote"
}

extension DatasetSnapshot {
    /// The snapshot with CROWDLAB's consensus as the given label of every single-label item
    /// several annotators labelled (items one annotator labelled keep that label: CROWDLAB
    /// only departs from it in its quality score), when `method` is crowdlab and CROWDLAB can
    /// run; a notice says what was done.
    public func withAnnotatorConsensus(_ method: AnnotatorConsensusMethod) -> DatasetSnapshot {
        guard method == .crowdlab, !isMultiLabel else { return self }
        let names = annotators
        guard names.count > 1 else { return self }
        var perItem = [Int](repeating: 0, count: items.count)
        for a in annotations { perItem[a.item] += 1 }
        let labelledTwice = perItem.contains { $0 > 1 }
        if let reason = CrowdConsensus.unavailable(annotators: names.count, labelledTwice: labelledTwice, hasModel: !models.isEmpty) {
            if labelledTwice {
                var copy = self
                copy.notices.append("several annotators: given labels are their majority vote (\(reason) for CROWDLAB)")
                return copy
            }
            return self
        }
        let rows = annotations.compactMap { a -> (item: Int, annotator: String, label: Int32)? in
            guard let name = a.labels.first, let c = taxonomy.position(of: name) else { return nil }
            return (a.item, a.annotator, Int32(c))
        }
        guard
            let crowd = CrowdConsensus(
                annotations: rows, items: items.count,
                probabilities: CrowdConsensus.meanProbabilities(models.map(\.probabilities)), classes: taxonomy.names)
        else {
            return self
        }
        var copy = self
        var changed = 0
        for i in items.indices where perItem[i] > 1 && crowd.consensus[i] >= 0 {
            let label = LabelSet(single: taxonomy.names[Int(crowd.consensus[i])])
            if copy.items[i].givenLabels != label { changed += 1 }
            copy.items[i].givenLabels = label
        }
        copy.notices.append(
            "several annotators: given labels are CROWDLAB's consensus of the annotators and \(models.count == 1 ? "the model" : "the models' mean") (\(changed) differ from the majority vote; [import] annotator_consensus = \"majority_vote\" keeps the vote)"
        )
        return copy
    }
}
