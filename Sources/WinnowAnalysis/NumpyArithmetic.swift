/// Floating-point operations in exactly the order numpy performs them.
///
/// Confident learning compares probabilities with thresholds that are means, and rounds
/// calibrated counts; a sum taken in a different order can differ in the last bit and flip
/// a comparison or a rounding. To flag *exactly* the items cleanlab flags, sums follow
/// numpy's pairwise summation (`pairwise_sum` in numpy's loops) and rounding is half-to-even.
public enum NumpyArithmetic {
    /// `np.sum` of a contiguous float64 run: `0.0 + pairwise(values)`.
    public static func sum(_ values: UnsafeBufferPointer<Double>) -> Double {
        0.0 + pairwise(values, values.startIndex, values.count)
    }

    public static func sum(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { sum($0) }
    }

    /// numpy's blocked pairwise summation: below 8 values a plain loop; up to 128 eight
    /// interleaved accumulators; above that, split at a multiple of 8 near the middle.
    static func pairwise(_ a: UnsafeBufferPointer<Double>, _ start: Int, _ n: Int) -> Double {
        if n < 8 {
            var result = 0.0
            for i in 0..<n { result += a[start + i] }
            return result
        }
        if n <= 128 {
            var r0 = a[start], r1 = a[start + 1], r2 = a[start + 2], r3 = a[start + 3]
            var r4 = a[start + 4], r5 = a[start + 5], r6 = a[start + 6], r7 = a[start + 7]
            var i = 8
            let blocked = n - n % 8
            while i < blocked {
                r0 += a[start + i]; r1 += a[start + i + 1]; r2 += a[start + i + 2]; r3 += a[start + i + 3]
                r4 += a[start + i + 4]; r5 += a[start + i + 5]; r6 += a[start + i + 6]; r7 += a[start + i + 7]
                i += 8
            }
            var result = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
            while i < n { result += a[start + i]; i += 1 }
            return result
        }
        var half = n / 2
        half -= half % 8
        return pairwise(a, start, half) + pairwise(a, start + half, n - half)
    }

    /// `np.round`: half to even.
    @inline(__always)
    public static func round(_ x: Double) -> Double { x.rounded(.toNearestOrEven) }
}
