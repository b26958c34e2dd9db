import Testing
import WinnowCore
@testable import WinnowUI

@Suite("Keys fast reviewers expect: suggestion, note, redo, undo across sessions, blur")
struct FastReviewKeysTests {
    @Test("t takes the suggested label; without a suggestion it says why and saves nothing")
    func takeSuggestion() {
        var state = Sample.state()
        #expect(
            Sample.press([.character("t")], &state).compactMap(\.decision) == [
                DecisionCommand(items: [0], kind: .relabel(["square"]), queue: "triage", reason: "label-issues")
            ])
        Sample.confirm(&state)
        var details = Sample.details(1)
        details.suggested = nil
        _ = Reducer.reduce(&state, .detailsLoaded([details]))
        #expect(Sample.press([.character("t")], &state).isEmpty)
        #expect(state.status?.kind == .warning && state.status?.text.contains("no suggestion") == true)
    }

    @Test("t is remappable like every key")
    func takeSuggestionRemapped() throws {
        let map = try KeyMap.configured(try WinnowConfig.parse("[keys]\ntake_suggestion = \"T\"\nnote = \"N\"\nredo = \"ctrl-y\"\n"))
        #expect(map.command(for: .character("T")) == .takeSuggestion && map.command(for: .character("t")) == nil)
        #expect(map.command(for: .character("N")) == .note && map.command(for: .control("y")) == .redo)
        // Every command has a name [keys] accepts.
        for command in Command.all {
            #expect((try? KeyMap.configured(try WinnowConfig.parse("[keys]\n\(command.name) = \"f9\"\n")))?.command(for: .function(9)) == command)
        }
    }

    @Test("the picker opens with the suggestion selected: Enter takes it")
    func pickerOpensOnSuggestion() {
        var state = Sample.state()
        Sample.press([.character("/")], &state)
        #expect(state.picker?.selection == 1, "square is the second class")
        #expect(View.render(state).buffer.text.contains("square"))
        #expect(Sample.press([.enter], &state).compactMap(\.decision).first?.kind == .relabel(["square"]))
    }

    @Test("n writes a note that goes with the next decision on the image, and shows meanwhile")
    func note() {
        var state = Sample.state()
        Sample.press([.character("n")], &state)
        #expect(state.noteEditor?.item == 0)
        // Keys type into the note: a, x and j do not decide or move.
        for c in "ax j" { Sample.press([.character(c)], &state) }
        #expect(state.inFlight == nil && state.position == 0)
        Sample.press([.backspace, .character("k")], &state)
        #expect(View.render(state).buffer.text.contains("ax k"))
        Sample.press([.enter], &state)
        #expect(state.notes[0] == "ax k" && state.noteEditor == nil)
        #expect(View.render(state).buffer.text.contains("note      ax k"))
        let effects = Sample.press([.character("2")], &state)
        #expect(effects.compactMap(\.decision).first?.note == "ax k")
        Sample.confirm(&state)
        #expect(state.notes[0] == nil, "the note was saved with the decision")
        // Escape leaves a note unchanged; an empty note removes it.
        Sample.press([.character("n"), .character("z"), .escape], &state)
        #expect(state.notes[1] == nil)
    }

    /// The key decoder passes C1 controls and bidi controls (a paste) on as characters:
    /// `decide --note` refuses them, so the note editor and the class picker leave them out.
    @Test("a note or a class search never keeps C1 controls or bidi overrides, marks and isolates")
    func controlsAreNotTypedIntoEditors() {
        var state = Sample.state()
        Sample.press([.character("n")], &state)
        for c in ["o", "\u{202E}", "k", "\u{9B}", "\u{200F}", "\u{061C}", "\u{2066}", "!"] as [Character] { Sample.press([.character(c)], &state) }
        #expect(state.noteEditor?.text == "ok!")
        #expect(state.status?.text.contains("left out of notes") == true)
        Sample.press([.enter], &state)
        let effects = Sample.press([.character("2")], &state)
        #expect(effects.compactMap(\.decision).first?.note == "ok!")
        Sample.confirm(&state)
        Sample.press([.character("/")], &state)
        for c in ["s", "\u{202E}", "q", "\u{85}"] as [Character] { Sample.press([.character(c)], &state) }
        #expect(state.picker?.query == "sq")
    }

    @Test("redo makes the undone decision again; a new decision clears what there was to redo")
    func redo() {
        var state = Sample.state()
        Sample.press([.character("2")], &state); Sample.confirm(&state, id: 1)
        Sample.press([.character("u")], &state)
        _ = Reducer.reduce(&state, .undoSaved(items: [0], message: "undone"))
        #expect(state.currentItem == 0)
        let redo = Sample.press([.character("U")], &state)
        #expect(redo.compactMap(\.decision) == [DecisionCommand(items: [0], kind: .relabel(["square"]), queue: "triage", reason: "label-issues")])
        Sample.confirm(&state, id: 2)
        #expect(state.currentItem == 1 && state.decisionsThisSession == 1)
        #expect(Sample.press([.control("r")], &state).isEmpty)
        #expect(state.status?.text == "nothing to redo")
        // Undo, then decide something else: nothing to redo any more.
        Sample.press([.character("u")], &state)
        _ = Reducer.reduce(&state, .undoSaved(items: [0], message: "undone"))
        Sample.press([.character("x")], &state); Sample.confirm(&state, id: 3)
        #expect(state.redoStack.isEmpty)
    }

    @Test("with this session's decisions all undone, u takes back the reviewer's decision of an earlier session")
    func undoEarlierSession() {
        var state = Sample.state()
        #expect(Sample.press([.character("u")], &state) == [.undoEarlier])
        #expect(state.isBusy)
        let earlier = EarlierUndo(
            slots: [QueueSlot(item: 42, source: "random", score: 0)],
            command: DecisionCommand(items: [42], kind: .accept, queue: "triage", reason: "random"),
            message: "undone: #7 accept · old.png (from an earlier session)")
        let effects = Reducer.reduce(&state, .earlierUndone(earlier))
        #expect(state.currentItem == 42 && state.queue.count == 6 && !state.isBusy)
        #expect(effects.contains { if case .loadDetails(let items) = $0 { return items.contains(42) } else { return false } })
        #expect(state.status?.text.contains("earlier session") == true)
        // And redo makes it again.
        #expect(Sample.press([.character("U")], &state).compactMap(\.decision).first?.items == [42])
    }

    @Test("b on an image that is not sensitive blurs it by hand and says so; a blurred image says how to reveal it")
    func blurSaysSomething() {
        var state = Sample.state()
        #expect(!state.isBlurred(0))
        Sample.press([.character("b")], &state)
        #expect(state.isBlurred(0) && state.status?.text.contains("blurred by hand") == true)
        #expect(View.render(state).buffer.text.contains("blurred · b reveals"))
        Sample.press([.character("b")], &state)
        #expect(!state.isBlurred(0) && state.status?.text.contains("shown again") == true)
        var sensitive = Sample.state(setup: Sample.setup(sensitive: ["circle"]))
        #expect(View.render(sensitive).buffer.text.contains("blurred · b reveals"))
        Sample.press([.character("b")], &sensitive)
        #expect(!sensitive.isBlurred(0) && sensitive.status?.text.contains("revealed") == true)
        #expect(!View.render(sensitive).buffer.text.contains("blurred · b reveals"))
    }

    @Test("a refusal in several lines shows as one status line, without control pictures")
    func refusalOnOneLine() {
        var state = Sample.state()
        Sample.press([.character("x")], &state)
        _ = Reducer.reduce(&state, .decisionFailed("alice is an annotator; exclude needs moderator\n    fix: ask bob, carol"))
        #expect(state.status?.text == "not saved: alice is an annotator; exclude needs moderator · fix: ask bob, carol")
        #expect(!View.render(state).buffer.text.contains("␊"))
    }
}
