import WinnowCore
import WinnowUI

/// What the review runtime and the image layer need from a terminal: its size and colours,
/// text frames (cell buffers) copied to it, rows sent again in full, raw bytes for terminal
/// graphics written after the text, and keys read from it.
///
/// `NcursesScreen` is the terminal; `TestScreen` is an in-memory one that records what was
/// written, so the decisions taken above it (which rows are repainted, when a picture is
/// sent again) are tested without a terminal.
public protocol TerminalScreen: AnyObject {
    var size: TerminalSize { get }
    /// The colours text is drawn in.
    var depth: ColorDepth { get }
    /// Copies the rows that changed since the last draw and refreshes. Returns the rows the
    /// terminal may have rewritten (see `RowDamage`): a picture there is damaged.
    @discardableResult
    func draw(_ buffer: CellBuffer) -> [Int]
    /// Sends every cell of `rows` again (over any picture drawn on them) and refreshes.
    func redraw(rows: Set<Int>)
    /// Forgets what is on screen: the next `draw` repaints everything.
    func invalidate()
    /// Bytes for the terminal itself (sixel, kitty, iTerm2 images), written after the text
    /// of the last `draw` has reached it.
    func writeGraphics(_ bytes: [UInt8])
    /// The next key, a resize, or `.none` when nothing is waiting.
    func read() -> ScreenInput
    /// Restores the terminal. Safe to call twice.
    func stop()
}

/// What `TerminalScreen.read` returns.
public enum ScreenInput: Sendable, Hashable {
    case key(Key)
    case resized
    case none
}

/// The rows a terminal may rewrite when it is given a new frame: the rows whose cells
/// changed, or every row when ncurses may scroll a region of them (`ScrollGuess`), which
/// moves pixels through rows whose text did not change. Shared by both screens so the test
/// screen reports what ncurses would.
struct RowDamage {
    private var previous: CellBuffer?
    private var scrollGuess = ScrollGuess()

    /// The changed rows (to copy) and the rows the update may reach.
    mutating func update(to buffer: CellBuffer) -> (changed: [Int], reach: [Int]) {
        let rows = buffer.changedRows(since: previous)
        let reach = scrollGuess.mayScroll(buffer, changed: rows) ? Array(0..<buffer.size.rows) : rows
        previous = buffer
        return (rows, reach)
    }

    /// The next update counts every row as changed.
    mutating func forget() { previous = nil }
}
