/// The fine grey-level layout of a picture, for confirming that two images are *the same
/// picture*: one re-encoded, resized, cropped or shifted by up to an eighth of a side, made
/// brighter or darker, or given more or less contrast, of the other.
///
/// The image is area-averaged to `side`×`side` luma (aspect ratio ignored, so a resize to
/// another shape changes nothing). `match(_:)` aligns the centre of one image (the part any
/// crop of up to an eighth keeps) to the other under a scale of 7/8…8/7 per axis and a shift
/// of up to an eighth per axis, and scores the alignment by normalised cross-correlation
/// (NCC): blind to brightness and contrast, 1 for the same picture, lower as soon as any
/// detail differs. Two different handwritten zeros, or two sketches of a star, are not the
/// same picture: their strokes differ in place and width, which a 32×32 NCC sees.
///
/// Emptiness is no evidence: the mean is removed and the remaining variation normalised, so
/// a blank background contributes nothing, and a picture whose centre has almost no
/// variation (`isFlat`) matches nothing at all (byte-identical files still join by hash).
public struct DuplicateDescriptor: Sendable, Equatable {
    /// The thumbnail's side in pixels.
    public static let side = 32
    /// The border the aligned template leaves out on each side: what a crop may remove.
    static let margin = side / 8
    /// Below this standard deviation of the centre's grey levels (0…255), a picture has no
    /// detail to compare: a blank page, a flat colour, a faint speck.
    public static let flatContrast: Float = 3
    /// Below this standard deviation of the centre's band-passed grey levels (edges and
    /// strokes, shading removed), neither: a gradient or a vignette is no picture either.
    public static let flatDetail: Float = 0.75

    /// `side`×`side` grey levels, row-major.
    public let grey: [UInt8]

    public init(grey: [UInt8]) {
        precondition(grey.count == Self.side * Self.side, "a duplicate descriptor has \(Self.side * Self.side) grey levels")
        self.grey = grey
    }

    /// The descriptor of a decoded picture (an empty image gives a flat one).
    public init(of image: RGBImage) {
        let n = Self.side
        guard !image.isEmpty else {
            grey = [UInt8](repeating: 0, count: n * n)
            return
        }
        let small = image.resized(width: n, height: n)
        grey = small.lumaPlane.map { UInt8(min(max($0.rounded(), 0), 255)) }
    }

    /// The standard deviation of the centre's grey levels (0…255).
    public var contrast: Float {
        let n = Self.side, m = Self.margin
        var sum: Float = 0, squares: Float = 0
        for y in m..<(n - m) {
            for x in m..<(n - m) {
                let v = Float(grey[y * n + x])
                sum += v
                squares += v * v
            }
        }
        let count = Float((n - 2 * m) * (n - 2 * m))
        return max(0, squares / count - (sum / count) * (sum / count)).squareRoot()
    }

    /// The standard deviation of the centre's band-passed grey levels: its edges and strokes.
    public var detail: Float {
        Template(Aligner.bandPass(grey.map(Float.init), side: Self.side), scale: 1)?.deviation ?? 0
    }

    /// Too little detail to recognise the picture by.
    public var isFlat: Bool { contrast < Self.flatContrast || detail < Self.flatDetail }

    /// How well the two pictures align (see the type): the better of aligning each one's centre
    /// within the other, −1…1; 0 when either is flat.
    public func match(_ other: DuplicateDescriptor) -> Float { Prepared(self).match(Prepared(other)) }

    /// A descriptor ready to be aligned (band-passed, its templates cut): prepare each once
    /// when it is compared with many others.
    public struct Prepared: Sendable {
        let aligner: Aligner?

        public init(_ descriptor: DuplicateDescriptor) { aligner = Aligner(descriptor) }

        /// `DuplicateDescriptor.match` of the two descriptors.
        public func match(_ other: Prepared) -> Float {
            guard let mine = aligner, let theirs = other.aligner else { return 0 }
            return max(mine.align(into: theirs), theirs.align(into: mine))
        }
    }
}

// MARK: - Alignment

/// The centre of a band-passed plane, zero-mean and of unit length.
struct Template {
    /// Side of the image it was cut from, and of the template itself.
    let imageSide: Int
    let side: Int
    let margin: Int
    /// Zero-mean, unit-length grey levels of the centre (side × side).
    let values: [Float]
    /// Standard deviation of the centre's grey levels before normalising.
    let deviation: Float

    /// `plane`: the band-passed thumbnail (`scale` 1) or its half (`scale` 2).
    init?(_ plane: [Float], scale: Int) {
        let n = DuplicateDescriptor.side / scale
        imageSide = n
        margin = DuplicateDescriptor.margin / scale
        side = n - 2 * margin
        var values = [Float]()
        values.reserveCapacity(side * side)
        for y in margin..<(n - margin) { for x in margin..<(n - margin) { values.append(plane[y * n + x]) } }
        let mean = values.reduce(0, +) / Float(values.count)
        var sum: Float = 0
        for i in values.indices { values[i] -= mean; sum += values[i] * values[i] }
        deviation = (sum / Float(values.count)).squareRoot()
        guard deviation > 1e-3 else { return nil }
        let length = sum.squareRoot()
        for i in values.indices { values[i] /= length }
        self.values = values
    }
}

/// Everything needed to align one descriptor's centre into another descriptor.
struct Aligner {
    let full: Template
    let half: Template
    /// The grey planes the other side's templates are sampled from.
    let fullPlane: [Float]
    let halfPlane: [Float]

    init?(_ descriptor: DuplicateDescriptor) {
        guard descriptor.contrast >= DuplicateDescriptor.flatContrast else { return nil }
        let band = Self.bandPass(descriptor.grey.map(Float.init), side: DuplicateDescriptor.side)
        let half = Self.halved(band, side: DuplicateDescriptor.side)
        guard let fullTemplate = Template(band, scale: 1), fullTemplate.deviation >= DuplicateDescriptor.flatDetail,
              let halfTemplate = Template(half, scale: 2) else { return nil }
        full = fullTemplate
        self.half = halfTemplate
        fullPlane = band
        halfPlane = half
    }

    /// The plane with its finest noise and its broad shading removed (a difference of two
    /// blurs): what is left are the picture's edges and strokes, a little widened, so a thin
    /// line still overlaps its copy after resampling, and a smooth gradient or vignette that
    /// many different pictures share counts for nothing.
    static func bandPass(_ plane: [Float], side: Int) -> [Float] {
        let fine = blur(plane, side: side, taps: [1, 2, 1])
        var broad = plane
        for _ in 0..<3 { broad = blur(broad, side: side, taps: [1, 4, 6, 4, 1]) }
        return zip(fine, broad).map { $0 - $1 }
    }

    /// Separable blur with normalised `taps`, edges repeated.
    static func blur(_ plane: [Float], side: Int, taps: [Float]) -> [Float] {
        let total = taps.reduce(0, +), radius = taps.count / 2
        let weights = taps.map { $0 / total }
        var horizontal = [Float](repeating: 0, count: plane.count), out = horizontal
        for y in 0..<side {
            for x in 0..<side {
                var v: Float = 0
                for (t, w) in weights.enumerated() { v += w * plane[y * side + min(max(x + t - radius, 0), side - 1)] }
                horizontal[y * side + x] = v
            }
        }
        for y in 0..<side {
            for x in 0..<side {
                var v: Float = 0
                for (t, w) in weights.enumerated() { v += w * horizontal[min(max(y + t - radius, 0), side - 1) * side + x] }
                out[y * side + x] = v
            }
        }
        return out
    }

    /// Averages 2×2 blocks.
    static func halved(_ plane: [Float], side: Int) -> [Float] {
        let m = side / 2
        var out = [Float](repeating: 0, count: m * m)
        for y in 0..<side { for x in 0..<side { out[(y / 2) * m + x / 2] += plane[y * side + x] / 4 } }
        return out
    }

    /// One alignment: the template's pixel (x, y), centred, maps to
    /// `(x − c) · scaleX + c + shiftX` (and the same in y) in the other plane.
    struct Pose: Equatable {
        var scaleX: Float, scaleY: Float, shiftX: Float, shiftY: Float
    }

    /// The scales a crop of up to an eighth (or its inverse) needs, and shifts in pixels of the
    /// full-resolution plane.
    static let coarseScales: [Float] = [7.0 / 8.0, 1, 8.0 / 7.0]
    static let maximumShift = Float(DuplicateDescriptor.side) / 8

    /// The best NCC of this descriptor's centre placed in `other`: a coarse search at half
    /// resolution over every scale and shift, then a local refinement at full resolution
    /// from the best few coarse poses.
    func align(into other: Aligner) -> Float {
        var coarse: [(score: Float, pose: Pose)] = []
        let step: Float = 2  // one pixel at half resolution
        for sy in Self.coarseScales {
            for sx in Self.coarseScales {
                var ty = -Self.maximumShift
                while ty <= Self.maximumShift {
                    var tx = -Self.maximumShift
                    while tx <= Self.maximumShift {
                        let pose = Pose(scaleX: sx, scaleY: sy, shiftX: tx, shiftY: ty)
                        coarse.append((Self.ncc(half, pose: pose, in: other.halfPlane, side: other.half.imageSide, unit: 2), pose))
                        tx += step
                    }
                    ty += step
                }
            }
        }
        coarse.sort { $0.score > $1.score }
        var best: Float = -1
        for start in coarse.prefix(3) { best = max(best, refine(start.pose, in: other)) }
        return best
    }

    /// Hill-climbing at full resolution: each parameter moved by its step both ways, the best
    /// move kept, the steps halved when no move helps.
    func refine(_ start: Pose, in other: Aligner) -> Float {
        var pose = start
        var score = Self.ncc(full, pose: pose, in: other.fullPlane, side: other.full.imageSide, unit: 1)
        var scaleStep: Float = 1.0 / 16, shiftStep: Float = 1
        let lowest: Float = 7.0 / 8.0 - 1.0 / 32, highest: Float = 8.0 / 7.0 + 1.0 / 32
        let limit = Self.maximumShift + 1
        for _ in 0..<40 {
            var moved = false
            for parameter in 0..<4 {
                for sign: Float in [-1, 1] {
                    var candidate = pose
                    switch parameter {
                    case 0: candidate.scaleX += sign * scaleStep
                    case 1: candidate.scaleY += sign * scaleStep
                    case 2: candidate.shiftX += sign * shiftStep
                    default: candidate.shiftY += sign * shiftStep
                    }
                    guard candidate.scaleX >= lowest, candidate.scaleX <= highest, candidate.scaleY >= lowest, candidate.scaleY <= highest,
                          abs(candidate.shiftX) <= limit, abs(candidate.shiftY) <= limit else { continue }
                    let s = Self.ncc(full, pose: candidate, in: other.fullPlane, side: other.full.imageSide, unit: 1)
                    if s > score { score = s; pose = candidate; moved = true }
                }
            }
            if !moved {
                if shiftStep <= 0.25 { break }
                scaleStep /= 2
                shiftStep /= 2
            }
        }
        return score
    }

    /// NCC of `template` against `plane` (a `side`×`side` grey plane) sampled bilinearly at the
    /// template's pixels moved by `pose`; shifts are in full-resolution pixels, `unit` of them
    /// per pixel of `plane`. Samples outside the plane repeat its edge.
    static func ncc(_ template: Template, pose: Pose, in plane: [Float], side: Int, unit: Float) -> Float {
        let centre = Float(side) / 2
        let n = template.side
        var xs = [Int](repeating: 0, count: n), fxs = [Float](repeating: 0, count: n)
        var ys = [Int](repeating: 0, count: n), fys = [Float](repeating: 0, count: n)
        let limit = Float(side - 1)
        for i in 0..<n {
            let p = Float(template.margin + i) + 0.5 - centre
            let x = min(max(p * pose.scaleX + centre + pose.shiftX / unit - 0.5, 0), limit)
            let y = min(max(p * pose.scaleY + centre + pose.shiftY / unit - 0.5, 0), limit)
            let x0 = min(Int(x), side - 2), y0 = min(Int(y), side - 2)
            xs[i] = x0; fxs[i] = x - Float(x0)
            ys[i] = y0; fys[i] = y - Float(y0)
        }
        var dot: Float = 0, sum: Float = 0, squares: Float = 0
        plane.withUnsafeBufferPointer { p in
            template.values.withUnsafeBufferPointer { t in
                for row in 0..<n {
                    let top = ys[row] * side, bottom = top + side, fy = fys[row]
                    for column in 0..<n {
                        let x0 = xs[column], fx = fxs[column]
                        let upper = p[top + x0] + (p[top + x0 + 1] - p[top + x0]) * fx
                        let lower = p[bottom + x0] + (p[bottom + x0 + 1] - p[bottom + x0]) * fx
                        let v = upper + (lower - upper) * fy
                        dot += t[row * n + column] * v
                        sum += v
                        squares += v * v
                    }
                }
            }
        }
        let variance = squares - sum * sum / Float(n * n)
        guard variance > 1e-6 else { return 0 }
        return dot / variance.squareRoot()
    }
}
