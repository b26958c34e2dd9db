import CPixelKernels

/// Pixel-only features for finding near-duplicate images when a dataset comes without
/// embeddings: a perceptual hash and a small, L2-normalised embedding for cosine similarity.
///
/// Near-duplicates in datasets are mostly the same picture saved twice: re-encoded at another
/// JPEG quality, resized, brightened, converted between formats. Such copies score above
/// about 0.95 in `similarity(to:)` and differ in a few bits of `hash`; unrelated images score
/// much lower. The features are not semantic: two different photos of the same cat are
/// "unrelated" here (that is what model embeddings are for).
///
/// ## Embedding layout (`dimension` = 128 floats)
///
/// All three blocks are computed from the image area-averaged to 32×32 (aspect ratio
/// ignored). Each block is L2-normalised on its own, then scaled so that its share of the
/// squared norm is its weight; the whole vector therefore has unit length and the cosine
/// similarity of two embeddings (their dot product) is the weighted mean of the three
/// blocks' cosine similarities.
///
/// | Range      | Count | Weight | Content |
/// |------------|-------|--------|---------|
/// | 0 ..< 63   | 63    | 0.5    | Structure: the 8×8 lowest-frequency DCT coefficients of luma except DC (row-major, vertical frequency first), each multiplied by its frequency `√(u² + v²)` to whiten natural images' 1/f spectrum so that no single gradient dominates. Blind to brightness (DC dropped) and contrast (normalised). |
/// | 63 ..< 111 | 48    | 0.3    | Colour layout: a 4×4 grid (row-major) of mean colour as luma minus the image's mean luma (16), red − green (16) and blue − (red + green)/2 (16). |
/// | 111 ..< 128| 17    | 0.2    | Colour content: square roots of the fractions of pixels by hue (12 bins of 30°, from red) and, for unsaturated or dark pixels, by grey level (5 bins, black to white); pixels are split linearly between neighbouring bins so small shifts change the histogram smoothly. |
///
/// A flat image (no structure) has a zero structure block; the remaining blocks are then
/// rescaled so the vector still has unit length. An empty image has an all-zero embedding.
public struct ImageFeatures: Sendable, Equatable {
    /// The length of `embedding`.
    public static let dimension = 128
    static let structureRange = 0..<63
    static let layoutRange = 63..<111
    static let histogramRange = 111..<128
    static let weights: (structure: Float, layout: Float, histogram: Float) = (0.5, 0.3, 0.2)

    public let hash: PerceptualHash
    /// `dimension` floats, unit length (or all zero for an empty image).
    public let embedding: [Float]

    public init(of image: RGBImage) {
        guard !image.isEmpty else {
            hash = PerceptualHash(bits: 0)
            embedding = [Float](repeating: 0, count: Self.dimension)
            return
        }
        let small = image.resized(width: LowFrequencyDCT.inputSide, height: LowFrequencyDCT.inputSide)
        let dct = LowFrequencyDCT(plane: small.lumaPlane)
        hash = PerceptualHash(dct)
        var structure = Self.structureBlock(dct)
        var layout = Self.colourLayoutBlock(small)
        var histogram = Self.colourHistogramBlock(small)
        let norms = (Self.normalise(&structure), Self.normalise(&layout), Self.normalise(&histogram))
        var vector = [Float](repeating: 0, count: Self.dimension)
        let scales = (Self.weights.structure.squareRoot(), Self.weights.layout.squareRoot(), Self.weights.histogram.squareRoot())
        for (offset, value) in structure.enumerated() { vector[Self.structureRange.lowerBound + offset] = value * scales.0 }
        for (offset, value) in layout.enumerated() { vector[Self.layoutRange.lowerBound + offset] = value * scales.1 }
        for (offset, value) in histogram.enumerated() { vector[Self.histogramRange.lowerBound + offset] = value * scales.2 }
        if norms.0 == 0 || norms.1 == 0 || norms.2 == 0 { Self.normalise(&vector) }
        embedding = vector
    }

    /// How many of the colour content block's bins are hues (the rest are grey levels).
    public static let hueBinCount = 12

    /// The colour content block (hue and grey-level histogram, square roots of fractions) of an
    /// `embedding` (`dimension` floats), back at unit length (its squares are the fractions:
    /// the first `hueBinCount` the share of pixels by hue, the rest by grey level). Nil when
    /// the block is all zero (an empty image) or the vector has the wrong length.
    public static func colourContent(of embedding: ArraySlice<Float>) -> [Float]? {
        guard embedding.count == dimension else { return nil }
        var block = Array(embedding[(embedding.startIndex + histogramRange.lowerBound)..<(embedding.startIndex + histogramRange.upperBound)])
        return normalise(&block) > 0 ? block : nil
    }

    /// Cosine similarity of the embeddings, −1…1 (1: same picture).
    public func similarity(to other: ImageFeatures) -> Float {
        var dot: Float = 0
        for index in 0..<Self.dimension { dot += embedding[index] * other.embedding[index] }
        return dot
    }

    /// The DCT the hash and the structure block share.
    static func dct(of image: RGBImage) -> LowFrequencyDCT {
        let side = LowFrequencyDCT.inputSide
        if image.isEmpty { return LowFrequencyDCT(plane: [Float](repeating: 0, count: side * side)) }
        return LowFrequencyDCT(plane: image.resized(width: side, height: side).lumaPlane)
    }

    private static func structureBlock(_ dct: LowFrequencyDCT) -> [Float] {
        var block: [Float] = []
        block.reserveCapacity(structureRange.count)
        for v in 0..<8 {
            for u in 0..<8 where u != 0 || v != 0 {
                block.append(dct[vertical: v, horizontal: u] * Float(u * u + v * v).squareRoot())
            }
        }
        return block
    }

    /// `small` is the 32×32 image; each grid cell averages an 8×8 tile of it.
    private static func colourLayoutBlock(_ small: RGBImage) -> [Float] {
        let grid = small.resized(width: 4, height: 4)
        var luma = [Float](), redGreen = [Float](), blueYellow = [Float]()
        for y in 0..<4 {
            for x in 0..<4 {
                let c = grid[x, y]
                let (r, g, b) = (Float(c.red), Float(c.green), Float(c.blue))
                luma.append(0.299 * r + 0.587 * g + 0.114 * b)
                redGreen.append(r - g)
                blueYellow.append(b - (r + g) / 2)
            }
        }
        let meanLuma = luma.reduce(0, +) / Float(luma.count)
        return luma.map { $0 - meanLuma } + redGreen + blueYellow
    }

    /// Pixels split linearly between neighbouring hue (or grey-level) bins, and softly between
    /// "has a hue" and "is grey" (ramps instead of thresholds, so a brightness or compression
    /// change cannot flip a pixel between halves): C (CPixelKernels), optimised in every build.
    private static func colourHistogramBlock(_ small: RGBImage) -> [Float] {
        var histogram = [Float](repeating: 0, count: histogramRange.count)
        small.pixels.withUnsafeBufferPointer { winnow_colour_histogram($0.baseAddress, small.width * small.height, &histogram) }
        let count = Float(small.width * small.height)
        return histogram.map { ($0 / count).squareRoot() }
    }

    /// Scales `vector` to unit length; returns its former length (0 leaves it unchanged).
    @discardableResult
    private static func normalise(_ vector: inout [Float]) -> Float {
        let length = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        // Tiny norms are rounding noise of a flat block, not structure worth amplifying.
        guard length > 1e-3 else {
            for index in vector.indices { vector[index] = 0 }
            return 0
        }
        for index in vector.indices { vector[index] /= length }
        return length
    }
}
