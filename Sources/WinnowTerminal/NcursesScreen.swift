import CNcursesw
import Foundation
import WinnowCore
import WinnowUI

/// The ncurses edge: copies changed rows of a `CellBuffer` to the terminal and reads keys.
/// Everything here runs on the UI thread; ncurses is not thread-safe.
public final class NcursesScreen: TerminalScreen {
    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    private var screen: OpaquePointer?
    /// ncurses' own streams on duplicates of stdout and stdin.
    private var output: UnsafeMutablePointer<FILE>?
    private var input: UnsafeMutablePointer<FILE>?
    private var pairs: [PairKey: Int32] = [:]
    private var nextPair: Int32 = 1
    private var damage = RowDamage()
    public let depth: ColorDepth

    private struct PairKey: Hashable {
        var foreground: Int32
        var background: Int32
    }

    /// Starts ncurses on the process's terminal. Throws (instead of exiting, as
    /// `initscr` would) when TERM is unknown.
    init(noColor: Bool) throws {
        setlocale(LC_ALL, "")
        guard isatty(0) == 1, isatty(1) == 1 else {
            throw StartError(
                description:
                    "the review screen needs a terminal (stdin and stdout are not one)\n    fix: run winnow review in a terminal, or use winnow queue / winnow decide in scripts"
            )
        }
        let environment = ProcessInfo.processInfo.environment
        let term = environment["TERM"] ?? ""
        guard let output = fdopen(dup(1), "w"), let input = fdopen(dup(0), "r") else {
            throw StartError(description: "cannot open the terminal")
        }
        guard let (screen, colors) = Self.open(term: term, colorTerm: environment["COLORTERM"], noColor: noColor, output: output, input: input) else {
            throw StartError(
                description:
                    "the terminal type \"\(TerminalText.sanitize(term))\" is unknown to ncurses\n    fix: export TERM=xterm-256color (or install ncurses-term)"
            )
        }
        self.screen = screen
        self.output = output
        self.input = input
        depth = colors.depth
        raw()
        noecho()
        nonl()
        keypad(winnow_stdscr(), true)
        // No insert/delete line: it would shift image pixels with the text. (Scrolling
        // regions cannot be turned off this way; `draw` reports when ncurses may use one.)
        idlok(winnow_stdscr(), false)
        nodelay(winnow_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
    }

    deinit { stop() }

    /// Starts ncurses on `output`/`input` with the first terminfo description it knows of
    /// those `ScreenColorRule` lists, makes it current and sets up its colours: the screen
    /// does this on the terminal, `ScreenColors.detect` on /dev/null. Nil when ncurses knows
    /// none of them.
    static func open(
        term: String, colorTerm: String?, noColor: Bool,
        output: UnsafeMutablePointer<FILE>, input: UnsafeMutablePointer<FILE>
    ) -> (OpaquePointer, ScreenColors)? {
        var opened: (screen: OpaquePointer, description: String)?
        for candidate in ScreenColorRule.descriptions(term: term, colorTerm: colorTerm, noColor: noColor) where opened == nil {
            if let screen = newterm(candidate.isEmpty ? nil : candidate, output, input) { opened = (screen, candidate) }
        }
        guard let opened else { return nil }
        set_term(opened.screen)
        let hasColors = !noColor && has_colors()
        if hasColors {
            start_color()
            use_default_colors()
        }
        let colors = Int(hasColors ? winnow_colors() : 0)
        let depth = ScreenColorRule.depth(noColor: noColor, hasColors: hasColors, colors: colors)
        return (opened.screen, ScreenColors(depth: depth, description: opened.description, colors: colors, noColor: noColor))
    }

    /// Ends ncurses and restores the terminal. Safe to call twice.
    public func stop() {
        guard screen != nil else { return }
        endwin()
        // The terminal must be back on the main screen before anything else is printed:
        // flush ncurses' stream now rather than whenever the process exits.
        if let output { fflush(output) }
        delscreen(screen)
        screen = nil
        if let output { fclose(output) }
        if let input { fclose(input) }
        output = nil
        input = nil
    }

    public var size: TerminalSize { TerminalSize(columns: Int(winnow_cols()), rows: Int(winnow_lines())) }

    /// Forgets what is on screen: the next `draw` repaints everything.
    public func invalidate() {
        damage.forget()
        clearok(winnow_stdscr(), true)
    }

    /// Makes ncurses send every cell of `rows` again at the next refresh, and refreshes:
    /// `wredrawln` forgets what those lines show (unlike `wtouchln`, after which ncurses
    /// still skips cells it believes are unchanged), which is what removes an image drawn
    /// over them behind its back.
    public func redraw(rows: Set<Int>) {
        for run in Self.runs(of: rows) {
            wredrawln(winnow_stdscr(), Int32(run.lowerBound), Int32(run.count))
        }
        wnoutrefresh(winnow_stdscr())
        doupdate()
    }

    /// Consecutive runs of `rows`, in order.
    static func runs(of rows: Set<Int>) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        for row in rows.sorted() {
            if let last = runs.last, last.upperBound == row {
                runs[runs.count - 1] = last.lowerBound..<(row + 1)
            } else {
                runs.append(row..<(row + 1))
            }
        }
        return runs
    }

    /// Copies the rows that changed since the last draw, then refreshes. Returns the rows
    /// ncurses may have rewritten (the image layer needs them: a picture there is damaged):
    /// the changed rows, or every row when its update may scroll a region of rows
    /// (`ScrollGuess`), which moves pixels through rows whose text did not change.
    @discardableResult
    public func draw(_ buffer: CellBuffer) -> [Int] {
        let (rows, reach) = damage.update(to: buffer)
        for y in rows {
            for x in 0..<buffer.size.columns {
                let cell = buffer[x, y]
                if cell.isContinuation { continue }
                put(cell, x: x, y: y)
            }
        }
        wnoutrefresh(winnow_stdscr())
        doupdate()
        return reach
    }

    private func put(_ cell: Cell, x: Int, y: Int) {
        var attributes = winnow_a_normal()
        let a = cell.style.attributes
        if a.contains(.bold) { attributes |= winnow_a_bold() }
        if a.contains(.dim) { attributes |= winnow_a_dim() }
        if a.contains(.underline) { attributes |= winnow_a_underline() }
        if a.contains(.reverse) { attributes |= winnow_a_reverse() }
        if a.contains(.italic) { attributes |= winnow_a_italic() }
        var pair: Int32 = 0
        if depth != .mono {
            pair = self.pair(foreground: index(cell.style.foreground), background: index(cell.style.background))
        } else if cell.style.background != .default, !a.contains(.reverse) {
            // Without colours a coloured background (selection bars) becomes reverse video.
            attributes |= winnow_a_reverse()
        }
        var chars = cell.text.unicodeScalars.prefix(4).map { wchar_t(bitPattern: $0.value) }
        if chars.isEmpty { chars = [wchar_t(32)] }
        chars.append(0)
        _ = chars.withUnsafeBufferPointer { winnow_put_cell(Int32(y), Int32(x), $0.baseAddress, attributes, pair) }
    }

    private func index(_ color: TerminalColor) -> Int32 {
        switch color.reduced(to: depth) {
        case .default: return -1
        // With direct colour, numbers from 8 up are RGB values: palette colours become theirs.
        case .indexed(let i): return depth == .truecolor && i >= 8 ? Self.direct(Palette256.rgb(of: i)) : Int32(i)
        case .rgb(let rgb): return depth == .truecolor ? Self.direct(rgb) : Int32(Palette256.nearest(rgb))
        }
    }

    /// An RGB colour as a direct-colour number (the few below 8 would be ANSI colours: the
    /// nearest non-ambiguous value is used instead).
    static func direct(_ rgb: RGB) -> Int32 {
        max(8, Int32(rgb.red) << 16 | Int32(rgb.green) << 8 | Int32(rgb.blue))
    }

    private func pair(foreground: Int32, background: Int32) -> Int32 {
        if foreground == -1 && background == -1 { return 0 }
        // Millions of colours do not fit a pair table: ncurses recycles the oldest pairs.
        if depth == .truecolor { return max(0, winnow_alloc_pair(foreground, background)) }
        let key = PairKey(foreground: foreground, background: background)
        if let pair = pairs[key] { return pair }
        guard nextPair < winnow_color_pairs() else { return 0 }
        let pair = nextPair
        nextPair += 1
        winnow_init_extended_pair(pair, foreground, background)
        pairs[key] = pair
        return pair
    }

    /// Written straight to the terminal after ncurses' own buffered output (`doupdate` has
    /// flushed it), on the same descriptor, so the picture lands over the text just drawn.
    public func writeGraphics(_ bytes: [UInt8]) {
        guard let output else { return }
        fflush(output)
        let descriptor = fileno(output)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR || errno == EAGAIN { continue } else { return } }
                offset += n
            }
        }
    }

    /// The next key, or `.none` when none is waiting. `KEY_RESIZE` comes back as `.resized`.
    public func read() -> ScreenInput {
        var character: wint_t = 0
        let result = get_wch(&character)
        if result == ERR { return .none }
        if result == KEY_CODE_YES && Int32(character) == KEY_RESIZE { return .resized }
        guard let key = KeyDecoder.key(code: UInt32(character), isFunctionKey: result == KEY_CODE_YES) else { return read() }
        return .key(key)
    }
}
