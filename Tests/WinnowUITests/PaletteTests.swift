import Foundation
import Testing
import WinnowCore
@testable import WinnowUI

@Suite("256-colour half blocks keep hues")
struct PaletteTests {
    /// Hue angle (degrees) of a colour in CIELAB.
    func hue(_ lab: Lab) -> Double { atan2(lab.b, lab.a) * 180 / .pi }

    func hueDifference(_ x: Lab, _ y: Lab) -> Double {
        let d = abs(hue(x) - hue(y)).truncatingRemainder(dividingBy: 360)
        return min(d, 360 - d)
    }

    @Test("a green pentagon stays green, not grey; dark and muted colours keep their hue")
    func greensStayGreen() {
        // Greens of the sample's pentagons and dark, muted ones that RGB distance sent to grey.
        for green in [RGB(70, 110, 60), RGB(60, 90, 60), RGB(40, 120, 50), RGB(90, 140, 80), RGB(30, 70, 30)] {
            let index = Palette256.nearest(green)
            let shown = Palette256.rgb(of: index)
            #expect(index < 232, "\(green) became the grey \(shown)")
            #expect(shown.green > shown.red && shown.green > shown.blue, "\(green) became \(shown)")
        }
    }

    @Test("over many colours: a coloured pixel never turns grey, and its hue moves little")
    func huesKept() {
        var rng = SplitMix64(seed: 7)
        var shifts: [Double] = []
        for _ in 0..<5000 {
            let colour = RGB(UInt8(rng.next() % 256), UInt8(rng.next() % 256), UInt8(rng.next() % 256))
            let original = Lab(colour)
            guard original.chroma >= 20 else { continue }
            let shown = Lab(Palette256.rgb(of: Palette256.nearest(colour)))
            #expect(shown.chroma >= 8, "\(colour) lost its colour")
            // Very dark colours have no near hue in the cube (its first step is 95): judged by colour kept only.
            if original.chroma >= 25, original.l >= 25 { shifts.append(hueDifference(original, shown)) }
        }
        shifts.sort()
        #expect(shifts.last! < 40, "worst hue shift \(shifts.last!)°")
        #expect(shifts[shifts.count * 95 / 100] < 15, "95th percentile hue shift \(shifts[shifts.count * 95 / 100])°")
    }

    @Test("exact palette colours map to themselves; greys stay grey")
    func exactAndGrey() {
        for index in UInt8(16)...UInt8(255) {
            #expect(Palette256.rgb(of: Palette256.nearest(Palette256.rgb(of: index))) == Palette256.rgb(of: index))
        }
        for value in stride(from: 0, through: 255, by: 5) {
            let shown = Palette256.rgb(of: Palette256.nearest(RGB(UInt8(value), UInt8(value), UInt8(value))))
            #expect(shown.red == shown.green && shown.green == shown.blue, "grey \(value) became \(shown)")
        }
    }
}
