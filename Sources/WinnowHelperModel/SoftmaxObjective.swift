#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import WinnowCore

/// Multinomial logistic regression's objective on some rows of a standardised matrix, with
/// scikit-learn's scaling, so the same C means the same model:
///
///     f(W, b) = (1/S) Σᵢ sᵢ · (log Σ_c exp(w_c·xᵢ + b_c) − (w_yᵢ·xᵢ + b_yᵢ)) + ‖W‖² / (2·C·S)
///
/// with sample weights sᵢ summing to S; the intercepts are not penalised. Only active classes
/// (those with training items in this fit) take part in the softmax; the others have
/// probability 0 and their parameters stay where they are.
///
/// Parameters are Double (K·d weights row-major, then K intercepts); the products over rows
/// run in float32 through BLAS in blocks of `chunkRows`, one block per worker at a time,
/// and each block's partial sums are added in block order, so the result does not depend
/// on how many cores ran it.
struct SoftmaxObjective: @unchecked Sendable {
    /// Row-major rows × d standardised features (shared, never copied).
    let values: [Float]
    let d: Int
    /// The rows this fit trains on.
    let ranges: [Range<Int>]
    /// Label (class) and weight of every row of `values` (weight 0: not trained on).
    let labels: [Int32]
    let weights: [Float]
    let classes: Int
    let active: [Bool]
    let c: Double
    let totalWeight: Double
    let threads: Int
    /// Blocks of rows with some weight, in row order.
    let chunks: [Range<Int>]

    static let chunkRows = 1024

    init(values: [Float], d: Int, ranges: [Range<Int>], labels: [Int32], weights: [Float], classes: Int, c: Double, threads: Int) {
        self.values = values
        self.d = d
        self.ranges = ranges
        self.labels = labels
        self.weights = weights
        self.classes = classes
        self.threads = threads
        var active = [Bool](repeating: false, count: classes)
        var total = 0.0
        var chunks: [Range<Int>] = []
        for range in ranges {
            var start = range.lowerBound
            while start < range.upperBound {
                let end = min(range.upperBound, start + Self.chunkRows)
                var any = false
                for r in start..<end where weights[r] > 0 {
                    active[Int(labels[r])] = true
                    total += Double(weights[r])
                    any = true
                }
                if any { chunks.append(start..<end) }
                start = end
            }
        }
        self.active = active
        // With two classes scikit-learn fits one weight vector w (p = σ(w·x + b)) penalised
        // by ‖w‖²/(2C); two softmax rows penalised by C/2 are the same model (w = w₁ − w₂,
        // and the optimum splits it evenly), so C means the same in both.
        self.c = active.filter { $0 }.count == 2 ? c / 2 : c
        self.totalWeight = total
        self.chunks = chunks
    }

    var parameterCount: Int { classes * d + classes }
    var isEmpty: Bool { totalWeight == 0 }

    /// f and its gradient at `theta`.
    func evaluate(_ theta: [Double]) -> (value: Double, gradient: [Double]) {
        let k = classes, d = self.d
        let w = Self.floatWeights(theta, classes: k, d: d)
        let bias = Array(theta[(k * d)...])
        let partialSize = k * d
        var partialGradients = [Float](repeating: 0, count: chunks.count * partialSize)
        var partialBias = [Double](repeating: 0, count: chunks.count * k)
        var partialLoss = [Double](repeating: 0, count: chunks.count)
        let next = SharedCounter()
        let workers = max(1, min(threads, chunks.count))
        let biasF = bias.map { Float($0) }
        let allActive = !active.contains(false)
        values.withUnsafeBufferPointer { x in
            w.withUnsafeBufferPointer { wp in
                partialGradients.withUnsafeMutableBufferPointer { pg in
                    partialBias.withUnsafeMutableBufferPointer { pb in
                        partialLoss.withUnsafeMutableBufferPointer { pl in
                            labels.withUnsafeBufferPointer { lp in
                                weights.withUnsafeBufferPointer { sp in
                                    biasF.withUnsafeBufferPointer { bp in
                                        active.withUnsafeBufferPointer { ap in
                                            let shared = UnsafeSendable(
                                                (
                                                    x: x.baseAddress!, w: wp.baseAddress!, pg: pg.baseAddress!, pb: pb.baseAddress!,
                                                    pl: pl.baseAddress!, labels: lp.baseAddress!, weights: sp.baseAddress!,
                                                    bias: bp.baseAddress!, active: ap.baseAddress!
                                                ))
                                            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                                                let scores = UnsafeMutablePointer<Float>.allocate(capacity: Self.chunkRows * k)
                                                defer { scores.deallocate() }
                                                let p = shared.value
                                                while let index = next.take(below: chunks.count) {
                                                    let chunk = chunks[index]
                                                    let rows = p.x + chunk.lowerBound * d
                                                    MatrixProduct.rowsTimesTransposed(
                                                        rows, rows: chunk.count, inner: d, p.w, columns: k, into: scores)
                                                    p.pl[index] = Self.residuals(
                                                        scores, rows: chunk.count, classes: k, labels: p.labels + chunk.lowerBound,
                                                        weights: p.weights + chunk.lowerBound, bias: p.bias, active: p.active,
                                                        allActive: allActive, biasGradient: p.pb + index * k)
                                                    MatrixProduct.transposedTimesRows(
                                                        scores, rows: chunk.count, columns: k, rows, inner: d,
                                                        into: p.pg + index * partialSize)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Sums in block order: the same on any number of cores.
        var gradient = [Double](repeating: 0, count: parameterCount)
        var loss = 0.0
        for index in 0..<chunks.count {
            loss += partialLoss[index]
            let base = index * partialSize
            for j in 0..<partialSize { gradient[j] += Double(partialGradients[base + j]) }
            for cl in 0..<k { gradient[k * d + cl] += partialBias[index * k + cl] }
        }
        let scale = 1 / totalWeight, penalty = 1 / (c * totalWeight)
        var squares = 0.0
        for cl in 0..<k {
            guard active[cl] else {
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
        return (loss * scale + squares * penalty / 2, gradient)
    }

    /// Turns a block's scores into residuals in place (weight × (probability − 1 for the
    /// label)), adds their column sums to `biasGradient` and returns the block's weighted loss.
    static func residuals(
        _ z: UnsafeMutablePointer<Float>, rows m: Int, classes k: Int, labels: UnsafePointer<Int32>, weights: UnsafePointer<Float>,
        bias: UnsafePointer<Float>, active: UnsafePointer<Bool>, allActive: Bool,
        biasGradient: UnsafeMutablePointer<Double>
    ) -> Double {
        var loss = 0.0
        for row in 0..<m {
            let zr = z + row * k
            let s = weights[row]
            guard s > 0 else {
                zr.update(repeating: 0, count: k)
                continue
            }
            let y = Int(labels[row])
            let own = zr[y] + bias[y]
            var top = -Float.infinity
            var sum: Float = 0
            if allActive {
                for c in 0..<k { top = max(top, zr[c] + bias[c]) }
                for c in 0..<k {
                    let e = expf(zr[c] + bias[c] - top)
                    zr[c] = e
                    sum += e
                }
            } else {
                for c in 0..<k where active[c] { top = max(top, zr[c] + bias[c]) }
                for c in 0..<k {
                    let e = active[c] ? expf(zr[c] + bias[c] - top) : 0
                    zr[c] = e
                    sum += e
                }
            }
            loss += Double(s) * (Double(logf(sum)) + Double(top - own))
            let scale = s / sum
            for c in 0..<k { zr[c] *= scale }
            zr[y] -= s
            for c in 0..<k { biasGradient[c] += Double(zr[c]) }
        }
        return loss
    }

    static func floatWeights(_ theta: [Double], classes k: Int, d: Int) -> [Float] {
        (0..<(k * d)).map { Float(theta[$0]) }
    }

    /// Class probabilities of `rows` with parameters `theta` (only `active` classes; the
    /// others get 0), written as `classes` floats per row into `out` at each row's item.
    static func predict(
        values: [Float], d: Int, rows: Range<Int>, theta: [Double], classes k: Int, active: [Bool],
        threads: Int, write: (_ row: Int, _ probabilities: UnsafeBufferPointer<Float>) -> Void
    ) {
        guard !rows.isEmpty else { return }
        let w = floatWeights(theta, classes: k, d: d)
        let bias = Array(theta[(k * d)...])
        var out = [Float](repeating: 0, count: rows.count * k)
        let blocks = (rows.count + chunkRows - 1) / chunkRows
        values.withUnsafeBufferPointer { x in
            w.withUnsafeBufferPointer { wp in
                out.withUnsafeMutableBufferPointer { o in
                    let shared = UnsafeSendable((x: x.baseAddress!, w: wp.baseAddress!, o: o.baseAddress!))
                    let next = SharedCounter()
                    DispatchQueue.concurrentPerform(iterations: max(1, min(threads, blocks))) { _ in
                        var e = [Float](repeating: 0, count: k)
                        let biasF = bias.map { Float($0) }
                        while let block = next.take(below: blocks) {
                            let start = rows.lowerBound + block * chunkRows, end = min(rows.upperBound, start + chunkRows)
                            let z = shared.value.o + (start - rows.lowerBound) * k
                            MatrixProduct.rowsTimesTransposed(
                                shared.value.x + start * d, rows: end - start, inner: d, shared.value.w, columns: k, into: z)
                            for row in 0..<(end - start) {
                                let zr = z + row * k
                                let sum = exponentiate(zr, bias: biasF, active: active, into: &e)
                                for c in 0..<k { zr[c] = e[c] / sum.sum }
                            }
                        }
                    }
                }
            }
        }
        out.withUnsafeBufferPointer { o in
            for (offset, row) in rows.enumerated() { write(row, UnsafeBufferPointer(rebasing: o[(offset * k)..<((offset + 1) * k)])) }
        }
    }

    /// exp(zᵢ + bᵢ − max) of the active classes (0 for the others), their sum and the max.
    @inline(__always)
    static func exponentiate(_ z: UnsafeMutablePointer<Float>, bias: [Float], active: [Bool], into e: inout [Float]) -> (sum: Float, top: Float) {
        let k = bias.count
        var top = -Float.infinity
        for c in 0..<k where active[c] { top = max(top, z[c] + bias[c]) }
        var sum: Float = 0
        for c in 0..<k {
            if active[c] {
                let v = expf(z[c] + bias[c] - top)
                e[c] = v
                sum += v
            } else {
                e[c] = 0
            }
        }
        return (sum, top)
    }
}
