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
        let basis = Self.basis
        // Rows first (x → u), then columns (y → v): the 2-D transform is separable.
        var rowTransformed = [Float](repeating: 0, count: n * k)
        for y in 0..<n {
            for u in 0..<k {
                var sum: Float = 0
                for x in 0..<n { sum += plane[y * n + x] * basis[u * n + x] }
                rowTransformed[y * k + u] = sum
            }
        }
        var result = [Float](repeating: 0, count: k * k)
        for v in 0..<k {
            for u in 0..<k {
                var sum: Float = 0
                for y in 0..<n { sum += rowTransformed[y * k + u] * basis[v * n + y] }
                result[v * k + u] = sum
            }
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
        var plane = [Float](repeating: 0, count: width * height)
        pixels.withUnsafeBufferPointer { source in
            for index in 0..<plane.count {
                plane[index] = 0.299 * Float(source[index * 3]) + 0.587 * Float(source[index * 3 + 1]) + 0.114 * Float(source[index * 3 + 2])
            }
        }
        return plane
    }
}
