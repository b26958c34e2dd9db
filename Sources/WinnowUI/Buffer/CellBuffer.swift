import WinnowCore

/// One terminal cell.
public struct Cell: Sendable, Hashable {
    /// The grapheme cluster shown, or "" for the second column of a wide character.
    public var text: String
    public var style: CellStyle

    public init(text: String = " ", style: CellStyle = .plain) {
        self.text = text
        self.style = style
    }

    public static let blank = Cell()

    /// True for the cell a wide character on its left spills into.
    public var isContinuation: Bool { text.isEmpty }
}

/// A screen in memory: what the view draws and what the backend copies to the terminal.
///
/// Every text write goes through `TerminalText.sanitize`, so no dataset string can put an
/// escape sequence on the terminal whatever the view forgets. Writes are clipped to the
/// buffer (and to an optional width), and wide characters never straddle the clip edge.
public struct CellBuffer: Sendable, Equatable {
    public let size: TerminalSize
    public private(set) var cells: [Cell]

    public init(size: TerminalSize, fill: Cell = .blank) {
        self.size = TerminalSize(columns: max(0, size.columns), rows: max(0, size.rows))
        self.cells = Array(repeating: fill, count: self.size.columns * self.size.rows)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: size.columns, height: size.rows) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * size.columns + x] }
        set { cells[y * size.columns + x] = newValue }
    }

    public func contains(x: Int, y: Int) -> Bool { x >= 0 && y >= 0 && x < size.columns && y < size.rows }

    /// Fills `rect` (clipped) with `cell`.
    public mutating func fill(_ rect: Rect, with cell: Cell = .blank) {
        let r = rect.intersection(bounds)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { self[x, y] = cell }
        }
        repairEdges(of: r)
    }

    /// Fills `rect` with blanks of `style`.
    public mutating func fill(_ rect: Rect, style: CellStyle) { fill(rect, with: Cell(text: " ", style: style)) }

    /// Writes `text` on row `y` from column `x`, at most `maxWidth` columns (default: to the
    /// right edge). Text that does not fit is cut with "…" when `ellipsis` is set.
    /// Returns the column after the last one written.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, style: CellStyle = .plain, maxWidth: Int? = nil, ellipsis: Bool = true) -> Int {
        guard y >= 0, y < size.rows else { return x }
        let limit = min(size.columns, x + (maxWidth ?? size.columns))
        guard x < limit else { return x }
        let safe = TerminalText.sanitize(text)
        let shown = ellipsis ? DisplayWidth.truncate(safe, to: limit - max(x, 0)) : safe
        var column = x
        var lastWritten: Int?
        for character in shown {
            let width = DisplayWidth.of(character)
            if width == 0 {
                // A grapheme that occupies no column (a lone combining mark or format
                // character): attach it to the cell written just before, or drop it.
                if let last = lastWritten { self[last, y].text.append(character) }
                continue
            }
            if column + width > limit { break }
            if column >= 0 {
                breakWide(at: column, y: y)
                self[column, y] = Cell(text: String(character), style: style)
                lastWritten = column
                if width == 2 {
                    breakWide(at: column + 1, y: y)
                    self[column + 1, y] = Cell(text: "", style: style)
                }
            }
            column += width
        }
        // A wide character whose continuation we just overwrote must not be left half.
        if column < size.columns, column > 0 { repairContinuation(x: column, y: y) }
        return column
    }

    /// Writes `text` padded or cut to exactly `width` columns.
    public mutating func writePadded(_ text: String, x: Int, y: Int, width: Int, style: CellStyle = .plain) {
        fill(Rect(x: x, y: y, width: width, height: 1), style: style)
        write(text, x: x, y: y, style: style, maxWidth: width)
    }

    /// Overwriting half of a wide character leaves the other half as a blank.
    private mutating func breakWide(at x: Int, y: Int) {
        guard x >= 0, x < size.columns else { return }
        if self[x, y].isContinuation, x > 0 { self[x - 1, y] = Cell(text: " ", style: self[x - 1, y].style) }
        if x + 1 < size.columns, self[x + 1, y].isContinuation, !self[x, y].isContinuation, DisplayWidth.of(self[x, y].text) == 2 {
            self[x + 1, y] = Cell(text: " ", style: self[x + 1, y].style)
        }
    }

    private mutating func repairContinuation(x: Int, y: Int) {
        if self[x, y].isContinuation, x > 0, DisplayWidth.of(self[x - 1, y].text) != 2 {
            self[x, y] = Cell(text: " ", style: self[x, y].style)
        }
    }

    private mutating func repairEdges(of rect: Rect) {
        for y in rect.y..<rect.maxY {
            if rect.x > 0, DisplayWidth.of(self[rect.x - 1, y].text) == 2 { self[rect.x - 1, y].text = " " }
            if rect.maxX < size.columns, self[rect.maxX, y].isContinuation { self[rect.maxX, y].text = " " }
        }
    }

    /// Row `y` as plain text (for tests and logs), trailing spaces kept.
    public func text(row y: Int) -> String {
        var line = ""
        for x in 0..<size.columns where !self[x, y].isContinuation { line += self[x, y].text }
        return line
    }

    /// The whole screen as text, one line per row, trailing spaces trimmed.
    public var text: String {
        (0..<size.rows).map { row in
            var line = text(row: row)
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// The rows whose cells differ from `previous` (all rows when sizes differ).
    public func changedRows(since previous: CellBuffer?) -> [Int] {
        guard let previous, previous.size == size else { return Array(0..<size.rows) }
        let columns = size.columns
        return (0..<size.rows).filter { y in
            let start = y * columns
            return cells[start..<(start + columns)] != previous.cells[start..<(start + columns)]
        }
    }
}
