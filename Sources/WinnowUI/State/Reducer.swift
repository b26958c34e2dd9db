/// The workstation's logic: the new state and the effects to run, for each action.
/// Pure (no I/O, no clock), so every behaviour is testable by feeding actions.
///
/// Split by job: this file dispatches actions and keys and runs the review screen's
/// commands; `Reducer+Queue` loads and refreshes queues, `Reducer+Saving` decisions, undo
/// and redo, `Reducer+Grid` the grids and the image opened from one, `Reducer+Editors` the
/// class picker and the note editor.
public enum Reducer {
    /// How many items past the current one to load and prefetch.
    public static let lookahead = 3

    public static func reduce(_ state: inout AppState, _ action: Action) -> [Effect] {
        switch action {
        case .key(let key):
            if state.isBusy {
                // The store has not confirmed the last decision yet: keep the key for the
                // screen the user will see once it has.
                if key == .control("l") { return [.redraw] }
                // While the store is unreachable that may take long: Ctrl-C still quits
                // (the unsaved decision was never shown as saved).
                if key == .control("c") && state.storeRetrying { return handle(key: key, &state) }
                state.deferredKeys.append(key)
                return []
            }
            return handle(key: key, &state)
        case .resize(let size):
            state.size = size
            return [.redraw]
        case .tick(let now):
            state.now = now
            return []
        case .queueLoaded(let name, let slots, let counts):
            return queueLoaded(name: name, slots: slots, counts: counts, &state)
        case .queueCountsLoaded(let counts):
            state.queueCounts.merge(counts) { $1 }
            state.countingQueues = false
            return []
        case .othersChanged:
            return othersChanged(&state)
        case .queueRefreshed(let name, let slots, let counts):
            return queueRefreshed(name: name, slots: slots, counts: counts, &state)
        case .detailsLoaded(let loaded):
            for details in loaded {
                state.details[details.item] = details
                state.detailsVersion[details.item] = state.factsVersion
                takeKeptNote(of: details.item, &state)
            }
            trimDetails(&state)
            return dropNoLongerFlagged(loaded, &state)
        case .decisionSaved(var saved):
            saved.message += storeBack(&state)
            return decisionSaved(saved, &state)
        case .storeUnreachable(let message, let retryIn):
            return storeUnreachable(message, retryIn: retryIn, &state)
        case .decisionFailed(let message):
            state.storeRetrying = false
            state.inFlight = nil
            state.redoing = false
            state.deferredKeys = []
            state.status = StatusMessage(.error, "not saved: \(message)")
            return []
        case .undoSaved(let items, let message):
            return undoSaved(items: items, message: message + storeBack(&state), &state)
        case .earlierUndone(var undone):
            let back = storeBack(&state)
            undone?.message += back
            return earlierUndone(undone, &state)
        case .undoFailed(let message):
            state.storeRetrying = false
            state.undoInFlight = false
            state.deferredKeys = []
            state.status = StatusMessage(.error, "undo failed: \(message)")
            return []
        case .similarLoaded(let item, let neighbours):
            guard state.screen == .similar, state.currentItem == item else { return [] }
            state.similar = neighbours
            state.gridCursor = 0
            return [.loadDetails(state.gridItems.filter { state.needsDetails($0) }), .redraw]
        case .statsLoaded(let stats):
            state.stats = stats
            return []
        case .imageFailed(let item, let message):
            state.imageProblems[item] = message
            return []
        case .imageReady:
            return []
        case .notice(let message):
            state.status = message
            return []
        case .queuesChanged:
            // Refreshed like others' changes: the item on screen and the reviewer's place stay.
            return othersChanged(&state)
        case .unavailable(let items):
            return unavailable(items, &state)
        case .notesKept(let kept):
            // A note typed in this session before these arrived is the newer one.
            state.keptNotes.merge(kept) { mine, _ in mine }
            for item in state.details.keys { takeKeptNote(of: item, &state) }
            return []
        }
    }

    // MARK: - Keys

    static func handle(key: Key, _ state: inout AppState) -> [Effect] {
        // Ctrl-C quits from anywhere (the terminal is in raw mode, so it arrives as a key).
        if key == .control("c") {
            state.quitting = true
            // A note being typed is kept as it stands (quitting is not a decision to drop it).
            return keepOpenNote(&state) + [.quit]
        }
        if state.isTooSmall {
            // Nothing the reviewer cannot see may happen: only quit and redraw act until the
            // terminal is large enough again.
            switch state.keyMap.command(for: key) {
            case .quit?:
                state.quitting = true
                return [.quit]
            case .redraw?:
                return [.redraw]
            default:
                return []
            }
        }
        if state.picker != nil { return pickerKey(key, &state) }
        if state.noteEditor != nil { return noteKey(key, &state) }
        guard let command = state.keyMap.command(for: key) else {
            state.status = StatusMessage(.warning, "\(key) does nothing here · \(state.keyMap.hint(.help)) lists the keys")
            return []
        }
        state.status = nil
        switch command {
        case .quit where state.screen != .review && state.screen != .zoom:
            return back(&state)
        case .quit:
            state.quitting = true
            return [.quit]
        case .redraw:
            return [.redraw]
        case .help:
            state.screen = state.screen == .help ? .review : .help
            state.helpScroll = 0
            return [.redraw]
        case .back:
            return back(&state)
        case .undo:
            return undo(&state)
        case .redo:
            return redo(&state)
        case .stats:
            if state.screen != .stats { state.statsScroll = 0 }
            state.screen = .stats
            return [.loadStats, .redraw]
        case .lowerQuality where state.screen != .component && state.screen != .similar:
            return [.lowerImageQuality]
        case .raiseQuality where state.screen != .component && state.screen != .similar:
            return [.raiseImageQuality]
        default:
            break
        }
        switch state.screen {
        case .review, .zoom: return reviewCommand(command, &state)
        case .component, .similar: return gridCommand(command, &state)
        case .opened: return openedCommand(command, &state)
        case .queues: return queueListCommand(command, &state)
        case .help:
            switch command {
            case .next: state.helpScroll += 1
            case .previous: state.helpScroll = max(0, state.helpScroll - 1)
            case .pageDown: state.helpScroll += 10
            case .pageUp: state.helpScroll = max(0, state.helpScroll - 10)
            default: state.screen = .review; return [.redraw]
            }
            return []
        case .stats:
            switch command {
            case .next: state.statsScroll += 1
            case .previous: state.statsScroll = max(0, state.statsScroll - 1)
            case .pageDown: state.statsScroll += 10
            case .pageUp: state.statsScroll = max(0, state.statsScroll - 10)
            default: state.screen = .review; return [.redraw]
            }
            return []
        }
    }

    /// Escape (and q outside the review screen): one step back.
    static func back(_ state: inout AppState) -> [Effect] {
        switch state.screen {
        case .review:
            state.draftLabels = nil
            return []
        case .opened:
            state.screen = state.openedFrom
            state.opened = nil
            return [.redraw]
        default:
            state.screen = .review
            return [.redraw]
        }
    }

    static func reviewCommand(_ command: Command, _ state: inout AppState) -> [Effect] {
        switch command {
        case .next: return move(to: state.position + 1, &state)
        case .previous: return move(to: state.position - 1, &state)
        case .pageDown: return move(to: state.position + 10, &state)
        case .pageUp: return move(to: state.position - 10, &state)
        case .first: return move(to: 0, &state)
        case .last: return move(to: state.queue.count - 1, &state)
        case .switchQueue:
            state.screen = .queues
            state.queueCursor = state.setup.queues.firstIndex(of: state.queueName) ?? 0
            // The counts shown are counted now, as opening each queue would hand it out.
            state.countingQueues = true
            return [.loadQueueCounts, .redraw]
        case .zoom:
            state.screen = state.screen == .zoom ? .review : .zoom
            return [.redraw]
        case .blur:
            guard let item = state.currentItem else { return [] }
            return toggleBlur(item, &state)
        case .component:
            guard let details = state.currentDetails else { return [] }
            guard let component = details.component, component.members.count > 1 else {
                state.status = StatusMessage(.info, "this image has no near-duplicates")
                return []
            }
            state.screen = .component
            state.gridCursor = component.members.firstIndex(of: details.item) ?? 0
            return [.loadDetails(component.members.filter { state.needsDetails($0) }), .redraw]
        case .moreLikeThis:
            guard let item = state.currentItem else { return [] }
            state.screen = .similar
            state.similar = nil
            state.gridCursor = 0
            return [.loadSimilar(item), .redraw]
        default:
            guard let slot = state.currentSlot else {
                state.status = StatusMessage(
                    .info, state.queueLoaded ? "the queue is empty · \(state.keyMap.hint(.switchQueue)) switches queue" : "loading the queue…")
                return []
            }
            return decisionCommand(command, items: [slot.item], purpose: .relabelCurrent, &state)
        }
    }

    /// `b`: blur or reveal an image. A sensitive image is revealed; any other one can be
    /// blurred by hand. Either way the status line says what happened and how to undo it.
    static func toggleBlur(_ item: Int, _ state: inout AppState) -> [Effect] {
        if state.blurFlipped.contains(item) { state.blurFlipped.remove(item) } else { state.blurFlipped.insert(item) }
        let key = state.keyMap.hint(.blur)
        let blurred = state.isBlurred(item)
        if state.isSensitive(item) {
            state.status = StatusMessage(.info, blurred ? "blurred again (sensitive) · \(key) reveals it" : "revealed · \(key) blurs it again")
        } else {
            state.status = StatusMessage(
                .info, blurred ? "blurred by hand (not a sensitive class) · \(key) shows it again" : "shown again · \(key) blurs it")
        }
        return [.redraw]
    }

    /// accept / relabel N / take the suggestion / pick / exclude / skip / note on `items`.
    static func decisionCommand(_ command: Command, items: [Int], purpose: ClassPicker.Purpose, _ state: inout AppState) -> [Effect] {
        let focus = items.count == 1 ? state.details[items[0]] : nil
        switch command {
        case .accept:
            if state.setup.multiLabel, let draft = state.draftLabels, purpose == .relabelCurrent {
                state.draftLabels = nil
                let current = focus?.currentLabels ?? []
                return submit(items: items, kind: Set(draft) == Set(current) ? .accept : .relabel(draft), &state)
            }
            if let focus, focus.currentLabels.isEmpty, !state.setup.multiLabel {
                state.status = StatusMessage(.warning, "this image has no label to accept: a digit or \(state.keyMap.hint(.pickClass)) gives it one")
                return []
            }
            return submit(items: items, kind: .accept, &state)
        case .relabel(let slot):
            guard state.setup.legend.indices.contains(slot), let label = state.setup.legend[slot] else {
                state.status = StatusMessage(
                    .warning, "\(state.keyMap.hint(.relabel(slot))) is no class here; \(state.keyMap.hint(.pickClass)) picks any class by name")
                return []
            }
            return relabel(to: label, items: items, purpose: purpose, &state)
        case .takeSuggestion:
            guard let suggested = focus?.suggested else {
                state.status = StatusMessage(.warning, "no suggestion for this image (nothing judges its label: add predictions or embeddings)")
                return []
            }
            return relabel(to: suggested, items: items, purpose: purpose, &state)
        case .pickClass:
            state.picker = ClassPicker(purpose: purpose, classes: state.setup.classes, suggested: focus?.suggested)
            return [.redraw]
        case .exclude:
            return submit(items: items, kind: .exclude, &state)
        case .skip:
            return submit(items: items, kind: .skip, &state)
        case .note:
            guard items.count == 1 else { return [] }
            state.noteEditor = NoteEditor(item: items[0], text: state.notes[items[0]] ?? "")
            return []
        default:
            state.status = StatusMessage(.warning, "\(command.summary): not on this screen")
            return []
        }
    }

    /// Relabels `items` to `label`; for the current item of multi-label data, toggles it in the draft.
    static func relabel(to label: String, items: [Int], purpose: ClassPicker.Purpose, _ state: inout AppState) -> [Effect] {
        if state.setup.multiLabel && purpose == .relabelCurrent {
            var draft = state.draftLabels ?? state.details[items[0]]?.currentLabels ?? []
            if let at = draft.firstIndex(of: label) { draft.remove(at: at) } else { draft.append(label) }
            state.draftLabels = draft
            state.status = StatusMessage(
                .info, "labels: \(draft.isEmpty ? "(none)" : draft.joined(separator: ", ")) · \(state.keyMap.hint(.accept)) saves")
            return []
        }
        return submit(items: items, kind: .relabel([label]), &state)
    }

    static func submit(items: [Int], kind: DecisionKind, _ state: inout AppState) -> [Effect] {
        guard !items.isEmpty else { return [] }
        // The notes written for the images go with the decision (a group's: all of them, the
        // one on screen first, so none is lost when the decision takes them).
        var note: String?
        for text in items.compactMap({ state.notes[$0] }) where !(note?.contains(text) ?? false) {
            note = note.map { $0 + " · " + text } ?? text
        }
        let command = DecisionCommand(items: items, kind: kind, queue: state.queueName, reason: state.currentSlot?.source, note: note)
        state.inFlight = command
        state.status = StatusMessage(.info, "saving…")
        return [.decide(command)]
    }

    // MARK: - Moving

    static func move(to index: Int, _ state: inout AppState) -> [Effect] {
        guard !state.queue.isEmpty else { return [] }
        let clamped = min(max(0, index), state.queue.count - 1)
        if clamped == state.position && index != clamped {
            state.status = StatusMessage(.info, index < 0 ? "first item of the queue" : "last item of the queue")
        }
        state.position = clamped
        state.draftLabels = nil
        return around(state)
    }

    /// Load the details of the current item and the next few, and prefetch their images.
    public static func around(_ state: AppState) -> [Effect] {
        guard !state.queue.isEmpty else { return [] }
        let window = state.queue[state.position..<min(state.queue.count, state.position + lookahead + 1)].map(\.item)
        let missing = window.filter { state.needsDetails($0) }
        var effects: [Effect] = []
        if !missing.isEmpty { effects.append(.loadDetails(missing)) }
        effects.append(.prefetchImages(window))
        effects.append(.hold(items: window, queue: state.queueName))
        return effects
    }

    /// Keep the details cache small on million-item projects: drop what is far away.
    static func trimDetails(_ state: inout AppState) {
        guard state.details.count > 4096 else { return }
        var keep = Set(state.queue[max(0, state.position - 200)..<min(state.queue.count, state.position + 200)].map(\.item))
        keep.formUnion(state.currentDetails?.component?.members ?? [])
        keep.formUnion(state.gridItems)
        if let opened = state.opened { keep.insert(opened) }
        state.details = state.details.filter { keep.contains($0.key) }
        state.detailsVersion = state.detailsVersion.filter { keep.contains($0.key) }
    }
}
