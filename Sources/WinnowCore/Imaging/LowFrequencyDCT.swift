import CPixelKernels
import Foundation

/// The lowest frequencies of the 2-D DCT-II of a small square greyscale plane: the part of
/// an image's structure that survives resizing, re-encoding and brightness changes, which
/// makes it the basis of the perceptual hash and of the structure part of `ImageFeatures`.
struct LowFrequencyDCT {
    /// Side of the input plane.
    static let inputSide = 32
    /// Frequencies kept along each axis (0 ..< keptFrequencies).
    static let keptFrequencies = 9

    /// `coefficients[v * keptFrequencies + u]`: vertical frequency `v`, horizontal `u`, with
    /// orthonormal scaling (so coefficient magnitudes are comparable across frequencies).
    let coefficients: [Float]

    subscript(vertical v: Int, horizontal u: Int) -> Float { coefficients[v * Self.keptFrequencies + u] }

    /// `plane` is `inputSide × inputSide` values, row-major.
    init(plane: [Float]) {
        let n = Self.inputSide, k = Self.keptFrequencies
        precondition(plane.count == n * n)
        // Rows first (x → u), then columns (y → v): the 2-D transform is separable. The loops
        // are C (CPixelKernels), optimised in every build.
        var scratch = [Float](repeating: 0, count: n * k)
        var result = [Float](repeating: 0, count: k * k)
        Self.basis.withUnsafeBufferPointer { basis in
            winnow_low_frequency_dct(plane, n, k, basis.baseAddress, &scratch, &result)
        }
        coefficients = result
    }

    /// `basis[f * inputSide + x] = α(f) · cos((2x + 1) f π / 2N)`, α(0) = √(1/N), α(f>0) = √(2/N).
    private static let basis: [Float] = {
        let n = inputSide
        var table = [Float](repeating: 0, count: keptFrequencies * n)
        for frequency in 0..<keptFrequencies {
            let scale = frequency == 0 ? (1.0 / Double(n)).squareRoot() : (2.0 / Double(n)).squareRoot()
            for x in 0..<n {
                table[frequency * n + x] = Float(scale * cos(Double((2 * x + 1) * frequency) * Double.pi / Double(2 * n)))
            }
        }
        return table
    }()
}

extension RGBImage {
    /// Rec. 601 luma of every pixel, 0…255, row-major.
    var lumaPlane: [Float] {
        let count = width * height
        return [Float](unsafeUninitializedCapacity: count) { plane, initialised in
            pixels.withUnsafeBufferPointer { winnow_luma_plane($0.baseAddress, count, plane.baseAddress) }
            initialised = count
        }
    }
}
