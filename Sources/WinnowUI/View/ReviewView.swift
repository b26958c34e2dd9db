/// The main screen: the image as large as the pane allows, and everything known about
/// the item beside it (or below it on a narrow terminal).
public enum ReviewView {
    static func draw(_ state: AppState, into buffer: inout CellBuffer, _ body: Rect) -> [ImagePlacement] {
        guard let slot = state.currentSlot else {
            emptyQueue(state, into: &buffer, body)
            return []
        }
        let (imagePane, infoPane) = layout(body, showsImages: state.setup.showsImages)
        var images: [ImagePlacement] = []
        if !imagePane.isEmpty {
            images = imageTile(state, item: slot.item, in: imagePane.inset(by: 1), into: &buffer).map { [ImagePlacement(rect: $0.rect, tiles: [$0])] } ?? []
        }
        info(state, slot: slot, into: &buffer, infoPane)
        return images
    }

    static func drawZoom(_ state: AppState, into buffer: inout CellBuffer, _ body: Rect) -> [ImagePlacement] {
        guard let slot = state.currentSlot else {
            emptyQueue(state, into: &buffer, body)
            return []
        }
        return imageTile(state, item: slot.item, in: body, into: &buffer).map { [ImagePlacement(rect: $0.rect, tiles: [$0])] } ?? []
    }

    /// Where the review screen puts the current item's image at `size` (for prefetching
    /// at the size it will be shown).
    public static func imageRect(for size: TerminalSize, showsImages: Bool) -> Rect {
        let body = Rect(x: 0, y: 1, width: size.columns, height: size.rows - 3)
        return layout(body, showsImages: showsImages).image.inset(by: 1)
    }

    /// Image pane and info pane: side by side when wide enough, else stacked, else no image.
    static func layout(_ body: Rect, showsImages: Bool) -> (image: Rect, info: Rect) {
        guard showsImages else { return (.zero, body.inset(by: 0)) }
        if body.width >= 80 {
            let (left, right) = body.splitLeft(body.width * 11 / 20)
            return (left, Rect(x: right.x + 1, y: right.y, width: right.width - 1, height: right.height))
        }
        if body.height >= 18 {
            let (top, bottom) = body.splitTop(body.height / 2)
            return (top, bottom)
        }
        return (.zero, body)
    }

    /// Reserves `rect` for an item's image and draws what shows when no picture can:
    /// "loading", a problem, or the blur notice.
    static func imageTile(_ state: AppState, item: Int, in rect: Rect, into buffer: inout CellBuffer) -> ImageTile? {
        guard !rect.isEmpty, let details = state.details[item] else { return nil }
        let theme = state.theme
        let blurred = state.isBlurred(item)
        if let problem = state.imageProblems[item] ?? (details.problem.map { "image problem: \($0)" }) {
            placeholder(["cannot show this image", problem], style: theme.error, in: rect, into: &buffer)
            return nil
        }
        placeholder(blurred ? ["blurred (sensitive)", "\(state.keyMap.hint(.blur)) reveals"] : ["loading image…"], style: theme.dim, in: rect, into: &buffer)
        return ImageTile(item: item, path: details.path, rect: rect, blurred: blurred)
    }

    static func placeholder(_ lines: [String], style: CellStyle, in rect: Rect, into buffer: inout CellBuffer) {
        let top = rect.y + max(0, (rect.height - lines.count) / 2)
        for (i, line) in lines.enumerated() where top + i < rect.maxY {
            let shown = DisplayWidth.truncate(line, to: rect.width)
            buffer.write(shown, x: rect.x + max(0, (rect.width - DisplayWidth.of(shown)) / 2), y: top + i, style: style, maxWidth: rect.width)
        }
    }

    static func emptyQueue(_ state: AppState, into buffer: inout CellBuffer, _ body: Rect) {
        let lines = state.queueLoaded
            ? ["The \(state.queueName) queue is empty.", "", "\(state.keyMap.hint(.switchQueue)) switches queue · \(state.keyMap.hint(.stats)) statistics · \(state.keyMap.hint(.quit)) quits"]
            : ["Loading the \(state.queueName) queue…"]
        placeholder(lines, style: state.theme.text, in: body, into: &buffer)
    }

    static func info(_ state: AppState, slot: QueueSlot, into buffer: inout CellBuffer, _ rect: Rect) {
        let theme = state.theme
        guard let details = state.details[slot.item] else {
            buffer.write("loading…", x: rect.x, y: rect.y, style: theme.dim, maxWidth: rect.width)
            return
        }
        let labelWidth = 10
        var block = TextBlock(width: rect.width)
        block.add(.init(details.path, theme.text.with(.bold)))
        func field(_ name: String, _ value: String, _ style: CellStyle, _ extra: TextBlock.Span? = nil) {
            var line: TextBlock.Line = [.init(DisplayWidth.fit(name, to: labelWidth), theme.dim), .init(value, style)]
            if let extra { line.append(extra) }
            block.add(line: line)
        }
        let shownLabels = state.draftLabels.map { $0.isEmpty ? "(none)" : $0.joined(separator: ", ") } ?? details.labelText
        field("label", shownLabels, theme.text.with(.bold), .init("  \(details.status)", details.status == "pending" ? theme.dim : theme.success))
        if details.givenLabels != details.currentLabels || !details.annotators.isEmpty {
            let given = details.givenLabels.isEmpty ? "(none)" : details.givenLabels.joined(separator: ", ")
            let votes = details.annotators.map { "\($0.name) \($0.value)" }.joined(separator: " · ")
            field("given", given, theme.text, votes.isEmpty ? nil : .init("  (\(votes))", theme.dim))
        }
        if let suggested = details.suggested {
            let differs = !details.currentLabels.contains(suggested)
            field("suggested", suggested, differs ? theme.warning.with(.bold) : theme.text)
        }
        field("flagged", slot.source, theme.accent, .init("  score \(decimal(slot.score))", theme.dim))
        if let problem = details.problem { field("problem", problem, theme.error) }
        if !details.reviews.isEmpty {
            block.blank()
            block.add(.init("Reviews", theme.heading))
            let agreed = Set(details.reviews.map(\.value)).count == 1
            for review in details.reviews {
                block.add(line: [.init(" " + DisplayWidth.fit(review.name, to: labelWidth), theme.dim),
                                 .init(review.value, agreed ? theme.success : theme.style(.dispute))])
            }
        }
        if !details.reasons.isEmpty {
            block.blank()
            block.add(.init("Why", theme.heading))
            for reason in details.reasons {
                block.wrapped(reason.text, style: theme.style(reason.kind), prefix: .init(" • ", theme.style(reason.kind)), indent: 3)
            }
        }
        if !details.models.isEmpty {
            block.blank()
            block.add(.init("Models", theme.heading))
            let nameWidth = min(12, details.models.map { DisplayWidth.of($0.model) }.max() ?? 0)
            let classWidth = min(14, details.models.flatMap { $0.top.map { DisplayWidth.of($0.label) } }.max() ?? 0)
            let barWidth = max(4, min(20, rect.width - nameWidth - classWidth - 10))
            for model in details.models {
                for (rank, entry) in model.top.enumerated() {
                    let isLabel = details.currentLabels.contains(entry.label)
                    block.add(line: [
                        .init(" " + DisplayWidth.fit(rank == 0 ? model.model : "", to: nameWidth) + " ", theme.dim),
                        .init(DisplayWidth.fit(entry.label, to: classWidth) + " ", isLabel ? theme.text.with(.bold) : theme.text),
                        .init(DisplayWidth.fit(bar(entry.probability, width: barWidth), to: barWidth), isLabel ? theme.success : theme.accent),
                        .init(" " + decimal(entry.probability), theme.text),
                    ])
                }
            }
        }
        if let component = details.component, component.members.count > 1 {
            block.blank()
            block.add(.init("Near-duplicates", theme.heading), .init("  \(state.keyMap.hint(.component)) opens", theme.dim))
            let verdict = component.isBad ? "labels disagree" : "labels agree"
            block.add(.init(" #\(component.id) · \(component.members.count) images · purity \(decimal(component.purity)) · ", theme.text),
                      .init(verdict, component.isBad ? theme.style(.badComponent).with(.bold) : theme.success))
            let counts = component.labelCounts.map { "\($0.label) \($0.count)" }.joined(separator: " · ")
            block.wrapped(counts, style: theme.text, prefix: .init(" ", theme.text), indent: 1)
        }
        if !details.metadata.isEmpty {
            block.blank()
            block.add(.init("Metadata", theme.heading))
            for field in details.metadata {
                block.add(.init(" " + DisplayWidth.fit(field.name, to: labelWidth - 1), theme.dim), .init(field.value, theme.text))
            }
        }
        block.draw(into: &buffer, rect)
    }
}
