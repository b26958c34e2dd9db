import WinnowCore
import WinnowUI

/// An in-memory terminal for tests, after ratatui's `TestBackend`: it keeps the text it
/// was given (`cells`), the bytes written for pictures, and a log of every call in order,
/// so a test can assert on what a real terminal would have been sent. Rows reported as
/// rewritten are computed as for ncurses (`RowDamage`).
public final class TestScreen: TerminalScreen {
    /// One call, as the terminal would have seen it.
    public enum Event: Sendable, Hashable {
        /// A frame: the rows copied, and the rows reported as rewritten.
        case draw(changed: [Int], rewritten: [Int])
        /// Rows sent again in full, in order.
        case redraw(rows: [Int])
        case graphics([UInt8])
        case invalidate
        case stop
    }

    public private(set) var size: TerminalSize
    public var depth: ColorDepth
    /// What the screen shows as text.
    public private(set) var cells: CellBuffer
    /// Every call so far, oldest first (see `takeLog`).
    public private(set) var log: [Event] = []
    /// What `read` returns, first in first out; `.none` once empty.
    public var input: [ScreenInput] = []
    public private(set) var stopped = false
    private var damage = RowDamage()

    public init(size: TerminalSize, depth: ColorDepth = .truecolor) {
        self.size = size
        self.depth = depth
        cells = CellBuffer(size: size)
    }

    /// The terminal window changes size: `read` reports it next, as ncurses does.
    public func resize(to size: TerminalSize) {
        self.size = size
        cells = CellBuffer(size: size)
        input.append(.resized)
    }

    /// The log since the last call, then cleared: what one step of a test caused.
    public func takeLog() -> [Event] {
        defer { log = [] }
        return log
    }

    /// The picture bytes in `events`, each write separately.
    public static func graphics(in events: [Event]) -> [[UInt8]] {
        events.compactMap { if case .graphics(let bytes) = $0 { return bytes } else { return nil } }
    }

    /// The rows redrawn in full in `events`.
    public static func redrawnRows(in events: [Event]) -> Set<Int> {
        events.reduce(into: Set<Int>()) { rows, event in
            if case .redraw(let redrawn) = event { rows.formUnion(redrawn) }
        }
    }

    /// The text of row `y`, trailing blanks dropped.
    public func text(row y: Int) -> String {
        var line = ""
        for x in 0..<cells.size.columns where !cells[x, y].isContinuation { line += cells[x, y].text }
        while line.last == " " { line.removeLast() }
        return line
    }

    @discardableResult
    public func draw(_ buffer: CellBuffer) -> [Int] {
        let (changed, reach) = damage.update(to: buffer)
        cells = buffer
        log.append(.draw(changed: changed, rewritten: reach))
        return reach
    }

    public func redraw(rows: Set<Int>) { log.append(.redraw(rows: rows.sorted())) }

    public func invalidate() {
        damage.forget()
        log.append(.invalidate)
    }

    public func writeGraphics(_ bytes: [UInt8]) { log.append(.graphics(bytes)) }

    public func read() -> ScreenInput { input.isEmpty ? .none : input.removeFirst() }

    public func stop() {
        guard !stopped else { return }
        stopped = true
        log.append(.stop)
    }
}
