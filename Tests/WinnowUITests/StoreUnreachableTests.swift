import Testing
import WinnowUI

/// The store cannot be reached while a decision is in flight (its server restarts): the
/// status line says so, the decision stays unsaved and in flight (the key is kept), keys
/// typed meanwhile wait, and only the store's confirmation shows it as saved.
@Suite("Review screen: the store unreachable during a save")
struct StoreUnreachableTests {
    /// The status row of the rendered screen, and the style of its first character.
    func statusLine(_ state: AppState) -> (text: String, style: CellStyle?) {
        let buffer = View.render(state).buffer
        for y in 0..<state.size.rows where buffer.text(row: y).contains("store unreachable") {
            let x = buffer.text(row: y).firstIndex(of: "s").map { buffer.text(row: y).distance(from: buffer.text(row: y).startIndex, to: $0) }
            return (buffer.text(row: y), x.map { buffer[$0, y].style })
        }
        return ("", nil)
    }

    @Test("the status line says the store is unreachable and that the decision is kept; a retried save confirms it")
    func unreachableThenSaved() throws {
        var state = Sample.state()
        let effects = Sample.press([.character("2")], &state)
        let command = try #require(effects.compactMap(\.decision).first)
        #expect(Reducer.reduce(&state, .storeUnreachable(message: "postgresql://ann@/shapes: the server closed the connection", retryIn: 2)).isEmpty)
        #expect(state.inFlight == command, "the decision stays in flight, unsaved")
        #expect(state.storeRetrying && state.decisionsThisSession == 0 && state.undoStack.isEmpty)
        let (line, style) = statusLine(state)
        #expect(line.contains("store unreachable — retrying in 2 s · your relabel is kept, not saved yet"), "\(line)")
        #expect(style == state.theme.warning)
        #expect(state.status?.text.contains("the server closed the connection") == true)
        // Keys typed meanwhile wait for the screen the reviewer will see after the save.
        Sample.press([.character("a")], &state)
        #expect(state.deferredKeys == [.character("a")] && state.position == 0)
        // The item is still on screen: nothing shows it as decided.
        #expect(state.currentItem == 0)
        // The server is back: the retried save is confirmed, then the kept key acts.
        let after = Sample.confirm(&state, id: 7)
        #expect(!state.storeRetrying && state.decisionsThisSession == 1)
        #expect(after.compactMap(\.decision).first?.items == [1], "the key typed while waiting decides the next item")
        #expect(state.inFlight?.kind == .accept && state.currentItem == 1)
    }

    @Test("the confirmation of a decision that waited for the store says the store is back")
    func storeBack() {
        var state = Sample.state()
        Sample.press([.character("x")], &state)
        _ = Reducer.reduce(&state, .storeUnreachable(message: "down", retryIn: 1))
        Sample.confirm(&state, id: 9)
        #expect(state.status == StatusMessage(.success, "saved #9 (the store is back)"))
        // The next save that never waited says nothing of the kind.
        Sample.press([.character("a")], &state)
        Sample.confirm(&state, id: 10)
        #expect(state.status == StatusMessage(.success, "saved #10"))
    }

    @Test("what the server said is sanitised before it reaches the status line")
    func sanitised() {
        var state = Sample.state()
        Sample.press([.character("a")], &state)
        _ = Reducer.reduce(&state, .storeUnreachable(message: "postgresql://x@/db: \u{1B}]0;owned\u{07}gone\nfix: later", retryIn: 0.5))
        let text = state.status?.text ?? ""
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(text.debugDescription)")
        #expect(text.hasPrefix("store unreachable — retrying · your accept is kept"))
        #expect(statusLine(state).text.contains("store unreachable"))
    }

    @Test("giving up (the session ends) says not saved; a late report after that changes nothing")
    func givenUp() {
        var state = Sample.state()
        Sample.press([.character("x")], &state)
        _ = Reducer.reduce(&state, .storeUnreachable(message: "down", retryIn: 1))
        _ = Reducer.reduce(&state, .decisionFailed("postgresql://x@/db: down"))
        #expect(state.inFlight == nil && !state.storeRetrying && state.status?.kind == .error)
        #expect(state.status?.text.hasPrefix("not saved:") == true)
        _ = Reducer.reduce(&state, .storeUnreachable(message: "down", retryIn: 1))
        #expect(state.status?.text.hasPrefix("not saved:") == true && !state.storeRetrying)
    }

    @Test("Ctrl-C quits while the store is unreachable; otherwise it waits for the save as before")
    func quitWhileRetrying() {
        var state = Sample.state()
        Sample.press([.character("a")], &state)
        Sample.press([.control("c")], &state)
        #expect(!state.quitting && state.deferredKeys == [.control("c")], "a normal save in flight is waited for")
        state.deferredKeys = []
        _ = Reducer.reduce(&state, .storeUnreachable(message: "down", retryIn: 4))
        #expect(Sample.press([.control("c")], &state) == [.quit])
        #expect(state.quitting)
    }

    @Test("an undo waiting for the store says so")
    func undoKept() {
        var state = Sample.state()
        Sample.press([.character("a")], &state)
        Sample.confirm(&state)
        Sample.press([.character("u")], &state)
        #expect(state.undoInFlight)
        _ = Reducer.reduce(&state, .storeUnreachable(message: "down", retryIn: 8))
        #expect(state.status?.text.hasPrefix("store unreachable — retrying in 8 s · your undo is kept, not saved yet") == true)
        _ = Reducer.reduce(&state, .undoSaved(items: [0], message: "undone: #1 accept"))
        #expect(state.status?.text == "undone: #1 accept (the store is back)" && !state.storeRetrying)
    }
}
