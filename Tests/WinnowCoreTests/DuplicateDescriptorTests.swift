import Testing
@testable import WinnowCore

/// Pictures drawn here: a "hand-drawn" ring (a wobbly stroke, like a handwritten zero or a
/// sketch: dark on white, mostly blank) and a textured picture with a shape on it.
enum Drawing {
    /// A ring of `radius` around (cx, cy) whose pen drifts by `wobble` pixels, `width` wide.
    static func ring(side: Int = 64, cx: Double = 32, cy: Double = 32, radius: Double = 18, width: Double = 3, wobble seed: UInt64) -> RGBImage {
        var rng = SplitMix64(seed: seed)
        var drift = [Double](repeating: 0, count: 64)
        var walk = 0.0
        for i in drift.indices { walk += Double(rng.next() % 1000) / 1000 - 0.5; drift[i] = walk }
        var image = RGBImage(width: side, height: side, fill: RGB(255, 255, 255))
        for y in 0..<side {
            for x in 0..<side {
                let dx = Double(x) - cx, dy = Double(y) - cy
                let angle = (atan2Approx(dy, dx) + .pi) / (2 * .pi)
                let r = radius + 2 * drift[min(63, Int(angle * 64))]
                let distance = abs((dx * dx + dy * dy).squareRoot() - r)
                if distance < width / 2 { image[x, y] = RGB(20, 20, 20) }
            }
        }
        return image
    }

    static func atan2Approx(_ y: Double, _ x: Double) -> Double {
        // Enough for drawing: the angle by quadrant from a series of atan.
        if x == 0 && y == 0 { return 0 }
        if abs(x) >= abs(y) {
            let a = atanSeries(y / x)
            return x > 0 ? a : (y >= 0 ? a + .pi : a - .pi)
        }
        let a = atanSeries(x / y)
        return y > 0 ? .pi / 2 - a : -.pi / 2 - a
    }

    static func atanSeries(_ t: Double) -> Double {
        // atan on [-1, 1] (Hastings' approximation, error < 1e-5).
        let t2 = t * t
        return t * (0.9998660 + t2 * (-0.3302995 + t2 * (0.1801410 + t2 * (-0.0851330 + t2 * 0.0208351))))
    }

    /// A colourful textured picture: sums of waves of random directions, and a square.
    static func picture(side: Int = 96, seed: UInt64) -> RGBImage {
        var rng = SplitMix64(seed: seed)
        func unit() -> Double { Double(rng.next() % 10_000) / 10_000 }
        let waves = (0..<4).map { _ in (unit() * 6 + 1, unit() * 6 + 1, unit() * 6.28, unit()) }
        let square = (Int(unit() * Double(side / 2)) + side / 8, Int(unit() * Double(side / 2)) + side / 8, side / 4)
        var image = RGBImage(width: side, height: side)
        for y in 0..<side {
            for x in 0..<side {
                var v = 0.0
                for (fx, fy, phase, weight) in waves {
                    v += weight * sinApprox(fx * Double(x) / Double(side) * 6.28 + fy * Double(y) / Double(side) * 6.28 + phase)
                }
                var grey = 128 + 50 * v
                if x >= square.0 && x < square.0 + square.2 && y >= square.1 && y < square.1 + square.2 { grey = 240 - grey / 3 }
                let g = UInt8(max(0, min(255, grey)))
                image[x, y] = RGB(g, UInt8(max(0, min(255, grey * 0.7 + 40))), UInt8(255 - Int(g) / 2))
            }
        }
        return image
    }

    static func sinApprox(_ x: Double) -> Double {
        var t = x.truncatingRemainder(dividingBy: 2 * .pi)
        if t > .pi { t -= 2 * .pi } else if t < -.pi { t += 2 * .pi }
        let t2 = t * t
        return t * (1 - t2 / 6 * (1 - t2 / 20 * (1 - t2 / 42 * (1 - t2 / 72))))
    }

    /// `image` cropped by the given pixels on each side.
    static func crop(_ image: RGBImage, left: Int, top: Int, right: Int, bottom: Int) -> RGBImage {
        let w = image.width - left - right, h = image.height - top - bottom
        var out = RGBImage(width: w, height: h)
        for y in 0..<h { for x in 0..<w { out[x, y] = image[x + left, y + top] } }
        return out
    }

    /// Brightness times `gain` and contrast times `contrast` around mid-grey, clipped.
    static func tone(_ image: RGBImage, gain: Double, contrast: Double) -> RGBImage {
        var out = image
        out.pixels = image.pixels.map { UInt8(max(0, min(255, ((Double($0) - 128) * contrast + 128) * gain))) }
        return out
    }
}

@Suite("Duplicate descriptor: pixels confirm copies")
struct DuplicateDescriptorTests {
    @Test("a copy resized, cropped by an eighth, brighter and with more contrast aligns with its source")
    func copiesMatch() {
        let source = Drawing.picture(seed: 3)
        let copy = Drawing.tone(Drawing.crop(source, left: 8, top: 0, right: 2, bottom: 10), gain: 1.15, contrast: 1.2).resized(width: 61, height: 55)
        let a = DuplicateDescriptor(of: source), b = DuplicateDescriptor(of: copy)
        #expect(a.match(b) >= 0.95, "copy scored \(a.match(b))")
        #expect(a.match(b) == b.match(a), "the score is symmetric")
        let other = DuplicateDescriptor(of: Drawing.picture(seed: 4))
        #expect(a.match(other) < 0.8, "another picture scored \(a.match(other))")
    }

    @Test("a hand-drawn ring and its shifted, re-sized copy match; another hand's ring of the same size does not")
    func sameClassNonCopiesAreRejected() {
        let ring = Drawing.ring(wobble: 1)
        let shifted = Drawing.crop(Drawing.ring(side: 72, cx: 38, cy: 35, wobble: 1), left: 6, top: 3, right: 2, bottom: 5).resized(
            width: 48, height: 48)
        let d = DuplicateDescriptor(of: ring)
        #expect(d.match(DuplicateDescriptor(of: shifted)) >= 0.95, "copy scored \(d.match(DuplicateDescriptor(of: shifted)))")
        for seed: UInt64 in 2...6 {
            let other = DuplicateDescriptor(of: Drawing.ring(wobble: seed))
            #expect(d.match(other) < 0.95, "a different ring (seed \(seed)) scored \(d.match(other))")
        }
    }

    @Test("empty pictures are not the same picture: blank pages, flat colours and smooth gradients match nothing")
    func emptinessIsNoEvidence() {
        let blank = DuplicateDescriptor(of: RGBImage(width: 50, height: 50, fill: RGB(255, 255, 255)))
        let grey = DuplicateDescriptor(of: RGBImage(width: 80, height: 40, fill: RGB(128, 128, 128)))
        #expect(blank.isFlat && grey.isFlat)
        #expect(blank.match(blank) == 0 && blank.match(grey) == 0)
        // Two different faint marks on white: flat (no detail to compare).
        var dotA = RGBImage(width: 64, height: 64, fill: RGB(255, 255, 255)), dotB = dotA
        dotA[30, 30] = RGB(0, 0, 0)
        dotB[20, 40] = RGB(0, 0, 0)
        #expect(DuplicateDescriptor(of: dotA).isFlat && DuplicateDescriptor(of: dotA).match(DuplicateDescriptor(of: dotB)) == 0)
        // Smooth gradients with different content-free slopes: the band-pass leaves nothing to match.
        func gradient(_ slope: Double) -> RGBImage {
            var image = RGBImage(width: 64, height: 64)
            for y in 0..<64 { for x in 0..<64 { let v = UInt8(40 + slope * Double(x) + Double(y)); image[x, y] = RGB(v, v, v) } }
            return image
        }
        #expect(DuplicateDescriptor(of: gradient(2)).match(DuplicateDescriptor(of: gradient(1.5))) < 0.95)
        #expect(DuplicateDescriptor(of: RGBImage(width: 0, height: 0)).isFlat)
    }

    @Test("a copy shifted or cropped by an eighth keeps its spectrum; the picture turned a quarter does not")
    func spectrumIgnoresShifts() {
        func spectrum(_ image: RGBImage) -> [Float] { DuplicateDescriptor.Prepared(DuplicateDescriptor(of: image)).spectrum }
        func cosine(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        for seed: UInt64 in 1...4 {
            let source = Drawing.picture(seed: seed)
            let sourceSpectrum = spectrum(source)
            #expect(sourceSpectrum.count == DuplicateDescriptor.spectrumDimension)
            #expect(abs(cosine(sourceSpectrum, sourceSpectrum) - 1) < 1e-4, "unit length")
            // Moved right by an eighth (the left edge repeated), and cropped by an eighth on two sides.
            var shifted = source, turned = source
            for y in 0..<source.height {
                for x in 0..<source.width {
                    shifted[x, y] = source[max(0, x - source.width / 8), y]
                    turned[x, y] = source[y, source.width - 1 - x]
                }
            }
            let cropped = Drawing.crop(source, left: 12, top: 0, right: 0, bottom: 12).resized(width: 70, height: 70)
            let shiftedSimilarity = cosine(sourceSpectrum, spectrum(shifted)), croppedSimilarity = cosine(sourceSpectrum, spectrum(cropped))
            let turnedSimilarity = cosine(sourceSpectrum, spectrum(turned))
            #expect(shiftedSimilarity >= 0.95 && croppedSimilarity >= 0.9, "seed \(seed): shifted \(shiftedSimilarity), cropped \(croppedSimilarity)")
            #expect(turnedSimilarity < shiftedSimilarity, "seed \(seed): turned \(turnedSimilarity), shifted \(shiftedSimilarity)")
        }
        #expect(
            DuplicateDescriptor.Prepared(DuplicateDescriptor(of: RGBImage(width: 40, height: 40, fill: RGB(9, 9, 9)))).spectrum.allSatisfy {
                $0 == 0
            },
            "a picture without detail has no spectrum")
    }

    @Test("the descriptor is 32×32 grey levels and round-trips through its bytes")
    func descriptorBytes() {
        let d = DuplicateDescriptor(of: Drawing.picture(seed: 9))
        #expect(d.grey.count == 32 * 32)
        #expect(DuplicateDescriptor(grey: d.grey) == d)
    }
}
