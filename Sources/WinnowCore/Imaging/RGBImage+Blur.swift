extension RGBImage {
    /// This image blurred, approximately like a Gaussian blur with standard deviation
    /// `radius` pixels (radius 0 returns the image unchanged).
    ///
    /// Used to hide distressing or sensitive content until a reviewer asks to see it, so it
    /// must be strong and cheap rather than exact: three successive box blurs per axis
    /// (separable, running sums, cost independent of the radius) whose widths are chosen so
    /// their combined variance matches the Gaussian's. By the central limit theorem three
    /// boxes are already within a few percent of a true Gaussian. Edges extend the border
    /// pixels, so the frame does not darken.
    public func blurred(radius: Int) -> RGBImage {
        precondition(radius >= 0, "negative blur radius \(radius)")
        if radius == 0 || isEmpty { return self }
        var current = pixels
        var scratch = [UInt8](repeating: 0, count: pixels.count)
        let boxRadii = Self.boxRadii(approximatingGaussianOfDeviation: Double(radius), passes: 3)
        for boxRadius in boxRadii where boxRadius > 0 {
            Self.boxBlurRows(current, into: &scratch, width: width, height: height, radius: boxRadius)
            Self.boxBlurColumns(scratch, into: &current, width: width, height: height, radius: boxRadius)
        }
        return RGBImage(width: width, height: height, pixels: current)
    }

    /// The radii of `passes` box filters whose successive application has the variance σ² of
    /// a Gaussian: a box of odd width w has variance (w² − 1) / 12, variances add, and the
    /// widths are split between two neighbouring odd sizes to hit σ² as closely as possible.
    static func boxRadii(approximatingGaussianOfDeviation sigma: Double, passes: Int) -> [Int] {
        let n = Double(passes)
        let variance = sigma * sigma
        var lower = Int((12 * variance / n + 1).squareRoot())
        if lower % 2 == 0 { lower -= 1 }
        let wl = Double(lower)
        // How many passes use the smaller width so that the total variance is closest to σ².
        let smallerCount = Int(((12 * variance - n * wl * wl - 4 * n * wl - 3 * n) / (-4 * wl - 4)).rounded())
        return (0..<passes).map { pass in
            let boxWidth = pass < smallerCount ? lower : lower + 2
            return (boxWidth - 1) / 2
        }
    }

    /// One horizontal box blur: each output is the mean of the `2·radius + 1` pixels around
    /// it in its row, the row's end pixels repeated beyond its ends.
    private static func boxBlurRows(_ source: [UInt8], into destination: inout [UInt8], width: Int, height: Int, radius: Int) {
        let divider = MeanDivider(count: 2 * radius + 1)
        source.withUnsafeBufferPointer { source in
            destination.withUnsafeMutableBufferPointer { destination in
                for y in 0..<height {
                    let row = source.baseAddress! + y * width * 3
                    let output = destination.baseAddress! + y * width * 3
                    var red = 0, green = 0, blue = 0
                    for x in -radius...radius {
                        let pixel = row + min(max(x, 0), width - 1) * 3
                        red += Int(pixel[0]); green += Int(pixel[1]); blue += Int(pixel[2])
                    }
                    for x in 0..<width {
                        output[x * 3] = divider.mean(of: red)
                        output[x * 3 + 1] = divider.mean(of: green)
                        output[x * 3 + 2] = divider.mean(of: blue)
                        let entering = row + min(x + radius + 1, width - 1) * 3, leaving = row + max(x - radius, 0) * 3
                        red += Int(entering[0]) - Int(leaving[0])
                        green += Int(entering[1]) - Int(leaving[1])
                        blue += Int(entering[2]) - Int(leaving[2])
                    }
                }
            }
        }
    }

    /// One vertical box blur, done a whole row at a time (one running sum per column and
    /// channel) so that memory is read in order and the inner loops vectorise.
    private static func boxBlurColumns(_ source: [UInt8], into destination: inout [UInt8], width: Int, height: Int, radius: Int) {
        let divider = MeanDivider(count: 2 * radius + 1)
        let rowLength = width * 3
        var sums = [Int32](repeating: 0, count: rowLength)
        source.withUnsafeBufferPointer { source in
            destination.withUnsafeMutableBufferPointer { destination in
                sums.withUnsafeMutableBufferPointer { sums in
                    let sums = sums.baseAddress!
                    func row(_ y: Int) -> UnsafePointer<UInt8> { source.baseAddress! + min(max(y, 0), height - 1) * rowLength }
                    for y in -radius...radius {
                        let start = row(y)
                        for index in 0..<rowLength { sums[index] += Int32(start[index]) }
                    }
                    for y in 0..<height {
                        let output = destination.baseAddress! + y * rowLength
                        let entering = row(y + radius + 1), leaving = row(y - radius)
                        for index in 0..<rowLength {
                            output[index] = divider.mean(of: Int(sums[index]))
                            sums[index] += Int32(entering[index]) - Int32(leaving[index])
                        }
                    }
                }
            }
        }
    }
}

/// Divides sums of `count` bytes by `count`, rounded, with a multiplication instead of a
/// division (the blur and pixelation inner loops would otherwise be division-bound).
struct MeanDivider {
    private let reciprocal: Int
    private static let shift = 32

    init(count: Int) {
        precondition(count > 0)
        reciprocal = ((1 << Self.shift) + count - 1) / count
    }

    /// `round(sum / count)` for `0 ≤ sum ≤ 255 · count`, as a byte.
    @inline(__always)
    func mean(of sum: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: min(255, (sum * reciprocal + (1 << (Self.shift - 1))) >> Self.shift))
    }
}
