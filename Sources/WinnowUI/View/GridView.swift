/// Where thumbnails go in a grid: fixed-size tiles, each with a label row under it.
public enum GridLayout {
    public static let tileWidth = 20
    public static let tileHeight = 8
    static let gap = 1

    /// Rows of the body used by the grid's title.
    static let titleRows = 2

    public static func columns(for size: TerminalSize, count: Int) -> Int {
        max(1, (size.columns - 2 + gap) / (tileWidth + gap))
    }

    /// The tiles visible in `rect`, scrolled so `cursor` is on screen: (index, image rect, label rect).
    static func tiles(in rect: Rect, count: Int, cursor: Int) -> [(index: Int, image: Rect, label: Rect)] {
        let columns = max(1, (rect.width + gap) / (tileWidth + gap))
        let rowHeight = tileHeight + 2
        let visibleRows = max(1, rect.height / rowHeight)
        let cursorRow = max(0, cursor) / columns
        let firstRow = max(0, cursorRow - visibleRows + 1)
        var tiles: [(Int, Rect, Rect)] = []
        for row in firstRow..<(firstRow + visibleRows) {
            for column in 0..<columns {
                let index = row * columns + column
                guard index < count else { return tiles }
                let x = rect.x + column * (tileWidth + gap)
                let y = rect.y + (row - firstRow) * rowHeight
                guard y + tileHeight + 1 <= rect.maxY else { return tiles }
                tiles.append((index, Rect(x: x, y: y, width: tileWidth, height: tileHeight), Rect(x: x, y: y + tileHeight, width: tileWidth, height: 1)))
            }
        }
        return tiles
    }
}

/// The component view and the more-like-this view: thumbnails with their labels.
enum GridView {
    static func draw(_ state: AppState, into buffer: inout CellBuffer, _ body: Rect) -> [ImagePlacement] {
        let theme = state.theme
        let items = state.gridItems
        let (titleRect, gridRect) = body.splitTop(GridLayout.titleRows)
        var title = TextBlock(width: titleRect.width)
        if state.screen == .component, let component = state.currentDetails?.component {
            let counts = component.labelCounts.map { "\($0.label) \($0.count)" }.joined(separator: " · ")
            title.add(.init(" Near-duplicate group #\(component.id)", theme.heading),
                      .init("  \(component.members.count) images · purity \(decimal(component.purity)) · \(counts)", theme.text))
            if let majority = component.majority {
                title.add(.init(" majority: ", theme.dim), .init(majority, theme.text.with(.bold)),
                          .init("   \(state.keyMap.hint(.applyMajority)) gives it to all · \(state.keyMap.hint(.applyChosen)) picks another · digits relabel the selected one", theme.dim))
            }
        } else if state.screen == .similar {
            title.add(.init(" More like ", theme.heading), .init(state.currentDetails?.path ?? "", theme.text.with(.bold)))
            if state.similar == nil { title.add(.init(" finding nearest neighbours…", theme.dim)) }
            if state.similar?.isEmpty == true { title.add(.init(" this project has no embeddings or neighbours for it", theme.dim)) }
        }
        title.draw(into: &buffer, titleRect)
        let area = Rect(x: gridRect.x + 1, y: gridRect.y, width: gridRect.width - 2, height: gridRect.height)
        var tiles: [ImageTile] = []
        for tile in GridLayout.tiles(in: area, count: items.count, cursor: state.gridCursor) {
            let item = items[tile.index]
            let selected = tile.index == state.gridCursor
            let details = state.details[item]
            var label = details?.labelText ?? "…"
            if state.screen == .similar, let neighbour = state.similar?.first(where: { $0.item == item }) {
                label = "\(neighbour.label) \(decimal(neighbour.similarity))"
            } else if item == state.currentItem {
                label = "▸ " + label
            }
            let labelStyle = selected ? theme.selected : (details?.status == "pending" ? theme.text : theme.success)
            buffer.writePadded(" " + label, x: tile.label.x, y: tile.label.y, width: tile.label.width, style: labelStyle)
            if let tile = ReviewView.imageTile(state, item: item, in: tile.image, into: &buffer) { tiles.append(tile) }
        }
        if let selected = items.indices.contains(state.gridCursor) ? state.details[items[state.gridCursor]] : nil {
            buffer.write(" \(selected.path)", x: body.x, y: body.maxY - 1, style: theme.dim, maxWidth: body.width)
        }
        return tiles.isEmpty ? [] : [ImagePlacement(rect: area, tiles: tiles)]
    }
}

/// The queue switcher: every queue with its open entries.
enum QueueListView {
    static func draw(_ state: AppState, into buffer: inout CellBuffer, _ body: Rect) {
        let theme = state.theme
        buffer.write(" Queues", x: body.x, y: body.y, style: theme.heading)
        for (index, name) in state.setup.queues.enumerated() {
            let y = body.y + 2 + index
            guard y < body.maxY else { break }
            let count = state.queueCounts[name].map { "\($0)" } ?? "·"
            let marker = name == state.queueName ? "▸" : " "
            let text = " \(marker) " + DisplayWidth.fit(name, to: 22) + count
            buffer.writePadded(text, x: body.x + 1, y: y, width: min(body.width - 2, 40), style: index == state.queueCursor ? theme.selected : theme.text)
        }
    }
}

/// Every key and what it does.
enum HelpView {
    static func draw(_ state: AppState, into buffer: inout CellBuffer, _ body: Rect) {
        let theme = state.theme
        var block = TextBlock(width: body.width - 2)
        block.add(.init("Keys", theme.heading), .init("  (remap them in winnow.toml [keys])", theme.dim))
        block.blank()
        for command in Command.all {
            let keys = state.keyMap.keys(for: command).map(\.description).joined(separator: " ")
            block.add(.init(" " + DisplayWidth.fit(keys.isEmpty ? "—" : keys, to: 16), theme.accent.with(.bold)), .init(command.summary, theme.text))
        }
        block.blank()
        block.add(.init("Every decision is saved before the screen says so; quitting never loses one.", theme.dim))
        block.add(.init("Images: \(state.setup.graphics)", theme.dim))
        let scroll = min(state.helpScroll, max(0, block.lines.count - body.height))
        block.draw(into: &buffer, Rect(x: body.x + 1, y: body.y, width: body.width - 2, height: body.height), scroll: scroll)
    }
}

/// The class picker popup.
enum PickerView {
    /// Draws the popup; returns its rectangle.
    static func draw(_ state: AppState, into buffer: inout CellBuffer, _ body: Rect) -> Rect {
        guard let picker = state.picker else { return .zero }
        let theme = state.theme
        let box = body.centred(width: min(50, body.width - 2), height: min(18, body.height))
        buffer.fill(box, style: theme.selected)
        let title: String
        switch picker.purpose {
        case .relabelCurrent: title = state.setup.multiLabel ? "Toggle a label" : "Relabel to"
        case .relabelSelected: title = "Relabel the selected image to"
        case .relabelComponent: title = "Relabel the whole group to"
        }
        buffer.write(" " + title, x: box.x, y: box.y, style: theme.selected.with(.bold), maxWidth: box.width)
        buffer.writePadded(" › " + picker.query + "▏", x: box.x + 1, y: box.y + 1, width: box.width - 2, style: theme.text)
        let matches = FuzzyMatch.rank(picker.query, state.setup.classes)
        let rows = max(0, box.height - 3)
        let first = max(0, picker.selection - rows + 1)
        for (row, index) in matches.dropFirst(first).prefix(rows).enumerated() {
            let selected = first + row == picker.selection
            buffer.writePadded("  " + state.setup.classes[index], x: box.x + 1, y: box.y + 2 + row, width: box.width - 2,
                               style: selected ? theme.text.with(.reverse) : theme.selected)
        }
        if matches.isEmpty {
            buffer.write("  no class matches", x: box.x + 1, y: box.y + 2, style: theme.warning, maxWidth: box.width - 2)
        }
        let count = "\(matches.count)/\(state.setup.classes.count) "
        buffer.write(count, x: box.maxX - DisplayWidth.of(count), y: box.y, style: theme.selected, maxWidth: DisplayWidth.of(count))
        return box
    }
}
