import WinnowCore

/// The main screen: the image as large as the pane allows, and everything known about
/// the item beside it (or below it on a narrow terminal).
public enum ReviewView {
    /// The queue's current item, or the image opened from a grid (`Screen.opened`).
    static func draw(_ state: AppState, into buffer: inout CellBuffer, _ body: Rect) -> [ImagePlacement] {
        let slot = state.screen == .opened ? nil : state.currentSlot
        guard let item = state.focusItem else {
            emptyQueue(state, into: &buffer, body)
            return []
        }
        let (imagePane, infoPane) = layout(body, showsImages: state.setup.showsImages)
        var images: [ImagePlacement] = []
        if !imagePane.isEmpty {
            images =
                imageTile(state, item: item, in: imagePane.inset(by: 1), into: &buffer).map { [ImagePlacement(rect: $0.rect, tiles: [$0])] } ?? []
        }
        info(state, item: item, slot: slot, into: &buffer, infoPane)
        return images
    }

    static func drawZoom(_ state: AppState, into buffer: inout CellBuffer, _ body: Rect) -> [ImagePlacement] {
        guard let item = state.focusItem else {
            emptyQueue(state, into: &buffer, body)
            return []
        }
        return imageTile(state, item: item, in: body, into: &buffer).map { [ImagePlacement(rect: $0.rect, tiles: [$0])] } ?? []
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
        placeholder(
            blurred ? ["blurred (sensitive)", "\(state.keyMap.hint(.blur)) reveals"] : ["loading image…"], style: theme.dim, in: rect, into: &buffer)
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
        var lines =
            state.queueLoaded
            ? [
                "The \(state.queueName) queue is empty.", "",
                "\(state.keyMap.hint(.switchQueue)) switches queue · \(state.keyMap.hint(.stats)) statistics · \(state.keyMap.hint(.quit)) quits"
            ]
            : ["Loading the \(state.queueName) queue…"]
        if !state.setup.projectNotes.isEmpty { lines += [""] + state.setup.projectNotes }
        placeholder(lines, style: state.theme.text, in: body, into: &buffer)
    }

    static func info(_ state: AppState, item: Int, slot: QueueSlot?, into buffer: inout CellBuffer, _ rect: Rect) {
        let theme = state.theme
        guard let details = state.details[item] else {
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
        if let slot {
            field("flagged", slot.source, theme.accent)
            // The queue's own measure in words (its numbers do not compare across queues)…
            if let measure = details.flagMeasure {
                block.wrapped(measure, style: theme.dim, prefix: .init(String(repeating: " ", count: labelWidth), theme.dim), indent: labelWidth)
            }
            // …and one score that does compare; without one, the rank, said to be one.
            if let score = details.labelIssueScore {
                field("score", decimal(score), theme.text, .init("  label-issue, any queue", theme.dim))
            } else if state.currentSlot == slot {
                let rank = state.position
                field(
                    "rank", "\(rank + 1) of \(state.queue.count)", theme.text, .init("  in \(state.queueName) (nothing judges its label)", theme.dim))
            }
        } else {
            field("opened", "from the grid", theme.accent, .init("  \(state.keyMap.hint(.back)) goes back", theme.dim))
        }
        if let problem = details.problem { field("problem", problem, theme.error) }
        if state.setup.showsImages, state.isBlurred(item) {
            field("image", "blurred", theme.warning, .init(" · \(state.keyMap.hint(.blur)) reveals", theme.dim))
        }
        if let note = state.notes[item] {
            field("note", note, theme.text, .init("  (saved with your decision)", theme.dim))
        }
        if !details.reviews.isEmpty {
            block.blank()
            block.add(.init("Reviews", theme.heading))
            let agreed = Set(details.reviews.map(\.value)).count == 1
            for review in details.reviews {
                block.add(line: [
                    .init(" " + DisplayWidth.fit(review.name, to: labelWidth), theme.dim),
                    .init(review.value, agreed ? theme.success : theme.style(.dispute))
                ])
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
                        .init(" " + decimal(entry.probability), theme.text)
                    ])
                }
            }
        }
        if let component = details.component, component.members.count > 1 {
            block.blank()
            block.add(.init("Near-duplicates", theme.heading), .init("  \(state.keyMap.hint(.component)) opens", theme.dim))
            let verdict = ComponentText.verdict(component)
            if component.labelCounts.isEmpty {
                block.add(.init(" #\(component.id) · \(component.members.count) images · ", theme.text), .init(verdict, theme.dim))
            } else {
                block.add(
                    .init(" #\(component.id) · \(component.members.count) images · purity \(decimal(component.purity)) · ", theme.text),
                    .init(verdict, component.isBad ? theme.style(.badComponent).with(.bold) : theme.success))
                var counts = component.labelCounts.map { "\($0.label) \($0.count)" }.joined(separator: " · ")
                let unlabelled = component.members.count - component.labelCounts.reduce(0) { $0 + $1.count }
                if unlabelled > 0 { counts += " · \(unlabelled) without a label" }
                block.wrapped(counts, style: theme.text, prefix: .init(" ", theme.text), indent: 1)
            }
        }
        if !details.metadata.isEmpty {
            block.blank()
            block.add(.init("Metadata", theme.heading))
            // Names as wide as the longest, up to a third of the pane: "captured_at" whole.
            let nameWidth = min(
                max(labelWidth - 1, details.metadata.map { DisplayWidth.of($0.name) }.max() ?? 0), max(labelWidth - 1, rect.width / 3))
            for field in details.metadata {
                block.add(.init(" " + DisplayWidth.fit(field.name, to: nameWidth) + " ", theme.dim), .init(field.value, theme.text))
            }
        }
        if !state.setup.projectNotes.isEmpty {
            block.blank()
            block.add(.init("This project", theme.heading))
            for note in state.setup.projectNotes { block.wrapped(note, style: theme.dim, prefix: .init(" ", theme.dim), indent: 1) }
        }
        block.draw(into: &buffer, rect)
    }
}
