import WinnowCore

/// The two text inputs: the class picker (`/`) and the note editor (`n`). While one is
/// open, keys type into it.
extension Reducer {
    static func pickerKey(_ key: Key, _ state: inout AppState) -> [Effect] {
        guard var picker = state.picker else { return [] }
        let matches = FuzzyMatch.rank(picker.query, state.setup.classes)
        switch key {
        case .escape, .control("g"):
            state.picker = nil
            return [.redraw]
        case .enter:
            state.picker = nil
            guard matches.indices.contains(picker.selection) else {
                state.status = StatusMessage(.warning, "no class matches \"\(picker.query)\"")
                return [.redraw]
            }
            let label = state.setup.classes[matches[picker.selection]]
            switch picker.purpose {
            case .relabelCurrent:
                guard let item = state.currentItem else { return [.redraw] }
                return [.redraw] + relabel(to: label, items: [item], purpose: .relabelCurrent, &state)
            case .relabelSelected:
                let target =
                    state.screen == .opened
                    ? state.opened
                    : (state.gridItems.indices.contains(state.gridCursor) ? state.gridItems[state.gridCursor] : nil)
                guard let target else { return [.redraw] }
                return [.redraw] + submit(items: [target], kind: .relabel([label]), &state)
            case .relabelComponent:
                guard let members = state.currentDetails?.component?.members else { return [.redraw] }
                return [.redraw] + submit(items: members, kind: .relabel([label]), &state)
            }
        case .up, .control("p"), .backTab:
            picker.selection = max(0, picker.selection - 1)
        case .down, .control("n"), .tab:
            picker.selection = min(max(0, matches.count - 1), picker.selection + 1)
        case .backspace, .delete:
            if !picker.query.isEmpty { picker.query.removeLast() }
            picker.selection = 0
        case .control("u"):
            picker.query = ""
            picker.selection = 0
        case .character(let c):
            guard isTypable(c) else { break }
            picker.query.append(c)
            picker.selection = 0
        default:
            break
        }
        state.picker = picker
        return []
    }

    /// The longest note kept (a note is a remark, not a document).
    static let noteLimit = 500

    static func noteKey(_ key: Key, _ state: inout AppState) -> [Effect] {
        guard var editor = state.noteEditor else { return [] }
        switch key {
        case .escape, .control("g"):
            state.noteEditor = nil
            state.status = StatusMessage(.info, "note not changed")
        case .enter:
            state.noteEditor = nil
            let text = editor.text.trimmingWhitespace()
            if text.isEmpty {
                let had = state.notes.removeValue(forKey: editor.item) != nil
                state.status = StatusMessage(.info, "no note")
                return had ? keep(nil, for: editor.item, &state) : []
            }
            state.notes[editor.item] = text
            state.status = StatusMessage(.info, "keeping the note…")
            return keep(text, for: editor.item, &state)
        case .backspace, .delete:
            if !editor.text.isEmpty { editor.text.removeLast() }
            state.noteEditor = editor
        case .control("u"):
            editor.text = ""
            state.noteEditor = editor
        case .character(let c):
            // A pasted C1 control or bidi override would be saved in the decision log, which
            // `decide --note` refuses: such characters are not typed into a note.
            guard isTypable(c) else {
                state.status = StatusMessage(.warning, "control and bidirectional characters are left out of notes")
                break
            }
            if editor.text.count < noteLimit { editor.text.append(c) }
            state.noteEditor = editor
        default:
            break
        }
        return []
    }

    /// Asks the data source to keep the item's note (its confirmation, or why not, comes
    /// back as a notice). Without the item's path (details not loaded) it stays on screen.
    static func keep(_ text: String?, for item: Int, _ state: inout AppState) -> [Effect] {
        guard let path = state.details[item]?.path else {
            if text != nil { state.status = StatusMessage(.warning, "note kept on screen only: it is saved with your next decision on this image") }
            return []
        }
        return [.keepNote(item: item, path: path, text: text)]
    }

    /// The note being typed, kept as it stands (the session is ending).
    static func keepOpenNote(_ state: inout AppState) -> [Effect] {
        guard let editor = state.noteEditor else { return [] }
        state.noteEditor = nil
        let text = editor.text.trimmingWhitespace()
        guard !text.isEmpty, state.notes[editor.item] != text else { return [] }
        state.notes[editor.item] = text
        return keep(text, for: editor.item, &state)
    }

    /// A note kept from an earlier session, onto its item once the item's path is known.
    static func takeKeptNote(of item: Int, _ state: inout AppState) {
        guard !state.keptNotes.isEmpty, let path = state.details[item]?.path, let kept = state.keptNotes.removeValue(forKey: path) else { return }
        if state.notes[item] == nil { state.notes[item] = kept }
    }

    /// A character an editor keeps: none of its scalars is a control (C0, C1, DEL) or an
    /// invisible bidirectional control (the key decoder passes them on as characters).
    static func isTypable(_ c: Character) -> Bool {
        !c.unicodeScalars.contains(where: TerminalText.needsReplacement)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return String(text)
    }
}
