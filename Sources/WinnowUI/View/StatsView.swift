import WinnowCore

/// Progress, decisions, flag precision and reviewer agreement, as small bar charts. Taller
/// than most screens once reviewers overlap: it scrolls (j/k, PgDn/PgUp), and any other
/// key goes back to the review.
enum StatsView {
    static func draw(_ state: AppState, into buffer: inout CellBuffer, _ body: Rect) {
        let theme = state.theme
        var block = TextBlock(width: body.width - 2)
        block.add(.init("Statistics", theme.heading))
        guard let stats = state.stats else {
            block.add(.init("counting…", theme.dim))
            block.draw(into: &buffer, body.inset(by: 1))
            return
        }
        let labelWidth = min(28, stats.sections.flatMap { $0.bars.map { DisplayWidth.of($0.label) } }.max() ?? 10)
        let barWidth = max(4, min(30, body.width - labelWidth - 20))
        for section in stats.sections {
            block.blank()
            block.add(.init(section.title, theme.heading))
            for note in section.notes { block.add(.init(" " + note, theme.dim)) }
            if section.bars.isEmpty && section.notes.isEmpty { block.add(.init(" none yet", theme.dim)) }
            for entry in section.bars {
                block.add(
                    .init(" " + DisplayWidth.fit(entry.label, to: labelWidth) + " ", theme.text),
                    .init(DisplayWidth.fit(bar(entry.value, width: barWidth), to: barWidth), theme.accent),
                    .init(" " + entry.text, theme.text))
            }
        }
        let rect = Rect(x: body.x + 1, y: body.y, width: body.width - 2, height: body.height)
        let scroll = maxScroll(lines: block.lines.count, height: rect.height, state.statsScroll)
        if block.lines.count > rect.height, rect.height > 1 {
            // The last row tells there is more, and how to get to it.
            let hint =
                scroll + rect.height - 1 < block.lines.count
                ? "\(state.keyMap.hint(.next))/\(state.keyMap.hint(.previous)) scroll · more below"
                : "\(state.keyMap.hint(.previous)) scrolls back up"
            block.draw(into: &buffer, Rect(x: rect.x, y: rect.y, width: rect.width, height: rect.height - 1), scroll: scroll)
            buffer.write(hint, x: rect.x, y: rect.maxY - 1, style: theme.dim, maxWidth: rect.width)
        } else {
            block.draw(into: &buffer, rect, scroll: scroll)
        }
    }

    /// `wanted` scroll, kept so the last line stays on screen (one row is the hint).
    static func maxScroll(lines: Int, height: Int, _ wanted: Int) -> Int {
        max(0, min(wanted, lines - (height - 1)))
    }
}
