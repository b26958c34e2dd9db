import WinnowCore

/// Renders the state into a frame. Pure: the same state always gives the same frame.
public enum View {
    /// Below this the layout cannot work; a short message is shown instead.
    public static let minimumSize = TerminalSize(columns: 30, rows: 8)

    public static func render(_ state: AppState) -> Frame {
        var buffer = CellBuffer(size: state.size, fill: Cell(text: " ", style: state.theme.text))
        let size = state.size
        guard size.columns >= minimumSize.columns, size.rows >= minimumSize.rows else {
            tooSmall(state, &buffer)
            return Frame(buffer: buffer)
        }
        var images: [ImagePlacement] = []
        let bounds = buffer.bounds
        let (header, rest) = bounds.splitTop(1)
        let (body, footer) = rest.splitBottom(2)
        Chrome.header(state, into: &buffer, header)
        Chrome.footer(state, into: &buffer, footer)
        switch state.screen {
        case .review, .opened: images = ReviewView.draw(state, into: &buffer, body)
        case .zoom: images = ReviewView.drawZoom(state, into: &buffer, body)
        case .component, .similar: images = GridView.draw(state, into: &buffer, body)
        case .queues: QueueListView.draw(state, into: &buffer, body)
        case .help: HelpView.draw(state, into: &buffer, body)
        case .stats: StatsView.draw(state, into: &buffer, body)
        }
        var popup = Rect.zero
        if state.picker != nil { popup = PickerView.draw(state, into: &buffer, body) }
        if state.noteEditor != nil { popup = PickerView.drawNote(state, into: &buffer, body) }
        if !popup.isEmpty {
            // An image under the popup would paint over it: drop the tiles it covers (the
            // popups open beside the image whenever the layout has room for that).
            images = images.compactMap { placement in
                let tiles = placement.tiles.filter { $0.rect.intersection(popup).isEmpty }
                return tiles.isEmpty ? nil : ImagePlacement(rect: placement.rect, tiles: tiles)
            }
        }
        return Frame(buffer: buffer, images: images)
    }

    static func tooSmall(_ state: AppState, _ buffer: inout CellBuffer) {
        let lines = [
            "terminal too small", "need \(minimumSize.columns)×\(minimumSize.rows)", "have \(state.size.columns)×\(state.size.rows)",
            "keys do nothing until it is larger", "\(state.keyMap.hint(.quit)) quits"
        ]
        let top = max(0, (state.size.rows - lines.count) / 2)
        for (i, line) in lines.enumerated() where top + i < state.size.rows {
            let x = max(0, (state.size.columns - DisplayWidth.of(line)) / 2)
            buffer.write(line, x: x, y: top + i, style: i == 0 ? state.theme.warning : state.theme.dim)
        }
    }
}

/// The header (project, queue, progress, reviewer) and the footer (legend, status, hints).
enum Chrome {
    static func header(_ state: AppState, into buffer: inout CellBuffer, _ rect: Rect) {
        let theme = state.theme
        let bar = theme.selected
        buffer.fill(rect, style: bar)
        var x = buffer.write(" winnow ", x: rect.x, y: rect.y, style: bar.with(.bold))
        x = buffer.write("· \(state.setup.projectName) ", x: x, y: rect.y, style: bar)
        let total = state.queue.count
        let progress: String
        if !state.queueLoaded {
            progress = "\(state.queueName) loading…"
        } else if total == 0 {
            progress = "\(state.queueName) empty"
        } else {
            progress = "\(state.queueName) \(state.position + 1)/\(total)"
        }
        x = buffer.write("· \(progress) ", x: x, y: rect.y, style: bar)
        var done = "· \(state.decisionsThisSession) decided"
        if state.pace > 0 { done += " (\(decimal(state.pace, digits: 1))/min)" }
        x = buffer.write(done + " ", x: x, y: rect.y, style: bar)
        if state.setup.blind { x = buffer.write("· blind ", x: x, y: rect.y, style: bar) }
        // Right: who and how images are drawn, with how to get better ones when it fits.
        let base = "\(state.setup.reviewer) · \(state.setup.graphics)"
        let short = "\(state.setup.reviewer) · " + (state.setup.graphics.components(separatedBy: " (").first ?? state.setup.graphics)
        let candidates =
            state.setup.imageHints.isEmpty
            ? [base, short]
            : [
                base + " · " + state.setup.imageHints.joined(separator: " · "), short + " · " + state.setup.imageHints.joined(separator: " · "),
                short + " · ? for better images", short
            ]
        for right in candidates.map({ $0 + " " }) where rect.maxX - x > DisplayWidth.of(right) + 1 {
            buffer.write(right, x: rect.maxX - DisplayWidth.of(right), y: rect.y, style: bar)
            break
        }
    }

    static func footer(_ state: AppState, into buffer: inout CellBuffer, _ rect: Rect) {
        let theme = state.theme
        let legendRow = rect.row(0), statusRow = rect.row(1)
        buffer.fill(rect, style: theme.text)
        // The legend: which digit relabels to which class.
        var x = legendRow.x + 1
        let draft = Set(state.draftLabels ?? [])
        for (index, slot) in state.setup.legend.enumerated() {
            guard let name = slot else { continue }
            let key = state.keyMap.hint(.relabel(index))
            let marked = draft.contains(name)
            let needed = DisplayWidth.of(key) + 1 + min(DisplayWidth.of(name), 14) + 2
            if x + needed > legendRow.maxX - 8 {
                x = buffer.write("…", x: x, y: legendRow.y, style: theme.dim)
                break
            }
            x = buffer.write(key, x: x, y: legendRow.y, style: theme.accent.with(.bold))
            x = buffer.write(" " + DisplayWidth.truncate(name, to: 14), x: x, y: legendRow.y, style: marked ? theme.selected : theme.text)
            x += 2
        }
        if state.setup.classes.count > 10 || x < legendRow.maxX - 8 {
            buffer.write(
                "\(state.keyMap.hint(.pickClass)) more", x: min(x, legendRow.maxX - 7), y: legendRow.y, style: theme.dim, maxWidth: legendRow.maxX - x
            )
        }
        // Status on the left, key hints on the right.
        let hints = hintText(state)
        var used = statusRow.x + 1
        if let status = state.status {
            let style: CellStyle
            switch status.kind {
            case .info: style = theme.text
            case .success: style = theme.success
            case .warning: style = theme.warning
            case .error: style = theme.error
            }
            used = buffer.write(status.text, x: used, y: statusRow.y, style: style, maxWidth: statusRow.width - 2)
        }
        let hintWidth = DisplayWidth.of(hints)
        if statusRow.maxX - used > hintWidth + 3 {
            buffer.write(hints, x: statusRow.maxX - hintWidth - 1, y: statusRow.y, style: theme.dim)
        }
    }

    static func hintText(_ state: AppState) -> String {
        let k = state.keyMap
        if state.noteEditor != nil || state.picker != nil { return "enter keeps · esc cancels" }
        let size = "\(k.hint(.lowerQuality))/\(k.hint(.raiseQuality)) size"
        // Enter is the key people try in a grid: name it when it is the one that opens.
        let open = k.keys(for: .accept).contains(.enter) ? "enter" : k.hint(.accept)
        switch state.screen {
        case .review, .zoom:
            return
                "\(k.hint(.accept)) accept · \(k.hint(.takeSuggestion)) suggested · \(k.hint(.pickClass)) pick · \(k.hint(.exclude)) exclude · \(k.hint(.skip)) skip · \(k.hint(.undo)) undo · \(k.hint(.help)) help · \(k.hint(.quit)) quit"
        case .opened:
            return
                "\(k.hint(.accept)) accept · digits relabel · \(k.hint(.pickClass)) pick · \(k.hint(.exclude)) exclude · \(k.hint(.back)) back to the grid"
        case .component:
            return
                "arrows move · \(open) opens · digits relabel · \(k.hint(.applyMajority)) majority to all · \(k.hint(.applyChosen)) label all · \(k.hint(.splitOff)) split off · \(size) · \(k.hint(.back)) back"
        case .similar:
            return "arrows move · \(open) opens · digits relabel · \(k.hint(.pickClass)) pick · \(size) · \(k.hint(.back)) back"
        case .queues:
            return "\(k.hint(.accept)) switch · \(k.hint(.back)) back"
        case .help, .stats:
            return "\(k.hint(.back)) back"
        }
    }
}
