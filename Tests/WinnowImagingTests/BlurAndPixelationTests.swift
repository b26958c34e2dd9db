import Testing
@testable import WinnowCore

@Suite("Moderation: blur and pixelation")
struct BlurAndPixelationTests {
    @Test func aFlatImageStaysFlat() {
        let flat = RGBImage(width: 13, height: 9, fill: RGB(10, 200, 77))
        #expect(flat.blurred(radius: 4) == flat)
        #expect(flat.pixelated(blockSize: 4) == flat)
    }

    @Test func radiusZeroAndBlockSizeOneChangeNothing() {
        let photo = syntheticPhoto(width: 20, height: 15, seed: 5)
        #expect(photo.blurred(radius: 0) == photo)
        #expect(photo.pixelated(blockSize: 1) == photo)
    }

    @Test func aDotSpreadsSymmetricallyAndKeepsItsEnergy() {
        var dot = RGBImage(width: 31, height: 31)
        dot[15, 15] = RGB(255, 255, 255)
        let blurred = dot.blurred(radius: 3)
        #expect(blurred[15, 15].red < 40 && blurred[15, 15].red > 0)
        for offset in 1...6 {
            #expect(blurred[15 + offset, 15] == blurred[15 - offset, 15])
            #expect(blurred[15, 15 + offset] == blurred[15, 15 - offset])
            // Each pass rounds to bytes, and rows are blurred before columns: ±1 between the axes.
            #expect(abs(Int(blurred[15 + offset, 15].red) - Int(blurred[15, 15 + offset].red)) <= 1)
            #expect(blurred[15 + offset - 1, 15].red >= blurred[15 + offset, 15].red) // falls off from the centre
        }
        let total = stride(from: 0, to: blurred.pixels.count, by: 3).reduce(0) { $0 + Int(blurred.pixels[$1]) }
        #expect(abs(total - 255) < 40) // rounding at each pass loses or gains a little
    }

    @Test func threeBoxesMatchTheGaussianVariance() {
        // Odd box widths cannot hit σ = 1 closely (the nearest choices give 0.82 and 1.15).
        for sigma in [1.0, 2.0, 3.0, 5.0, 8.0, 20.0] {
            let radii = RGBImage.boxRadii(approximatingGaussianOfDeviation: sigma, passes: 3)
            let variance = radii.reduce(0.0) { total, radius in
                let width = Double(2 * radius + 1)
                return total + (width * width - 1) / 12
            }
            #expect(
                abs(variance.squareRoot() - sigma) / sigma < (sigma < 2 ? 0.2 : 0.1), "σ \(sigma): boxes \(radii) give σ \(variance.squareRoot())")
        }
    }

    @Test func fineDetailIsErased() {
        var checkerboard = RGBImage(width: 40, height: 40)
        for y in 0..<40 { for x in 0..<40 where (x + y) % 2 == 0 { checkerboard[x, y] = RGB(255, 255, 255) } }
        let blurred = checkerboard.blurred(radius: 2)
        for y in 5..<35 { for x in 5..<35 { #expect(abs(Int(blurred[x, y].red) - 128) <= 3) } }
    }

    @Test func radiiLargerThanTheImageAreFine() {
        let photo = syntheticPhoto(width: 7, height: 3, seed: 2)
        let blurred = photo.blurred(radius: 50)
        #expect(blurred.size == photo.size)
    }

    @Test func pixelationPaintsEachBlockInItsMeanColour() {
        // 5×3 with blocks of 2: full 2×2 blocks, then a 1-wide column and a 1-high row.
        var image = RGBImage(width: 5, height: 3)
        for y in 0..<3 { for x in 0..<5 { image[x, y] = RGB(UInt8(10 * (y * 5 + x)), 0, UInt8(y)) } }
        let mosaic = image.pixelated(blockSize: 2)
        #expect(mosaic[0, 0].red == 30 && mosaic[1, 1].red == 30) // (0 + 10 + 50 + 60) / 4
        #expect(mosaic[2, 0].red == 50 && mosaic[3, 1].red == 50) // (20 + 30 + 70 + 80) / 4
        #expect(mosaic[4, 0].red == 65 && mosaic[4, 1].red == 65) // (40 + 90) / 2
        #expect(mosaic[0, 2].red == 105 && mosaic[1, 2].red == 105) // (100 + 110) / 2, rounded
        #expect(mosaic[4, 2].red == 140) // a single pixel
        #expect(mosaic[0, 0].blue == 1 && mosaic[0, 2].blue == 2)
    }

    @Test func aBlockAsLargeAsTheImageGivesItsMean() {
        let image = Fixture.quadrants(width: 8, height: 6)
        // (220 + 30 + 40 + 240) / 4 = 132.5 → 133, (30 + 200 + 60 + 220) / 4 = 127.5 → 128, 87.5 → 88.
        #expect(image.pixelated(blockSize: 100) == RGBImage(width: 8, height: 6, fill: RGB(133, 128, 88)))
    }
}
