import Testing
@testable import WinnowUI

@Suite("A screen too small to see, and the digit keys")
struct TooSmallAndLegendTests {
    @Test("while the terminal is too small only q, Ctrl-C and Ctrl-L act")
    func tooSmallKeysWait() {
        var state = Sample.state(size: TerminalSize(columns: 20, rows: 6))
        // j then a: nothing moves, nothing is saved.
        for key: Key in [.character("j"), .character("a"), .enter, .character("1"), .character("x"), .character("/"), .tab, .character("u")] {
            #expect(Sample.press([key], &state).isEmpty, "\(key) acted on a screen too small to see")
        }
        #expect(state.position == 0 && state.inFlight == nil && state.picker == nil && state.screen == .review)
        #expect(Sample.press([.control("l")], &state) == [.redraw])
        #expect(View.render(state).buffer.text.contains("terminal too small"))
        // Large enough again: keys act.
        _ = Reducer.reduce(&state, .resize(TerminalSize(columns: 120, rows: 40)))
        Sample.press([.character("j")], &state)
        #expect(state.position == 1)
        _ = Reducer.reduce(&state, .resize(TerminalSize(columns: 29, rows: 40)))
        #expect(Sample.press([.character("q")], &state) == [.quit] && state.quitting)
    }

    @Test("Ctrl-C quits even when too small, and from the picker")
    func controlCQuits() {
        var state = Sample.state(size: TerminalSize(columns: 20, rows: 6))
        #expect(Sample.press([.control("c")], &state) == [.quit])
        var picking = Sample.state()
        Sample.press([.character("/")], &picking)
        #expect(Sample.press([.control("c")], &picking) == [.quit])
    }

    @Test("keys typed during a save on a screen that became too small are dropped, not replayed")
    func deferredKeysRespectTooSmall() {
        var state = Sample.state()
        Sample.press([.character("a"), .character("j"), .character("x")], &state)
        _ = Reducer.reduce(&state, .resize(TerminalSize(columns: 20, rows: 6)))
        let effects = Sample.confirm(&state)
        #expect(effects.compactMap(\.decision).isEmpty, "x must not exclude an item nobody can see")
        #expect(state.inFlight == nil)
    }

    @Test("classes named by digits: each digit key picks its own class")
    func numericTaxonomy() {
        let words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        for classes in [words, words.sorted(), (0...9).map(String.init), ["Nine", "One", "Zero"], ["3", "1", "2"]] {
            var state = Sample.state(setup: ReviewSetup(projectName: "digits", reviewer: "alice", classes: classes, queues: ["triage"]))
            for digit in 0...9 {
                let key = Key.character(Character(String(digit)))
                guard let command = state.keyMap.command(for: key), case .relabel(let slot) = command else {
                    Issue.record("no relabel key \(digit)"); continue
                }
                let expected = classes.first { ClassLegend.digit(named: $0) == digit }
                #expect(state.setup.legend[slot] == expected, "\(classes): key \(digit)")
            }
            // "1" on a handwriting dataset saves "one" (or "1"), never the first class of the list.
            let one = classes.first { ClassLegend.digit(named: $0) == 1 }!
            let effects = Sample.press([.character("1")], &state)
            #expect(effects.compactMap(\.decision).first?.kind == .relabel([one]), "\(classes)")
        }
    }

    @Test("other taxonomies keep the legend in order; a digit without a class warns and saves nothing")
    func ordinaryLegend() {
        #expect(ClassLegend.slots(for: ["cat", "dog"]) == ["cat", "dog", nil, nil, nil, nil, nil, nil, nil, nil])
        // Mixed names, or a digit twice ("1" and "one"), are not a numeric taxonomy.
        #expect(ClassLegend.slots(for: ["one", "two", "other"])[0] == "one")
        #expect(ClassLegend.slots(for: ["one", "1"]) == ["one", "1", nil, nil, nil, nil, nil, nil, nil, nil])
        #expect(ClassLegend.slots(for: (0..<12).map { "c\($0)" }).count == 10)
        var state = Sample.state()
        #expect(Sample.press([.character("5")], &state).isEmpty)
        #expect(state.status?.kind == .warning && state.inFlight == nil)
    }

    @Test("the legend and ? name the classes, and never list keys of classes that do not exist")
    func helpListsOnlyExistingClasses() {
        var state = Sample.state(size: TerminalSize(columns: 120, rows: 80))
        state.screen = .help
        let text = View.render(state).buffer.text
        #expect(text.contains("relabel to 'circle'") && text.contains("relabel to 'triangle'"))
        let lines = HelpView.lines(state)
        #expect(lines.filter { $0.summary.hasPrefix("relabel to") }.map(\.keys) == ["1", "2", "3"])
        #expect(!text.contains("class 4 of the legend") && !text.contains("relabel to class"))
        // Every command is listed with its keys, the new ones included.
        for command: Command in [.takeSuggestion, .note, .redo, .raiseQuality, .lowerQuality] {
            #expect(lines.contains { $0.summary == command.summary && $0.keys != "—" }, "\(command)")
        }
        // A numeric taxonomy: "1 one" … "0 zero" in the legend.
        var digits = Sample.state(setup: ReviewSetup(projectName: "d", reviewer: "a", classes: ["zero", "one", "two"], queues: ["triage"]))
        let legend = View.render(digits).buffer.text
        #expect(legend.contains("1 one") && legend.contains("2 two") && legend.contains("0 zero"))
        digits.screen = .help
        #expect(HelpView.lines(digits).filter { $0.summary.hasPrefix("relabel") }.map(\.keys) == ["1", "2", "0"])
    }
}
