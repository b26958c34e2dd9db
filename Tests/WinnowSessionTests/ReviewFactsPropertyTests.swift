import Foundation
import Testing
import WinnowCore
import WinnowTestSupport
import WinnowUI
@testable import WinnowSession

/// Every view shows what the store holds, whatever the reviewer did before: random
/// sequences of decisions, group actions, split-offs, undos and redos, each step checked
/// against a fresh read of the project (a new source, a new analysis).
@Suite("Review screen facts after any sequence of decisions and undos (property)", .serialized)
struct ReviewFactsPropertyTests {
    /// One reviewer's moves: single decisions, the group grid's actions, moving, undo, redo.
    static let moves: [[Key]] = [
        [.character("1")], [.character("2")], [.character("3")], [.character("a")], [.character("x")], [.character("s")],
        [.character("j")], [.character("k")], [.character("t")],
        [.character("c"), .character("A"), .escape], [.character("c"), .character("l"), .character("d"), .escape],
        [.character("c"), .character("l"), .character("2"), .escape], [.character("c"), .character("R"), .character("f"), .enter, .escape],
        [.character("u")], [.character("u")], [.character("u")], [.character("U")]
    ]

    struct Mismatch: CustomStringConvertible {
        var what: String
        var description: String { what }
    }

    /// The facts a view shows about an item, as text that compares.
    static func facts(_ details: ItemDetails) -> String {
        var text = "labels \(details.currentLabels) status \(details.status)"
        if let c = details.component {
            let counts = c.labelCounts.map { "\($0.label) \($0.count)" }.sorted().joined(separator: ", ")
            text += " group \(c.members.sorted()) [\(counts)] purity \(String(format: "%.3f", c.purity)) bad \(c.isBad) majority \(c.majority ?? "-")"
        }
        return text
    }

    /// Compares what the screen has for every item a view shows with a fresh read.
    func check(_ harness: ReviewHarness, project: Project, step: String) throws -> [Mismatch] {
        let fresh = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, progress: SilentProgress())
        var shown = Set<Int>()
        let state = harness.state
        if let current = state.currentItem {
            shown.insert(current)
            shown.formUnion(state.details[current]?.component?.members ?? [])
        }
        shown.formUnion(state.gridItems)
        // And the items ahead, as they are shown when the reviewer gets there.
        if !state.queue.isEmpty { shown.formUnion(state.queue[state.position..<min(state.queue.count, state.position + 3)].map(\.item)) }
        var mismatches: [Mismatch] = []
        for item in shown.sorted() {
            guard let onScreen = state.details[item], !state.needsDetails(item) else {
                // Not loaded yet is fine for an item not on screen: it is read before it shows.
                if item == state.currentItem { mismatches.append(Mismatch(what: "\(step): the item on screen (\(item)) has stale or no details")) }
                continue
            }
            let truth = try #require(try fresh.details(of: [item]).first)
            if Self.facts(onScreen) != Self.facts(truth) {
                mismatches.append(Mismatch(what: "\(step): item \(item)\n  screen \(Self.facts(onScreen))\n  store  \(Self.facts(truth))"))
            }
        }
        // Entries ahead surfaced by a mixed group are in a mixed group.
        let bad = Set(try fresh.queue(named: "bad-components").slots.map(\.item))
        for slot in state.queue.dropFirst(state.position + 1).prefix(3) where slot.source == "bad-components" && !bad.contains(slot.item) {
            mismatches.append(Mismatch(what: "\(step): item \(slot.item) is still listed as bad-components; its group agrees now"))
        }
        // The group grid's header says what the group is now.
        if state.screen == .component, let component = state.currentDetails?.component,
            let truth = try fresh.details(of: [state.currentItem!]).first?.component
        {
            let header = harness.screenText.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
            if !header.contains("\(truth.members.count) images") || component.members.count != truth.members.count {
                mismatches.append(Mismatch(what: "\(step): the grid header says \(header), the group has \(truth.members.count) images"))
            }
        }
        return mismatches
    }

    @Test("random sequences: every view's facts match a fresh read after every step", arguments: [1, 2, 3, 4] as [UInt64])
    func randomSequences(seed: UInt64) throws {
        let dataset = groupedDataset(seed: seed, function: "facts-\(seed)")
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        let source = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, progress: SilentProgress())
        let harness = ReviewHarness(source: source, classes: source.classes, queue: "bad-components")
        #expect(!harness.state.queue.isEmpty, "the dataset has mixed groups")
        var rng = SplitMix64(seed: seed &* 7919)
        var trail: [String] = []
        for step in 0..<24 {
            let move = Self.moves[Int(rng.next() % UInt64(Self.moves.count))]
            trail.append(move.map(\.description).joined())
            for key in move { harness.press(key) }
            let mismatches = try check(harness, project: project, step: "step \(step) after \(trail.joined(separator: " "))")
            for mismatch in mismatches { Issue.record(Comment(rawValue: mismatch.description)) }
            if !mismatches.isEmpty { break }
        }
    }

    @Test("the issue's sequence: relabel, group, A, undo, relabel again; then split off")
    func reportedSequence() throws {
        let dataset = groupedDataset(seed: 11, function: "facts-reported")
        let project = try Project.open(dataset: dataset.root, importIfNeeded: true)
        let source = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, progress: SilentProgress())
        let harness = ReviewHarness(source: source, classes: source.classes, queue: "bad-components")
        for (name, keys) in [
            ("relabel", [Key.character("2")]), ("c", [.character("c")]), ("A", [.character("A")]), ("u", [.character("u")]),
            ("relabel again", [.character("3")]), ("c", [.character("c")]), ("d", [.character("l"), .character("d")])
        ] {
            harness.press(contentsOf: keys)
            for mismatch in try check(harness, project: project, step: name) { Issue.record(Comment(rawValue: mismatch.description)) }
        }
        // After the split-off, the grid no longer lists the image split off.
        if harness.state.screen == .component, let split = harness.state.undoStack.last?.command.items.first,
            harness.state.undoStack.last?.command.kind == .splitOff
        {
            #expect(!harness.state.gridItems.contains(split), "the grid still lists the image split off")
        }
    }
}

extension ReviewHarness {
    func press(contentsOf keys: [Key]) { for key in keys { press(key) } }
}
