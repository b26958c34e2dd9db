import WinnowCore

/// What a terminal said in answer to the capability queries, one field per query.
///
/// A nil field means "no answer": the terminal ignored the query, the reply was
/// malformed or cut off, or the probe gave up waiting. Strings are exactly what the
/// terminal sent; sanitise them before showing them (``DoctorReport`` does).
public struct TerminalReplies: Sendable, Equatable {
    /// Primary device attributes (DA1, `CSI ? Ps ; … c`): the sentinel every terminal answers.
    public var deviceAttributes: DeviceAttributes?
    /// XTVERSION (`DCS > | text ST`), e.g. `XTerm(379)` or `tmux 3.3a`.
    public var terminalVersion: String?
    /// The kitty graphics protocol's answer to a query action (`ESC _G i=31;OK ESC \`).
    public var kittyGraphics: KittyGraphicsReply?
    /// XTSMGRAPHICS item 1: the number of sixel colour registers.
    public var sixelColorRegisters: Int?
    /// XTSMGRAPHICS item 2: the largest sixel image the terminal will show.
    public var sixelMaxGeometry: PixelSize?
    /// `CSI 16 t`: one cell, in pixels.
    public var cellPixelSize: PixelSize?
    /// `CSI 14 t`: the text area, in pixels.
    public var textAreaPixelSize: PixelSize?
    /// DECRQM for mode 2026 (synchronized output).
    public var synchronizedOutput: ModeReport?

    public init(
        deviceAttributes: DeviceAttributes? = nil,
        terminalVersion: String? = nil,
        kittyGraphics: KittyGraphicsReply? = nil,
        sixelColorRegisters: Int? = nil,
        sixelMaxGeometry: PixelSize? = nil,
        cellPixelSize: PixelSize? = nil,
        textAreaPixelSize: PixelSize? = nil,
        synchronizedOutput: ModeReport? = nil
    ) {
        self.deviceAttributes = deviceAttributes
        self.terminalVersion = terminalVersion
        self.kittyGraphics = kittyGraphics
        self.sixelColorRegisters = sixelColorRegisters
        self.sixelMaxGeometry = sixelMaxGeometry
        self.cellPixelSize = cellPixelSize
        self.textAreaPixelSize = textAreaPixelSize
        self.synchronizedOutput = synchronizedOutput
    }

    /// The name part of ``terminalVersion``: `XTerm(379)` → `XTerm`, `tmux 3.3a` → `tmux`.
    public var terminalName: String? {
        guard let terminalVersion else { return nil }
        let name = terminalVersion.prefix { $0 != "(" && $0 != " " }
        return name.isEmpty ? nil : String(name)
    }
}

/// A DA1 reply: the conformance level first, then the attributes the terminal offers.
public struct DeviceAttributes: Sendable, Equatable {
    public var parameters: [Int]

    public init(parameters: [Int]) { self.parameters = parameters }

    /// 61–65 for VT220…VT525-class terminals; 1 for tmux and screen, which claim a VT100.
    public var conformanceLevel: Int? { parameters.first }

    public var attributes: ArraySlice<Int> { parameters.dropFirst() }

    /// True when the terminal claims sixel graphics: a VT2xx-or-later conformance level
    /// (61–65) with attribute 4. Answering XTSMGRAPHICS is not enough: xterm answers it
    /// even when built or started without sixel support.
    public var advertisesSixel: Bool {
        guard let level = conformanceLevel, (61...65).contains(level) else { return false }
        return attributes.contains(4)
    }
}

/// The kitty graphics protocol's reply to the probe's query.
public enum KittyGraphicsReply: Sendable, Equatable {
    case ok
    /// The terminal understood the protocol but refused the query, e.g. `ENOTSUPPORTED:…`.
    case error(String)
}

/// A DECRQM mode report (`CSI ? mode ; value $ y`).
public enum ModeReport: Int, Sendable, Equatable {
    case notRecognized = 0
    case set = 1
    case reset = 2
    case permanentlySet = 3
    case permanentlyReset = 4

    /// True when the terminal knows the mode and can switch it on.
    public var isSupported: Bool { self == .set || self == .reset || self == .permanentlySet }
}
