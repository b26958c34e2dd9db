import Testing
import WinnowCore

@Suite("Resampling: area-averaging down, bilinear up")
struct ResamplingTests {
    @Test func halvingAveragesEachTwoByTwoBlock() {
        // 4×2 image: blocks of two known pixel pairs per output.
        let image = RGBImage(
            width: 4, height: 2,
            pixels: [
                0, 0, 0, 255, 255, 255, 10, 20, 30, 30, 40, 50,
                255, 255, 255, 0, 0, 0, 50, 60, 70, 70, 80, 90
            ])
        let half = image.resized(width: 2, height: 1)
        #expect(half.pixels == [128, 128, 128, 40, 50, 60])
    }

    @Test func shrinkingBlocksOfFlatColourGivesTheColoursExactly() {
        let image = Fixture.quadrants(width: 64, height: 32)
        let small = image.resized(width: 2, height: 2)
        #expect(small[0, 0] == Fixture.red && small[1, 0] == Fixture.green)
        #expect(small[0, 1] == Fixture.blue && small[1, 1] == Fixture.yellow)
    }

    @Test func nonIntegerRatiosWeighPartialPixelsByCoverage() {
        // 3 → 2: output 0 covers pixel 0 fully and half of pixel 1.
        let row = RGBImage(width: 3, height: 1, pixels: [0, 0, 0, 90, 90, 90, 180, 180, 180])
        let resized = row.resized(width: 2, height: 1)
        #expect(resized.pixels == [30, 30, 30, 150, 150, 150])
    }

    @Test(arguments: [(97, 61), (40, 30), (13, 7), (1, 1), (200, 3)])
    func downscalingPreservesTheMeanColour(width: Int, height: Int) {
        let image = syntheticPhoto(width: 211, height: 157, seed: 42)
        let resized = image.resized(width: width, height: height)
        for channel in 0..<3 {
            let before = mean(image.pixels, channel: channel), after = mean(resized.pixels, channel: channel)
            #expect(abs(before - after) < 0.6, "channel \(channel): \(before) → \(after)")
        }
    }

    @Test func upscalingInterpolatesBetweenPixelCentres() {
        let row = RGBImage(width: 2, height: 1, pixels: [0, 0, 0, 200, 200, 200])
        let wide = row.resized(width: 4, height: 1)
        // Centres at source positions -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
        #expect(wide.pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [0, 50, 150, 200])
    }

    @Test func upscalingAFlatImageKeepsItFlat() {
        let flat = RGBImage(width: 3, height: 2, fill: RGB(17, 99, 240))
        let large = flat.resized(width: 31, height: 17)
        #expect(large.pixels == RGBImage(width: 31, height: 17, fill: RGB(17, 99, 240)).pixels)
    }

    @Test func mixedDirectionsAverageOneAxisAndInterpolateTheOther() {
        let image = Fixture.quadrants(width: 64, height: 32)
        let tall = image.resized(width: 2, height: 64)
        #expect(tall[0, 0] == Fixture.red && tall[1, 63] == Fixture.yellow)
        #expect(tall.size == PixelSize(width: 2, height: 64))
    }

    @Test func sameSizeIsIdentityAndZeroIsEmpty() {
        let image = syntheticPhoto(width: 20, height: 10, seed: 1)
        #expect(image.resized(width: 20, height: 10) == image)
        #expect(image.resized(width: 0, height: 10).isEmpty)
        #expect(RGBImage(width: 0, height: 0).resized(width: 5, height: 5).size == PixelSize(width: 5, height: 5))
    }

    @Test func fittingKeepsTheAspectRatioAndNeverUpscalesByDefault() {
        let image = RGBImage(width: 400, height: 300)
        #expect(image.resized(toFit: 200, maxHeight: 200).size == PixelSize(width: 200, height: 150))
        #expect(image.resized(toFit: 1000, maxHeight: 90).size == PixelSize(width: 120, height: 90))
        #expect(image.resized(toFit: 800, maxHeight: 800).size == PixelSize(width: 400, height: 300))
        #expect(image.resized(toFit: 800, maxHeight: 800, allowUpscale: true).size == PixelSize(width: 800, height: 600))
        #expect(PixelSize(width: 10_000, height: 10).fitted(within: PixelSize(width: 100, height: 100)) == PixelSize(width: 100, height: 1))
        #expect(PixelSize(width: 3, height: 2).fitted(within: PixelSize(width: 0, height: 5)).isEmpty)
    }

    private func mean(_ pixels: [UInt8], channel: Int) -> Double {
        var sum = 0
        for index in stride(from: channel, to: pixels.count, by: 3) { sum += Int(pixels[index]) }
        return Double(sum) / Double(pixels.count / 3)
    }
}
