#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WinnowCore

/// The environment variables and window size that say what terminal we run in.
///
/// Variables are hints only: most are not forwarded over SSH, and inside a multiplexer
/// `TERM` and `TERM_PROGRAM` describe the multiplexer, not the terminal. The replies to
/// the probe's queries carry more weight; see ``GraphicsCapabilities``.
public struct TerminalEnvironment: Sendable, Equatable {
    public var term: String?
    public var termProgram: String?
    public var termProgramVersion: String?
    /// `truecolor` or `24bit` when the terminal takes 24-bit colours.
    public var colorTerm: String?
    /// Set by iTerm2 and forwarded by OpenSSH's default `SendEnv LC_*`.
    public var lcTerminal: String?
    /// Set inside tmux (socket path, server pid, session).
    public var tmux: String?
    /// Set inside GNU screen (the session name).
    public var screenSession: String?
    public var kittyWindowID: String?
    public var weztermExecutable: String?
    public var windowsTerminalSession: String?
    /// https://no-color.org: when set and not empty, text must not be coloured.
    public var noColor: String?
    public var sshConnection: String?
    public var sshTTY: String?
    /// The kernel's window size (TIOCGWINSZ), including the pixel size when the
    /// terminal reports it (it travels over SSH).
    public var windowSize: WindowSize?

    public init(
        term: String? = nil, termProgram: String? = nil, termProgramVersion: String? = nil,
        colorTerm: String? = nil, lcTerminal: String? = nil, tmux: String? = nil,
        screenSession: String? = nil, kittyWindowID: String? = nil, weztermExecutable: String? = nil,
        windowsTerminalSession: String? = nil, noColor: String? = nil,
        sshConnection: String? = nil, sshTTY: String? = nil, windowSize: WindowSize? = nil
    ) {
        self.term = term
        self.termProgram = termProgram
        self.termProgramVersion = termProgramVersion
        self.colorTerm = colorTerm
        self.lcTerminal = lcTerminal
        self.tmux = tmux
        self.screenSession = screenSession
        self.kittyWindowID = kittyWindowID
        self.weztermExecutable = weztermExecutable
        self.windowsTerminalSession = windowsTerminalSession
        self.noColor = noColor
        self.sshConnection = sshConnection
        self.sshTTY = sshTTY
        self.windowSize = windowSize
    }

    /// The environment from a dictionary of variables (as `ProcessInfo` or a test gives it).
    public init(variables: [String: String], windowSize: WindowSize? = nil) {
        func value(_ name: String) -> String? { variables[name] }
        self.init(
            term: value("TERM"), termProgram: value("TERM_PROGRAM"),
            termProgramVersion: value("TERM_PROGRAM_VERSION"), colorTerm: value("COLORTERM"),
            lcTerminal: value("LC_TERMINAL"), tmux: value("TMUX"), screenSession: value("STY"),
            kittyWindowID: value("KITTY_WINDOW_ID"), weztermExecutable: value("WEZTERM_EXECUTABLE"),
            windowsTerminalSession: value("WT_SESSION"), noColor: value("NO_COLOR"),
            sshConnection: value("SSH_CONNECTION"), sshTTY: value("SSH_TTY"), windowSize: windowSize)
    }

    /// This process's environment, with the window size of `fileDescriptor` (when it is a terminal).
    public static func current(windowSizeOf fileDescriptor: Int32 = STDOUT_FILENO) -> TerminalEnvironment {
        var variables: [String: String] = [:]
        for name in Self.variableNames {
            if let raw = getenv(name) { variables[name] = String(cString: raw) }
        }
        return TerminalEnvironment(variables: variables, windowSize: WindowSize.read(from: fileDescriptor))
    }

    /// The variables ``current(windowSizeOf:)`` reads.
    public static let variableNames = [
        "TERM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "COLORTERM", "LC_TERMINAL", "TMUX", "STY",
        "KITTY_WINDOW_ID", "WEZTERM_EXECUTABLE", "WT_SESSION", "NO_COLOR", "SSH_CONNECTION", "SSH_TTY"
    ]

    public var isInsideTmux: Bool { !(tmux ?? "").isEmpty }
    public var isInsideScreen: Bool { !(screenSession ?? "").isEmpty }
    public var isOverSSH: Bool { !(sshConnection ?? "").isEmpty || !(sshTTY ?? "").isEmpty }
    /// NO_COLOR counts only when set to a non-empty value.
    public var forbidsColor: Bool { !(noColor ?? "").isEmpty }
}

/// The terminal's size as the kernel knows it (`struct winsize`).
public struct WindowSize: Sendable, Hashable {
    public var rows: Int
    public var columns: Int
    /// The text area in pixels; zero when the terminal does not report it.
    public var pixelWidth: Int
    public var pixelHeight: Int

    public init(rows: Int, columns: Int, pixelWidth: Int = 0, pixelHeight: Int = 0) {
        self.rows = rows
        self.columns = columns
        self.pixelWidth = pixelWidth
        self.pixelHeight = pixelHeight
    }

    /// TIOCGWINSZ on `fileDescriptor`, or nil when it is not a terminal.
    public static func read(from fileDescriptor: Int32) -> WindowSize? {
        var size = winsize()
        guard ioctl(fileDescriptor, UInt(TIOCGWINSZ), &size) == 0 else { return nil }
        return WindowSize(
            rows: Int(size.ws_row), columns: Int(size.ws_col),
            pixelWidth: Int(size.ws_xpixel), pixelHeight: Int(size.ws_ypixel))
    }

    /// One cell in pixels, when the pixel size is reported and gives a believable cell
    /// (some terminals and old SSH servers report 0, others a stale or bogus size).
    public var plausibleCellSize: PixelSize? {
        guard rows > 0, columns > 0, pixelWidth > 0, pixelHeight > 0 else { return nil }
        return CellSizePlausibility.check(PixelSize(width: pixelWidth / columns, height: pixelHeight / rows))
    }
}

enum CellSizePlausibility {
    /// Cells from 2×4 to 200×400 pixels: anything outside is a bogus report.
    static func check(_ size: PixelSize) -> PixelSize? {
        (2...200).contains(size.width) && (4...400).contains(size.height) ? size : nil
    }
}
