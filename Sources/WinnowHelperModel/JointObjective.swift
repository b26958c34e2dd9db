#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import WinnowCore

/// The objectives of the K fold models of a cross-validation, evaluated together.
///
/// Model g is `SoftmaxObjective` on every row except those of fold g (its held-out rows).
/// Evaluating them one at a time reads the whole feature matrix once per model, and with
/// as few output columns as classes BLAS spends most of its time packing that matrix;
/// together, one pass multiplies each block of rows by every model's weights at once
/// (`classes × models` columns), which costs about what two single models cost. The value
/// and gradient of each model are exactly `SoftmaxObjective`'s for its rows.
struct JointObjective: @unchecked Sendable {
    let values: [Float]
    let d: Int
    let rows: Int
    /// Label, weight and fold (-1: none, trained on by every model) of every row.
    let labels: [Int32]
    let weights: [Float]
    let folds: [Int32]
    let classes: Int
    let models: Int
    /// Per model: classes with training rows, the effective C (see `SoftmaxObjective`), the
    /// training weight.
    let active: [[Bool]]
    let c: [Double]
    let totalWeight: [Double]
    let threads: Int
    /// Blocks of rows with some weight, and the fold of each block's weighted rows when
    /// they all have one (-1: several).
    let chunks: [Range<Int>]
    let chunkFolds: [Int32]

    init(values: [Float], d: Int, labels: [Int32], weights: [Float], folds: [Int32], models: Int, classes: Int, c: [Double], threads: Int) {
        self.values = values
        self.d = d
        self.rows = labels.count
        self.labels = labels
        self.weights = weights
        self.folds = folds
        self.models = models
        self.classes = classes
        self.threads = threads
        var active = [[Bool]](repeating: [Bool](repeating: false, count: classes), count: models)
        var total = [Double](repeating: 0, count: models)
        var chunks: [Range<Int>] = []
        var start = 0
        while start < rows {
            let end = min(rows, start + SoftmaxObjective.chunkRows)
            var any = false
            for r in start..<end where weights[r] > 0 {
                for g in 0..<models where Int(folds[r]) != g {
                    active[g][Int(labels[r])] = true
                    total[g] += Double(weights[r])
                }
                any = true
            }
            if any { chunks.append(start..<end) }
            start = end
        }
        self.active = active
        self.totalWeight = total
        self.c = (0..<models).map { g in active[g].filter { $0 }.count == 2 ? c[g] / 2 : c[g] }
        self.chunks = chunks
        chunkFolds = chunks.map { chunk in
            let held = Set(chunk.filter { weights[$0] > 0 }.map { folds[$0] })
            return held.count == 1 ? held.first! : -1
        }
    }

    var parameterCount: Int { classes * d + classes }

    /// The values and gradients of the models asked for (`thetas[g]`), in one pass.
    func evaluate(_ thetas: [Int: [Double]]) -> [Int: (value: Double, gradient: [Double])] {
        let asked = thetas.keys.sorted()
        let n = asked.count, k = classes, d = self.d
        guard n > 0 else { return [:] }
        // The models' weights and intercepts stacked model by model, for a block of rows
        // that every asked model trains on, and without model `a` for a block of rows that
        // are all model a's held-out rows (their products would only be thrown away).
        struct Stack {
            var slots: [Int]
            var weights: [Float]
            var bias: [Float]
            var active: [Bool]
            var allActive: [Bool]
            var models: [Int32]
        }
        func stack(_ slots: [Int]) -> Stack {
            var w = [Float](), b = [Float](), act = [Bool](), all = [Bool]()
            w.reserveCapacity(slots.count * k * d)
            for a in slots {
                let theta = thetas[asked[a]]!
                for j in 0..<(k * d) { w.append(Float(theta[j])) }
                for cl in 0..<k { b.append(Float(theta[k * d + cl])) }
                act += active[asked[a]]
                all.append(!active[asked[a]].contains(false))
            }
            return Stack(slots: slots, weights: w, bias: b, active: act, allActive: all, models: slots.map { Int32(asked[$0]) })
        }
        let stacks = [stack(Array(0..<n))] + (0..<n).map { a in stack((0..<n).filter { $0 != a }) }
        /// The stack a block uses: 0, or 1 + the slot of the model whose held-out rows it holds.
        func stackIndex(_ chunk: Int) -> Int {
            let fold = chunkFolds[chunk]
            guard fold >= 0, n > 1, let slot = asked.firstIndex(of: Int(fold)) else { return 0 }
            return 1 + slot
        }
        let stackOf = (0..<chunks.count).map(stackIndex)
        let width = n * k
        let partialSize = width * d
        var partialGradients = [Float](repeating: 0, count: chunks.count * partialSize)
        var partialBias = [Double](repeating: 0, count: chunks.count * width)
        var partialLoss = [Double](repeating: 0, count: chunks.count * n)
        let next = SharedCounter()
        let workers = max(1, min(threads, chunks.count))
        partialGradients.withUnsafeMutableBufferPointer { pg in
            partialBias.withUnsafeMutableBufferPointer { pb in
                partialLoss.withUnsafeMutableBufferPointer { pl in
                    let out = UnsafeSendable((pg: pg.baseAddress!, pb: pb.baseAddress!, pl: pl.baseAddress!))
                    DispatchQueue.concurrentPerform(iterations: workers) { _ in
                        let scores = UnsafeMutablePointer<Float>.allocate(capacity: SoftmaxObjective.chunkRows * width)
                        defer { scores.deallocate() }
                        while let index = next.take(below: chunks.count) {
                            let chunk = chunks[index]
                            let m = chunk.count
                            let used = stacks[stackOf[index]]
                            let columns = used.slots.count * k
                            values.withUnsafeBufferPointer { x in
                                let rows = x.baseAddress! + chunk.lowerBound * d
                                used.weights.withUnsafeBufferPointer {
                                    MatrixProduct.rowsTimesTransposed(rows, rows: m, inner: d, $0.baseAddress!, columns: columns, into: scores)
                                }
                                labels.withUnsafeBufferPointer { lp in
                                    weights.withUnsafeBufferPointer { sp in
                                        folds.withUnsafeBufferPointer { fp in
                                            used.bias.withUnsafeBufferPointer { bp in
                                                used.active.withUnsafeBufferPointer { ap in
                                                    Self.residuals(
                                                        scores, rows: m, classes: k, models: used.models, slots: used.slots,
                                                        labels: lp.baseAddress! + chunk.lowerBound, weights: sp.baseAddress! + chunk.lowerBound,
                                                        folds: fp.baseAddress! + chunk.lowerBound, bias: bp.baseAddress!, active: ap.baseAddress!,
                                                        allActive: used.allActive, biasGradient: out.value.pb + index * width,
                                                        loss: out.value.pl + index * n)
                                                }
                                            }
                                        }
                                    }
                                }
                                MatrixProduct.transposedTimesRows(
                                    scores, rows: m, columns: columns, rows, inner: d, into: out.value.pg + index * partialSize)
                            }
                        }
                    }
                }
            }
        }
        // Sums in block order: the same on any number of cores.
        var results: [Int: (value: Double, gradient: [Double])] = [:]
        let positions = stacks.map { stack in Dictionary(uniqueKeysWithValues: stack.slots.enumerated().map { ($1, $0) }) }
        for (a, g) in asked.enumerated() {
            let theta = thetas[g]!
            var gradient = [Double](repeating: 0, count: parameterCount)
            var loss = 0.0
            for index in 0..<chunks.count {
                loss += partialLoss[index * n + a]
                for cl in 0..<k { gradient[k * d + cl] += partialBias[index * width + a * k + cl] }
                guard let position = positions[stackOf[index]][a] else { continue }
                let base = index * partialSize + position * k * d
                for j in 0..<(k * d) { gradient[j] += Double(partialGradients[base + j]) }
            }
            let scale = 1 / totalWeight[g], penalty = 1 / (c[g] * totalWeight[g])
            var squares = 0.0
            for cl in 0..<k {
                guard active[g][cl] else {
                    for j in 0..<d { gradient[cl * d + j] = 0 }
                    gradient[k * d + cl] = 0
                    continue
                }
                for j in 0..<d {
                    let t = theta[cl * d + j]
                    squares += t * t
                    gradient[cl * d + j] = gradient[cl * d + j] * scale + penalty * t
                }
                gradient[k * d + cl] *= scale
            }
            results[g] = (loss * scale + squares * penalty / 2, gradient)
        }
        return results
    }

    /// `SoftmaxObjective.residuals` for each model's columns of a block: rows held out by a
    /// model (their fold is its own) get zero residuals in its columns.
    static func residuals(
        _ z: UnsafeMutablePointer<Float>, rows m: Int, classes k: Int, models: [Int32], slots: [Int], labels: UnsafePointer<Int32>,
        weights: UnsafePointer<Float>, folds: UnsafePointer<Int32>, bias: UnsafePointer<Float>, active: UnsafePointer<Bool>,
        allActive: [Bool], biasGradient: UnsafeMutablePointer<Double>, loss: UnsafeMutablePointer<Double>
    ) {
        let n = models.count, width = n * k
        for row in 0..<m {
            let s = weights[row]
            let zr = z + row * width
            guard s > 0 else {
                zr.update(repeating: 0, count: width)
                continue
            }
            let y = Int(labels[row]), fold = folds[row]
            for a in 0..<n {
                let za = zr + a * k
                guard models[a] != fold else {
                    za.update(repeating: 0, count: k)
                    continue
                }
                let b = bias + a * k, act = active + a * k
                let own = za[y] + b[y]
                var top = -Float.infinity
                var sum: Float = 0
                if allActive[a] {
                    for c in 0..<k { top = max(top, za[c] + b[c]) }
                    for c in 0..<k {
                        let e = expf(za[c] + b[c] - top)
                        za[c] = e
                        sum += e
                    }
                } else {
                    for c in 0..<k where act[c] { top = max(top, za[c] + b[c]) }
                    for c in 0..<k {
                        let e = act[c] ? expf(za[c] + b[c] - top) : 0
                        za[c] = e
                        sum += e
                    }
                }
                let slot = slots[a]
                loss[slot] += Double(s) * (Double(logf(sum)) + Double(top - own))
                let scale = s / sum
                for c in 0..<k { za[c] *= scale }
                za[y] -= s
                let out = biasGradient + slot * k
                for c in 0..<k { out[c] += Double(za[c]) }
            }
        }
    }
}

/// Runs one L-BFGS per model on a `JointObjective`, each on its own thread; their requests
/// for a value and gradient meet, and are answered by one joint evaluation, as soon as every
/// model still running has asked. A model that converges leaves, the rest go on together.
/// The rounds follow from the models' own steps, so the outcome is the same on every run.
enum JointMinimizer {
    static func minimize(
        _ objective: JointObjective, from starts: [[Double]], curvature: LBFGS.Curvature = LBFGS.Curvature(),
        optimiser: LBFGS
    ) -> [LBFGS.Outcome] {
        let meeting = Meeting(models: starts.count) { objective.evaluate($0) }
        let outcomes = OutcomeBox(count: starts.count)
        let group = DispatchGroup()
        for g in 0..<starts.count {
            group.enter()
            let start = starts[g]
            Thread.detachNewThread {
                let outcome = optimiser.minimize(from: start, curvature: curvature) { meeting.ask(g, $0) }
                meeting.leave(g)
                outcomes.set(g, outcome)
                group.leave()
            }
        }
        group.wait()
        return outcomes.values
    }

    final class Meeting: @unchecked Sendable {
        private let condition = NSCondition()
        private var active: Set<Int>
        private var requests: [Int: [Double]] = [:]
        private var answers: [Int: (value: Double, gradient: [Double])] = [:]
        private var round = 0
        private let evaluate: ([Int: [Double]]) -> [Int: (value: Double, gradient: [Double])]

        init(models: Int, evaluate: @escaping ([Int: [Double]]) -> [Int: (value: Double, gradient: [Double])]) {
            active = Set(0..<models)
            self.evaluate = evaluate
        }

        func ask(_ g: Int, _ theta: [Double]) -> (value: Double, gradient: [Double]) {
            condition.lock()
            defer { condition.unlock() }
            requests[g] = theta
            let mine = round
            if requests.count == active.count { answer() } else { while round == mine { condition.wait() } }
            return answers[g]!
        }

        func leave(_ g: Int) {
            condition.lock()
            defer { condition.unlock() }
            active.remove(g)
            if !requests.isEmpty, requests.count == active.count { answer() }
        }

        /// Called with the lock held by the last model to ask; the others wait.
        private func answer() {
            answers = evaluate(requests)
            requests = [:]
            round += 1
            condition.broadcast()
        }
    }

    final class OutcomeBox: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [LBFGS.Outcome?]
        init(count: Int) { stored = [LBFGS.Outcome?](repeating: nil, count: count) }
        func set(_ g: Int, _ outcome: LBFGS.Outcome) { lock.lock(); stored[g] = outcome; lock.unlock() }
        var values: [LBFGS.Outcome] { lock.lock(); defer { lock.unlock() }; return stored.map { $0! } }
    }
}
