import WinnowCore

/// The colours of the review screen, by role. Loaded from a theme file (`Themes/*.toml`).
public struct Theme: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable {
        case background, text, dim, accent, selection, success, warning, error
    }

    /// Why an item was flagged; each reason gets its own colour so the eye finds it.
    public typealias ReasonKind = FlagKind

    public var name: String
    public var roles: [Role: TerminalColor]
    public var reasons: [ReasonKind: TerminalColor]

    public init(name: String, roles: [Role: TerminalColor], reasons: [ReasonKind: TerminalColor]) {
        self.name = name
        self.roles = roles
        self.reasons = reasons
    }

    public func color(_ role: Role) -> TerminalColor { roles[role] ?? .default }
    public func color(_ reason: ReasonKind) -> TerminalColor {
        reasons[reason] ?? reason.colourFallback.flatMap { reasons[$0] } ?? color(.accent)
    }

    // Styles the views use.
    public var text: CellStyle { CellStyle(foreground: color(.text), background: color(.background)) }
    public var dim: CellStyle { CellStyle(foreground: color(.dim), background: color(.background)) }
    public var accent: CellStyle { CellStyle(foreground: color(.accent), background: color(.background)) }
    public var heading: CellStyle { accent.with(.bold) }
    public var selected: CellStyle { CellStyle(foreground: color(.text), background: color(.selection), attributes: .bold) }
    public var success: CellStyle { CellStyle(foreground: color(.success), background: color(.background)) }
    public var warning: CellStyle { CellStyle(foreground: color(.warning), background: color(.background)) }
    public var error: CellStyle { CellStyle(foreground: color(.error), background: color(.background), attributes: .bold) }
    public func style(_ reason: ReasonKind) -> CellStyle { CellStyle(foreground: color(reason), background: color(.background)) }

    /// The theme with every colour reduced to what the terminal shows. In `.mono` only
    /// attributes remain, so the selection becomes reverse video.
    public func reduced(to depth: ColorDepth) -> Theme {
        var copy = self
        copy.roles = roles.mapValues { $0.reduced(to: depth) }
        copy.reasons = reasons.mapValues { $0.reduced(to: depth) }
        return copy
    }

    /// The theme used when nothing else is chosen and no theme file can be read: the
    /// bundled `default.toml` has the same colours.
    public static let builtIn = Theme(
        name: "default",
        roles: [
            .background: .default, .text: .default, .dim: .rgb(RGB(0x80, 0x80, 0x80)),
            .accent: .rgb(RGB(0x5f, 0xaf, 0xff)), .selection: .rgb(RGB(0x30, 0x3a, 0x4a)), .success: .rgb(RGB(0x87, 0xd7, 0x87)),
            .warning: .rgb(RGB(0xff, 0xd7, 0x5f)), .error: .rgb(RGB(0xff, 0x5f, 0x5f))
        ],
        reasons: [
            .labelIssue: .rgb(RGB(0xff, 0x87, 0x87)), .confidentLearning: .rgb(RGB(0xff, 0xaf, 0x5f)),
            .lowConfidence: .rgb(RGB(0xd7, 0xaf, 0x5f)), .disagreement: .rgb(RGB(0xaf, 0x87, 0xff)),
            .badComponent: .rgb(RGB(0xff, 0x5f, 0xaf)), .duplicate: .rgb(RGB(0x5f, 0xd7, 0xd7)),
            .outlier: .rgb(RGB(0x87, 0xaf, 0xaf)), .problem: .rgb(RGB(0xff, 0x5f, 0x5f)), .audit: .rgb(RGB(0xa8, 0xa8, 0xa8))
        ])

    /// No colours at all (`NO_COLOR`): emphasis by attributes only.
    public static let noColor = Theme(name: "no-color", roles: [:], reasons: [:])
}
