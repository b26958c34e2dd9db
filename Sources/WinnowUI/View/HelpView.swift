import WinnowCore

/// Every key and what it does: the digit keys with the classes they pick (only those that
/// exist), then every other command with its keys (remapped ones as remapped).
enum HelpView {
    static func draw(_ state: AppState, into buffer: inout CellBuffer, _ body: Rect) {
        let theme = state.theme
        var block = TextBlock(width: body.width - 2)
        block.add(
            .init("Keys", theme.heading), .init("  (remap them in winnow.toml [keys]; ", theme.dim),
            .init("\(state.keyMap.hint(.next))/\(state.keyMap.hint(.previous)) scroll)", theme.dim))
        block.blank()
        for (keys, summary) in lines(state) {
            block.add(.init(" " + DisplayWidth.fit(keys, to: 16), theme.accent.with(.bold)), .init(summary, theme.text))
        }
        block.blank()
        block.add(.init("Every decision is saved before the screen says so; quitting never loses one.", theme.dim))
        block.add(.init("Images: \(state.setup.graphics)", theme.dim))
        for hint in state.setup.imageHints { block.wrapped("Better images: " + ImageHintText.explained(hint), style: theme.dim) }
        if state.setup.blind { block.add(.init("Blind review: you see the given labels, never another reviewer's decision.", theme.dim)) }
        for note in state.setup.projectNotes { block.wrapped(note, style: theme.dim) }
        let scroll = min(state.helpScroll, max(0, block.lines.count - body.height))
        block.draw(into: &buffer, Rect(x: body.x + 1, y: body.y, width: body.width - 2, height: body.height), scroll: scroll)
    }

    /// (keys, what they do), in the order of `Command.all`. A digit key is listed only when
    /// its slot of the legend has a class, and says which.
    static func lines(_ state: AppState) -> [(keys: String, summary: String)] {
        Command.all.compactMap { command in
            let keys = state.keyMap.keys(for: command).map(\.description).joined(separator: " ")
            if case .relabel(let slot) = command {
                guard state.setup.legend.indices.contains(slot), let name = state.setup.legend[slot] else { return nil }
                return (keys.isEmpty ? "—" : keys, (state.setup.multiLabel ? "toggle the label " : "relabel to ") + "'\(name)'")
            }
            return (keys.isEmpty ? "—" : keys, command.summary)
        }
    }
}

/// The help screen's longer words for the header's short image hints.
enum ImageHintText {
    static func explained(_ hint: String) -> String {
        if hint.contains("allow-passthrough") { return hint + ": tmux then passes sixel or kitty images through (add it to ~/.tmux.conf)" }
        if hint.contains("COLORTERM") { return hint + ": half blocks in 24-bit colour instead of 256 (export it where you start winnow)" }
        return hint
    }
}
