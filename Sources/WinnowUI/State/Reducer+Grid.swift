/// The grids (the near-duplicate group, more like this) and an image opened from one.
///
/// A grid acts only on the keys its footer names: moving, Enter (open the selected image
/// full size), digits and the picker (relabel the selected one), `+`/`-` (thumbnail size),
/// the group's own keys, and Escape. Anything else says so instead of deciding silently.
extension Reducer {
    static func gridCommand(_ command: Command, _ state: inout AppState) -> [Effect] {
        let items = state.gridItems
        let columns = GridLayout.columns(in: GridLayout.area(for: state.size), count: items.count, zoom: state.gridZoom)
        func moveCursor(_ delta: Int) -> [Effect] {
            guard !items.isEmpty else { return [] }
            state.gridCursor = min(max(0, state.gridCursor + delta), items.count - 1)
            return []
        }
        let selected: Int? = items.indices.contains(state.gridCursor) ? items[state.gridCursor] : nil
        switch command {
        case .left: return moveCursor(-1)
        case .right: return moveCursor(1)
        case .next: return moveCursor(columns)
        case .previous: return moveCursor(-columns)
        case .pageDown: return moveCursor(columns * 3)
        case .pageUp: return moveCursor(-columns * 3)
        case .first: return moveCursor(-items.count)
        case .last: return moveCursor(items.count)
        case .lowerQuality, .raiseQuality:
            let step = command == .raiseQuality ? 1 : -1
            let next = GridLayout.clampedZoom(state.gridZoom + step, area: GridLayout.area(for: state.size), count: items.count)
            if next == state.gridZoom {
                state.status = StatusMessage(.info, step > 0 ? "thumbnails are as large as the screen allows" : "thumbnails are as small as they go")
                return []
            }
            state.gridZoom = next
            return [.redraw]
        case .accept:
            // Enter opens the selected image full size, to look and decide; Escape comes back.
            guard let selected else { return [] }
            state.openedFrom = state.screen
            state.opened = selected
            state.screen = .opened
            state.draftLabels = nil
            return [.loadDetails(state.details[selected] == nil ? [selected] : []), .redraw]
        case .blur:
            guard let selected else { return [] }
            return toggleBlur(selected, &state)
        case .applyMajority:
            guard state.screen == .component, let component = state.currentDetails?.component else { return notInGrid(command, &state) }
            guard let majority = component.majority else {
                state.status = StatusMessage(.warning, "no single majority label; \(state.keyMap.hint(.applyChosen)) picks one")
                return []
            }
            return submit(items: component.members, kind: .relabel([majority]), &state)
        case .applyChosen:
            guard state.screen == .component, let component = state.currentDetails?.component else { return notInGrid(command, &state) }
            state.picker = ClassPicker(purpose: .relabelComponent, classes: state.setup.classes, suggested: component.majority)
            return [.redraw]
        case .splitOff:
            guard state.screen == .component, let selected else { return notInGrid(command, &state) }
            return submit(items: [selected], kind: .splitOff, &state)
        case .relabel, .pickClass:
            guard let selected else { return [] }
            return decisionCommand(command, items: [selected], purpose: .relabelSelected, &state)
        default:
            return notInGrid(command, &state)
        }
    }

    static func notInGrid(_ command: Command, _ state: inout AppState) -> [Effect] {
        let key = state.keyMap.hint(command)
        state.status = StatusMessage(
            .warning, "\(key) does nothing in this grid · the keys it takes are below · \(state.keyMap.hint(.back)) goes back")
        return []
    }

    /// The image opened from a grid, full size with its details: decisions act on it, and
    /// once one is saved (or on Escape) the grid comes back.
    static func openedCommand(_ command: Command, _ state: inout AppState) -> [Effect] {
        guard let item = state.opened else { return back(&state) }
        switch command {
        case .blur:
            return toggleBlur(item, &state)
        case .zoom:
            return []
        case .next, .previous, .pageDown, .pageUp, .first, .last, .left, .right, .switchQueue, .component, .moreLikeThis,
            .applyMajority, .applyChosen, .splitOff:
            state.status = StatusMessage(.info, "this is an image opened from the grid · \(state.keyMap.hint(.back)) goes back to it")
            return []
        default:
            return decisionCommand(command, items: [item], purpose: .relabelSelected, &state)
        }
    }
}
