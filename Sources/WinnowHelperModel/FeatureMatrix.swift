import Dispatch
import WinnowCore

/// The items' features as the helper model reads them: standardised (each column centred and
/// divided by its standard deviation, as scikit-learn's `StandardScaler` does), constant
/// columns left out, stored row-major in float32 with the rows of each fold together, so
/// every fit reads its training rows as a few contiguous ranges.
///
/// Standardising uses every item that has features, labelled or not: it depends on no label,
/// so it leaks nothing into the out-of-fold probabilities and stays the same across retrains.
public struct FeatureMatrix: Sendable {
    /// Items (rows of the source), including those without features.
    public let items: Int
    /// Columns of the source, and the ones kept (not constant).
    public let sourceColumns: Int
    public let keptColumns: [Int]
    public var dimension: Int { keptColumns.count }
    /// Mean and standard deviation of each kept column.
    public let mean: [Double]
    public let scale: [Double]
    /// Standardised rows, `dimension` floats each, in `order`.
    let values: [Float]
    /// Row position → item, and item → row position (-1: the item has no features).
    public let order: [Int32]
    public let position: [Int32]

    /// Reads row `item`'s raw values into a buffer of `sourceColumns` floats.
    public typealias RowReader = @Sendable (_ item: Int, _ into: UnsafeMutablePointer<Float>) -> Void

    /// Why the features cannot train a model.
    public enum Unusable: Error, Equatable, CustomStringConvertible {
        case tooFewItems(Int)
        case constant
        case notFinite(item: Int, column: Int)

        public var description: String {
            switch self {
            case .tooFewItems(let n): return "only \(n) item\(n == 1 ? " has" : "s have") features: the helper model needs at least two"
            case .constant: return "every item has the same features (constant or all zero): the helper model has nothing to learn from"
            case .notFinite(let item, let column):
                return "item \(item) has a NaN or infinite feature (column \(column)): the helper model needs finite features"
            }
        }
    }

    /// A column whose standard deviation is below this share of its mean's magnitude (or
    /// zero) is constant up to float32 rounding: standardising it would only amplify noise.
    static let constantTolerance = 1e-6
    static let chunkRows = 4096

    /// `order`: the items with features, in the row order wanted (the folds' order).
    public init(items: Int, columns: Int, order: [Int32], read: RowReader) throws(Unusable) {
        let rows = order.count
        guard rows >= 2 else { throw .tooFewItems(rows) }
        // Column means and sums of squared deviations per chunk (Welford), merged in chunk
        // order (Chan et al.): the same result on any number of cores.
        let chunks = (rows + Self.chunkRows - 1) / Self.chunkRows
        var partial = [(count: Double, mean: [Double], m2: [Double], bad: (Int, Int)?)](repeating: (0, [], [], nil), count: chunks)
        partial.withUnsafeMutableBufferPointer { buffer in
            let out = UnsafeSendable(buffer)
            let orderShared = UnsafeSendable(order)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var mean = [Double](repeating: 0, count: columns), m2 = [Double](repeating: 0, count: columns)
                var row = [Float](repeating: 0, count: columns)
                var count = 0.0
                var bad: (Int, Int)?
                let start = c * Self.chunkRows, end = min(rows, start + Self.chunkRows)
                row.withUnsafeMutableBufferPointer { r in
                    for p in start..<end {
                        let item = Int(orderShared.value[p])
                        read(item, r.baseAddress!)
                        count += 1
                        for j in 0..<columns {
                            let x = Double(r[j])
                            if !x.isFinite, bad == nil { bad = (item, j) }
                            let delta = x - mean[j]
                            mean[j] += delta / count
                            m2[j] += delta * (x - mean[j])
                        }
                    }
                }
                out.value[c] = (count, mean, m2, bad)
            }
        }
        if let bad = partial.lazy.compactMap(\.bad).first { throw .notFinite(item: bad.0, column: bad.1) }
        var count = 0.0
        var mean = [Double](repeating: 0, count: columns), m2 = [Double](repeating: 0, count: columns)
        for chunk in partial {
            let total = count + chunk.count
            for j in 0..<columns {
                let delta = chunk.mean[j] - mean[j]
                mean[j] += delta * chunk.count / total
                m2[j] += chunk.m2[j] + delta * delta * count * chunk.count / total
            }
            count = total
        }
        let deviation = m2.map { ($0 / count).squareRoot() }
        let kept = (0..<columns).filter { j in
            deviation[j] > 0 && deviation[j] > Self.constantTolerance * abs(mean[j]) && deviation[j].isNormal
        }
        guard !kept.isEmpty else { throw .constant }

        self.items = items
        sourceColumns = columns
        keptColumns = kept
        self.mean = kept.map { mean[$0] }
        scale = kept.map { deviation[$0] }
        self.order = order
        var position = [Int32](repeating: -1, count: items)
        for (p, item) in order.enumerated() { position[Int(item)] = Int32(p) }
        self.position = position

        // The standardised copy, in `order`.
        let d = kept.count
        let keptMean = self.mean, keptScale = self.scale.map { 1 / $0 }
        values = [Float](unsafeUninitializedCapacity: rows * d) { buffer, initialized in
            let out = UnsafeSendable(buffer)
            let orderShared = UnsafeSendable(order)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var row = [Float](repeating: 0, count: columns)
                row.withUnsafeMutableBufferPointer { r in
                    for p in (c * Self.chunkRows)..<min(rows, (c + 1) * Self.chunkRows) {
                        read(Int(orderShared.value[p]), r.baseAddress!)
                        let target = out.value.baseAddress! + p * d
                        for (t, j) in kept.enumerated() { target[t] = Float((Double(r[j]) - keptMean[t]) * keptScale[t]) }
                    }
                }
            }
            initialized = rows * d
        }
    }

    /// Rows (positions) with features.
    public var rows: Int { order.count }
}
