import Testing
@testable import WinnowUI

@Suite("What the review screen says: scores, counts, groups, queues, others' changes")
struct ScreenFactsTests {
    @Test("one comparable score, labelled; each queue's own measure in words; the rank when there is no score")
    func scores() {
        var state = Sample.state()
        _ = Reducer.reduce(
            &state,
            .queueLoaded(
                name: "triage",
                slots: [
                    QueueSlot(item: 0, source: "random", score: 593),
                    QueueSlot(item: 1, source: "bad-components", score: 62)
                ], counts: [:]))
        var audit = Sample.details(0)
        audit.flagMeasure = "a random audit sample (not chosen by any signal)"
        audit.labelIssueScore = 0.08
        var group = Sample.details(1)
        group.labelIssueScore = nil
        group.flagMeasure = "its group of 4 near-duplicates has mixed labels"
        _ = Reducer.reduce(&state, .detailsLoaded([audit, group]))
        var text = View.render(state).buffer.text
        #expect(text.contains("0.08  label-issue, any queue") && text.contains("random audit sample"))
        #expect(!text.contains("593") && !text.contains("score 593.00"))
        Sample.press([.character("j")], &state)
        text = View.render(state).buffer.text
        #expect(text.contains("rank      2 of 2") && text.contains("near-duplicates has"))
        #expect(!text.contains("62.00"))
    }

    @Test("N decided counts items decided as stats counts them: not skips, not split-offs; a group counts its items; undo takes back")
    func decidedCount() {
        var state = Sample.state()
        Sample.press([.character("s")], &state); Sample.confirm(&state, id: 1)
        #expect(state.decisionsThisSession == 0)
        Sample.press([.character("c"), .character("l"), .character("d")], &state); Sample.confirm(&state, id: 2)
        #expect(state.decisionsThisSession == 0, "a split-off is not a decision")
        Sample.press([.escape, .character("a")], &state); Sample.confirm(&state, id: 3)
        #expect(state.decisionsThisSession == 1)
        Sample.press([.character("c"), .character("A")], &state); Sample.confirm(&state, id: 4)
        #expect(state.decisionsThisSession == 3, "the group's two items")
        #expect(View.render(state).buffer.text.contains("3 decided"))
        Sample.press([.character("u")], &state)
        _ = Reducer.reduce(&state, .undoSaved(items: [2, 102], message: "undone"))
        #expect(state.decisionsThisSession == 1)
    }

    @Test("a group with no labels says so, not purity 1.00 and labels agree; one with a few says how many lack one")
    func unlabelledGroup() {
        var state = Sample.state()
        var details = Sample.details(0)
        details.component = ComponentInfo(id: 3, members: [0, 100, 101], labelCounts: [], purity: 1, isBad: false, majority: nil)
        _ = Reducer.reduce(&state, .detailsLoaded([details]))
        var text = View.render(state).buffer.text
        #expect(text.contains("no labels yet") && !text.contains("purity 1.00") && !text.contains("labels agree"))
        Sample.press([.character("c")], &state)
        text = View.render(state).buffer.text
        #expect(text.contains("no labels yet") && !text.contains("labels agree"))
        details.component = ComponentInfo(
            id: 3, members: [0, 100, 101], labelCounts: [.init(label: "circle", count: 1)], purity: 1, isBad: false, majority: "circle")
        _ = Reducer.reduce(&state, .detailsLoaded([details]))
        #expect(View.render(state).buffer.text.contains("2 without a label"))
    }

    @Test("metadata names are shown whole when there is room (captured_at, not captured…)")
    func metadataNames() {
        var state = Sample.state()
        var details = Sample.details(0)
        details.metadata = [.init(name: "captured_at", value: "2024-05-17"), .init(name: "source", value: "web")]
        _ = Reducer.reduce(&state, .detailsLoaded([details]))
        let text = View.render(state).buffer.text
        #expect(text.contains("captured_at 2024-05-17") && !text.contains("captured…"))
    }

    @Test("Tab counts every queue afresh; the switcher says so until the counts come")
    func queueCounts() {
        var state = Sample.state()
        let effects = Sample.press([.tab], &state)
        #expect(effects.contains(.loadQueueCounts) && state.countingQueues)
        #expect(View.render(state).buffer.text.contains("counting…"))
        _ = Reducer.reduce(&state, .queueCountsLoaded(["triage": 113, "label-issues": 40, "bad-components": 9, "random": 593]))
        let text = View.render(state).buffer.text
        #expect(text.contains("113 open") && text.contains("40 open") && !text.contains("counting…") && !text.contains("·  "))
    }

    @Test("the class picker opens beside the image: the image stays on screen")
    func pickerKeepsImage() {
        var state = Sample.state()
        let before = View.render(state).images
        Sample.press([.character("/")], &state)
        let frame = View.render(state)
        #expect(frame.images == before, "the image is still there, unchanged")
        #expect(frame.buffer.text.contains("Relabel to"))
        // And the note editor too.
        Sample.press([.escape, .character("n")], &state)
        #expect(View.render(state).images == before)
    }

    @Test("others' changes refresh the queue without moving the item under the reviewer's eyes")
    func refreshKeepsItem() {
        var state = Sample.state()
        Sample.press([.character("j"), .character("j")], &state)
        #expect(Reducer.reduce(&state, .othersChanged) == [.refreshQueue("triage")])
        // A second change during the read asks for one more read after it.
        #expect(Reducer.reduce(&state, .othersChanged).isEmpty && state.refreshAgain)
        // Another session released item 7, and decided items 0 and 3; item 2 (on screen) is
        // no longer listed (this session holds it): it stays, at the same place.
        let fresh = [7, 1, 4].map { QueueSlot(item: $0, source: "random", score: 0) }
        let effects = Reducer.reduce(&state, .queueRefreshed(name: "triage", slots: fresh, counts: ["triage": 3]))
        #expect(state.currentItem == 2 && state.position == 2)
        #expect(state.queue.map(\.item) == [7, 1, 2, 4])
        #expect(effects.contains(.refreshQueue("triage")), "the change that came during the read")
        _ = Reducer.reduce(&state, .queueRefreshed(name: "triage", slots: nil, counts: nil))
        #expect(!state.queueReloading && state.queue.map(\.item) == [7, 1, 2, 4])
    }

    @Test("a model retrained behind the screen refreshes the queue the same way: the item on screen stays")
    func retrainRefreshKeepsItem() {
        var state = Sample.state()
        Sample.press([.character("j")], &state)
        #expect(Reducer.reduce(&state, .queuesChanged) == [.refreshQueue("triage")])
        let fresh = [5, 1, 0].map { QueueSlot(item: $0, source: "random", score: 0) }
        _ = Reducer.reduce(&state, .queueRefreshed(name: "triage", slots: fresh, counts: nil))
        #expect(state.currentItem == 1 && state.position == 1 && state.queue.map(\.item) == [5, 1, 0])
    }

    @Test("a refresh that arrives while a decision is saved never brings the decided item back")
    func refreshDuringSave() {
        var state = Sample.state()
        _ = Reducer.reduce(&state, .othersChanged)
        Sample.press([.character("a")], &state)
        // The read started before the decision was committed: it still lists item 0.
        _ = Reducer.reduce(&state, .queueRefreshed(name: "triage", slots: (0..<5).map { QueueSlot(item: $0, source: "x", score: 0) }, counts: nil))
        let effects = Sample.confirm(&state)
        #expect(!state.queue.contains { $0.item == 0 })
        #expect(effects.contains(.refreshQueue("triage")), "read again after the save")
        _ = Reducer.reduce(&state, .queueRefreshed(name: "triage", slots: (0..<5).map { QueueSlot(item: $0, source: "x", score: 0) }, counts: nil))
        #expect(!state.queue.contains { $0.item == 0 }, "decided this session: never back from a stale read")
    }

    @Test("after a decision every view's facts are read again: the item, its group, the grid, the items ahead")
    func staleFactsReloaded() {
        var state = Sample.state()
        Sample.press([.character("c"), .character("A")], &state)
        let effects = Sample.confirm(&state)
        let loads = effects.compactMap { effect -> [Int]? in if case .loadDetails(let items) = effect { return items } else { return nil } }.flatMap {
            $0
        }
        for item in [0, 100, 1, 101, 2, 3, 4] { #expect(loads.contains(item), "item \(item) not read again") }
        // And after undo as well.
        Sample.press([.character("u")], &state)
        let undone = Reducer.reduce(&state, .undoSaved(items: [0, 100], message: "undone"))
        let reloaded = undone.compactMap { effect -> [Int]? in if case .loadDetails(let items) = effect { return items } else { return nil } }.flatMap
        { $0 }
        for item in [0, 100, 1, 2, 3] { #expect(reloaded.contains(item), "item \(item) not read again after undo") }
    }

    @Test("the header says blind review, and how to get better images; help lists the hints")
    func headerHints() {
        var setup = Sample.setup()
        setup.blind = true
        setup.graphics = "blocks (tmux without allow-passthrough)"
        setup.imageHints = ["tmux: set -g allow-passthrough on", "COLORTERM=truecolor"]
        var state = Sample.state(size: TerminalSize(columns: 180, rows: 40), setup: setup)
        var header = View.render(state).buffer.text(row: 0)
        #expect(header.contains("blind") && header.contains("allow-passthrough on") && header.contains("COLORTERM=truecolor"))
        state.size = TerminalSize(columns: 130, rows: 40)
        header = View.render(state).buffer.text(row: 0)
        #expect(header.contains("allow-passthrough on") && header.contains("COLORTERM=truecolor"))
        state.size = TerminalSize(columns: 90, rows: 40)
        header = View.render(state).buffer.text(row: 0)
        #expect(header.contains("? for better images"))
        state.screen = .help
        state.size = TerminalSize(columns: 100, rows: 80)
        let help = View.render(state).buffer.text
        #expect(help.contains("allow-passthrough on") && help.contains("COLORTERM=truecolor") && help.contains("Blind review"))
    }

    @Test("a plain folder of images says what Winnow can and cannot flag there, and what to add")
    func projectNotes() {
        var setup = Sample.setup()
        setup.projectNotes = [
            "A plain folder of images: Winnow can flag broken images, near-duplicates and outliers, not wrong labels.",
            "To check labels, add labels.csv, predictions/<model>.csv and embeddings.npy."
        ]
        var state = Sample.state(setup: setup)
        var text = View.render(state).buffer.text
        #expect(text.contains("This project") && text.contains("plain folder") && text.contains("predictions/<model>.csv"))
        _ = Reducer.reduce(&state, .queueLoaded(name: "triage", slots: [], counts: [:]))
        text = View.render(state).buffer.text
        #expect(text.contains("queue is empty") && text.contains("plain folder"))
    }

    @Test("accept on an image with no label asks for a label instead of saving 'accept (none)'")
    func acceptUnlabelled() {
        var state = Sample.state()
        var details = Sample.details(0)
        details.currentLabels = []
        details.givenLabels = []
        _ = Reducer.reduce(&state, .detailsLoaded([details]))
        #expect(Sample.press([.character("a")], &state).isEmpty)
        #expect(state.status?.text.contains("no label to accept") == true)
        #expect(Sample.press([.character("1")], &state).compactMap(\.decision).first?.kind == .relabel(["circle"]))
    }
}
