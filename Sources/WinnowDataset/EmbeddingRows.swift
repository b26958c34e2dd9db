#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An embedding matrix read as float32 rows ready to be normalised, with what is
/// degenerate about it.
///
/// Normalising a row sums the squares of its values in float32: values around 1e20 make
/// that sum infinite and values around 1e-25 (or subnormal) make it zero, and either way
/// every similarity came out 0, silently. So a row whose largest magnitude lies outside
/// 2^-40…2^40 is first multiplied by a power of two that brings it to 1…2: exact (only the
/// exponents change), so its direction, and so its cosine similarities, are what the file
/// says. Float64 rows are scaled before they are narrowed to float32, so 1e300 or 1e-300
/// survive too. Rows inside the range are not touched: their result is bit for bit what it
/// was before.
public struct EmbeddingRows: Sendable {
    public let rows: Int
    public let dimension: Int
    /// rows × dimension, row-major.
    public var values: [Float]
    /// Rows that are all zeros: similar to nothing.
    public var zeroRows: [Int] = []
    /// Rows that had to be rescaled (values beyond 2^±40 in magnitude).
    public var rescaledRows: [Int] = []
    /// Every non-zero row points the same way (with more than one row): all items are
    /// equally similar, and neighbours and near-duplicate groups mean nothing.
    public var allSameDirection = false

    /// The largest magnitude a row keeps unscaled: (2^40)² × a million dimensions stays far
    /// inside float32, and (2^-40)² far above its smallest normal number.
    static let safeExponent = 40

    public init(_ matrix: NPYMatrix) {
        rows = matrix.rows
        dimension = matrix.columns
        let d = dimension
        var values = [Float](repeating: 0, count: rows * d)
        var row = [Double](repeating: 0, count: d)
        var first: [Double]? // the first non-zero row, unit length, to compare directions with
        var sameDirection = true
        var zeroRows: [Int] = [], rescaledRows: [Int] = []
        let rows = self.rows
        values.withUnsafeMutableBufferPointer { out in
            for r in 0..<rows {
                var largest = 0.0
                for c in 0..<d {
                    row[c] = matrix.value(row: r, column: c)
                    largest = max(largest, abs(row[c]))
                }
                if largest == 0 { zeroRows.append(r); continue }
                let exponent = Int(largest.exponent)
                // (Non-finite values are refused at import; they are left alone here.)
                if largest.isFinite, abs(exponent) > Self.safeExponent {
                    rescaledRows.append(r)
                    for c in 0..<d { row[c] = scalbn(row[c], Int32(-exponent)) }
                }
                for c in 0..<d { out[r * d + c] = Float(row[c]) }
                if sameDirection { sameDirection = Self.alignedWithFirst(row, &first) }
            }
        }
        self.values = values
        self.zeroRows = zeroRows
        self.rescaledRows = rescaledRows
        allSameDirection = sameDirection && rows - zeroRows.count > 1
    }

    /// Whether `row` points the way of the first non-zero row (set from `row` when nil).
    /// Computed in double from values already scaled to 1…2.
    private static func alignedWithFirst(_ row: [Double], _ first: inout [Double]?) -> Bool {
        var norm = 0.0
        for x in row { norm += x * x }
        norm = norm.squareRoot()
        guard let reference = first else {
            first = row.map { $0 / norm }
            return true
        }
        var dot = 0.0
        for (x, y) in zip(row, reference) { dot += x / norm * y }
        return dot > 1 - 1e-9
    }
}
