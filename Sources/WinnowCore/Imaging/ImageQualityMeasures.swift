#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The per-image properties behind CleanVision's image-quality checks (its
/// `ImagePropertyIssueManager`, cleanvision 0.3), computed from the decoded pixels exactly as
/// CleanVision computes them with Pillow and numpy, so the flags agree with it:
///
/// | property | CleanVision | here |
/// | --- | --- | --- |
/// | `brightness99`, `brightness5` | `np.percentile` (linear) of each pixel's brightness √(0.241 R² + 0.691 G² + 0.068 B²) / 255 (grey / 255 for a greyscale file), at 99 % (dark) and 5 % (light) | the same order statistics, found exactly with two histogram passes instead of a sort |
/// | `entropy` | Pillow's `Image.entropy()`: Shannon entropy in bits of the image's histogram: 256 grey levels for a greyscale file, the three 256-bin channel histograms side by side (768 bins) for a colour one | the same histogram, the same sum |
/// | `blurriness` | √ of the variance of `FIND_EDGES` (3×3 Laplacian, border pixels copied) of the image shrunk to at most 64 pixels on its longer side (Pillow's bicubic `resize`) and converted to grey (ITU-R 601 luma, Pillow's integer formula) | `PillowBicubicResize`, the same luma, the same filter |
/// | `greyLevelSpread` | the standard deviation of that small grey image's 256-bin histogram (a nearly flat image has a very uneven histogram, which CleanVision uses to exempt it from "blurry") | the same |
/// | `storedGreyscale` | the file's mode is "L" | the file stores grey samples (PNG grey, a one-component JPEG) |
/// | `width`, `height` | Pillow's `size`: as stored, before EXIF orientation | the stored size |
///
/// What differs, on purpose or by necessity: an image with transparency is measured as shown
/// (composited over mid grey), where Pillow measures the colour under the alpha and counts
/// alpha in the entropy; a palette image is measured by its colours, where Pillow measures the
/// palette indices; 16-bit samples are reduced to 8 bits first. `hasColour` is extra: it
/// lets greyscale pictures saved as RGB be found too.
public struct ImageQualityMeasures: Sendable, Equatable {
    /// The longest side CleanVision shrinks an image to before measuring blur.
    public static let blurSide = 64

    public var width: Int
    public var height: Int
    /// The 99th percentile of pixel brightness (0…1): below 0.32 the image is dark.
    public var brightness99: Double
    /// The 5th percentile of pixel brightness (0…1): above 0.95 the image is light.
    public var brightness5: Double
    /// Bits.
    public var entropy: Double
    public var blurriness: Double
    public var greyLevelSpread: Double
    /// The file stores grey samples (what CleanVision calls grayscale).
    public var storedGreyscale: Bool
    /// Some pixel has channels that differ (the picture has colour, however it is stored).
    public var hasColour: Bool

    public init(
        width: Int, height: Int, brightness99: Double, brightness5: Double, entropy: Double, blurriness: Double,
        greyLevelSpread: Double, storedGreyscale: Bool, hasColour: Bool
    ) {
        self.width = width
        self.height = height
        self.brightness99 = brightness99
        self.brightness5 = brightness5
        self.entropy = entropy
        self.blurriness = blurriness
        self.greyLevelSpread = greyLevelSpread
        self.storedGreyscale = storedGreyscale
        self.hasColour = hasColour
    }

    /// Measures `image` (the decoded pixels, as stored or upright: every measure but the
    /// blur one is blind to orientation, and that one nearly so). `storedSize` is the size the
    /// file declares; `storedGreyscale` whether it stores grey samples.
    public init(of image: RGBImage, storedSize: PixelSize, storedGreyscale: Bool) {
        precondition(!image.isEmpty, "measuring an empty image")
        width = storedSize.width
        height = storedSize.height
        self.storedGreyscale = storedGreyscale
        let statistics = PixelStatistics(image)
        hasColour = statistics.hasColour
        (brightness5, brightness99) = statistics.brightnessPercentiles(greyscale: storedGreyscale)
        entropy = statistics.entropy(greyscale: storedGreyscale)
        let small = Self.blurImage(image)
        let grey = Self.luma(of: small)
        blurriness = Self.edgeDeviation(grey, width: small.width, height: small.height)
        greyLevelSpread = Self.histogramDeviation(grey)
    }

    // MARK: - Derived properties

    /// min(w/h, h/w): below 0.35 the aspect ratio is odd.
    public var aspectRatio: Double {
        let w = Double(width), h = Double(height)
        return min(w / h, h / w)
    }

    /// √w · √h, the side of a square of the same area (CleanVision's size property).
    public var sizeProperty: Double { Double(width).squareRoot() * Double(height).squareRoot() }

    // MARK: - Storage

    /// The measures as numbers, for storing.
    public var encoded: [Double] {
        [
            Double(width), Double(height), brightness99, brightness5, entropy, blurriness, greyLevelSpread,
            Double((storedGreyscale ? 1 : 0) | (hasColour ? 2 : 0))
        ]
    }

    public init?(encoded values: [Double]) {
        guard values.count == 8, values.allSatisfy(\.isFinite), values[0] >= 1, values[1] >= 1 else { return nil }
        let flags = Int(values[7])
        self.init(
            width: Int(values[0]), height: Int(values[1]), brightness99: values[2], brightness5: values[3],
            entropy: values[4], blurriness: values[5], greyLevelSpread: values[6],
            storedGreyscale: flags & 1 != 0, hasColour: flags & 2 != 0)
    }

    // MARK: - Blur

    /// The size CleanVision shrinks a `width` × `height` image to before measuring blur:
    /// `ratio = max(w, h) / 64`; above 1, `(max(w // ratio, 1), max(h // ratio, 1))` with
    /// Python's floor division of floats.
    public static func blurSize(width: Int, height: Int) -> PixelSize {
        let ratio = Double(max(width, height)) / Double(blurSide)
        guard ratio > 1 else { return PixelSize(width: width, height: height) }
        return PixelSize(
            width: max(Int(pythonFloorDivide(Double(width), ratio)), 1),
            height: max(Int(pythonFloorDivide(Double(height), ratio)), 1))
    }

    /// Python's `a // b` for floats (CPython's `float_floor_div`): the quotient of the exact
    /// remainder, then floored with a correction for rounding.
    static func pythonFloorDivide(_ a: Double, _ b: Double) -> Double {
        var remainder = fmod(a, b)
        var quotient = (a - remainder) / b
        if remainder != 0, (b < 0) != (remainder < 0) {
            remainder += b
            quotient -= 1
        }
        guard quotient != 0 else { return a / b < 0 ? -0.0 : 0.0 }
        var floored = quotient.rounded(.down)
        if quotient - floored > 0.5 { floored += 1 }
        return floored
    }

    static func blurImage(_ image: RGBImage) -> RGBImage {
        let size = blurSize(width: image.width, height: image.height)
        return PillowBicubicResize.resize(image, width: size.width, height: size.height)
    }

    /// Pillow's RGB → L conversion: (19595 R + 38470 G + 7471 B + 2¹⁵) >> 16. Exact for grey
    /// pixels (the weights sum to 2¹⁶).
    static func luma(of image: RGBImage) -> [UInt8] {
        var grey = [UInt8](repeating: 0, count: image.width * image.height)
        image.pixels.withUnsafeBufferPointer { pixels in
            grey.withUnsafeMutableBufferPointer { grey in
                var i = 0
                while i < grey.count {
                    let pixel = pixels.baseAddress! + i * 3
                    let sum = UInt32(pixel[0]) &* 19595 &+ UInt32(pixel[1]) &* 38470 &+ UInt32(pixel[2]) &* 7471 &+ 0x8000
                    grey[i] = UInt8(truncatingIfNeeded: sum >> 16)
                    i += 1
                }
            }
        }
        return grey
    }

    /// √ of the variance of Pillow's `FIND_EDGES` of a grey image: 8 × centre − the eight
    /// neighbours, clipped to 0…255, with the border pixels copied unfiltered (and the whole
    /// image copied when a side is under 3 pixels), the variance from the histogram as
    /// Pillow's `ImageStat` computes it.
    static func edgeDeviation(_ grey: [UInt8], width: Int, height: Int) -> Double {
        var histogram = [Int](repeating: 0, count: 256)
        grey.withUnsafeBufferPointer { grey in
            histogram.withUnsafeMutableBufferPointer { histogram in
                var y = 0
                while y < height {
                    var x = 0
                    while x < width {
                        let p = grey.baseAddress! + y * width + x
                        if width < 3 || height < 3 || x == 0 || y == 0 || x == width - 1 || y == height - 1 {
                            histogram[Int(p.pointee)] &+= 1
                        } else {
                            let above = p - width, below = p + width
                            let neighbours =
                                Int(above[-1]) + Int(above[0]) + Int(above[1]) + Int(p[-1]) + Int(p[1])
                                + Int(below[-1]) + Int(below[0]) + Int(below[1])
                            var edge = 8 * Int(p.pointee) - neighbours
                            if edge < 0 { edge = 0 } else if edge > 255 { edge = 255 }
                            histogram[edge] &+= 1
                        }
                        x += 1
                    }
                    y += 1
                }
            }
        }
        return histogramVariance(histogram).squareRoot()
    }

    /// `ImageStat.var` of one band: (Σv² − (Σv)²/n) / n, with integer sums as Python has them.
    static func histogramVariance(_ histogram: [Int]) -> Double {
        var count = 0, sum = 0, sumOfSquares = 0
        for (value, n) in histogram.enumerated() {
            count += n
            sum += value * n
            sumOfSquares += value * value * n
        }
        guard count > 0 else { return 0 }
        return (Double(sumOfSquares) - Double(sum * sum) / Double(count)) / Double(count)
    }

    /// `np.std` of the 256-bin histogram of a grey image.
    static func histogramDeviation(_ grey: [UInt8]) -> Double {
        var histogram = [Double](repeating: 0, count: 256)
        for value in grey { histogram[Int(value)] += 1 }
        let mean = histogram.reduce(0, +) / 256
        let squares = histogram.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / 256).squareRoot()
    }
}

/// One pass over an image's pixels for the measures that need every pixel: the channel
/// histograms, whether any pixel has colour, and a histogram of brightness keys.
///
/// A pixel's brightness is √(0.241 R² + 0.691 G² + 0.068 B²) / 255, an increasing function of
/// the integer key 241 R² + 691 G² + 68 B² (at most 65,025,000 < 2²⁶). Percentiles are order
/// statistics of the keys, found by radix selection: a histogram of the key's high 13 bits
/// finds the bucket each needed rank falls in, and a second pass counts the low 13 bits of
/// the keys inside those buckets only. Exact, in two passes and a few small histograms
/// instead of a sort of every pixel.
struct PixelStatistics {
    static let lowBits: UInt32 = 13
    static let bucketCount = 1 << 13

    let image: RGBImage
    /// R, G and B histograms, 256 bins each.
    var channels = [Int](repeating: 0, count: 768)
    /// Pixels by the high bits of their key.
    var buckets = [Int](repeating: 0, count: bucketCount)
    var hasColour = false

    init(_ image: RGBImage) {
        self.image = image
        // Raw pointers and `while`: this runs over every pixel of every image, also in debug builds.
        image.pixels.withUnsafeBufferPointer { pixels in
            channels.withUnsafeMutableBufferPointer { channels in
                buckets.withUnsafeMutableBufferPointer { buckets in
                    let red = channels.baseAddress!, green = red + 256, blue = red + 512
                    var colour = false
                    var pixel = pixels.baseAddress!
                    let end = pixel + pixels.count
                    while pixel < end {
                        let r = pixel[0], g = pixel[1], b = pixel[2]
                        red[Int(r)] &+= 1
                        green[Int(g)] &+= 1
                        blue[Int(b)] &+= 1
                        if r != g || g != b { colour = true }
                        let key = 241 &* UInt32(r) &* UInt32(r) &+ 691 &* UInt32(g) &* UInt32(g) &+ 68 &* UInt32(b) &* UInt32(b)
                        buckets[Int(key >> Self.lowBits)] &+= 1
                        pixel += 3
                    }
                    hasColour = colour
                }
            }
        }
    }

    @inline(__always)
    static func key(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt32 {
        241 * UInt32(r) * UInt32(r) + 691 * UInt32(g) * UInt32(g) + 68 * UInt32(b) * UInt32(b)
    }

    /// The brightness of a key: for a greyscale file Pillow gives grey / 255 (the key is then
    /// 1000 · grey²); for colour the formula on the key.
    static func brightness(ofKey key: UInt32, greyscale: Bool) -> Double {
        if greyscale { return Double(UInt32((Double(key) / 1000).squareRoot().rounded())) / 255 }
        return (Double(key) / 1000).squareRoot() / 255
    }

    /// For each rank (0-based, ascending order), its bucket and its rank inside the bucket:
    /// one walk over the bucket counts.
    static func locate(_ ranks: [Int], in counts: UnsafeBufferPointer<Int>) -> [(bucket: Int, offset: Int)] {
        let order = ranks.indices.sorted { ranks[$0] < ranks[$1] }
        var located = [(bucket: Int, offset: Int)](repeating: (0, 0), count: ranks.count)
        var seen = 0, bucket = 0
        for index in order {
            let rank = ranks[index]
            while bucket < counts.count - 1, seen + counts[bucket] <= rank { seen += counts[bucket]; bucket += 1 }
            located[index] = (bucket, rank - seen)
        }
        return located
    }

    /// The keys at the given ranks (0-based, ascending): the second pass.
    func keys(atRanks ranks: [Int]) -> [UInt32] {
        let targets = buckets.withUnsafeBufferPointer { Self.locate(ranks, in: $0) }
        var wanted: [Int] = []
        for target in targets where !wanted.contains(target.bucket) { wanted.append(target.bucket) }
        let width = 1 << Int(Self.lowBits)
        let mask = UInt32(width - 1)
        var fine = [Int](repeating: 0, count: width * wanted.count)
        // At most four buckets are wanted (often one or two): compared directly.
        let first = wanted[0], second = wanted.count > 1 ? wanted[1] : -1
        let third = wanted.count > 2 ? wanted[2] : -1, fourth = wanted.count > 3 ? wanted[3] : -1
        image.pixels.withUnsafeBufferPointer { pixels in
            fine.withUnsafeMutableBufferPointer { fine in
                var pixel = pixels.baseAddress!
                let end = pixel + pixels.count
                while pixel < end {
                    let r = UInt32(pixel[0]), g = UInt32(pixel[1]), b = UInt32(pixel[2])
                    let key = 241 &* r &* r &+ 691 &* g &* g &+ 68 &* b &* b
                    let bucket = Int(key >> Self.lowBits), low = Int(key & mask)
                    if bucket == first {
                        fine[low] &+= 1
                    } else if bucket == second {
                        fine[width + low] &+= 1
                    } else if bucket == third {
                        fine[2 * width + low] &+= 1
                    } else if bucket == fourth {
                        fine[3 * width + low] &+= 1
                    }
                    pixel += 3
                }
            }
        }
        return fine.withUnsafeBufferPointer { fine in
            targets.map { target in
                let slot = wanted.firstIndex(of: target.bucket)!
                let counts = UnsafeBufferPointer(rebasing: fine[(slot * width)..<((slot + 1) * width)])
                let low = Self.locate([target.offset], in: counts)[0].bucket
                return UInt32(target.bucket) << Self.lowBits | UInt32(low)
            }
        }
    }

    /// numpy's `percentile(brightness, [5, 99])` with its default linear interpolation.
    func brightnessPercentiles(greyscale: Bool) -> (p5: Double, p99: Double) {
        let n = image.width * image.height
        let quantiles = [5.0 / 100, 99.0 / 100]
        var ranks: [Int] = []
        var fractions: [Double] = []
        for q in quantiles {
            let virtual = Double(n - 1) * q
            let low = Int(virtual.rounded(.down))
            let high = virtual >= Double(n - 1) ? low : low + 1
            fractions.append(virtual - Double(low))
            ranks += [low, high]
        }
        let found = keys(atRanks: ranks)
        let values = fractions.indices.map { index -> Double in
            let a = Self.brightness(ofKey: found[index * 2], greyscale: greyscale)
            let b = Self.brightness(ofKey: found[index * 2 + 1], greyscale: greyscale)
            // numpy's _lerp: from the nearer end.
            let difference = b - a, t = fractions[index]
            return t >= 0.5 ? b - difference * (1 - t) : a + difference * t
        }
        return (values[0], values[1])
    }

    /// Pillow's `Image.entropy()`: −Σ p·log(p)·log₂e over the histogram's non-empty bins.
    func entropy(greyscale: Bool) -> Double {
        let bins = greyscale ? Array(channels[0..<256]) : channels
        let total = Double(bins.reduce(0, +))
        var sum = 0.0
        for count in bins where count > 0 {
            let p = Double(count) / total
            sum += p * log(p) * 1.4426950408889634074
        }
        return -sum
    }
}
