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
///
/// Rows are compared by fingerprints kept from frame to frame: only the changed rows of a
/// frame are fingerprinted (a few microseconds per row), then equal fingerprints are
/// confirmed cell by cell.
struct ScrollGuess {
    private var previous: CellBuffer?
    private var fingerprints: [Row] = []

    struct Row: Equatable {
        var hash: Int
        /// Every cell the same (blank, or a bar): such a row matches too many others to
        /// anchor a move.
        var uniform: Bool
    }

    /// Call once per frame with the new buffer and its changed rows (in order).
    mutating func mayScroll(_ new: CellBuffer, changed: [Int]) -> Bool {
        defer { previous = new }
        guard let old = previous, old.size == new.size, fingerprints.count == new.size.rows else {
            fingerprints = (0..<new.size.rows).map { Self.fingerprint(new, row: $0) }
            return false
        }
        let oldFingerprints = fingerprints
        for y in changed { fingerprints[y] = Self.fingerprint(new, row: y) }
        guard !changed.isEmpty else { return false }
        var oldRows: [Int: [Int]] = [:]
        for (y, row) in oldFingerprints.enumerated() where !row.uniform { oldRows[row.hash, default: []].append(y) }
        let columns = new.size.columns
        for y in changed where !fingerprints[y].uniform {
            for j in oldRows[fingerprints[y].hash] ?? [] where j != y {
                if new.cells[(y * columns)..<((y + 1) * columns)] == old.cells[(j * columns)..<((j + 1) * columns)] { return true }
            }
        }
        return false
    }

    static func fingerprint(_ buffer: CellBuffer, row y: Int) -> Row {
        let columns = buffer.size.columns
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 // FNV-1a
        func mix(_ value: UInt64) { hash = (hash ^ value) &* 0x0000_0100_0000_01B3 }
        var uniform = true
        let first = columns > 0 ? buffer.cells[y * columns] : Cell()
        for x in 0..<columns {
            let cell = buffer.cells[y * columns + x]
            for byte in cell.text.utf8 { mix(UInt64(byte)) }
            mix(0xFF)
            mix(code(cell.style.foreground))
            mix(code(cell.style.background))
            mix(UInt64(cell.style.attributes.rawValue))
            if uniform, cell != first { uniform = false }
        }
        return Row(hash: Int(truncatingIfNeeded: hash), uniform: uniform)
    }

    static func code(_ color: TerminalColor) -> UInt64 {
        switch color {
        case .default: return 1 << 40
        case .indexed(let i): return 1 << 41 | UInt64(i)
        case .rgb(let c): return 1 << 42 | UInt64(c.red) << 16 | UInt64(c.green) << 8 | UInt64(c.blue)
        }
    }
}
