import Foundation
import Testing
import WinnowCore
import WinnowTestSupport
import WinnowUI
@testable import WinnowSession

/// A note typed on the review screen without a decision survives moving on and quitting,
/// and the next decision on its image, in a later session, stores it in the decision log.
@Suite("Notes kept without a decision, through the store", .serialized)
struct KeptNotesSessionTests {
    @Test("typed, moved on, quit; the next session shows it and its decision stores it")
    func keptAcrossSessions() throws {
        let dataset = Repository.copyOfSample(Repository.sampleShapes)
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        var source = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, progress: SilentProgress())
        source.helper?.idleRetrain = false
        var harness = ReviewHarness(source: source, classes: source.classes)
        let item = try #require(harness.state.currentItem)
        let path = try #require(harness.state.details[item]?.path)
        harness.press(.character("n"))
        for c in "dust on the lens" { harness.press(.character(c)) }
        harness.press(.enter)
        #expect(harness.state.status?.text.contains("note kept for \(path)") == true)
        harness.press(.character("j"))
        #expect(try source.keptNotes() == [path: "dust on the lens"])
        #expect(try project.store.history(ofImage: path).isEmpty, "nothing decided")
        source.close()

        // A new session: the note is back on its image, and goes with its decision.
        source = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, progress: SilentProgress())
        source.helper?.idleRetrain = false
        harness = ReviewHarness(source: source, classes: source.classes)
        harness.send(.notesKept(try source.keptNotes()))
        #expect(harness.state.currentItem == item)
        #expect(harness.state.notes[item] == "dust on the lens")
        #expect(harness.screenText.contains("dust on the lens"))
        harness.press(.character("a"))
        let stored = try #require(try project.store.history(ofImage: path).last)
        #expect(stored.action == .accept && stored.note == "dust on the lens")
        #expect(try source.keptNotes().isEmpty, "the decision took the note")
        // Another reviewer's notes are theirs.
        #expect(try NoteDrafts(stateDirectory: project.store.stateDirectory, reviewer: "bob").all().isEmpty)
        source.close()
    }

    @Test("two sessions of one reviewer keep both notes; any reviewer name is one plain file")
    func concurrentKeeps() throws {
        let dataset = Repository.copyOfSample(Repository.sampleShapes)
        let state = dataset.statePath
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let name = "../a/b ✓"
        let first = NoteDrafts(stateDirectory: state, reviewer: name)
        let second = NoteDrafts(stateDirectory: state, reviewer: name)
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            try? (i % 2 == 0 ? first : second).keep("note \(i)", forImage: "img\(i).png")
        }
        let kept = try first.all()
        #expect(kept.count == 40 && kept["img7.png"] == "note 7")
        let files = try FileManager.default.contentsOfDirectory(atPath: state + "/notes")
        #expect(files.count == 2 && files.allSatisfy { !$0.contains("/") && !$0.hasPrefix(".") }, "\(files)")
        try first.keep(nil, forImage: "img7.png")
        #expect(try second.all()["img7.png"] == nil && second.all().count == 39)
    }

    @Test("an unreadable notes file is an error that says which file and what to do, not an empty list")
    func unreadable() throws {
        let dataset = Repository.copyOfSample(Repository.sampleShapes)
        let notes = NoteDrafts(stateDirectory: dataset.statePath, reviewer: "tester")
        try notes.keep("x", forImage: "a.png")
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: dataset.statePath + "/notes/tester.json"))
        #expect {
            try notes.all()
        } throws: { error in
            "\(error)".contains("notes/tester.json") && "\(error)".contains("move the file away")
        }
        #expect(throws: (any Error).self) { try notes.keep("y", forImage: "b.png") }
    }
}
