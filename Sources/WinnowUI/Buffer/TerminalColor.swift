import WinnowCore

/// A colour as a theme names it. The backend turns it into what the terminal can show.
public enum TerminalColor: Sendable, Hashable {
    /// The terminal's own foreground or background.
    case `default`
    case rgb(RGB)
    /// An index into the xterm 256-colour palette.
    case indexed(UInt8)
}

/// How many colours the terminal shows. Themes are written in 24-bit colour and degrade.
public enum ColorDepth: String, Sendable, CaseIterable {
    case truecolor
    case palette256 = "256"
    case palette8 = "8"
    /// No colour at all (`NO_COLOR`, or a terminal without colours): attributes only.
    case mono
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
        RGB(127, 127, 127), RGB(255, 0, 0), RGB(0, 255, 0), RGB(255, 255, 0), RGB(92, 92, 255), RGB(255, 0, 255), RGB(0, 255, 255), RGB(255, 255, 255),
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

    /// The nearest cube or grey entry (16–255; the system colours vary between terminals).
    public static func nearest(_ rgb: RGB) -> UInt8 {
        func level(_ v: UInt8) -> Int {
            let v = Int(v)
            if v < 48 { return 0 }
            if v < 115 { return 1 }
            return min(5, (v - 35) / 40)
        }
        let r = level(rgb.red), g = level(rgb.green), b = level(rgb.blue)
        let cube = UInt8(16 + 36 * r + 6 * g + b)
        let average = (Int(rgb.red) + Int(rgb.green) + Int(rgb.blue)) / 3
        let greyIndex = average > 238 ? 23 : max(0, (average - 3) / 10)
        let grey = UInt8(232 + greyIndex)
        return distance(rgb, self.rgb(of: grey)) < distance(rgb, self.rgb(of: cube)) ? grey : cube
    }

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
