import WinnowCore

/// A position in cells: where a tmux pane starts inside the outer terminal.
public struct CellOffset: Sendable, Hashable {
    public var row: Int
    public var column: Int

    public init(row: Int, column: Int) {
        self.row = row
        self.column = column
    }

    public static let zero = CellOffset(row: 0, column: 0)
}

/// Puts image sequences at a cell without disturbing the TUI's cursor.
///
/// After ncurses has flushed a frame: save the cursor (`ESC 7`), move (`CSI row;col H`),
/// the image, restore (`ESC 8`), all in one write. Inside tmux the whole frame travels in
/// the passthrough: tmux moves the outer terminal's cursor lazily, so a move written to
/// tmux is not guaranteed to have reached the outer terminal when the passthrough does.
/// The move is then in outer-terminal coordinates, hence `origin` (the pane's position).
enum CursorFraming {
    static let saveCursor: [UInt8] = [0x1B, UInt8(ascii: "7")]
    static let restoreCursor: [UInt8] = [0x1B, UInt8(ascii: "8")]

    /// `CSI row;column H`, one-based.
    static func moveCursor(row: Int, column: Int) -> [UInt8] {
        [0x1B, UInt8(ascii: "[")] + Array("\(row + 1);\(column + 1)H".utf8)
    }

    /// The framed pieces, each to be written as is (together, in one write). Inside tmux
    /// each piece is one passthrough DCS, so a long kitty image never makes one DCS over
    /// tmux's limit.
    static func pieces(_ sequences: [[UInt8]], at cells: Rect, origin: CellOffset, wrapping: MultiplexerWrapping) -> [[UInt8]] {
        guard !sequences.isEmpty else { return [] }
        let prefix = saveCursor + moveCursor(row: origin.row + cells.y, column: origin.column + cells.x)
        switch wrapping {
        case .none:
            return [prefix + sequences.joined() + restoreCursor]
        case .screenPackets:
            return [MultiplexerWrapping.screenPackets(prefix + sequences.joined() + restoreCursor)]
        case .tmuxPassthrough:
            return sequences.indices.map { index in
                var piece = sequences[index]
                if index == sequences.startIndex { piece = prefix + piece }
                if index == sequences.index(before: sequences.endIndex) { piece += restoreCursor }
                return MultiplexerWrapping.tmuxPassthrough(piece)
            }
        }
    }
}
