#if canImport(Glibc)
import Glibc
#endif
import WinnowNeighbours

/// One model's probabilities for every item (row-major items × classes).
public struct ModelProbabilities: Sendable {
    public var name: String
    public var values: [Float]
    public init(name: String, values: [Float]) {
        self.name = name
        self.values = values
    }
}

/// Settings of the analysis (`winnow.toml` [analysis]).
public struct AnalysisSettings: Sendable, Equatable {
    /// Which neighbours may be near-duplicates (the pairs themselves are decided before the
    /// analysis, with the pixels where they can be read: `AnalysisInput.duplicatePairs`).
    public var duplicateRule = NearDuplicateRule()
    /// How the confident-learning flag is computed (cleanlab's `filter_by`).
    public var filterBy: ConfidentLearning.FilterBy = .pruneByNoiseRate
    public init() {}
}

/// The analysis input: everything label-dependent is here, so a new decision means a new
/// input (and `LabelAnalysis` is a pure function of it).
public struct AnalysisInput: Sendable {
    public var classes: [String]
    /// Current label (class index) of each item; -1 when it has none.
    public var labels: [Int32]
    /// Excluded items take no part (they are neither judged nor used as evidence).
    public var excluded: [Bool]
    public var models: [ModelProbabilities]
    public var neighbours: NeighbourGraph?
    /// Groups of byte-identical files (item indices), found by content hash.
    public var identical: [[Int32]]
    /// Pairs of items judged to be the same picture (see `NearDuplicateRule`).
    public var duplicatePairs: [DuplicatePair]
    /// Items a reviewer split off as "not a duplicate": they join no component.
    public var splitOff: Set<Int32>

    public init(
        classes: [String], labels: [Int32], excluded: [Bool], models: [ModelProbabilities], neighbours: NeighbourGraph?,
        identical: [[Int32]] = [], duplicatePairs: [DuplicatePair] = [], splitOff: Set<Int32> = []
    ) {
        self.classes = classes
        self.labels = labels
        self.excluded = excluded
        self.models = models
        self.neighbours = neighbours
        self.identical = identical
        self.duplicatePairs = duplicatePairs
        self.splitOff = splitOff
    }

    public var count: Int { labels.count }
    /// Near-duplicates were looked for (neighbours, pairs or identical files): the analysis
    /// then has components, possibly none of them.
    public var hasDuplicateEvidence: Bool { neighbours != nil || !identical.isEmpty || !duplicatePairs.isEmpty }

    /// True for items the analysis judges: labelled and not excluded.
    public func isJudged(_ i: Int) -> Bool { labels[i] >= 0 && !excluded[i] }
}

/// Signals per item, stored column-wise (a million items is a million of each).
public struct LabelAnalysis: Sendable {
    public struct ModelSignals: Sendable {
        public var name: String
        public var predicted: [Int32]
        /// p[current label] (NaN when unlabelled).
        public var selfConfidence: [Float]
        /// cleanlab's normalized margin: (p[label] − max other + 1) / 2.
        public var margin: [Float]
        /// Normalised entropy of the distribution (0: certain, 1: uniform).
        public var entropy: [Float]
        /// Share of judged items whose prediction equals their label.
        public var accuracy: Double
    }

    /// One source of evidence about the right label, with its weight in the fused score.
    public struct Source: Sendable, Equatable {
        public var name: String
        /// Share of judged items whose current label is the source's top class.
        public var accuracy: Double
        /// Estimated AUROC at ranking label errors (see `SourceWeighting`); nil for a lone source.
        public var auroc: Double?
        public var weight: Double

        public init(name: String, accuracy: Double, auroc: Double?, weight: Double) {
            self.name = name
            self.accuracy = accuracy
            self.auroc = auroc
            self.weight = weight
        }
    }

    public let classes: [String]
    public let models: [ModelSignals]
    /// Mean of the models' probabilities (items × classes); empty without models.
    public let ensemble: [Float]
    public let ensemblePredicted: [Int32]
    /// Share of models whose top class differs from the models' majority (0 = all agree).
    public let voteDisagreement: [Float]
    /// Mean Jensen–Shannon divergence between pairs of models (bits; 0 = identical).
    public let divergence: [Float]
    /// Confident learning on the ensemble probabilities (cleanlab `find_label_issues`).
    public let confidentLearningIssue: [Bool]
    /// Similarity-weighted share of labelled neighbours that have the item's label (NaN: none).
    public let neighbourAgreement: [Float]
    /// The neighbours' similarity-weighted label distribution's top class (-1: none).
    public let neighbourVote: [Int32]
    /// 1 − mean similarity to the neighbours: high for items unlike anything else.
    public let outlierScore: [Float]
    public let components: Components?
    public let componentSummaries: [ComponentSummary]
    /// The fused "the current label is wrong" score in [0, 1] (see `init`).
    public let fusedScore: [Float]
    /// Its form: 1 − the weighted p(label), or the weighted distribution's normalized margin
    /// (chosen by `SourceWeighting`).
    public let fusedForm: SourceWeighting.Form
    /// The fused evidence's most likely class.
    public let suggested: [Int32]
    public let sources: [Source]

    /// Neighbours' votes are smoothed towards uniform by this much weight.
    static let neighbourSmoothing: Double = 1

    /// Runs the full analysis.
    ///
    /// The fused score generalises cleanlab's ensemble score: every source of evidence gives
    /// each item a distribution over classes (each model its probabilities; the embedding
    /// neighbourhood the similarity-weighted labels of the item's neighbours, which never
    /// include the item itself, so it is out-of-sample like out-of-fold predictions), each
    /// source is weighted by how well it ranks label errors (`SourceWeighting`: its AUROC
    /// against a leave-one-out consensus of the other sources), and the score is
    /// 1 − (the weighted mean probability of the current label), or, when `SourceWeighting`
    /// estimates that it ranks better (three or more sources), the weighted distribution's
    /// normalized margin turned around. With one model and no embeddings it ranks exactly
    /// like cleanlab's self-confidence; a source that clearly ranks better dominates, and
    /// one no better than chance gets almost no weight.
    public init(_ input: AnalysisInput, settings: AnalysisSettings = AnalysisSettings()) {
        let n = input.count, k = input.classes.count
        classes = input.classes
        let judged = (0..<n).filter(input.isJudged)

        // Per-model signals.
        models = input.models.map { model in Self.signals(of: model, input: input, judged: judged) }

        // Ensemble and disagreement.
        var ensemble = [Float]()
        var ensemblePredicted = [Int32](repeating: -1, count: n)
        var voteDisagreement = [Float](repeating: 0, count: n)
        var divergence = [Float](repeating: 0, count: n)
        if !input.models.isEmpty {
            ensemble = [Float](repeating: 0, count: n * k)
            let share = 1 / Float(input.models.count)
            for model in input.models { for i in 0..<(n * k) { ensemble[i] += model.values[i] * share } }
            for i in 0..<n {
                ensemblePredicted[i] = Int32(Self.argmax(ensemble, row: i, classes: k))
                if models.count > 1 {
                    var votes = [Int32: Int]()
                    for m in models { votes[m.predicted[i], default: 0] += 1 }
                    voteDisagreement[i] = 1 - Float(votes.values.max()!) / Float(models.count)
                    divergence[i] = Self.meanJensenShannon(input.models, row: i, classes: k)
                }
            }
        }
        self.ensemble = ensemble
        self.ensemblePredicted = ensemblePredicted
        self.voteDisagreement = voteDisagreement
        self.divergence = divergence

        // Confident learning on the judged items, with the ensemble's probabilities.
        var clIssue = [Bool](repeating: false, count: n)
        if !ensemble.isEmpty, k >= 2, Set(judged.map { input.labels[$0] }).count >= 2 {
            var probabilities = [Float]()
            probabilities.reserveCapacity(judged.count * k)
            for i in judged { probabilities += ensemble[(i * k)..<((i + 1) * k)] }
            let cl = ConfidentLearning(labels: judged.map { input.labels[$0] }, probabilities: probabilities, classes: k)
            for position in cl.findLabelIssues(filterBy: settings.filterBy) { clIssue[judged[position]] = true }
        }
        confidentLearningIssue = clIssue

        // Neighbourhood.
        var agreement = [Float](repeating: .nan, count: n)
        var vote = [Int32](repeating: -1, count: n)
        var outlier = [Float](repeating: 0, count: n)
        var neighbourDistribution: [Float] = []
        if let graph = input.neighbours {
            neighbourDistribution = [Float](repeating: 0, count: n * k)
            for i in 0..<n {
                var weights = [Double](repeating: 0, count: k)
                var total = 0.0, similaritySum = 0.0, seen = 0
                for (j, similarity) in graph.neighbours(of: i) {
                    similaritySum += Double(similarity)
                    seen += 1
                    guard input.isJudged(j) else { continue }
                    let w = Double(max(similarity, 0))
                    weights[Int(input.labels[j])] += w
                    total += w
                }
                outlier[i] = seen == 0 ? 1 : Float(1 - similaritySum / Double(seen))
                if total > 0 {
                    if input.labels[i] >= 0 { agreement[i] = Float(weights[Int(input.labels[i])] / total) }
                    vote[i] = Int32(weights.indices.max { weights[$0] != weights[$1] ? weights[$0] < weights[$1] : $0 > $1 }!)
                }
                let smoothing = Self.neighbourSmoothing
                for c in 0..<k { neighbourDistribution[i * k + c] = Float((weights[c] + smoothing / Double(k)) / (total + smoothing)) }
            }
        }
        neighbourAgreement = agreement
        neighbourVote = vote
        outlierScore = outlier

        if input.hasDuplicateEvidence {
            let found = Components(count: n, pairs: input.duplicatePairs, identical: input.identical, splitOff: input.splitOff)
            components = found
            let judgedLabels = (0..<n).map { input.isJudged($0) ? input.labels[$0] : -1 }
            componentSummaries = found.members.enumerated().map { c, members in
                ComponentSummary(index: c, members: members, labels: judgedLabels)
            }
        } else {
            components = nil
            componentSummaries = []
        }

        // Fused score: the sources' distributions, each weighted by how well it ranks.
        var distributions: [(name: String, values: [Float])] = input.models.map { ($0.name, $0.values) }
        if !neighbourDistribution.isEmpty { distributions.append(("neighbours", neighbourDistribution)) }
        let accuracies = distributions.map { source -> Double in
            guard !judged.isEmpty else { return 1 }
            let correct = judged.reduce(0) { $0 + (Self.argmax(source.values, row: $1, classes: k) == Int(input.labels[$1]) ? 1 : 0) }
            return Double(correct) / Double(judged.count)
        }
        let estimate = SourceWeighting.estimate(
            labels: judged.map { input.labels[$0] }, classes: k,
            labelProbability: distributions.map { source in judged.map { source.values[$0 * k + Int(input.labels[$0])] } },
            predicted: distributions.map { source in judged.map { Int32(Self.argmax(source.values, row: $0, classes: k)) } },
            runnerUp: distributions.count >= SourceWeighting.formChoiceMinimumSources && k > 2
                ? distributions.map { source in judged.map { Self.runnerUp(source.values, row: $0, label: Int(input.labels[$0]), classes: k) } } : nil
        )
        let weights = estimate.weights
        fusedForm = estimate.form
        sources = distributions.indices.map {
            Source(name: distributions[$0].name, accuracy: accuracies[$0], auroc: estimate.auroc[$0], weight: weights[$0])
        }
        var fused = [Float](repeating: .nan, count: n)
        var suggested = [Int32](repeating: -1, count: n)
        if !distributions.isEmpty {
            var combined = [Double](repeating: 0, count: k)
            for i in 0..<n {
                for c in 0..<k { combined[c] = 0 }
                for (s, source) in distributions.enumerated() {
                    for c in 0..<k { combined[c] += weights[s] * Double(source.values[i * k + c]) }
                }
                suggested[i] = Int32(combined.indices.max { combined[$0] != combined[$1] ? combined[$0] < combined[$1] : $0 > $1 }!)
                if input.isJudged(i) { fused[i] = Float(estimate.form.score(combined, label: Int(input.labels[i]))) }
            }
        }
        fusedScore = fused
        self.suggested = suggested
    }

    static func argmax(_ values: [Float], row: Int, classes: Int) -> Int { rowArgmax(values, row: row, classes: classes) }

    /// The highest probability in `row` of a class other than `label`.
    static func runnerUp(_ values: [Float], row: Int, label: Int, classes: Int) -> Float {
        var best: Float = 0
        for c in 0..<classes where c != label { best = max(best, values[row * classes + c]) }
        return best
    }

    static func signals(of model: ModelProbabilities, input: AnalysisInput, judged: [Int]) -> ModelSignals {
        let n = input.count, k = input.classes.count
        var predicted = [Int32](repeating: 0, count: n)
        var selfConfidence = [Float](repeating: .nan, count: n)
        var margin = [Float](repeating: .nan, count: n)
        var entropy = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let row = model.values[(i * k)..<((i + 1) * k)]
            predicted[i] = Int32(argmax(model.values, row: i, classes: k))
            entropy[i] = Float(LabelQuality.normalizedEntropy(row))
            let label = Int(input.labels[i])
            if label >= 0 {
                selfConfidence[i] = row[row.startIndex + label]
                margin[i] = Float(LabelQuality.score(.normalizedMargin, row: row, label: label))
            }
        }
        let correct = judged.reduce(0) { $0 + (predicted[$1] == input.labels[$1] ? 1 : 0) }
        return ModelSignals(
            name: model.name, predicted: predicted, selfConfidence: selfConfidence, margin: margin,
            entropy: entropy, accuracy: judged.isEmpty ? 0 : Double(correct) / Double(judged.count))
    }

    /// Mean Jensen–Shannon divergence (base 2) over all pairs of models, for one item.
    static func meanJensenShannon(_ models: [ModelProbabilities], row: Int, classes k: Int) -> Float {
        var total = 0.0, pairs = 0
        for a in 0..<models.count {
            for b in (a + 1)..<models.count {
                var js = 0.0
                for c in 0..<k {
                    let p = Double(models[a].values[row * k + c]), q = Double(models[b].values[row * k + c])
                    let m = (p + q) / 2
                    if p > 0 { js += 0.5 * p * log2(p / m) }
                    if q > 0 { js += 0.5 * q * log2(q / m) }
                }
                total += js
                pairs += 1
            }
        }
        return pairs == 0 ? 0 : Float(total / Double(pairs))
    }
}
