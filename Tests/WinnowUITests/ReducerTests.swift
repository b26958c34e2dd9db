import Testing
@testable import WinnowUI

@Suite("Reducer: decisions, undo, navigation")
struct ReducerTests {
    @Test("accept saves, and the screen advances only once the store confirms")
    func acceptAdvancesAfterConfirmation() {
        var state = Sample.state()
        let effects = Sample.press([.enter], &state)
        #expect(effects.compactMap(\.decision) == [DecisionCommand(items: [0], kind: .accept, queue: "triage", reason: "label-issues")])
        #expect(state.currentItem == 0, "not advanced before the save is confirmed")
        #expect(state.status?.text == "saving…")
        Sample.confirm(&state)
        #expect(state.currentItem == 1)
        #expect(state.queue.count == 4)
        #expect(state.decisionsThisSession == 1)
        #expect(state.status == StatusMessage(.success, "saved #1"))
    }

    @Test("digits relabel to the legend's classes; 0 is the tenth, missing classes warn")
    func digitsRelabel() {
        var state = Sample.state()
        #expect(Sample.press([.character("2")], &state).compactMap(\.decision).first?.kind == .relabel(["square"]))
        Sample.confirm(&state)
        #expect(Sample.press([.character("0")], &state).isEmpty)
        #expect(state.status?.kind == .warning)
        #expect(state.inFlight == nil)
    }

    @Test("keys typed while a save is in flight act on the next item, in order")
    func keysDuringSaveAreDeferred() {
        var state = Sample.state()
        Sample.press([.character("a"), .character("3"), .character("x")], &state)
        #expect(state.deferredKeys == [.character("3"), .character("x")])
        let effects = Sample.confirm(&state)
        // The "3" relabels item 1 (the next one) and waits for its confirmation again.
        #expect(
            effects.compactMap(\.decision) == [DecisionCommand(items: [1], kind: .relabel(["triangle"]), queue: "triage", reason: "label-issues")])
        #expect(state.deferredKeys == [.character("x")])
        let last = Sample.confirm(&state, id: 2)
        #expect(last.compactMap(\.decision).first?.items == [2])
        #expect(last.compactMap(\.decision).first?.kind == .exclude)
    }

    @Test("skip sends the item to the end of the queue")
    func skipMovesToEnd() {
        var state = Sample.state()
        Sample.press([.character("s")], &state)
        Sample.confirm(&state)
        #expect(state.queue.map(\.item) == [1, 2, 3, 4, 0])
        #expect(state.currentItem == 1)
    }

    @Test("undo walks back through the session and brings each item back on screen")
    func undoIsRepeatable() {
        var state = Sample.state()
        Sample.press([.enter], &state); Sample.confirm(&state, id: 1)
        Sample.press([.character("2")], &state); Sample.confirm(&state, id: 2)
        #expect(state.currentItem == 2)
        #expect(Sample.press([.character("u")], &state) == [.undo(items: [1])])
        _ = Reducer.reduce(&state, .undoSaved(items: [1], message: "undone"))
        #expect(state.currentItem == 1)
        #expect(Sample.press([.character("u")], &state) == [.undo(items: [0])])
        _ = Reducer.reduce(&state, .undoSaved(items: [0], message: "undone"))
        #expect(state.currentItem == 0)
        #expect(state.queue.map(\.item) == [0, 1, 2, 3, 4])
        #expect(state.decisionsThisSession == 0)
        // Nothing left of this session: the undo reaches into earlier sessions.
        #expect(Sample.press([.character("u")], &state) == [.undoEarlier])
        _ = Reducer.reduce(&state, .earlierUndone(nil))
        #expect(state.status?.text == "nothing to undo: no decision of yours is in effect")
    }

    @Test("a failed save says so and keeps the item")
    func failedSave() {
        var state = Sample.state()
        Sample.press([.enter, .character("j")], &state)
        _ = Reducer.reduce(&state, .decisionFailed("database is locked"))
        #expect(state.currentItem == 0)
        #expect(state.status?.kind == .error)
        #expect(state.deferredKeys.isEmpty, "keys typed for a screen that never came are dropped")
    }

    @Test("moving loads details and prefetches the next images")
    func navigationPrefetches() {
        var state = Sample.state()
        let effects = Sample.press([.character("j")], &state)
        #expect(state.position == 1)
        #expect(effects.contains(.prefetchImages([1, 2, 3, 4])))
        Sample.press([.character("G")], &state)
        #expect(state.position == 4)
        Sample.press([.character("j")], &state)
        #expect(state.position == 4)
        #expect(state.status?.text == "last item of the queue")
    }

    @Test("the class picker filters fuzzily and relabels with Enter")
    func picker() {
        var state = Sample.state()
        Sample.press([.character("/")], &state)
        #expect(state.picker != nil)
        let effects = Sample.press([.character("t"), .character("r"), .enter], &state)
        #expect(effects.compactMap(\.decision).first?.kind == .relabel(["triangle"]))
        #expect(state.picker == nil)
    }

    @Test("Escape closes the picker without deciding")
    func pickerEscape() {
        var state = Sample.state()
        let effects = Sample.press([.character("r"), .character("s"), .escape], &state)
        #expect(effects.compactMap(\.decision).isEmpty)
        #expect(state.picker == nil)
    }

    @Test("the component view applies the majority to every member in one key")
    func componentMajority() {
        var state = Sample.state()
        Sample.press([.character("c")], &state)
        #expect(state.screen == .component)
        let effects = Sample.press([.character("A")], &state)
        #expect(
            effects.compactMap(\.decision) == [DecisionCommand(items: [0, 100], kind: .relabel(["circle"]), queue: "triage", reason: "label-issues")])
        Sample.confirm(&state)
        #expect(state.screen == .review)
        #expect(state.currentItem == 1)
    }

    @Test("split off in the component view decides on the selected member only")
    func componentSplit() {
        var state = Sample.state()
        Sample.press([.character("c"), .character("l")], &state)
        let effects = Sample.press([.character("d")], &state)
        #expect(effects.compactMap(\.decision).first == DecisionCommand(items: [100], kind: .splitOff, queue: "triage", reason: "label-issues"))
    }

    @Test("multi-label: digits toggle labels, Enter saves them")
    func multiLabelDraft() {
        var state = Sample.state(setup: Sample.setup(multiLabel: true))
        #expect(Sample.press([.character("2"), .character("3")], &state).isEmpty)
        #expect(state.draftLabels == ["circle", "square", "triangle"])
        Sample.press([.character("1")], &state)
        let effects = Sample.press([.enter], &state)
        #expect(effects.compactMap(\.decision).first?.kind == .relabel(["square", "triangle"]))
    }

    @Test("Tab opens the queue switcher; Enter loads the chosen queue")
    func switchQueue() {
        var state = Sample.state()
        Sample.press([.tab, .character("j"), .character("j")], &state)
        #expect(state.screen == .queues)
        let effects = Sample.press([.enter], &state)
        #expect(effects.contains(.loadQueue("bad-components")))
        #expect(state.queueName == "bad-components")
        #expect(!state.queueLoaded)
    }

    @Test("a refreshed queue keeps the reviewer on the same item")
    func refreshKeepsPosition() {
        var state = Sample.state()
        Sample.press([.character("j"), .character("j")], &state)
        _ = Reducer.reduce(
            &state, .queueLoaded(name: "triage", slots: [4, 2, 0].map { QueueSlot(item: $0, source: "random", score: 0) }, counts: [:]))
        #expect(state.currentItem == 2)
        #expect(state.position == 1)
    }

    @Test("b reveals a sensitive image and hides it again")
    func blurToggle() {
        var state = Sample.state(setup: Sample.setup(sensitive: ["circle"]))
        #expect(state.isBlurred(0))
        Sample.press([.character("b")], &state)
        #expect(!state.isBlurred(0))
        Sample.press([.character("b")], &state)
        #expect(state.isBlurred(0))
    }

    @Test("q quits from the review screen but only closes other screens")
    func quit() {
        var state = Sample.state()
        Sample.press([.character("?")], &state)
        #expect(state.screen == .help)
        Sample.press([.character("q")], &state)
        #expect(state.screen == .review && !state.quitting)
        #expect(Sample.press([.character("q")], &state) == [.quit])
        #expect(state.quitting)
    }

    @Test("an unbound key says how to find the keys")
    func unknownKey() {
        var state = Sample.state()
        Sample.press([.character("Y")], &state)
        #expect(state.status?.text.contains("? lists the keys") == true)
    }
}

@Suite("Reducer: several reviewers")
struct TeamReducerTests {
    @Test("moving holds the item on screen and the next few for this session")
    func movingHolds() {
        var state = Sample.state()
        let effects = Sample.press([.character("j")], &state)
        #expect(effects.contains(.hold(items: Array(state.queue[1...].prefix(Reducer.lookahead + 1).map(\.item)), queue: "triage")))
    }

    @Test("items another reviewer holds leave the queue; the screen moves on and says why")
    func unavailableItemsLeave() {
        var state = Sample.state()
        let effects = Reducer.reduce(
            &state, .unavailable([0: Unavailable("alice is reviewing it"), 3: Unavailable("already decided by bob", decidedElsewhere: true)]))
        #expect(state.queue.map(\.item) == [1, 2, 4])
        #expect(state.currentItem == 1)
        #expect(state.status == StatusMessage(.warning, "skipped \(Sample.details(0).path): alice is reviewing it"))
        #expect(effects.contains { if case .hold = $0 { return true } else { return false } })
        // Bob decided an item this queue listed: it is out of date, and reloaded once.
        #expect(effects.contains(.loadQueue("triage")) && state.queueReloading)
        #expect(!Reducer.reduce(&state, .unavailable([1: Unavailable("just decided by bob", decidedElsewhere: true)])).contains(.loadQueue("triage")))
        // Items not in the queue change nothing.
        #expect(Reducer.reduce(&state, .unavailable([42: Unavailable("gone")])).isEmpty)
        #expect(state.queue.map(\.item) == [2, 4])
    }

    @Test("each reviewer's decision shows when several reviewed an item")
    func reviewsAreShown() {
        var state = Sample.state()
        var details = Sample.details(0)
        details.reviews = [.init(name: "alice", value: "circle"), .init(name: "bob", value: "square")]
        _ = Reducer.reduce(&state, .detailsLoaded([details]))
        let text = View.render(state).buffer.text
        #expect(text.contains("Reviews") && text.contains("alice") && text.contains("square"))
    }
}
