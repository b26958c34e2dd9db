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
        /// The inner folds' parameters at each C tried (by candidate index): the starting
        /// points of the next fold's search, whose training items are mostly the same.
        var thetas: [Int: [[Double]]] = [:]
    }

    /// `rows`: matrix rows of the outer training items (weight > 0). With `previous` (the
    /// choice for the fold before), only the candidates around its C are tried first, from
    /// its parameters, and the search walks further only while the held-out loss improves.
    static func choose(
        values: [Float], d: Int, rows: [Int], labels: [Int32], weights: [Float], classes: Int,
        settings: HelperSettings, seed: UInt64, previous: Choice? = nil
    ) -> Choice {
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
            inner = try FoldAssignment.stratified(
                labels: sampleLabels, weights: sampleWeights, present: [Bool](repeating: true, count: chosen.count),
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
        let candidates = HelperSettings.candidateRegularisations
        let zero = [Double](repeating: 0, count: classes * d + classes)
        var optimiser = LBFGS()
        optimiser.gradientTolerance = settings.selectionTolerance
        optimiser.maxIterations = settings.maxIterations
        var rowFolds = [Int32](repeating: -1, count: order.count)
        for (f, range) in ranges.enumerated() { for p in range { rowFolds[p] = Int32(f) } }
        var losses: [Int: Double] = [:]
        var thetas: [Int: [[Double]]] = [:]
        var curve: [(c: Double, logLoss: Double)] = []

        /// Held-out log-loss at candidate `index`, each inner fold started from the nearest
        /// candidate tried so far, else from the previous fold's search.
        func loss(at index: Int) -> Double {
            if let known = losses[index] { return known }
            let nearest = thetas.keys.min { abs($0 - index) != abs($1 - index) ? abs($0 - index) < abs($1 - index) : $0 < $1 }
            let starts = nearest.flatMap { thetas[$0] } ?? previous?.thetas[index] ?? [[Double]](repeating: zero, count: inner.count)
            var lossSum = 0.0, weightSum = 0.0
            // The inner folds' models are fitted together (see `JointObjective`).
            let objective = JointObjective(
                values: sample, d: d, labels: rowLabels, weights: rowWeights, folds: rowFolds, models: inner.count,
                classes: classes, c: [Double](repeating: candidates[index], count: inner.count), threads: settings.threads)
            let fitted = JointMinimizer.minimize(
                objective,
                from: (0..<inner.count).map { f in
                    starts.count == inner.count && starts[f].count == zero.count ? starts[f] : zero
                }, optimiser: optimiser
            ).map(\.x)
            for f in 0..<inner.count {
                let active = objective.active[f]
                SoftmaxObjective.predict(
                    values: sample, d: d, rows: ranges[f], theta: fitted[f], classes: classes, active: active,
                    threads: settings.threads
                ) { row, p in
                    let y = Int(rowLabels[row])
                    // A class this inner fit never saw gives no evidence (and no loss).
                    guard active[y], rowWeights[row] > 0 else { return }
                    lossSum += Double(rowWeights[row]) * -log(max(Double(p[y]), 1e-15))
                    weightSum += Double(rowWeights[row])
                }
            }
            let value = weightSum > 0 ? lossSum / weightSum : .infinity
            losses[index] = value
            thetas[index] = fitted
            curve.append((candidates[index], value))
            return value
        }

        if let previous, let around = candidates.firstIndex(where: { $0 == previous.c }) {
            // The previous fold's choice and its runner-up neighbour there (this fold's
            // training items are mostly the same), then onwards while the loss improves.
            let before = Dictionary(
                previous.curve.map { (c: $0.c, loss: $0.logLoss) }.compactMap { point in
                    candidates.firstIndex(of: point.c).map { ($0, point.loss) }
                }, uniquingKeysWith: { a, _ in a })
            let below = before[around - 1] ?? .infinity, above = before[around + 1] ?? .infinity
            var step = below <= above ? -1 : 1 // (the other side was worse there too)
            if !candidates.indices.contains(around + step) { step = -step }
            var best = around
            _ = loss(at: around)
            while candidates.indices.contains(best + step), loss(at: best + step) < losses[best]! { best += step }

        } else {
            // From strong to weak regularisation, until the loss has not improved twice in a row.
            var best = Double.infinity
            var worse = 0
            for index in candidates.indices {
                let value = loss(at: index)
                if value < best {
                    best = value
                    worse = 0
                } else {
                    worse += 1
                    if worse >= 2 { break }
                }
            }
        }
        let best = losses.min { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key }!.key
        return Choice(c: candidates[best], curve: curve, note: nil, thetas: thetas)
    }
}
