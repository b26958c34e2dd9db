/// Queues: loading one, the switcher, and keeping the one on screen current while other
/// reviewers work on the same project.
extension Reducer {
    static func queueLoaded(name: String, slots: [QueueSlot], counts: [String: Int], _ state: inout AppState) -> [Effect] {
        state.queueCounts.merge(counts) { $1 }
        guard name == state.queueName else { return [] }
        let current = state.currentItem
        state.queue = withoutSettled(slots, state)
        state.queueLoaded = true
        state.queueReloading = false
        if let current, let index = state.queue.firstIndex(where: { $0.item == current }) {
            state.position = index
        } else {
            state.position = min(state.position, max(0, state.queue.count - 1))
        }
        return around(state)
    }

    /// Items this session has decided never come back with a queue read before the
    /// decision was committed (reads and writes run on different queues).
    static func withoutSettled(_ slots: [QueueSlot], _ state: AppState) -> [QueueSlot] {
        guard !state.settledThisSession.isEmpty else { return slots }
        return slots.filter { state.settledThisSession[$0.item] == nil }
    }

    /// Another session changed the project: read the queue again (one read at a time; a
    /// change during a read asks for one more).
    static func othersChanged(_ state: inout AppState) -> [Effect] {
        guard state.queueLoaded else { return [] }
        if state.queueReloading || state.isBusy {
            state.refreshAgain = true
            return []
        }
        state.queueReloading = true
        return [.refreshQueue(state.queueName)]
    }

    /// The queue read again after others' changes. The item on screen stays on screen (this
    /// session holds it), and so does the reviewer's place: only what others released or
    /// took changes around it.
    static func queueRefreshed(name: String, slots: [QueueSlot]?, counts: [String: Int]?, _ state: inout AppState) -> [Effect] {
        state.queueReloading = false
        var effects: [Effect] = []
        if let counts { state.queueCounts.merge(counts) { $1 } }
        if name == state.queueName, var slots, !state.isBusy {
            // Others' decisions change the analysis too: what is shown next is read again.
            state.factsVersion += 1
            slots = withoutSettled(slots, state)
            if let current = state.currentSlot {
                if let index = slots.firstIndex(where: { $0.item == current.item }) {
                    // Keep the position on screen: move the item there rather than the reviewer.
                    let slot = slots.remove(at: index)
                    slots.insert(slot, at: min(state.position, slots.count))
                } else {
                    slots.insert(current, at: min(state.position, slots.count))
                }
                state.position = slots.firstIndex { $0.item == current.item } ?? 0
            } else {
                state.position = min(state.position, max(0, slots.count - 1))
            }
            state.queue = slots
            effects += around(state)
        } else if state.isBusy {
            state.refreshAgain = true
        }
        if state.refreshAgain && !state.isBusy {
            state.refreshAgain = false
            state.queueReloading = true
            effects.append(.refreshQueue(state.queueName))
        }
        return effects
    }

    /// Entries surfaced because their near-duplicate group's labels disagreed, whose group
    /// agrees now (a decision on another member settled it), leave the queue as a fresh
    /// read would leave them out. Not the item on screen: it does not move under the
    /// reviewer's eyes (its facts show the group as it is now).
    static func dropNoLongerFlagged(_ loaded: [ItemDetails], _ state: inout AppState) -> [Effect] {
        let settled = Set(loaded.filter { $0.component.map { !$0.isBad } ?? true }.map(\.item))
        guard !settled.isEmpty, state.queueLoaded else { return [] }
        let current = state.currentItem
        let gone = slotIndices(of: settled, in: state).filter { state.queue[$0].source == "bad-components" && state.queue[$0].item != current }
        guard !gone.isEmpty else { return [] }
        let removedBefore = gone.filter { $0 < state.position }.count
        for index in gone.sorted(by: >) { state.queue.remove(at: index) }
        state.position = max(0, min(state.position - removedBefore, state.queue.count - 1))
        if let count = state.queueCounts[state.queueName] { state.queueCounts[state.queueName] = max(0, count - gone.count) }
        return around(state)
    }

    /// Items that cannot be reviewed here after all leave the queue; the screen moves on.
    static func unavailable(_ items: [Int: Unavailable], _ state: inout AppState) -> [Effect] {
        let current = state.currentItem
        let found = slotIndices(of: Set(items.keys), in: state)
        guard !found.isEmpty else { return [] }
        let removedBefore = found.filter { $0 < state.position }.count
        for index in found.sorted(by: >) { state.queue.remove(at: index) }
        state.position = max(0, min(state.position - removedBefore, state.queue.count - 1))
        if let count = state.queueCounts[state.queueName] { state.queueCounts[state.queueName] = max(0, count - found.count) }
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
                state.queueReloading = false
                state.draftLabels = nil
            }
            return [.loadQueue(name), .redraw]
        default:
            state.screen = .review
            return [.redraw]
        }
        return []
    }
}
