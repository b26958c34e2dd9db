/// The workstation's logic: the new state and the effects to run, for each action.
/// Pure (no I/O, no clock), so every behaviour is testable by feeding actions.
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
            state.queueCounts = counts
            guard name == state.queueName else { return [] }
            let current = state.currentItem
            state.queue = slots
            state.queueLoaded = true
            state.queueReloading = false
            if let current, let index = slots.firstIndex(where: { $0.item == current }) {
                state.position = index
            } else {
                state.position = min(state.position, max(0, slots.count - 1))
            }
            return around(state)
        case .detailsLoaded(let loaded):
            for details in loaded { state.details[details.item] = details }
            trimDetails(&state)
            return []
        case .decisionSaved(let saved):
            return decisionSaved(saved, &state)
        case .decisionFailed(let message):
            state.inFlight = nil
            state.deferredKeys = []
            state.status = StatusMessage(.error, "not saved: \(message)")
            return []
        case .undoSaved(let items, let message):
            return undoSaved(items: items, message: message, &state)
        case .undoFailed(let message):
            state.undoInFlight = false
            state.deferredKeys = []
            state.status = StatusMessage(.error, "undo failed: \(message)")
            return []
        case .similarLoaded(let item, let neighbours):
            guard state.screen == .similar, state.currentItem == item else { return [] }
            state.similar = neighbours
            state.gridCursor = 0
            return [.loadDetails(neighbours.map(\.item).filter { state.details[$0] == nil })]
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
            guard state.queueLoaded, !state.queueReloading else { return [] }
            state.queueReloading = true
            return [.loadQueue(state.queueName)]
        case .unavailable(let items):
            return unavailable(items, &state)
        }
    }

    /// Items that cannot be reviewed here after all leave the queue; the screen moves on.
    static func unavailable(_ items: [Int: Unavailable], _ state: inout AppState) -> [Effect] {
        let current = state.currentItem
        let found = slotIndices(of: Set(items.keys), in: state)
        guard !found.isEmpty else { return [] }
        let removedBefore = found.filter { $0 < state.position }.count
        for index in found.sorted(by: >) { state.queue.remove(at: index) }
        state.position = max(0, min(state.position - removedBefore, state.queue.count - 1))
        if let name = Optional(state.queueName), let count = state.queueCounts[name] { state.queueCounts[name] = max(0, count - found.count) }
        if let current, let why = items[current] {
            let path = state.details[current]?.path ?? "the item"
            state.status = StatusMessage(.warning, "skipped \(path): \(why.why)")
        }
        var effects = around(state) + [.redraw]
        // Others decided items this queue still lists: load it again (once at a time), so the
        // screen stops meeting them one by one.
        if items.values.contains(where: \.decidedElsewhere), !state.queueReloading {
            state.queueReloading = true
            effects.append(.loadQueue(state.queueName))
        }
        return effects
    }

    // MARK: - Keys

    static func handle(key: Key, _ state: inout AppState) -> [Effect] {
        if state.picker != nil { return pickerKey(key, &state) }
        // Ctrl-C quits from anywhere (the terminal is in raw mode, so it arrives as a key).
        if key == .control("c") {
            state.quitting = true
            return [.quit]
        }
        guard let command = state.keyMap.command(for: key) else {
            state.status = StatusMessage(.warning, "\(key) does nothing here · \(state.keyMap.hint(.help)) lists the keys")
            return []
        }
        state.status = nil
        switch command {
        case .quit where state.screen != .review && state.screen != .zoom:
            state.screen = .review
            return [.redraw]
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
            if state.screen == .review { state.draftLabels = nil; return [] }
            state.screen = .review
            return [.redraw]
        case .undo:
            return undo(&state)
        case .stats:
            if state.screen != .stats { state.statsScroll = 0 }
            state.screen = .stats
            return [.loadStats, .redraw]
        case .lowerQuality:
            return [.lowerImageQuality]
        default:
            break
        }
        switch state.screen {
        case .review, .zoom: return reviewCommand(command, &state)
        case .component, .similar: return gridCommand(command, &state)
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
            return [.redraw]
        case .zoom:
            state.screen = state.screen == .zoom ? .review : .zoom
            return [.redraw]
        case .blur:
            guard let item = state.currentItem else { return [] }
            if state.revealed.contains(item) { state.revealed.remove(item) } else { state.revealed.insert(item) }
            return []
        case .component:
            guard let details = state.currentDetails else { return [] }
            guard let component = details.component, component.members.count > 1 else {
                state.status = StatusMessage(.info, "this image has no near-duplicates")
                return []
            }
            state.screen = .component
            state.gridCursor = component.members.firstIndex(of: details.item) ?? 0
            return [.loadDetails(component.members.filter { state.details[$0] == nil }), .redraw]
        case .moreLikeThis:
            guard let item = state.currentItem else { return [] }
            state.screen = .similar
            state.similar = nil
            return [.loadSimilar(item), .redraw]
        default:
            guard let slot = state.currentSlot else {
                state.status = StatusMessage(.info, state.queueLoaded ? "the queue is empty · \(state.keyMap.hint(.switchQueue)) switches queue" : "loading the queue…")
                return []
            }
            return decisionCommand(command, items: [slot.item], purpose: .relabelCurrent, &state)
        }
    }

    /// accept / relabel N / pick / exclude / skip on `items`.
    static func decisionCommand(_ command: Command, items: [Int], purpose: ClassPicker.Purpose, _ state: inout AppState) -> [Effect] {
        switch command {
        case .accept:
            if state.setup.multiLabel, let draft = state.draftLabels, purpose == .relabelCurrent {
                state.draftLabels = nil
                let current = state.currentDetails?.currentLabels ?? []
                return submit(items: items, kind: Set(draft) == Set(current) ? .accept : .relabel(draft), &state)
            }
            return submit(items: items, kind: .accept, &state)
        case .relabel(let index):
            guard index < state.setup.classes.count else {
                state.status = StatusMessage(.warning, "there is no class \(index == 9 ? 0 : index + 1); \(state.keyMap.hint(.pickClass)) picks any class by name")
                return []
            }
            let label = state.setup.classes[index]
            if state.setup.multiLabel && purpose == .relabelCurrent {
                var draft = state.draftLabels ?? state.currentDetails?.currentLabels ?? []
                if let at = draft.firstIndex(of: label) { draft.remove(at: at) } else { draft.append(label) }
                state.draftLabels = draft
                state.status = StatusMessage(.info, "labels: \(draft.isEmpty ? "(none)" : draft.joined(separator: ", ")) · \(state.keyMap.hint(.accept)) saves")
                return []
            }
            return submit(items: items, kind: .relabel([label]), &state)
        case .pickClass:
            state.picker = ClassPicker(purpose: purpose)
            return []
        case .exclude:
            return submit(items: items, kind: .exclude, &state)
        case .skip:
            return submit(items: items, kind: .skip, &state)
        default:
            state.status = StatusMessage(.warning, "\(command.summary): not on this screen")
            return []
        }
    }

    static func submit(items: [Int], kind: DecisionKind, _ state: inout AppState) -> [Effect] {
        guard !items.isEmpty else { return [] }
        let command = DecisionCommand(items: items, kind: kind, queue: state.queueName, reason: state.currentSlot?.source)
        state.inFlight = command
        state.status = StatusMessage(.info, "saving…")
        return [.decide(command)]
    }

    // MARK: - Grids (component, more like this)

    static func gridCommand(_ command: Command, _ state: inout AppState) -> [Effect] {
        let items = state.gridItems
        let columns = GridLayout.columns(for: state.size, count: items.count)
        func moveCursor(_ delta: Int) -> [Effect] {
            guard !items.isEmpty else { return [] }
            state.gridCursor = min(max(0, state.gridCursor + delta), items.count - 1)
            return []
        }
        switch command {
        case .left: return moveCursor(-1)
        case .right: return moveCursor(1)
        case .next: return moveCursor(columns)
        case .previous: return moveCursor(-columns)
        case .first: return moveCursor(-items.count)
        case .last: return moveCursor(items.count)
        case .zoom, .component, .moreLikeThis, .switchQueue:
            state.screen = .review
            return reviewCommand(command, &state)
        case .blur:
            guard items.indices.contains(state.gridCursor) else { return [] }
            let item = items[state.gridCursor]
            if state.revealed.contains(item) { state.revealed.remove(item) } else { state.revealed.insert(item) }
            return []
        case .applyMajority:
            guard state.screen == .component, let component = state.currentDetails?.component else { return [] }
            guard let majority = component.majority else {
                state.status = StatusMessage(.warning, "no single majority label; \(state.keyMap.hint(.applyChosen)) picks one")
                return []
            }
            return submit(items: component.members, kind: .relabel([majority]), &state)
        case .applyChosen:
            guard state.screen == .component else { return [] }
            state.picker = ClassPicker(purpose: .relabelComponent)
            return []
        case .splitOff:
            guard state.screen == .component, items.indices.contains(state.gridCursor) else { return [] }
            return submit(items: [items[state.gridCursor]], kind: .splitOff, &state)
        default:
            guard items.indices.contains(state.gridCursor) else { return [] }
            return decisionCommand(command, items: [items[state.gridCursor]], purpose: .relabelSelected, &state)
        }
    }

    static func queueListCommand(_ command: Command, _ state: inout AppState) -> [Effect] {
        let count = state.setup.queues.count
        switch command {
        case .next, .right: state.queueCursor = min(count - 1, state.queueCursor + 1)
        case .previous, .left: state.queueCursor = max(0, state.queueCursor - 1)
        case .first: state.queueCursor = 0
        case .last: state.queueCursor = count - 1
        case .switchQueue: state.queueCursor = (state.queueCursor + 1) % max(1, count)
        case .accept:
            guard state.setup.queues.indices.contains(state.queueCursor) else { return [] }
            let name = state.setup.queues[state.queueCursor]
            state.screen = .review
            if name != state.queueName {
                state.queueName = name
                state.queue = []
                state.position = 0
                state.queueLoaded = false
                state.draftLabels = nil
            }
            return [.loadQueue(name), .redraw]
        default:
            state.screen = .review
            return [.redraw]
        }
        return []
    }

    // MARK: - Class picker

    static func pickerKey(_ key: Key, _ state: inout AppState) -> [Effect] {
        guard var picker = state.picker else { return [] }
        let matches = FuzzyMatch.rank(picker.query, state.setup.classes)
        switch key {
        case .escape, .control("c"), .control("g"):
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
                if state.setup.multiLabel {
                    var draft = state.draftLabels ?? state.currentDetails?.currentLabels ?? []
                    if let at = draft.firstIndex(of: label) { draft.remove(at: at) } else { draft.append(label) }
                    state.draftLabels = draft
                    state.status = StatusMessage(.info, "labels: \(draft.isEmpty ? "(none)" : draft.joined(separator: ", ")) · \(state.keyMap.hint(.accept)) saves")
                    return [.redraw]
                }
                return [.redraw] + submit(items: [item], kind: .relabel([label]), &state)
            case .relabelSelected:
                let items = state.gridItems
                guard items.indices.contains(state.gridCursor) else { return [.redraw] }
                return [.redraw] + submit(items: [items[state.gridCursor]], kind: .relabel([label]), &state)
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
            picker.query.append(c)
            picker.selection = 0
        default:
            break
        }
        state.picker = picker
        return []
    }

    // MARK: - Saving and undo

    static func decisionSaved(_ saved: SavedDecision, _ state: inout AppState) -> [Effect] {
        state.inFlight = nil
        state.now = max(state.now, saved.time)
        let command = saved.command
        let affected = Set(command.items)
        let found = slotIndices(of: affected, in: state)
        let slots = found.map { state.queue[$0] }
        state.undoStack.append(SessionDecision(command: command, slots: slots))
        if state.undoStack.count > 1000 { state.undoStack.removeFirst(state.undoStack.count - 1000) }
        state.decisionsThisSession += command.items.count
        state.status = StatusMessage(.success, saved.message)
        state.draftLabels = nil
        let current = state.currentItem
        if command.kind.settles {
            // Decided items leave the queue; the position now points at the next item.
            let removedBefore = found.filter { $0 < state.position }.count
            for index in found.sorted(by: >) { state.queue.remove(at: index) }
            state.position = max(0, state.position - removedBefore)
            if let current, !affected.contains(current), let index = slotIndices(of: [current], in: state).first {
                state.position = index
            }
        } else if command.kind == .skip, let current, affected.contains(current), state.screen == .review || state.screen == .zoom {
            // Skipped items come back at the end.
            let moved = state.queue.remove(at: state.position)
            state.queue.append(moved)
        }
        if state.position >= state.queue.count { state.position = max(0, state.queue.count - 1) }
        if let name = Optional(state.queueName), let count = state.queueCounts[name] {
            state.queueCounts[name] = command.kind.settles ? max(0, count - slots.count) : count
        }
        if state.screen == .component, command.kind.settles, command.items.count > 1 { state.screen = .review }
        var effects: [Effect] = [.loadDetails(Array(affected))]
        effects += around(state)
        effects += replayDeferred(&state)
        return effects
    }

    /// Where `items` are in the queue. Decisions are nearly always about the item on screen
    /// or its neighbours, so look there first: a million-entry queue is scanned only when
    /// an item is elsewhere.
    static func slotIndices(of items: Set<Int>, in state: AppState) -> [Int] {
        guard !items.isEmpty, !state.queue.isEmpty else { return [] }
        let near = max(0, state.position - 64)..<min(state.queue.count, state.position + 64)
        let nearby = near.filter { items.contains(state.queue[$0].item) }
        if nearby.count == items.count { return nearby }
        return state.queue.indices.filter { items.contains(state.queue[$0].item) }
    }

    static func undo(_ state: inout AppState) -> [Effect] {
        guard let last = state.undoStack.last else {
            state.status = StatusMessage(.warning, "nothing to undo in this session")
            return []
        }
        state.undoInFlight = true
        state.status = StatusMessage(.info, "undoing…")
        return [.undo(items: last.command.items)]
    }

    static func undoSaved(items: [Int], message: String, _ state: inout AppState) -> [Effect] {
        state.undoInFlight = false
        guard let last = state.undoStack.popLast() else { return [] }
        state.decisionsThisSession = max(0, state.decisionsThisSession - last.command.items.count)
        // The items come back where the reviewer is, the first one on screen.
        var returning = last.slots.filter { slotIndices(of: [$0.item], in: state).isEmpty }
        if last.command.kind == .skip {
            // A skipped item went to the end; bring it back to the front.
            let skipped = Set(last.slots.map(\.item))
            let moved = state.queue.filter { skipped.contains($0.item) }
            state.queue.removeAll { skipped.contains($0.item) }
            returning = moved
        }
        let at = min(state.position, state.queue.count)
        state.queue.insert(contentsOf: returning, at: at)
        if let first = last.slots.first?.item, let index = state.queue.firstIndex(where: { $0.item == first }) {
            state.position = index
        }
        if let count = state.queueCounts[state.queueName], last.command.kind.settles {
            state.queueCounts[state.queueName] = count + returning.count
        }
        if state.screen != .component && state.screen != .similar { state.screen = .review }
        state.status = StatusMessage(.success, message)
        var effects: [Effect] = [.loadDetails(items), .redraw]
        effects += around(state)
        effects += replayDeferred(&state)
        return effects
    }

    /// Keys typed while a save was in flight, applied now in order (until one starts
    /// another save, which defers the rest again).
    static func replayDeferred(_ state: inout AppState) -> [Effect] {
        var effects: [Effect] = []
        while !state.deferredKeys.isEmpty && !state.isBusy {
            let key = state.deferredKeys.removeFirst()
            effects += handle(key: key, &state)
        }
        return effects
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
        let missing = window.filter { state.details[$0] == nil }
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
        keep.formUnion(state.similar?.map(\.item) ?? [])
        state.details = state.details.filter { keep.contains($0.key) }
    }
}
