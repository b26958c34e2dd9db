import Testing
import WinnowCore
@testable import WinnowUI

/// A note typed without a decision is never silently dropped: it is kept by the data source
/// (`Effect.keepNote`) the moment it is written, comes back in a later session, and the next
/// decision on its image takes it (the kept copy then goes).
@Suite("Notes typed without a decision are kept")
struct KeptNotesTests {
    static func keptNotes(_ effects: [Effect]) -> [(path: String, text: String?)] {
        effects.compactMap { effect in
            if case .keepNote(_, let path, let text) = effect { return (path, text) }
            return nil
        }
    }

    @Test("Enter keeps the note at once; moving on leaves it on its image; the decision takes it and drops the kept copy")
    func keptThenTaken() {
        var state = Sample.state()
        Sample.press([.character("n")], &state)
        for c in "glare, check" { Sample.press([.character(c)], &state) }
        let kept = Self.keptNotes(Sample.press([.enter], &state))
        #expect(kept.count == 1 && kept.first?.path == "batch-01/img_0000.png" && kept.first?.text == "glare, check")
        #expect(state.status?.text.contains("keeping the note") == true)
        // The source confirms on the status line (the runtime turns its answer into a notice).
        _ = Reducer.reduce(&state, .notice(StatusMessage(.success, "note kept for batch-01/img_0000.png")))
        #expect(View.render(state).buffer.text.contains("note kept for batch-01/img_0000.png"))
        // Moving on and back: the note is still on the image, nothing was decided.
        Sample.press([.character("j"), .character("j"), .character("k"), .character("k")], &state)
        #expect(state.notes[0] == "glare, check" && state.inFlight == nil)
        #expect(View.render(state).buffer.text.contains("glare, check"))
        // The decision takes the note; once saved, the kept copy is dropped.
        #expect(Sample.press([.character("a")], &state).compactMap(\.decision).first?.note == "glare, check")
        let dropped = Self.keptNotes(Sample.confirm(&state))
        #expect(dropped.count == 1 && dropped.first?.path == "batch-01/img_0000.png" && dropped.first?.text == nil)
        #expect(state.notes[0] == nil)
    }

    @Test("an emptied note drops the kept one; a note never kept asks nothing of the source")
    func emptied() {
        var state = Sample.state()
        #expect(Self.keptNotes(Sample.press([.character("n"), .enter], &state)).isEmpty)
        Sample.press([.character("n"), .character("x"), .enter], &state)
        let effects = Sample.press([.character("n"), .control("u"), .enter], &state)
        #expect(Self.keptNotes(effects).count == 1 && Self.keptNotes(effects).first?.text == nil)
        #expect(state.notes[0] == nil)
    }

    @Test("Ctrl-C while typing a note keeps what was typed before quitting")
    func quitKeepsTheOpenNote() {
        var state = Sample.state()
        Sample.press([.character("n")], &state)
        for c in "half a thought" { Sample.press([.character(c)], &state) }
        let effects = Sample.press([.control("c")], &state)
        #expect(state.quitting)
        let kept = Self.keptNotes(effects)
        #expect(kept.count == 1 && kept.first?.text == "half a thought")
        #expect(effects.last == .quit, "kept before the quit")
    }

    @Test("notes kept in an earlier session come back onto their images as their details load, and go with the decision")
    func keptFromEarlierSession() {
        var state = Sample.state(items: 5)
        // Item 1's details are loaded; item 7 is not on screen yet.
        _ = Reducer.reduce(&state, .notesKept(["batch-01/img_0001.png": "from yesterday", "batch-01/img_0007.png": "later"]))
        #expect(state.notes[1] == "from yesterday")
        #expect(state.keptNotes == ["batch-01/img_0007.png": "later"])
        _ = Reducer.reduce(&state, .detailsLoaded([Sample.details(7)]))
        #expect(state.notes[7] == "later" && state.keptNotes.isEmpty)
        Sample.press([.character("j")], &state)
        #expect(View.render(state).buffer.text.contains("from yesterday"))
        #expect(Sample.press([.character("x")], &state).compactMap(\.decision).first?.note == "from yesterday")
    }

    @Test("a note typed in this session wins over an older kept one")
    func typedWins() {
        var state = Sample.state()
        Sample.press([.character("n")], &state)
        for c in "new" { Sample.press([.character(c)], &state) }
        Sample.press([.enter], &state)
        _ = Reducer.reduce(&state, .notesKept(["batch-01/img_0000.png": "old"]))
        #expect(state.notes[0] == "new")
    }

    @Test("a group decision takes every member's note, none is dropped")
    func groupTakesEveryNote() {
        var state = Sample.state()
        state.notes = [0: "first", 1: "second"]
        let effects = Reducer.submit(items: [0, 1], kind: .exclude, &state)
        #expect(effects.compactMap(\.decision).first?.note == "first · second")
        let dropped = Self.keptNotes(Sample.confirm(&state))
        #expect(Set(dropped.map(\.path)) == ["batch-01/img_0000.png", "batch-01/img_0001.png"])
    }
}
