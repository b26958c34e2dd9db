#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WinnowCore

/// Winnow's helper model: K-fold cross-validated multinomial logistic regression (L2, on
/// standardised features), giving every item an out-of-fold probability vector, the
/// evidence a user's own model would give when a dataset has none.
///
/// `prepare` fixes what does not depend on labels' later changes (the standardised features,
/// the folds); `train` fits and predicts for the current labels and training weights. A
/// second `train` (after reviewers changed labels) starts every fit from its previous
/// weights and keeps each fold's regularisation, so it costs the few steps the changes need.
public struct HelperModel: Sendable {
    public let classes: Int
    public let settings: HelperSettings
    public let folds: FoldAssignment
    public let features: FeatureMatrix
    let classNames: [String]?
    /// The last fit, the starting point of the next.
    public private(set) var fitted: Fitted?

    public struct Fitted: Sendable, Equatable {
        /// Parameters of each fold's model (classes × dimension weights, then the
        /// intercepts), and its C.
        public var perFold: [[Double]]
        public var regularisation: [Double]

        public init(perFold: [[Double]], regularisation: [Double]) {
            self.perFold = perFold
            self.regularisation = regularisation
        }
    }

    /// Continues from an earlier fit of the same features and folds (saved with its
    /// probabilities): the next `train` starts from it. Ignored when its shape differs.
    public mutating func resume(from earlier: Fitted) {
        let count = classes * features.dimension + classes
        guard earlier.perFold.count == folds.count, earlier.regularisation.count == folds.count,
            earlier.perFold.allSatisfy({ $0.count == count })
        else { return }
        fitted = earlier
    }

    /// One model of a sample of the training rows (at most `selectionSample`): the starting
    /// point of the folds' models when nothing closer is known.
    static func sampleFit(
        values: [Float], d: Int, labels: [Int32], weights: [Float], classes k: Int, c: Double,
        settings: HelperSettings, optimiser: LBFGS
    ) -> LBFGS.Outcome {
        let training = (0..<labels.count).filter { weights[$0] > 0 }
        var chosen = training
        if training.count > settings.selectionSample {
            var rng = SplitMix64(seed: settings.seed ^ 0x5EED)
            chosen = Array(training.shuffled(using: &rng).prefix(settings.selectionSample)).sorted()
        }
        var sample = [Float](repeating: 0, count: chosen.count * d)
        values.withUnsafeBufferPointer { source in
            sample.withUnsafeMutableBufferPointer { target in
                for (p, r) in chosen.enumerated() { (target.baseAddress! + p * d).update(from: source.baseAddress! + r * d, count: d) }
            }
        }
        let objective = SoftmaxObjective(
            values: sample, d: d, ranges: [0..<chosen.count], labels: chosen.map { labels[$0] },
            weights: chosen.map { weights[$0] }, classes: k, c: c, threads: settings.threads)
        return optimiser.minimize(from: [Double](repeating: 0, count: k * d + k)) { objective.evaluate($0) }
    }

    /// Why there is no helper model.
    public enum Unavailable: Error, Equatable, CustomStringConvertible {
        case features(FeatureMatrix.Unusable)
        case folds(FoldAssignment.Failure)

        public var description: String {
            switch self {
            case .features(let reason): return reason.description
            case .folds(let reason): return reason.description
            }
        }
    }

    /// `labels`: class of each item (-1: none); `weights`: how much each item counts in
    /// training (0: not trained on: excluded, or no single label). `present`: items with
    /// features (nil: all). `read` gives an item's raw features. `folds` overrides the
    /// folds (those of an earlier fit, or a reference's own).
    public static func prepare(
        items: Int, columns: Int, present: [Bool]? = nil, read: @escaping FeatureMatrix.RowReader,
        labels: [Int32], weights: [Float], classes: Int, classNames: [String]? = nil,
        settings: HelperSettings = HelperSettings(), folds given: FoldAssignment? = nil
    ) throws(Unavailable) -> HelperModel {
        let present = present ?? [Bool](repeating: true, count: items)
        // Without features there is nothing to learn from, whatever the labels (said so, rather
        // than that no class has items enough).
        let withFeatures = present.count { $0 }
        guard given != nil || withFeatures >= 2 else { throw .features(.tooFewItems(withFeatures)) }
        let folds: FoldAssignment
        if let given {
            folds = given
        } else {
            do {
                folds = try FoldAssignment.stratified(
                    labels: labels, weights: weights, present: present, classes: classes,
                    wanted: settings.folds, seed: settings.seed, classNames: classNames)
            } catch { throw .folds(error) }
        }
        let features: FeatureMatrix
        do { features = try FeatureMatrix(items: items, columns: columns, order: folds.rowOrder, read: read) } catch { throw .features(error) }
        return HelperModel(classes: classes, settings: settings, folds: folds, features: features, classNames: classNames, fitted: nil)
    }

    /// Fits every fold's model (and one on all training items) for these labels and weights,
    /// and predicts every item: out-of-fold for the items trained on, with the model of all
    /// training items for the others.
    public mutating func train(labels: [Int32], weights: [Float]) -> HelperResult {
        MatrixProduct.oneThreadPerCaller()
        let k = classes, d = features.dimension, rows = features.rows
        let order = features.order
        var rowLabels = [Int32](repeating: 0, count: rows), rowWeights = [Float](repeating: 0, count: rows)
        for p in 0..<rows {
            let item = Int(order[p])
            let label = labels[item]
            if label >= 0, Int(label) < k, weights[item] > 0 {
                rowLabels[p] = label
                rowWeights[p] = weights[item]
            }
        }
        let ranges = folds.rowRanges
        var notes = folds.notes
        var optimiser = LBFGS()
        optimiser.gradientTolerance = settings.gradientTolerance
        optimiser.maxIterations = settings.maxIterations
        var iterations = 0

        // Regularisation of each fold: kept from the last fit, set, or chosen by an inner
        // cross-validation of the fold's training items.
        var regularisation: [Double]
        var curves: [[(c: Double, logLoss: Double)]] = []
        var starts: [[Double]] = []
        var curvature = LBFGS.Curvature()
        if let fitted, fitted.regularisation.count == folds.count, fitted.perFold.count == folds.count {
            regularisation = fitted.regularisation
            starts = fitted.perFold
        } else if let c = settings.regularisation {
            regularisation = [Double](repeating: c, count: folds.count)
        } else {
            regularisation = []
            var previous: RegularisationSearch.Choice?
            for f in 0..<folds.count {
                let training = ranges.enumerated().filter { $0.offset != f }.flatMap { $0.element.filter { rowWeights[$0] > 0 } }
                let choice = RegularisationSearch.choose(
                    values: features.values, d: d, rows: training, labels: rowLabels, weights: rowWeights,
                    classes: k, settings: settings, seed: settings.seed &+ UInt64(f + 1), previous: previous)
                regularisation.append(choice.c)
                curves.append(choice.curve)
                if let note = choice.note, !notes.contains(note) { notes.append(note) }
                // The inner fit at the chosen C is close to this fold's model: its start.
                if let index = HelperSettings.candidateRegularisations.firstIndex(of: choice.c), let inner = choice.thetas[index]?.first {
                    starts.append(inner)
                }
                previous = choice
            }
            if starts.count != folds.count { starts = [] }
        }
        if starts.isEmpty {
            // A first fit on a sample of the training items starts every fold's model.
            let start = Self.sampleFit(
                values: features.values, d: d, labels: rowLabels, weights: rowWeights, classes: k,
                c: regularisation.sorted()[regularisation.count / 2], settings: settings, optimiser: optimiser)
            iterations += start.iterations
            starts = [[Double]](repeating: start.x, count: folds.count)
            curvature = start.curvature
        }

        // The folds' models, fitted together (one pass over the features per round).
        var rowFolds = [Int32](repeating: -1, count: rows)
        for (f, range) in ranges.enumerated() { for p in range { rowFolds[p] = Int32(f) } }
        let objective = JointObjective(
            values: features.values, d: d, labels: rowLabels, weights: rowWeights, folds: rowFolds,
            models: folds.count, classes: k, c: regularisation, threads: settings.threads)
        let outcomes = JointMinimizer.minimize(objective, from: starts, curvature: curvature, optimiser: optimiser)
        iterations += outcomes.reduce(0) { $0 + $1.iterations }
        let perFold = outcomes.map(\.x)
        var probabilities = [Float](repeating: 0, count: features.items * k)
        var evidence = [Bool](repeating: false, count: features.items)
        for f in 0..<folds.count {
            let active = objective.active[f]
            // Held-out rows: the items trained on get this fold's (out-of-fold) prediction.
            probabilities.withUnsafeMutableBufferPointer { out in
                SoftmaxObjective.predict(
                    values: features.values, d: d, rows: ranges[f], theta: perFold[f], classes: k, active: active,
                    threads: settings.threads
                ) { row, p in
                    guard rowWeights[row] > 0 else { return }
                    let item = Int(order[row])
                    // A class the fold's model never saw (its only item is this one) gives
                    // no evidence about this item: see `HelperResult.evidence`.
                    guard active[Int(rowLabels[row])] else { return }
                    for c in 0..<k { out[item * k + c] = p[c] }
                    evidence[item] = true
                }
            }
            // Items not trained on (unlabelled, excluded) with features: the mean of every
            // fold's model, none of which saw them.
            guard ranges[f].contains(where: { rowWeights[$0] == 0 }) else { continue }
            for g in 0..<folds.count {
                probabilities.withUnsafeMutableBufferPointer { out in
                    SoftmaxObjective.predict(
                        values: features.values, d: d, rows: ranges[f], theta: perFold[g], classes: k, active: objective.active[g],
                        threads: settings.threads
                    ) { row, p in
                        guard rowWeights[row] == 0 else { return }
                        let item = Int(order[row])
                        for c in 0..<k { out[item * k + c] += p[c] / Float(folds.count) }
                        evidence[item] = true
                    }
                }
            }
        }
        // Items with no evidence: their row repeats their label, so they are never flagged
        // by the helper; unlabelled items without features get a uniform row.
        var withoutFeatures = 0
        for item in 0..<features.items {
            let trained = features.position[item] >= 0 && rowWeights[Int(features.position[item])] > 0
            guard !evidence[item], features.position[item] < 0 || trained else { continue }
            let label = Int(labels[item])
            if features.position[item] < 0, label >= 0 { withoutFeatures += 1 }
            for c in 0..<k { probabilities[item * k + c] = label >= 0 && label < k ? (c == label ? 1 : 0) : 1 / Float(k) }
        }
        fitted = Fitted(perFold: perFold, regularisation: regularisation)

        // Out-of-fold quality on the items trained on (their current labels).
        var lossSum = 0.0, correct = 0, judged = 0
        var unlearnable = Set<Int>()
        for p in 0..<rows where rowWeights[p] > 0 {
            let item = Int(order[p])
            let y = Int(rowLabels[p])
            guard evidence[item] else {
                unlearnable.insert(y)
                continue
            }
            judged += 1
            lossSum += -log(max(Double(probabilities[item * k + y]), 1e-15))
            var top = 0
            for c in 1..<k where probabilities[item * k + c] > probabilities[item * k + top] { top = c }
            if top == y { correct += 1 }
        }
        for c in unlearnable.sorted() {
            let name = classNames.map { "'\(TerminalText.sanitize($0[c]))'" } ?? "class \(c)"
            notes.append("\(name) has too few labelled items to learn it out of fold: the helper model says nothing about its items")
        }
        if withoutFeatures > 0 {
            notes.append(
                "\(withoutFeatures) labelled item\(withoutFeatures == 1 ? " has" : "s have") no features (unreadable images): the helper model says nothing about \(withoutFeatures == 1 ? "it" : "them")"
            )
        }
        return HelperResult(
            classes: k, probabilities: probabilities, evidence: evidence, folds: folds.count,
            regularisation: regularisation, selectionCurves: curves, notes: notes, iterations: iterations,
            trainedItems: judged, outOfFoldLogLoss: judged > 0 ? lossSum / Double(judged) : .nan,
            outOfFoldAccuracy: judged > 0 ? Double(correct) / Double(judged) : .nan)
    }
}

/// What a training gave.
public struct HelperResult: Sendable {
    public let classes: Int
    /// items × classes, rows summing to 1, never NaN.
    public let probabilities: [Float]
    /// True where the row is a prediction about the item from a model that did not see its
    /// label (out-of-fold), or from the model of all training items for an item that is not
    /// trained on. False where the helper has no evidence (a class it cannot learn out of
    /// fold, no features): the row then repeats the item's label and flags nothing.
    public let evidence: [Bool]
    public let folds: Int
    /// C of each fold's model, and the inner cross-validation's held-out log-loss per C
    /// tried (empty when C was set or kept from the last fit).
    public let regularisation: [Double]
    public let selectionCurves: [[(c: Double, logLoss: Double)]]
    public let notes: [String]
    public let iterations: Int
    /// Out-of-fold figures against the current labels, over the items with evidence.
    public let trainedItems: Int
    public let outOfFoldLogLoss: Double
    public let outOfFoldAccuracy: Double
}
