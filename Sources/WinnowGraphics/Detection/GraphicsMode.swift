/// The `--graphics` setting: detect (`auto`) or force one way of showing images.
public enum GraphicsMode: String, Sendable, Hashable, CaseIterable {
    case auto, kitty, sixel, iterm, blocks, none
}

/// How images are drawn on the terminal.
public enum ImageProtocol: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The kitty graphics protocol (APC `ESC _G … ESC \`).
    case kitty
    /// DEC sixel graphics (DCS `ESC P … q … ESC \`).
    case sixel
    /// iTerm2 inline images (OSC 1337 `File=…`), also understood by WezTerm.
    case iterm
    /// Unicode upper half blocks with foreground and background colours: two pixels a
    /// cell, works everywhere colours do. Drawn by the TUI itself.
    case blocks
    /// No images at all.
    case none

    public var description: String {
        switch self {
        case .kitty: return "kitty graphics protocol"
        case .sixel: return "sixel"
        case .iterm: return "iTerm2 inline images"
        case .blocks: return "Unicode half blocks"
        case .none: return "no images"
        }
    }

    /// True for the protocols an encoder in this module produces bytes for.
    public var isPixelProtocol: Bool { self == .kitty || self == .sixel || self == .iterm }
}
