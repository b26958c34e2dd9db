import WinnowCore

/// Where thumbnails go in a grid: tiles as large as the screen allows for the images
/// there are (`+` / `-` step the size), each with a label row under it.
public enum GridLayout {
    /// Tile sizes in cells, smallest first (about square at the usual 1:2 cell shape).
    static let sizes: [(width: Int, height: Int)] = [
        (8, 3), (10, 4), (12, 5), (16, 6), (20, 8), (24, 10), (30, 12),
        (36, 14), (44, 18), (54, 22), (66, 27), (80, 32)
    ]
    static let gap = 1

    /// Rows of the body used by the grid's title.
    static let titleRows = 2

    /// The rectangle the tiles go in at `size`: the body below the title, a column in from
    /// each side, and above the selected image's path on the body's last row.
    public static func area(for size: TerminalSize) -> Rect {
        let body = Rect(x: 0, y: 1, width: size.columns, height: size.rows - 3)
        let grid = body.splitTop(titleRows).rest
        return Rect(x: grid.x + 1, y: grid.y, width: grid.width - 2, height: grid.height - 1)
    }

    /// The size that fits every one of `count` tiles in `area` (the largest such), else the
    /// smallest; as an index into `sizes`.
    static func fittingSize(area: Rect, count: Int) -> Int {
        var best = 0
        for (index, size) in sizes.enumerated() {
            let columns = (area.width + gap) / (size.width + gap)
            let rows = area.height / (size.height + 2)
            guard columns >= 1, rows >= 1 else { break }
            if columns * rows >= max(1, count) { best = index }
        }
        return best
    }

    /// The largest size with room for one tile.
    static func largestSize(area: Rect) -> Int {
        sizes.lastIndex { $0.width <= area.width && $0.height + 1 <= area.height } ?? 0
    }

    /// `zoom` steps from the fitting size, kept to the sizes the area can show.
    static func clampedZoom(_ zoom: Int, area: Rect, count: Int) -> Int {
        let fit = fittingSize(area: area, count: count)
        return min(max(zoom, -fit), largestSize(area: area) - fit)
    }

    static func tileSize(area: Rect, count: Int, zoom: Int) -> (width: Int, height: Int) {
        sizes[fittingSize(area: area, count: count) + clampedZoom(zoom, area: area, count: count)]
    }

    public static func columns(in area: Rect, count: Int, zoom: Int) -> Int {
        let size = tileSize(area: area, count: count, zoom: zoom)
        return max(1, (area.width + gap) / (size.width + gap))
    }

    /// The tiles visible in `area`, scrolled so `cursor` is on screen: (index, image rect, label rect).
    static func tiles(in area: Rect, count: Int, cursor: Int, zoom: Int) -> [(index: Int, image: Rect, label: Rect)] {
        let size = tileSize(area: area, count: count, zoom: zoom)
        let columns = max(1, (area.width + gap) / (size.width + gap))
        let rowHeight = size.height + 2
        let visibleRows = max(1, area.height / rowHeight)
        let cursorRow = max(0, cursor) / columns
        let firstRow = max(0, cursorRow - visibleRows + 1)
        var tiles: [(Int, Rect, Rect)] = []
        for row in firstRow..<(firstRow + visibleRows) {
            for column in 0..<columns {
                let index = row * columns + column
                guard index < count else { return tiles }
                let x = area.x + column * (size.width + gap)
                let y = area.y + (row - firstRow) * rowHeight
                guard y + size.height + 1 <= area.maxY, x + size.width <= area.maxX else { return tiles }
                tiles.append(
                    (
                        index, Rect(x: x, y: y, width: size.width, height: size.height),
                        Rect(x: x, y: y + size.height, width: size.width, height: 1)
                    ))
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
        let titleRect = body.splitTop(GridLayout.titleRows).top
        var title = TextBlock(width: titleRect.width)
        if state.screen == .component, let component = state.currentDetails?.component {
            title.add(
                .init(" Near-duplicate group #\(component.id)", theme.heading),
                .init("  \(component.members.count) images · " + ComponentText.summary(component), theme.text))
            if let majority = component.majority {
                title.add(
                    .init(" majority: ", theme.dim), .init(majority, theme.text.with(.bold)),
                    .init("   \(state.keyMap.hint(.applyMajority)) gives it to all · \(state.keyMap.hint(.applyChosen)) picks another", theme.dim))
            } else {
                title.add(.init(" no single majority label · \(state.keyMap.hint(.applyChosen)) gives them all one", theme.dim))
            }
        } else if state.screen == .similar {
            title.add(
                .init(" More like ", theme.heading), .init(state.currentDetails?.path ?? "", theme.text.with(.bold)),
                .init(" (▸, first), then its nearest neighbours", theme.dim))
            if state.similar == nil { title.add(.init(" finding nearest neighbours…", theme.dim)) }
            if state.similar?.isEmpty == true { title.add(.init(" this project has no embeddings or neighbours for it", theme.dim)) }
        }
        title.draw(into: &buffer, titleRect)
        let area = GridLayout.area(for: state.size).intersection(body)
        var tiles: [ImageTile] = []
        for tile in GridLayout.tiles(in: area, count: items.count, cursor: state.gridCursor, zoom: state.gridZoom) {
            let item = items[tile.index]
            let selected = tile.index == state.gridCursor
            let details = state.details[item]
            var label = details?.labelText ?? "…"
            if state.screen == .similar {
                if item == state.currentItem {
                    label = "▸ " + label
                } else if let neighbour = state.similar?.first(where: { $0.item == item }) {
                    label = "\(label) \(decimal(neighbour.similarity))"
                }
            } else if item == state.currentItem {
                label = "▸ " + label
            }
            let labelStyle = selected ? theme.selected : (details?.status == "pending" ? theme.text : theme.success)
            buffer.writePadded(" " + label, x: tile.label.x, y: tile.label.y, width: tile.label.width, style: labelStyle)
            if let tile = ReviewView.imageTile(state, item: item, in: tile.image, into: &buffer) { tiles.append(tile) }
        }
        if let selected = items.indices.contains(state.gridCursor) ? state.details[items[state.gridCursor]] : nil {
            var line = " \(selected.path)"
            if state.isBlurred(selected.item) { line += " · blurred · \(state.keyMap.hint(.blur)) reveals" }
            buffer.write(line, x: body.x, y: body.maxY - 1, style: theme.dim, maxWidth: body.width)
        }
        return tiles.isEmpty ? [] : [ImagePlacement(rect: area, tiles: tiles)]
    }
}

/// How a near-duplicate group's labels read, in the info pane and the grid's title.
enum ComponentText {
    /// "purity 0.75 · labels disagree", or what there is when none of them has a label yet.
    static func summary(_ component: ComponentInfo) -> String {
        guard !component.labelCounts.isEmpty else { return "no labels yet" }
        var counts = component.labelCounts.map { "\($0.label) \($0.count)" }.joined(separator: " · ")
        let unlabelled = component.members.count - component.labelCounts.reduce(0) { $0 + $1.count }
        if unlabelled > 0 { counts += " · \(unlabelled) without a label" }
        return "purity \(decimal(component.purity)) · \(verdict(component)) · \(counts)"
    }

    static func verdict(_ component: ComponentInfo) -> String {
        guard !component.labelCounts.isEmpty else { return "no labels yet" }
        return component.isBad ? "labels disagree" : "labels agree"
    }
}
