import Testing
import WinnowCore
@testable import WinnowAnalysis
import WinnowNeighbours

/// 40 items, 2 classes. Items 0–19 are "cat" (class 0), 20–39 "dog" (class 1); the models
/// and neighbours agree with that, except item 3 (labelled dog but looks like a cat) and
/// items 30/31, near-duplicates labelled differently.
struct Fixture {
    let input: AnalysisInput
    let analysis: LabelAnalysis

    init() {
        let n = 40
        var labels = (0..<n).map { Int32($0 < 20 ? 0 : 1) }
        labels[3] = 1
        labels[31] = 0
        func probabilities(confidence: Float, swapped: Set<Int>) -> [Float] {
            (0..<n).flatMap { i -> [Float] in
                let cat = i < 20
                let p = swapped.contains(i) ? 1 - confidence : confidence
                return cat ? [p, 1 - p] : [1 - p, p]
            }
        }
        let models = [
            ModelProbabilities(name: "a", values: probabilities(confidence: 0.9, swapped: [])),
            ModelProbabilities(name: "b", values: probabilities(confidence: 0.8, swapped: [7]))
        ]
        // Neighbours: the 3 next items of the same true class; 30 and 31 are near-duplicates.
        let k = 3
        var ids = [Int32](), sims = [Float]()
        for i in 0..<n {
            let base = i < 20 ? 0 : 20
            let others = (1...k).map { Int32(base + (i - base + $0) % 20) }
            ids += others
            sims += others.map { ($0 == 30 && i == 31) || ($0 == 31 && i == 30) ? 0.99 : 0.8 }
        }
        let graph = NeighbourGraph(count: n, k: k, ids: ids, similarities: sims)
        input = AnalysisInput(
            classes: ["cat", "dog"], labels: labels, excluded: [Bool](repeating: false, count: n), models: models, neighbours: graph,
            duplicatePairs: [DuplicatePair(30, 31, score: 0.99)])
        analysis = LabelAnalysis(input)
    }

    func builder(decided: Set<Int> = [], skipped: Set<Int> = [], strata: [String]? = nil, settings: QueueSettings = QueueSettings()) -> QueueBuilder {
        var problems = [String?](repeating: nil, count: input.count)
        problems[12] = "missing file"
        return QueueBuilder(
            analysis: analysis, input: input, problems: problems, strata: strata,
            decided: (0..<input.count).map(decided.contains), skipped: (0..<input.count).map(skipped.contains), settings: settings)
    }
}

@Suite("Queues")
struct QueueTests {
    let fixture = Fixture()

    @Test func labelIssuesFindTheMislabelledItemsFirstWithReasons() throws {
        let entries = fixture.builder().entries(.labelIssues)
        #expect(Set(entries.prefix(2).map(\.item)) == [3, 31])
        let first = try #require(entries.first)
        #expect(first.reasons.contains { $0.contains("the evidence favours") })
        #expect(first.reasons.contains { $0.contains("0.90") }, "reasons carry numbers: \(first.reasons)")
        #expect(fixture.analysis.suggested[3] == 0)
    }

    @Test func decidedItemsLeaveAndSkippedItemsComeLast() {
        let all = fixture.builder().entries(.labelIssues).map(\.item)
        let decided = fixture.builder(decided: [3]).entries(.labelIssues).map(\.item)
        #expect(!decided.contains(3) && decided.count == all.count - 1)
        let skipped = fixture.builder(skipped: [all[0]]).entries(.labelIssues).map(\.item)
        #expect(skipped.last == all[0] && skipped.count == all.count)
    }

    @Test func badComponentsGroupConflictingNearDuplicates() {
        let entries = fixture.builder().entries(.badComponents)
        #expect(Set(entries.map(\.item)) == [30, 31])
        #expect(entries[0].reasons[0].contains("labels disagree"))
        #expect(fixture.builder().entries(.duplicates).count == 2)
    }

    @Test func disagreementProblemsAndOutliers() {
        #expect(fixture.builder().entries(.disagreement).map(\.item) == [7])
        #expect(fixture.builder().entries(.problems).map(\.item) == [12])
        #expect(fixture.builder().entries(.outliers).count == 1)
    }

    @Test func triageHasEveryItemOnceWithAnAuditShare() {
        let entries = fixture.builder().entries(.triage)
        #expect(entries.count == fixture.input.count, "the audit sample eventually covers everything")
        #expect(Set(entries.map(\.item)).count == entries.count)
        #expect(entries.prefix(5).contains { $0.item == 3 || $0.item == 31 })
        // While targeted work remains, about 15% of entries are audit samples; once it runs
        // out, the audit sample fills the rest.
        let targeted = entries.filter { $0.source != .random }
        let lastTargeted = entries.lastIndex { $0.source != .random }!
        let audits = entries[...lastTargeted].filter { $0.source == .random }.count
        #expect(Double(audits) / Double(lastTargeted + 1) <= 0.25 && audits >= 1, "\(audits) audits among the first \(lastTargeted + 1)")
        #expect(targeted.count >= 6)
    }

    @Test func randomAndStratifiedQueuesAreDeterministicForASeed() {
        var settings = QueueSettings()
        settings.seed = 7
        let a = fixture.builder(settings: settings).entries(.random).map(\.item)
        let b = fixture.builder(settings: settings).entries(.random).map(\.item)
        settings.seed = 8
        let c = fixture.builder(settings: settings).entries(.random).map(\.item)
        #expect(a == b && a != c && Set(a).count == 40)
        let strata = (0..<40).map { $0 % 4 == 0 ? "night" : "day" }
        let stratified = fixture.builder(strata: strata).entries(.stratified)
        #expect(stratified.prefix(2).map { strata[$0.item] }.sorted() == ["day", "night"], "strata alternate")
    }
}

@Suite("Components: split off")
struct SplitOffTests {
    @Test("an item split off joins no component, through pairs or identical files")
    func splitOffLeavesTheGroup() {
        let pairs = [DuplicatePair(0, 1, score: 0.99), DuplicatePair(0, 2, score: 0.98), DuplicatePair(1, 2, score: 0.97)]
        #expect(Components(count: 3, pairs: pairs).members == [[0, 1, 2]])
        let split = Components(count: 3, pairs: pairs, identical: [[0, 2]], splitOff: [2])
        #expect(split.members == [[0, 1]])
        #expect(split.componentOf == [0, 0, -1])
    }
}
