import WinnowUI

/// Whether ncurses' next update may scroll a region of rows.
///
/// ncurses moves text that moved up or down with a scrolling region (change_scroll_region
/// plus index / reverse index) instead of rewriting it, and cannot be told not to (idlok
/// only stops insert/delete line). A terminal scrolls image pixels with the text, and the
/// region grows over unchanged rows around the moved ones (blank rows match blank rows), so
/// pixels end up in rows nobody rewrites. ncurses only scrolls when a changed row's new
/// text is an old row's text elsewhere (its hash map anchors on such lines): when no changed
/// row has that, it cannot scroll.
enum ScrollGuess {
    static func mayScroll(_ new: CellBuffer, since old: CellBuffer?, changed: [Int]) -> Bool {
        guard let old, old.size == new.size, !changed.isEmpty else { return false }
        let columns = new.size.columns
        func row(_ buffer: CellBuffer, _ y: Int) -> ArraySlice<Cell> { buffer.cells[(y * columns)..<((y + 1) * columns)] }
        // A uniform row (blank, or a bar) matches too many others to anchor a move.
        func uniform(_ cells: ArraySlice<Cell>) -> Bool { cells.allSatisfy { $0 == cells.first } }
        var oldRows: [ArraySlice<Cell>: [Int]] = [:]
        for y in 0..<old.size.rows {
            let cells = row(old, y)
            if !uniform(cells) { oldRows[cells, default: []].append(y) }
        }
        for y in changed {
            let cells = row(new, y)
            if uniform(cells) { continue }
            if let found = oldRows[cells], found.contains(where: { $0 != y }) { return true }
        }
        return false
    }
}
