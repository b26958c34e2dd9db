#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WinnowCore

/// Chooses the regularisation (C) by cross-validation on a fold's training items: an inner
/// cross-validation, so the out-of-fold probabilities of the outer fold's items never
/// depended on their own labels, not even through C.
enum RegularisationSearch {
    struct Choice {
        var c: Double
        /// Held-out log-loss at each C tried, in the order tried.
        var curve: [(c: Double, logLoss: Double)]
        var note: String?
    }

    /// `rows`: matrix rows of the outer training items (weight > 0).
    static func choose(values: [Float], d: Int, rows: [Int], labels: [Int32], weights: [Float], classes: Int,
                       settings: HelperSettings, seed: UInt64) -> Choice {
        // A stratified sample: a seeded shuffle of each class, the same share of each.
        var chosen = rows
        if rows.count > settings.selectionSample {
            var byClass = [[Int]](repeating: [], count: classes)
            for r in rows { byClass[Int(labels[r])].append(r) }
            let share = Double(settings.selectionSample) / Double(rows.count)
            var rng = SplitMix64(seed: seed)
            chosen = byClass.flatMap { members in
                Array(members.shuffled(using: &rng).prefix(max(min(members.count, 2), Int((Double(members.count) * share).rounded()))))
            }.sorted()
        }
        let sampleLabels = chosen.map { labels[$0] }, sampleWeights = chosen.map { weights[$0] }
        let inner: FoldAssignment
        do {
            inner = try FoldAssignment.stratified(labels: sampleLabels, weights: sampleWeights, present: [Bool](repeating: true, count: chosen.count),
                                                  classes: classes, wanted: settings.innerFolds, seed: seed ^ 0xA5A5_5A5A)
        } catch {
            return Choice(c: 1, curve: [], note: "too few items to choose the regularisation by cross-validation: C = 1")
        }
        // The sample's rows, gathered fold by fold (each inner fold contiguous).
        let order = inner.rowOrder.map { Int($0) }
        var sample = [Float](repeating: 0, count: order.count * d)
        values.withUnsafeBufferPointer { source in
            sample.withUnsafeMutableBufferPointer { target in
                for (p, s) in order.enumerated() {
                    let from = source.baseAddress! + chosen[s] * d
                    (target.baseAddress! + p * d).update(from: from, count: d)
                }
            }
        }
        let rowLabels = order.map { sampleLabels[$0] }, rowWeights = order.map { sampleWeights[$0] }
        let ranges = inner.rowRanges
        var thetas = [[Double]](repeating: [Double](repeating: 0, count: classes * d + classes), count: inner.count)
        var optimiser = LBFGS()
        optimiser.gradientTolerance = settings.selectionTolerance
        optimiser.maxIterations = settings.maxIterations
        var curve: [(c: Double, logLoss: Double)] = []
        var best = (c: 1.0, logLoss: Double.infinity)
        var risesInARow = 0
        for c in HelperSettings.candidateRegularisations {
            var lossSum = 0.0, weightSum = 0.0
            for f in 0..<inner.count {
                let training = ranges.enumerated().filter { $0.offset != f }.map(\.element)
                let objective = SoftmaxObjective(values: sample, d: d, ranges: training, labels: rowLabels, weights: rowWeights,
                                                 classes: classes, c: c, threads: settings.threads)
                let outcome = optimiser.minimize(from: thetas[f]) { objective.evaluate($0) }
                thetas[f] = outcome.x
                SoftmaxObjective.predict(values: sample, d: d, rows: ranges[f], theta: outcome.x, classes: classes, active: objective.active,
                                         threads: settings.threads) { row, p in
                    let y = Int(rowLabels[row])
                    // A class this inner fit never saw gives no evidence (and no loss).
                    guard objective.active[y], rowWeights[row] > 0 else { return }
                    lossSum += Double(rowWeights[row]) * -log(max(Double(p[y]), 1e-15))
                    weightSum += Double(rowWeights[row])
                }
            }
            let logLoss = weightSum > 0 ? lossSum / weightSum : .infinity
            curve.append((c, logLoss))
            if logLoss < best.logLoss {
                best = (c, logLoss)
                risesInARow = 0
            } else {
                risesInARow += 1
                if risesInARow >= 2 { break }
            }
        }
        return Choice(c: best.c, curve: curve, note: nil)
    }
}
