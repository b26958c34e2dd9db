/// Decisions confirmed by the store, undo (this session's, then earlier sessions'), redo,
/// and keeping every view's facts current after any of them.
extension Reducer {
    static func decisionSaved(_ saved: SavedDecision, _ state: inout AppState) -> [Effect] {
        state.inFlight = nil
        state.factsVersion += 1
        state.now = max(state.now, saved.time)
        let command = saved.command
        let affected = Set(command.items)
        let found = slotIndices(of: affected, in: state)
        let slots = found.map { state.queue[$0] }
        state.undoStack.append(SessionDecision(command: command, slots: slots))
        if state.undoStack.count > 1000 { state.undoStack.removeFirst(state.undoStack.count - 1000) }
        // A new decision makes the undone ones history; a redo keeps the rest to redo.
        if !state.redoing { state.redoStack = [] }
        state.redoing = false
        if command.kind.settles {
            for item in command.items { state.settledThisSession[item, default: 0] += 1 }
        }
        // The decision took the items' notes: the kept copies go.
        var notesTaken: [Effect] = []
        for item in command.items {
            guard state.notes.removeValue(forKey: item) != nil, let path = state.details[item]?.path else { continue }
            notesTaken.append(.keepNote(item: item, path: path, text: nil))
        }
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
        if let count = state.queueCounts[state.queueName] {
            state.queueCounts[state.queueName] = command.kind.settles ? max(0, count - slots.count) : count
        }
        if state.screen == .component, command.kind.settles, command.items.count > 1 { state.screen = .review }
        if state.screen == .opened {
            // Decided on the image opened from a grid: back to that grid.
            state.screen = state.openedFrom
            state.opened = nil
        }
        var effects = [Effect.loadDetails(staleDetails(after: affected, state))]
        effects += around(state)
        effects += refreshIfAsked(&state)
        effects += replayDeferred(&state)
        return notesTaken + effects
    }

    /// Every item whose facts a decision on `items` may have changed and that a view shows
    /// or will show next: the items, the members of their near-duplicate groups (counts,
    /// purity, majority), the grid on screen and the items around the position (their
    /// suggestions and reasons follow the re-analysis). Read again from the source.
    static func staleDetails(after items: Set<Int>, _ state: AppState) -> [Int] {
        var stale = items
        for item in items { stale.formUnion(state.details[item]?.component?.members ?? []) }
        stale.formUnion(state.gridItems)
        if let current = state.currentItem { stale.formUnion(state.details[current]?.component?.members ?? []) }
        if !state.queue.isEmpty {
            stale.formUnion(state.queue[state.position..<min(state.queue.count, state.position + lookahead + 1)].map(\.item))
        }
        // Only items this session knows (the rest load when they come on screen).
        return stale.filter { state.details[$0] != nil || items.contains($0) }.sorted()
    }

    /// A refresh asked for while a save was in flight runs now.
    static func refreshIfAsked(_ state: inout AppState) -> [Effect] {
        guard state.refreshAgain, !state.queueReloading, !state.isBusy else { return [] }
        state.refreshAgain = false
        state.queueReloading = true
        return [.refreshQueue(state.queueName)]
    }

    static func undo(_ state: inout AppState) -> [Effect] {
        state.undoInFlight = true
        state.status = StatusMessage(.info, "undoing…")
        guard let last = state.undoStack.last else {
            // Nothing left of this session: this reviewer's latest decision from an earlier one.
            state.undoingEarlier = true
            return [.undoEarlier]
        }
        return [.undo(items: last.command.items)]
    }

    static func undoSaved(items: [Int], message: String, _ state: inout AppState) -> [Effect] {
        state.undoInFlight = false
        guard let last = state.undoStack.popLast() else { return [] }
        state.redoStack.append(last)
        if last.command.kind.settles {
            for item in last.command.items {
                let count = (state.settledThisSession[item] ?? 0) - 1
                state.settledThisSession[item] = count > 0 ? count : nil
            }
        }
        // The items come back where the reviewer is, the first one on screen.
        var returning = last.slots.filter { slotIndices(of: [$0.item], in: state).isEmpty }
        if last.command.kind == .skip {
            // A skipped item went to the end; bring it back to the front.
            let skipped = Set(last.slots.map(\.item))
            let moved = state.queue.filter { skipped.contains($0.item) }
            state.queue.removeAll { skipped.contains($0.item) }
            returning = moved
        }
        return bringBack(
            returning, focus: last.slots.first?.item, settles: last.command.kind.settles,
            changed: Set(items), message: message, &state)
    }

    /// An earlier session's decision taken back: its items return to the queue on screen.
    static func earlierUndone(_ undone: EarlierUndo?, _ state: inout AppState) -> [Effect] {
        state.undoInFlight = false
        state.undoingEarlier = false
        guard let undone else {
            state.status = StatusMessage(.warning, "nothing to undo: no decision of yours is in effect")
            state.deferredKeys = []
            return []
        }
        state.redoStack.append(SessionDecision(command: undone.command, slots: undone.slots))
        let returning = undone.slots.filter { slotIndices(of: [$0.item], in: state).isEmpty }
        return bringBack(
            returning, focus: undone.slots.first?.item, settles: undone.command.kind.settles,
            changed: Set(undone.command.items), message: undone.message, &state)
    }

    static func bringBack(_ returning: [QueueSlot], focus: Int?, settles: Bool, changed: Set<Int>, message: String, _ state: inout AppState)
        -> [Effect]
    {
        state.factsVersion += 1
        let at = min(state.position, state.queue.count)
        state.queue.insert(contentsOf: returning, at: at)
        if let focus, let index = state.queue.firstIndex(where: { $0.item == focus }) {
            state.position = index
        }
        if let count = state.queueCounts[state.queueName], settles {
            state.queueCounts[state.queueName] = count + returning.count
        }
        if state.screen == .opened { state.screen = state.openedFrom; state.opened = nil }
        if state.screen != .component && state.screen != .similar { state.screen = .review }
        state.status = StatusMessage(.success, message)
        var effects: [Effect] = [.loadDetails(staleDetails(after: changed, state)), .redraw]
        effects += around(state)
        effects += refreshIfAsked(&state)
        effects += replayDeferred(&state)
        return effects
    }

    /// Makes the last undone decision again.
    static func redo(_ state: inout AppState) -> [Effect] {
        guard let last = state.redoStack.popLast() else {
            state.status = StatusMessage(.warning, "nothing to redo")
            return []
        }
        state.redoing = true
        state.inFlight = last.command
        state.status = StatusMessage(.info, "redoing…")
        return [.decide(last.command)]
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
}
