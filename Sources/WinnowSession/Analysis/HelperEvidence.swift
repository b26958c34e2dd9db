import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowDataset
import WinnowHelperModel
import WinnowStore

/// The helper model as one more source of label evidence: logistic regression trained on the
/// dataset's embeddings (or, without them, Winnow's own image features), giving every item
/// out-of-fold probabilities that join the analysis as a model named `helper`.
///
/// It is on by default when the dataset has fewer than two models of its own (`[helper]
/// enabled` forces it on or off). A trained helper is kept in the state folder with the
/// training labels it saw; it is trained again (starting from the kept weights) once
/// `[helper] retrain_every` items' training labels have changed since, so reading a queue
/// after a decision or two does not retrain it.
package enum HelperEvidence {
    package static let modelName = "helper"
    /// A label a reviewer accepted or set counts this much more in training than a given
    /// one: it is known to be right, where given labels are wrong as often as the data is
    /// noisy. Kept small: reviewed items are the unusual ones, and a large weight would
    /// bend the model around them.
    package static let verifiedWeight: Float = 2
    /// Part of the cache key: bump when the model or its inputs change meaning.
    package static let version = 2

    /// Whether the helper applies to the project, and why, in words.
    package static func status(config: WinnowConfig, context: AnalysisContext) -> (on: Bool, reason: String) {
        status(
            config: config, multiLabel: context.multiLabel, models: context.models.count,
            embeddings: context.embeddings.map { ($0.source, $0.dimension) })
    }

    package static func status(config: WinnowConfig, multiLabel: Bool, models: Int, embeddings: (source: String, dimension: Int)?) -> (
        on: Bool, reason: String
    ) {
        if multiLabel { return (false, "off: multi-label data (the helper learns one label per item)") }
        if config.helperEnabled == false { return (false, "off ([helper] enabled = false)") }
        if config.helperEnabled == nil, models >= 2 {
            return (false, "off: the dataset has \(models) models of its own ([helper] enabled = true adds it)")
        }
        let features = embeddings.map { "\(TerminalText.sanitize($0.source)) (\($0.dimension)-d)" } ?? "Winnow's image features (no embeddings.npy)"
        return (true, "on: learns from " + features)
    }

    package static func featuresDescription(_ context: AnalysisContext) -> String {
        context.embeddings.map { "\(TerminalText.sanitize($0.source)) (\($0.dimension)-d)" } ?? "Winnow's image features"
    }

    package static func settings(_ config: WinnowConfig) -> HelperSettings {
        var settings = HelperSettings()
        settings.folds = config.helperFolds
        settings.regularisation = config.helperRegularisation
        settings.seed = UInt64(config.seed)
        return settings
    }

    /// The training labels and weights: judged items (one label, not excluded) count 1, or
    /// `verifiedWeight` once a reviewer accepted or set their label; the others are not
    /// trained on.
    package static func training(input: AnalysisInput, items: [AnalysisContext.Item]) -> (labels: [Int32], weights: [Float]) {
        var labels = [Int32](repeating: -1, count: input.count), weights = [Float](repeating: 0, count: input.count)
        for i in 0..<input.count where input.isJudged(i) {
            labels[i] = input.labels[i]
            let status = items[i].resolution.status
            weights[i] = status == .accepted || status == .relabelled ? verifiedWeight : 1
        }
        return (labels, weights)
    }

    /// The cache file of this project's features and helper settings.
    package static func cachePath(_ session: AnalysisSession) -> String {
        let context = session.context, config = session.config
        let features: String
        if let embeddings = context.embeddings {
            features = "embeddings-\(embeddings.fingerprint)"
        } else {
            // The image features follow each file's size and time (as their own cache does).
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            func mix(_ value: UInt64) { hash = (hash ^ value) &* 0x0000_0100_0000_01B3 }
            mix(UInt64(ImageFeatureIndex.version))
            for item in context.items {
                mix(UInt64(bitPattern: item.id))
                mix(UInt64(bitPattern: item.fileSize ?? -1))
                mix((item.modificationTime ?? -1).bitPattern)
            }
            features = "image-features-\(String(hash, radix: 16))"
        }
        return session.project.store.stateDirectory + "/helper/\(features)" + settingsSuffix(config)
    }

    package static func settingsSuffix(_ config: WinnowConfig) -> String {
        "-v\(version)-f\(config.helperFolds)-c\(config.helperRegularisation.map { String($0) } ?? "auto")-s\(config.seed).bin"
    }

    /// The newest cache entry for the current settings, whichever features it was trained
    /// on (for `info`, which does not read the features).
    package static func newestCache(stateDirectory: String, config: WinnowConfig) -> HelperCache? {
        let directory = stateDirectory + "/helper"
        let suffix = settingsSuffix(config)
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(suffix) }
        let newest = files.max { a, b in
            let ta = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + a)[.modificationDate] as? Date) ?? .distantPast
            let tb = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + b)[.modificationDate] as? Date) ?? .distantPast
            return ta < tb
        }
        return newest.flatMap { HelperCache.read(directory + "/" + $0) }
    }

    /// The helper's cache entry for `input`'s labels: read, or trained now (from the kept
    /// weights when there are some) when none is kept or the labels have moved by
    /// `retrain_every` items or more. Nil when the helper does not apply.
    package static func current(session: AnalysisSession, input: AnalysisInput) throws -> HelperCache? {
        guard status(config: session.config, context: session.context).on else { return nil }
        let (labels, weights) = training(input: input, items: session.context.items)
        let path = cachePath(session)
        let kept = HelperCache.read(path)
        if let kept, kept.changedItems(labels: labels, weights: weights) < max(1, session.config.helperRetrainEvery) {
            return kept
        }
        let trained = try train(session: session, labels: labels, weights: weights, from: kept)
        try trained.write(to: path)
        return trained
    }

    /// Trains the helper for these labels and weights (continuing from `earlier` when its
    /// folds still fit), and says when it is no evidence.
    package static func train(session: AnalysisSession, labels: [Int32], weights: [Float], from earlier: HelperCache?) throws -> HelperCache {
        var model: HelperModel?
        return try train(session: session, labels: labels, weights: weights, from: earlier, keep: &model)
    }

    /// The same, leaving the prepared model (features, folds, weights) in `model` for retrains.
    package static func train(
        session: AnalysisSession, labels: [Int32], weights: [Float], from earlier: HelperCache?,
        keep model: inout HelperModel?
    ) throws -> HelperCache {
        let context = session.context
        let features = try loadFeatures(session)
        let settings = settings(session.config)
        let start = MonotonicClock.now()
        let reuse = earlier.flatMap { $0.summary.unused == nil && $0.folds.foldOf.count == labels.count && $0.folds.count > 0 ? $0 : nil }
        do {
            model = try HelperModel.prepare(
                items: labels.count, columns: features.columns, present: features.present, read: features.read,
                labels: labels, weights: weights, classes: context.classes.count, classNames: context.classes,
                settings: settings, folds: reuse?.folds)
        } catch {
            return HelperCache(
                summary: .init(
                    items: labels.count, classes: context.classes.count, parameters: 0, folds: 0, regularisation: [],
                    chosen: settings.regularisation == nil, features: featuresDescription(context), notes: [], foldNotes: [],
                    trainedItems: 0, outOfFoldLogLoss: nil, outOfFoldAccuracy: nil, priorLogLoss: nil,
                    seconds: MonotonicClock.now() - start, trainedAt: Timestamp.string(from: Date()), unused: error.description),
                labels: labels, weights: weights, folds: FoldAssignment(count: 0, foldOf: []), evidence: [], probabilities: [],
                fitted: HelperModel.Fitted(perFold: [], regularisation: []))
        }
        if let reuse { model!.resume(from: reuse.fitted) }
        return retrain(&model!, session: session, labels: labels, weights: weights, preparing: MonotonicClock.now() - start)
    }

    /// Trains a prepared model for new labels and weights (from its previous weights).
    package static func retrain(
        _ model: inout HelperModel, session: AnalysisSession, labels: [Int32], weights: [Float],
        preparing: Double = 0
    ) -> HelperCache {
        let context = session.context
        let start = MonotonicClock.now()
        session.progress.begin(
            "training the helper model (\(model.folds.count)-fold logistic regression, \(model.features.rows) items × \(model.features.dimension) features)",
            total: nil)
        let result = model.train(labels: labels, weights: weights)
        session.progress.end()
        let prior = priorLogLoss(labels: labels, weights: weights, evidence: result.evidence, classes: context.classes.count)
        // A helper no better than always guessing the class frequencies is no evidence.
        let unused =
            result.outOfFoldLogLoss < prior
            ? nil
            : String(
                format: "not used: its out-of-fold log-loss (%.3f) is no better than the class frequencies' (%.3f)", result.outOfFoldLogLoss, prior)
        let summary = HelperCache.Summary(
            items: labels.count, classes: context.classes.count, parameters: model.fitted?.perFold.first?.count ?? 0, folds: result.folds,
            regularisation: result.regularisation, chosen: model.settings.regularisation == nil, features: featuresDescription(context),
            notes: result.notes, foldNotes: model.folds.notes, trainedItems: result.trainedItems,
            outOfFoldLogLoss: result.outOfFoldLogLoss.isFinite ? result.outOfFoldLogLoss : nil,
            outOfFoldAccuracy: result.outOfFoldAccuracy.isFinite ? result.outOfFoldAccuracy : nil, priorLogLoss: prior,
            seconds: preparing + MonotonicClock.now() - start, trainedAt: Timestamp.string(from: Date()), unused: unused)
        return HelperCache(
            summary: summary, labels: labels, weights: weights, folds: model.folds, evidence: result.evidence,
            probabilities: result.probabilities, fitted: model.fitted!)
    }

    /// Log-loss of predicting every item's class by the class frequencies (of the items trained on).
    package static func priorLogLoss(labels: [Int32], weights: [Float], evidence: [Bool], classes: Int) -> Double {
        var counts = [Double](repeating: 0, count: classes)
        var total = 0.0
        for i in 0..<labels.count where weights[i] > 0 && labels[i] >= 0 {
            counts[Int(labels[i])] += 1
            total += 1
        }
        var loss = 0.0, judged = 0.0
        for i in 0..<labels.count where weights[i] > 0 && labels[i] >= 0 && evidence[i] {
            loss -= log(counts[Int(labels[i])] / total)
            judged += 1
        }
        return judged > 0 ? loss / judged : .infinity
    }

    package struct Features {
        package var columns: Int
        package var present: [Bool]?
        package var read: FeatureMatrix.RowReader
    }

    /// The embeddings (checked against the import), or the image features.
    package static func loadFeatures(_ session: AnalysisSession) throws -> Features {
        let context = session.context
        if let embeddings = context.embeddings {
            let matrix = try NPYMatrix(path: context.datasetRoot + "/" + embeddings.source, displayName: embeddings.source)
            guard matrix.rows == context.items.count, matrix.columns == embeddings.dimension else {
                throw SessionError(
                    .badData, "\(embeddings.source) changed since the last import",
                    fix: "run winnow import \(TerminalText.sanitize(context.datasetRoot))")
            }
            let columns = matrix.columns
            return Features(columns: columns, present: nil) { item, into in
                for j in 0..<columns { into[j] = Float(matrix.value(row: item, column: j)) }
            }
        }
        let vectors = try ImageFeatureIndex.vectors(of: context, store: session.project.store, progress: session.progress)
        let values = vectors.values, d = ImageFeatureIndex.dimension
        return Features(columns: d, present: vectors.present) { item, into in
            values.withUnsafeBufferPointer { into.update(from: $0.baseAddress! + item * d, count: d) }
        }
    }

    /// The helper's probabilities as one more model of `input` (none when it does not
    /// apply, cannot be trained, or is no evidence). Its name is `helper` unless a model of
    /// the dataset has that name.
    package static func models(session: AnalysisSession, input: AnalysisInput) throws -> [ModelProbabilities] {
        guard let cache = try current(session: session, input: input), cache.summary.unused == nil,
            cache.probabilities.count == input.count * input.classes.count
        else { return [] }
        return [ModelProbabilities(name: name(avoiding: input.models.map(\.name)), values: cache.probabilities)]
    }

    package static func name(avoiding taken: [String]) -> String {
        taken.contains(modelName) ? "winnow-" + modelName : modelName
    }

    /// One line for `analyze` and `info`: on or off and why, and what the last training gave.
    package static func describe(config: WinnowConfig, context: AnalysisContext, cache: HelperCache?) -> String {
        describe(status: status(config: config, context: context), cache: cache)
    }

    package static func describe(status: (on: Bool, reason: String), cache: HelperCache?) -> String {
        let (on, reason) = status
        guard on else { return reason }
        guard let cache else { return reason + "; not trained yet (winnow analyze trains it)" }
        let s = cache.summary
        if s.parameters == 0, let unused = s.unused { return reason + "; unavailable: " + unused }
        var text = reason + "; \(s.folds)-fold logistic regression"
        let cs = Set(s.regularisation).sorted().map { String(format: "%.2g", $0) }.joined(separator: "/")
        text += ", C \(cs)" + (s.chosen ? " (by inner cross-validation)" : "")
        if let accuracy = s.outOfFoldAccuracy { text += String(format: ", out of fold it agrees with %.1f%% of the labels", accuracy * 100) }
        text += String(format: " (trained %@ in %.1f s)", s.trainedAt, s.seconds)
        if let unused = s.unused { text += "; " + unused }
        for note in s.notes { text += "\n               note: " + note }
        return text
    }
}

extension AnalysisSession {
    /// The helper model's probabilities for `input` (see `HelperEvidence`).
    package func helperModels(for input: AnalysisInput) throws -> [ModelProbabilities] {
        try HelperEvidence.models(session: self, input: input)
    }
}
