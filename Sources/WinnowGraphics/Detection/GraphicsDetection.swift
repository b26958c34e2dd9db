/// Everything detected about the terminal, and the decision made from it.
///
/// ``run(override:probeTerminal:timeout:devicePath:)`` is the one-call entry point for the
/// TUI (before ncurses starts) and for `winnow doctor`; the pieces it calls are public for
/// callers that need them apart.
public struct GraphicsDetection: Sendable {
    public var environment: TerminalEnvironment
    /// `allow-passthrough`, when inside tmux.
    public var tmuxPassthrough: TmuxPassthroughSetting?
    /// Where the pane starts in the outer terminal, when images pass through tmux.
    public var tmuxPaneOrigin: CellOffset?
    /// The raw probe, when the terminal was probed.
    public var probe: TerminalProbe.Result?
    public var replies: TerminalReplies
    public var capabilities: GraphicsCapabilities

    public init(
        environment: TerminalEnvironment, tmuxPassthrough: TmuxPassthroughSetting?, probe: TerminalProbe.Result?,
        override: GraphicsMode, tmuxPaneOrigin: CellOffset? = nil
    ) {
        var environment = environment
        self.tmuxPaneOrigin = tmuxPaneOrigin
        if let size = probe?.windowSize { environment.windowSize = size }
        self.environment = environment
        self.tmuxPassthrough = tmuxPassthrough
        self.probe = probe
        self.replies = probe?.replies ?? TerminalReplies()
        self.capabilities = GraphicsCapabilities.decide(
            environment: environment, replies: replies, probe: probe?.status ?? .notRun,
            tmuxPassthrough: tmuxPassthrough, override: override)
    }

    /// Detects the terminal: environment, tmux's passthrough setting, then the probe.
    ///
    /// - Parameters:
    ///   - probeTerminal: query the terminal. With `--graphics blocks` or `none` the TUI can
    ///     skip the up-to-`timeout` wait; `winnow doctor` always probes.
    ///   - timeout: how long to wait for the terminal's replies.
    public static func run(
        override: GraphicsMode = .auto, probeTerminal: Bool = true,
        timeout: Duration = .seconds(1), devicePath: String = "/dev/tty"
    ) -> GraphicsDetection {
        let environment = TerminalEnvironment.current()
        var passthrough: TmuxPassthroughSetting?
        if environment.isInsideTmux { passthrough = TmuxCommand.passthroughSetting() }
        var result: TerminalProbe.Result?
        if probeTerminal {
            let wrapping = queryWrapping(environment: environment, tmuxPassthrough: passthrough)
            // Unwrapped inside tmux, the queries reach tmux itself: it answers no kitty
            // query, and takes the APC for a pane title.
            let kittyQuery = !(environment.isInsideTmux && wrapping == .none)
            result = TerminalProbe(timeout: timeout).probe(
                devicePath: devicePath, queries: TerminalQueries.bytes(for: wrapping, kittyQuery: kittyQuery))
        }
        var detection = GraphicsDetection(environment: environment, tmuxPassthrough: passthrough, probe: result, override: override)
        if detection.capabilities.wrapping == .tmuxPassthrough { detection.tmuxPaneOrigin = TmuxCommand.paneOrigin() }
        return detection
    }

    /// How to frame the queries: through the multiplexer to the outer terminal when it can
    /// pass them; otherwise plainly, so that tmux itself answers (its version, for the report).
    public static func queryWrapping(environment: TerminalEnvironment, tmuxPassthrough: TmuxPassthroughSetting?) -> MultiplexerWrapping {
        switch (environment.isInsideTmux, environment.isInsideScreen) {
        case (true, false): return tmuxPassthrough == .enabled ? .tmuxPassthrough : .none
        case (false, true): return .screenPackets
        default: return .none
        }
    }
}
