import WinnowCore

/// The queue switcher: every queue with its open entries, counted when it opens.
enum QueueListView {
    static func draw(_ state: AppState, into buffer: inout CellBuffer, _ body: Rect) {
        let theme = state.theme
        buffer.write(" Queues", x: body.x, y: body.y, style: theme.heading)
        if state.countingQueues { buffer.write("  counting…", x: body.x + 7, y: body.y, style: theme.dim) }
        for (index, name) in state.setup.queues.enumerated() {
            let y = body.y + 2 + index
            guard y < body.maxY else { break }
            // "·": not counted (a very large project counts only the queue it opens). While
            // counting, the other queues' counts may be old (a re-rank counts only the queue
            // on screen): "…" until the fresh ones come.
            let known = state.countingQueues && name != state.queueName ? nil : state.queueCounts[name]
            let count = known.map { "\($0) open" } ?? (state.countingQueues ? "…" : "·")
            let marker = name == state.queueName ? "▸" : " "
            let text = " \(marker) " + DisplayWidth.fit(name, to: 22) + count
            buffer.writePadded(
                text, x: body.x + 1, y: y, width: min(body.width - 2, 40), style: index == state.queueCursor ? theme.selected : theme.text)
        }
    }
}
