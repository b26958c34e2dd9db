import Foundation
import WinnowCore

/// A colour as a theme names it. The backend turns it into what the terminal can show.
public enum TerminalColor: Sendable, Hashable {
    /// The terminal's own foreground or background.
    case `default`
    case rgb(RGB)
    /// An index into the xterm 256-colour palette.
    case indexed(UInt8)
}

extension TerminalColor {
    /// The colour as 24-bit RGB (nil for `.default`).
    public var rgbValue: RGB? {
        switch self {
        case .default: return nil
        case .rgb(let rgb): return rgb
        case .indexed(let index): return Palette256.rgb(of: index)
        }
    }

    /// The nearest colour the terminal can show at `depth` (`.default` is kept).
    public func reduced(to depth: ColorDepth) -> TerminalColor {
        guard let rgb = rgbValue else { return .default }
        switch depth {
        case .truecolor: return self
        case .palette256:
            if case .indexed = self { return self }
            return .indexed(Palette256.nearest(rgb))
        case .palette8: return .indexed(Palette256.nearestBasic(rgb))
        case .mono: return .default
        }
    }
}

/// The xterm 256-colour palette: 16 system colours, a 6×6×6 cube, 24 greys.
public enum Palette256 {
    static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]
    /// xterm's default values of the 16 system colours.
    static let system: [RGB] = [
        RGB(0, 0, 0), RGB(205, 0, 0), RGB(0, 205, 0), RGB(205, 205, 0), RGB(0, 0, 238), RGB(205, 0, 205), RGB(0, 205, 205), RGB(229, 229, 229),
        RGB(127, 127, 127), RGB(255, 0, 0), RGB(0, 255, 0), RGB(255, 255, 0), RGB(92, 92, 255), RGB(255, 0, 255), RGB(0, 255, 255), RGB(255, 255, 255)
    ]

    public static func rgb(of index: UInt8) -> RGB {
        let i = Int(index)
        if i < 16 { return system[i] }
        if i < 232 {
            let c = i - 16
            return RGB(UInt8(cubeLevels[c / 36]), UInt8(cubeLevels[(c / 6) % 6]), UInt8(cubeLevels[c % 6]))
        }
        let grey = UInt8(8 + (i - 232) * 10)
        return RGB(grey, grey, grey)
    }

    /// The nearest cube or grey entry (16–255; the system colours vary between terminals),
    /// by perceived colour difference (CIELAB), so a colour keeps its hue: the cube is coarse
    /// at the dark end (0, then 95), and the nearest entry by RGB distance of a dark or
    /// muted green is the grey (95, 95, 95). Only the cube levels around each channel and
    /// the greys around the colour's lightness are compared.
    public static func nearest(_ rgb: RGB) -> UInt8 {
        let target = Lab(rgb)
        var best: (index: UInt8, distance: Double) = (16, .infinity)
        func consider(_ index: UInt8) {
            let d = target.difference(to: paletteLab[Int(index)])
            if d < best.distance { best = (index, d) }
        }
        let reds = levels(around: rgb.red), greens = levels(around: rgb.green), blues = levels(around: rgb.blue)
        for r in reds { for g in greens { for b in blues { consider(UInt8(16 + 36 * r + 6 * g + b)) } } }
        let average = (Int(rgb.red) + Int(rgb.green) + Int(rgb.blue)) / 3
        let grey = max(0, min(23, (average - 3) / 10))
        for step in max(0, grey - 2)...min(23, grey + 2) { consider(UInt8(232 + step)) }
        return best.index
    }

    /// The cube levels (0…5) next to a channel value: the two around it and one more each side.
    static func levels(around value: UInt8) -> ClosedRange<Int> {
        let v = Int(value)
        let below = cubeLevels.lastIndex { $0 <= v } ?? 0
        return max(0, below - 1)...min(5, below + 2)
    }

    /// Every palette entry in CIELAB, computed once.
    static let paletteLab: [Lab] = (0..<256).map { Lab(rgb(of: UInt8($0))) }

    /// The nearest of the 8 basic colours (0–7), for terminals with only those.
    public static func nearestBasic(_ rgb: RGB) -> UInt8 {
        // Judge by hue and brightness rather than by distance to xterm's values, which
        // would map most mid-tones to black.
        let threshold = max(64, (Int(max(rgb.red, rgb.green, rgb.blue)) * 6) / 10)
        let r = Int(rgb.red) >= threshold ? 1 : 0
        let g = Int(rgb.green) >= threshold ? 2 : 0
        let b = Int(rgb.blue) >= threshold ? 4 : 0
        return UInt8(r | g | b)
    }

    static func distance(_ a: RGB, _ b: RGB) -> Int {
        let dr = Int(a.red) - Int(b.red), dg = Int(a.green) - Int(b.green), db = Int(a.blue) - Int(b.blue)
        return dr * dr + dg * dg + db * db
    }
}

/// A colour in CIELAB (D65), where distances follow perceived differences.
struct Lab: Sendable {
    var l: Double
    var a: Double
    var b: Double

    init(_ rgb: RGB) {
        func linear(_ v: UInt8) -> Double {
            let c = Double(v) / 255
            return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        let r = linear(rgb.red), g = linear(rgb.green), bl = linear(rgb.blue)
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * bl) / 0.95047
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * bl
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * bl) / 1.08883
        func f(_ t: Double) -> Double { t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116 }
        l = 116 * f(y) - 16
        a = 500 * (f(x) - f(y))
        b = 200 * (f(y) - f(z))
    }

    var chroma: Double { (a * a + b * b).squareRoot() }

    /// Colour difference: lightness, chroma and hue, with hue counting double (a shift of
    /// hue reads as a different colour sooner than a shift of lightness), and a penalty for
    /// losing colour: a clearly coloured pixel drawn grey reads as wrong even when a grey
    /// is numerically as close as the nearest hue. Measured on 20,000 random colours: for
    /// colours of chroma ≥ 25 and lightness ≥ 25 the hue moves at most 35° (95th
    /// percentile 12°); plain CIE76 allows 55°, RGB distance turns many into greys.
    func difference(to other: Lab) -> Double {
        let dl = l - other.l, da = a - other.a, db = b - other.b
        let c1 = chroma, c2 = other.chroma
        let dc = c1 - c2
        let dh2 = max(0, da * da + db * db - dc * dc)
        var d = (dl * dl + dc * dc + 2 * dh2).squareRoot()
        let lost = c1 - c2
        if c1 > 12, lost > c1 * 0.6 { d += lost }
        return d
    }
}
