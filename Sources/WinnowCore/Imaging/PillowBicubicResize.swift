import CPixelKernels

/// Downscaling with the exact integer arithmetic of Pillow's `Image.resize` (its default
/// bicubic filter, a = −0.5), so that a measure CleanVision takes on a resized image comes
/// out the same here, to the bit.
///
/// Pillow resamples each axis with a convolution whose support widens with the reduction
/// (an antialiasing filter, not point sampling): every output pixel weighs the source pixels
/// within 2 × scale of its centre. Weights are computed in double precision, normalised to
/// sum to one, and rounded to fixed point with 22 fractional bits; one pass runs after the
/// other, with its result rounded to 8 bits in between. Each of those steps changes the last bit of some pixels, so
/// each is reproduced here as Pillow does it (its `Resample.c`), not approximated.
enum PillowBicubicResize {
    /// Pillow's fixed-point precision: 32 bits minus 8 for the sample, minus 2 for the
    /// overshoot of a filter with negative lobes.
    static let precisionBits = 22

    /// One axis' filter taps: for each output position, the first source index, how many
    /// source samples it reads, and their fixed-point weights (`taps` slots per position).
    struct Axis {
        var starts: [Int]
        var counts: [Int]
        var weights: [Int32]
        var taps: Int
    }

    /// The bicubic kernel with a = −0.5, evaluated in the same order of operations as Pillow.
    static func cubic(_ value: Double) -> Double {
        let a = -0.5
        let x = value < 0 ? -value : value
        if x < 1 { return ((a + 2.0) * x - (a + 3.0)) * x * x + 1 }
        if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0
    }

    /// The taps that resample `inSize` samples to `outSize` (Pillow's `precompute_coeffs`
    /// and `normalize_coeffs_8bpc` for the box (0, inSize)).
    static func axis(inSize: Int, outSize: Int) -> Axis {
        // Pillow keeps the box in single precision and subtracts there before widening.
        let scale = Double(Float(inSize) - Float(0)) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = 2.0 * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        var axis = Axis(starts: [], counts: [], weights: [Int32](repeating: 0, count: outSize * taps), taps: taps)
        axis.starts.reserveCapacity(outSize)
        axis.counts.reserveCapacity(outSize)
        var raw = [Double](repeating: 0, count: taps)
        for position in 0..<outSize {
            let centre = 0 + (Double(position) + 0.5) * scale
            let inverse = 1.0 / filterScale
            // C's (int) conversion truncates towards zero; a negative start then clamps to 0.
            let start = max(0, Int(centre - support + 0.5))
            let end = min(inSize, Int(centre + support + 0.5))
            let count = end - start
            var total = 0.0
            for x in 0..<max(0, count) {
                let weight = cubic((Double(x + start) - centre + 0.5) * inverse)
                raw[x] = weight
                total += weight
            }
            for x in 0..<max(0, count) {
                var weight = raw[x]
                if total != 0 { weight /= total }
                let fixed = weight < 0 ? -0.5 + weight * Double(1 << precisionBits) : 0.5 + weight * Double(1 << precisionBits)
                axis.weights[position * taps + x] = Int32(fixed)
            }
            axis.starts.append(start)
            axis.counts.append(max(0, count))
        }
        return axis
    }

    /// A fixed-point sum back to a sample: Pillow's `clip8` (an arithmetic shift, then 0…255).
    @inline(__always)
    static func sample(_ sum: Int32) -> UInt8 {
        let value = sum >> Int32(precisionBits)
        return value <= 0 ? 0 : (value >= 255 ? 255 : UInt8(value))
    }

    /// `image` resampled to `width` × `height` as Pillow's `image.resize((width, height))`
    /// does for an RGB image. A side that keeps its size is not resampled.
    ///
    /// Which pass runs first changes the rounding of the 8-bit intermediate. Pillow (13)
    /// runs the vertical pass first when the image loses more than twice as many rows as
    /// columns, `(h − H) > 2 (w − W)` (found by comparing its output with both orders on
    /// hundreds of random sizes: the rule decided every one), and the horizontal pass first
    /// otherwise, over only the rows the vertical pass will read.
    static func resize(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        precondition(width > 0 && height > 0, "empty target size")
        if width == image.width && height == image.height { return image }
        if width == image.width { return vertical(image, height: height) }
        if height == image.height { return horizontal(image, width: width, rows: 0..<image.height) }
        if image.height - height > 2 * (image.width - width) {
            return horizontal(vertical(image, height: height), width: width, rows: 0..<height)
        }
        let rows = axis(inSize: image.height, outSize: height)
        let used = rows.starts[0]..<(rows.starts[height - 1] + rows.counts[height - 1])
        return vertical(horizontal(image, width: width, rows: used), height: height, rowOffset: used.lowerBound, sourceHeight: image.height)
    }

    // The two passes are C (`CPixelKernels`, optimised in every build): they run for every
    // image of a dataset, also in debug builds (the tests), where Swift's were most of the
    // image pass's time.

    /// The horizontal pass over `rows` of `image`: an image `width` wide and `rows.count` high.
    static func horizontal(_ image: RGBImage, width: Int, rows: Range<Int>) -> RGBImage {
        let taps = axis(inSize: image.width, outSize: width)
        var output = [UInt8](repeating: 0, count: width * rows.count * 3)
        image.pixels.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                winnow_pillow_horizontal(
                    input.baseAddress, image.width, rows.lowerBound, rows.count, output.baseAddress, width,
                    taps.starts, taps.counts, taps.weights, taps.taps, Int32(precisionBits))
            }
        }
        return RGBImage(width: width, height: rows.count, pixels: output)
    }

    /// The vertical pass: `image` holds rows `rowOffset…` of a source `sourceHeight` high
    /// (all of them by default), resampled to `height` rows.
    static func vertical(_ image: RGBImage, height: Int, rowOffset: Int = 0, sourceHeight: Int? = nil) -> RGBImage {
        let taps = axis(inSize: sourceHeight ?? image.height, outSize: height)
        var output = [UInt8](repeating: 0, count: image.width * 3 * height)
        // One output row at a time, accumulated row by row of the source (sequential reads).
        var sums = [Int32](repeating: 0, count: image.width * 3)
        image.pixels.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                winnow_pillow_vertical(
                    input.baseAddress, image.width, rowOffset, output.baseAddress, height,
                    taps.starts, taps.counts, taps.weights, taps.taps, Int32(precisionBits), &sums)
            }
        }
        return RGBImage(width: image.width, height: height, pixels: output)
    }
}
