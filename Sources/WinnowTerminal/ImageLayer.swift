import WinnowUI

/// Puts pictures into the rectangles a frame reserves. Implementations decode and encode
/// in the background and post `.imageReady` / `.imageFailed` when done.
public protocol ImageLayer: AnyObject {
    func start(inbox: Inbox, source: any ReviewDataSource)
    /// Before the frame's text is drawn: cell-based pictures (half blocks) go into the buffer.
    func prepare(_ frame: inout Frame)
    /// After the screen has drawn the frame's text: terminal graphics are written over it.
    /// `rewrittenRows`: the rows the screen has just written (all of them after a clear).
    func present(_ frame: Frame, rewrittenRows: [Int], screen: any TerminalScreen)
    /// Decode these items' images ahead of time, at the size the review screen uses.
    func prefetch(items: [Int], state: AppState)
    /// The screen was cleared: every picture must be sent again.
    func invalidate()
    /// Fewer colours for less data; returns what changed, for the status line.
    func lowerQuality() -> String
    /// More colours again (up to what the terminal and `--colors` allow); returns what changed.
    func raiseQuality() -> String
    /// Ends the session's graphics (kitty's images are deleted) before the screen stops.
    func stop(screen: any TerminalScreen)
}

/// `--graphics none`: no pictures.
public final class NoImageLayer: ImageLayer {
    public init() {}
    public func start(inbox: Inbox, source: any ReviewDataSource) {}
    public func prepare(_ frame: inout Frame) {}
    public func present(_ frame: Frame, rewrittenRows: [Int], screen: any TerminalScreen) {}
    public func prefetch(items: [Int], state: AppState) {}
    public func invalidate() {}
    public func lowerQuality() -> String { "images are off" }
    public func raiseQuality() -> String { "images are off" }
    public func stop(screen: any TerminalScreen) {}
}
