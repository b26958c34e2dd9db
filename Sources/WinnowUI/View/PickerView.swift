import WinnowCore

/// The popups that take typing: the class picker and the note editor. They open in the
/// info pane, beside the image (a terminal image cannot be drawn under text: covering it
/// would hide it), and over the whole body only where there is no info pane to use.
enum PickerView {
    /// Where a popup goes: the info pane of the review layout when it is wide enough.
    static func area(_ state: AppState, _ body: Rect) -> Rect {
        guard state.screen == .review || state.screen == .opened else { return body }
        let (image, info) = ReviewView.layout(body, showsImages: state.setup.showsImages)
        guard !image.isEmpty, info.width >= 30, info.height >= 8 else { return body }
        return info
    }

    /// Draws the picker; returns its rectangle.
    static func draw(_ state: AppState, into buffer: inout CellBuffer, _ body: Rect) -> Rect {
        guard let picker = state.picker else { return .zero }
        let theme = state.theme
        let area = self.area(state, body)
        let box = area.centred(width: min(50, area.width - 2), height: min(18, area.height))
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
            buffer.writePadded(
                "  " + state.setup.classes[index], x: box.x + 1, y: box.y + 2 + row, width: box.width - 2,
                style: selected ? theme.text.with(.reverse) : theme.selected)
        }
        if matches.isEmpty {
            buffer.write("  no class matches", x: box.x + 1, y: box.y + 2, style: theme.warning, maxWidth: box.width - 2)
        }
        let count = "\(matches.count)/\(state.setup.classes.count) "
        buffer.write(count, x: box.maxX - DisplayWidth.of(count), y: box.y, style: theme.selected, maxWidth: DisplayWidth.of(count))
        return box
    }

    /// Draws the note editor; returns its rectangle.
    static func drawNote(_ state: AppState, into buffer: inout CellBuffer, _ body: Rect) -> Rect {
        guard let editor = state.noteEditor else { return .zero }
        let theme = state.theme
        let area = self.area(state, body)
        let box = area.centred(width: min(60, area.width - 2), height: min(4, area.height))
        buffer.fill(box, style: theme.selected)
        buffer.write(
            " Note for \(state.details[editor.item]?.path ?? "this image")", x: box.x, y: box.y, style: theme.selected.with(.bold),
            maxWidth: box.width)
        // The end of a long note stays in view while typing.
        let room = max(1, box.width - 5)
        var shown = editor.text
        while DisplayWidth.of(shown) > room, !shown.isEmpty { shown.removeFirst() }
        buffer.writePadded(" › " + shown + "▏", x: box.x + 1, y: box.y + 1, width: box.width - 2, style: theme.text)
        buffer.write(
            " enter keeps it (saved with your next decision) · esc cancels", x: box.x, y: box.y + 2, style: theme.selected, maxWidth: box.width)
        return box
    }
}
