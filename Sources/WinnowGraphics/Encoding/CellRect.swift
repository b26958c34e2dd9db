/// A rectangle of terminal cells, zero-based (row 0 is the top line, column 0 the left edge).
///
/// The TUI reserves such rectangles for images: ncurses never writes into them, and the
/// encoders never draw outside them.
public struct CellRect: Sendable, Hashable, CustomStringConvertible {
    public var row: Int
    public var column: Int
    public var rows: Int
    public var columns: Int

    public init(row: Int, column: Int, rows: Int, columns: Int) {
        self.row = row
        self.column = column
        self.rows = rows
        self.columns = columns
    }

    public var isEmpty: Bool { rows <= 0 || columns <= 0 }

    /// The row just below the rectangle.
    public var endRow: Int { row + rows }

    public var description: String { "\(columns)×\(rows) cells at row \(row), column \(column)" }

    /// The smallest rectangle that holds both.
    public func union(_ other: CellRect) -> CellRect {
        if isEmpty { return other }
        if other.isEmpty { return self }
        let top = min(row, other.row), left = min(column, other.column)
        let bottom = max(row + rows, other.row + other.rows), right = max(column + columns, other.column + other.columns)
        return CellRect(row: top, column: left, rows: bottom - top, columns: right - left)
    }

    /// The rectangle without any row at or below `screenRows - 1`.
    ///
    /// An image whose last sixel band touches the bottom screen row makes xterm scroll the
    /// whole screen by a line, so images never use the last row.
    public func keepingOffLastRow(screenRows: Int) -> CellRect {
        var trimmed = self
        let lastUsableRow = screenRows - 2
        if trimmed.row + trimmed.rows - 1 > lastUsableRow {
            trimmed.rows = max(0, lastUsableRow - trimmed.row + 1)
        }
        return trimmed
    }
}
