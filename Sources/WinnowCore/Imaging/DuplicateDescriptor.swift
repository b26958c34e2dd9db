import CPixelKernels

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
/// The alignment compares band-passed planes (a difference of two blurs: edges and strokes,
/// a little widened so a thin line still overlaps its copy after resampling; a smooth
/// gradient or vignette that many different pictures share counts for nothing). It searches
/// a coarse grid of poses at half resolution, then climbs from the best three at full
/// resolution. Those loops are C (`CPixelKernels`, optimised in every build).
///
/// Emptiness is no evidence: the mean is removed and the remaining variation normalised, so
/// a blank background contributes nothing, and a picture whose centre has almost no
/// variation (`isFlat`) matches nothing at all (byte-identical files still join by hash).
public struct DuplicateDescriptor: Sendable, Equatable {
    /// The thumbnail's side in pixels.
    public static let side = Int(WINNOW_DUP_SIDE)
    /// Below this standard deviation of the centre's grey levels (0…255), a picture has no
    /// detail to compare: a blank page, a flat colour, a faint speck.
    public static let flatContrast: Float = 3
    /// Below this standard deviation of the centre's band-passed grey levels (edges and
    /// strokes, shading removed), neither: a gradient or a vignette is no picture either.
    public static let flatDetail: Float = 0.75

    /// The length of `Prepared.spectrum`.
    public static let spectrumDimension = Int(WINNOW_DUP_SPECTRUM_DIMENSION)

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
        grey = [UInt8](unsafeUninitializedCapacity: n * n) { bytes, count in
            small.pixels.withUnsafeBufferPointer { winnow_luma_bytes($0.baseAddress, n * n, bytes.baseAddress) }
            count = n * n
        }
    }

    /// The standard deviation of the centre's grey levels (0…255).
    public var contrast: Float { Prepared(self).contrast }

    /// The standard deviation of the centre's band-passed grey levels: its edges and strokes.
    public var detail: Float { Prepared(self).detail }

    /// Too little detail to recognise the picture by.
    public var isFlat: Bool { Prepared(self).isFlat }

    /// How well the two pictures align (see the type): the better of aligning each one's centre
    /// within the other, −1…1; 0 when either is flat.
    public func match(_ other: DuplicateDescriptor) -> Float { Prepared(self).match(Prepared(other)) }

    /// A descriptor ready to be aligned (band-passed, its templates cut: about 8 KB): prepare
    /// each once when it is compared with many others.
    public final class Prepared: @unchecked Sendable {
        // Written once in init, only read afterwards: safe to share between threads.
        private let storage: UnsafeMutablePointer<winnow_dup_prepared>

        public init(_ descriptor: DuplicateDescriptor) {
            storage = .allocate(capacity: 1)
            descriptor.grey.withUnsafeBufferPointer {
                winnow_dup_prepare($0.baseAddress, DuplicateDescriptor.flatContrast, DuplicateDescriptor.flatDetail, storage)
            }
        }

        deinit { storage.deallocate() }

        public var contrast: Float { storage.pointee.contrast }
        public var detail: Float { storage.pointee.detail }
        /// Too little detail to recognise the picture by: it matches nothing.
        public var isFlat: Bool { storage.pointee.usable == 0 }

        /// A signature that a shift does not change (`spectrumDimension` floats of unit length,
        /// all zero for a flat picture): the band-passed picture's spectrum, pooled in rings
        /// and orientations. Copies shifted or cropped by up to an eighth stay close in it.
        public var spectrum: [Float] {
            [Float](unsafeUninitializedCapacity: DuplicateDescriptor.spectrumDimension) { buffer, count in
                winnow_dup_spectrum(storage, buffer.baseAddress)
                count = DuplicateDescriptor.spectrumDimension
            }
        }

        /// `DuplicateDescriptor.match` of the two descriptors.
        public func match(_ other: Prepared) -> Float { winnow_dup_match(storage, other.storage, -.infinity, nil) }

        /// The match, its expensive full-resolution refinement skipped when no coarse
        /// (half-resolution) pose reaches `refineFrom`: the score is then the best coarse one.
        /// `coarse` is that best coarse score.
        public func match(_ other: Prepared, refineFrom: Float) -> (score: Float, coarse: Float) {
            var coarse: Float = 0
            let score = winnow_dup_match(storage, other.storage, refineFrom, &coarse)
            return (score, coarse)
        }
    }
}
