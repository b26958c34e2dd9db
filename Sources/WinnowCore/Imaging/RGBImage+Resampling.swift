import CPixelKernels

extension RGBImage {
    /// This image scaled to exactly `width` × `height` (the aspect ratio may change).
    ///
    /// Each axis is resampled on its own: an axis that shrinks is **area-averaged** (every
    /// output pixel is the mean of the source area it covers, partial pixels weighted by
    /// coverage), an axis that grows is **bilinearly interpolated** between pixel centres.
    /// Area averaging is what keeps downscaled review images faithful: point or bilinear
    /// sampling at large ratios skips most source pixels and turns fine texture (fur, text,
    /// JPEG noise) into aliasing that a reviewer could mistake for the content. It also
    /// preserves the mean colour exactly (up to rounding).
    ///
    /// Runs in one streaming pass over the source rows with `Float` accumulators (memory is
    /// one source row of floats, not an intermediate image); each channel is rounded to the
    /// nearest byte, ties to even. A zero `width` or `height` gives an empty image.
    public func resized(width newWidth: Int, height newHeight: Int) -> RGBImage {
        precondition(newWidth >= 0 && newHeight >= 0, "negative target size \(newWidth)×\(newHeight)")
        if newWidth == width && newHeight == height { return self }
        if newWidth == 0 || newHeight == 0 || isEmpty {
            return RGBImage(width: newWidth, height: newHeight)
        }
        let vertical = ResamplingAxis(source: height, destination: newHeight)
        let horizontal = ResamplingAxis(source: width, destination: newWidth)
        var output = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        var blendedRow = [Float](repeating: 0, count: width * 3)
        // The loops are C (CPixelKernels, optimised in every build: a debug build's Swift
        // loops took most of an analysis describing its images).
        vertical.withView { vertical in
            horizontal.withView { horizontal in
                pixels.withUnsafeBufferPointer { source in
                    output.withUnsafeMutableBufferPointer { destination in
                        blendedRow.withUnsafeMutableBufferPointer { row in
                            winnow_resample_rgb(
                                source.baseAddress, width, destination.baseAddress, newWidth, newHeight,
                                vertical.taps, vertical.starts.baseAddress, vertical.weights.baseAddress,
                                horizontal.taps, horizontal.starts.baseAddress, horizontal.weights.baseAddress, row.baseAddress)
                        }
                    }
                }
            }
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: output)
    }

    /// This image scaled to the largest size that fits in `maxWidth` × `maxHeight` with its
    /// aspect ratio kept (see `PixelSize.fitted(within:allowUpscale:)`).
    ///
    /// By default an image that already fits is returned as it is: enlarging invents no
    /// detail, and the terminal can scale a small image itself if it wants. Pass
    /// `allowUpscale: true` to fill the box anyway (thumbnail grids of 32×32 datasets).
    public func resized(toFit maxWidth: Int, maxHeight: Int, allowUpscale: Bool = false) -> RGBImage {
        let target = size.fitted(within: PixelSize(width: maxWidth, height: maxHeight), allowUpscale: allowUpscale)
        return resized(width: target.width, height: target.height)
    }

    /// This image scaled to fit in `box`, aspect ratio kept.
    public func resized(toFit box: PixelSize, allowUpscale: Bool = false) -> RGBImage {
        resized(toFit: box.width, maxHeight: box.height, allowUpscale: allowUpscale)
    }
}

/// How the samples of one axis map onto the resized axis: for each output index, a run of
/// `taps` consecutive source indices starting at `starts[i]`, with `weights[i * taps ..< (i+1) * taps]`
/// (zero-padded; each run's weights sum to 1).
struct ResamplingAxis {
    let taps: Int
    let starts: [Int]
    let weights: [Float]

    init(source: Int, destination: Int) {
        precondition(source > 0 && destination > 0)
        if source == destination {
            taps = 1
            starts = Array(0..<source)
            weights = [Float](repeating: 1, count: source)
        } else if destination < source {
            (taps, starts, weights) = Self.areaAveraging(source: source, destination: destination)
        } else {
            (taps, starts, weights) = Self.bilinear(source: source, destination: destination)
        }
    }

    /// Output pixel `i` covers source interval `[i·s, (i+1)·s)` with `s = source / destination`;
    /// each source pixel weighs its overlap with that interval, divided by `s`.
    private static func areaAveraging(source: Int, destination: Int) -> (Int, [Int], [Float]) {
        let scale = Double(source) / Double(destination)
        let taps = min(Int(scale.rounded(.up)) + 1, source)
        var starts = [Int](repeating: 0, count: destination)
        var weights = [Float](repeating: 0, count: destination * taps)
        for output in 0..<destination {
            let low = Double(output) * scale
            let high = min(Double(output + 1) * scale, Double(source))
            let first = Int(low.rounded(.down))
            let end = min(Int(high.rounded(.up)), source)
            starts[output] = first
            for sourceIndex in first..<min(end, first + taps) {
                let covered = min(high, Double(sourceIndex + 1)) - max(low, Double(sourceIndex))
                weights[output * taps + (sourceIndex - first)] = Float(covered / scale)
            }
        }
        // The last runs may start so late that `taps` would reach past the source; shift them
        // left (their extra leading weights are zero) so every read stays in bounds.
        for output in 0..<destination where starts[output] + taps > source {
            let shift = starts[output] + taps - source
            let base = output * taps
            for tap in stride(from: taps - 1, through: 0, by: -1) {
                weights[base + tap] = tap >= shift ? weights[base + tap - shift] : 0
            }
            starts[output] -= shift
        }
        return (taps, starts, weights)
    }

    /// The arrays as raw buffers, for the inner loops (no bounds checks, no copies).
    func withView<Result>(_ body: (_ view: (taps: Int, starts: UnsafeBufferPointer<Int>, weights: UnsafeBufferPointer<Float>)) -> Result) -> Result {
        starts.withUnsafeBufferPointer { starts in
            weights.withUnsafeBufferPointer { weights in body((taps, starts, weights)) }
        }
    }

    /// Pixel centres aligned: output `i` samples source position `(i + ½)·source/destination − ½`,
    /// clamped to the edge pixels.
    private static func bilinear(source: Int, destination: Int) -> (Int, [Int], [Float]) {
        if source == 1 {
            return (1, [Int](repeating: 0, count: destination), [Float](repeating: 1, count: destination))
        }
        var starts = [Int](repeating: 0, count: destination)
        var weights = [Float](repeating: 0, count: destination * 2)
        let scale = Double(source) / Double(destination)
        for output in 0..<destination {
            let centre = min(max((Double(output) + 0.5) * scale - 0.5, 0), Double(source - 1))
            let first = min(Int(centre.rounded(.down)), source - 2)
            let fraction = centre - Double(first)
            starts[output] = first
            weights[output * 2] = Float(1 - fraction)
            weights[output * 2 + 1] = Float(fraction)
        }
        return (2, starts, weights)
    }
}
