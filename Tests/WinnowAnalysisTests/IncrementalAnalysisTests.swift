import Testing
import WinnowCore
@testable import WinnowAnalysis
import WinnowNeighbours

/// Every field of two analyses that differs (floats bit for bit, NaN equal to NaN).
func analysisDifferences(_ a: LabelAnalysis, _ b: LabelAnalysis) -> [String] {
    var out: [String] = []
    func floats(_ name: String, _ x: [Float], _ y: [Float]) {
        guard x.count == y.count else { out.append("\(name): count \(x.count) vs \(y.count)"); return }
        if let i = x.indices.first(where: { !(x[$0].bitPattern == y[$0].bitPattern || (x[$0].isNaN && y[$0].isNaN)) }) {
            out.append("\(name)[\(i)]: \(x[i]) vs \(y[i])")
        }
    }
    func same<T: Equatable>(_ name: String, _ x: [T], _ y: [T]) {
        guard x.count == y.count else { out.append("\(name): count \(x.count) vs \(y.count)"); return }
        if let i = x.indices.first(where: { x[$0] != y[$0] }) { out.append("\(name)[\(i)]: \(x[i]) vs \(y[i])") }
    }
    same("classes", a.classes, b.classes)
    same("models", a.models.map(\.name), b.models.map(\.name))
    for (m, n) in zip(a.models, b.models) {
        same("\(m.name).predicted", m.predicted, n.predicted)
        floats("\(m.name).selfConfidence", m.selfConfidence, n.selfConfidence)
        floats("\(m.name).margin", m.margin, n.margin)
        floats("\(m.name).entropy", m.entropy, n.entropy)
        if m.accuracy.bitPattern != n.accuracy.bitPattern { out.append("\(m.name).accuracy: \(m.accuracy) vs \(n.accuracy)") }
    }
    floats("ensemble", a.ensemble, b.ensemble)
    same("ensemblePredicted", a.ensemblePredicted, b.ensemblePredicted)
    floats("voteDisagreement", a.voteDisagreement, b.voteDisagreement)
    floats("divergence", a.divergence, b.divergence)
    same("confidentLearningIssue", a.confidentLearningIssue, b.confidentLearningIssue)
    floats("neighbourAgreement", a.neighbourAgreement, b.neighbourAgreement)
    same("neighbourVote", a.neighbourVote, b.neighbourVote)
    floats("outlierScore", a.outlierScore, b.outlierScore)
    same("componentOf", a.components?.componentOf ?? [], b.components?.componentOf ?? [])
    same("componentMembers", a.components?.members ?? [], b.components?.members ?? [])
    if (a.components == nil) != (b.components == nil) { out.append("components: presence differs") }
    same("componentSummaries", a.componentSummaries, b.componentSummaries)
    floats("fusedScore", a.fusedScore, b.fusedScore)
    if a.fusedForm != b.fusedForm { out.append("fusedForm: \(a.fusedForm) vs \(b.fusedForm)") }
    same("suggested", a.suggested, b.suggested)
    same("sources", a.sources, b.sources)
    return out
}

/// A random analysis input: probabilities leaning towards a hidden true class (quantised,
/// so ties happen), noisy labels, some unlabelled and excluded items, an optional neighbour
/// graph with near-duplicates, and optional identical groups.
func randomAnalysisInput(items n: Int, classes k: Int, models: Int, neighbours: Int, identicalGroups: Int, rng: inout SplitMix64) -> AnalysisInput {
    let truth = (0..<n).map { _ in Int(rng.next() % UInt64(k)) }
    let quantised = rng.next() % 2 == 0
    let modelValues = (0..<models).map { _ in
        (0..<n).flatMap { i -> [Float] in
            var row = (0..<k).map { _ in Float(rng.next() % 100) / 100 + 0.01 }
            row[truth[i]] += Float(rng.next() % 300) / 100
            if quantised { row = row.map { ($0 * 4).rounded() + 1 } }
            let total = row.reduce(0, +)
            return row.map { $0 / total }
        }
    }
    let labels = (0..<n).map { i -> Int32 in
        let r = rng.next() % 20
        return r == 0 ? -1 : r < 5 ? Int32(rng.next() % UInt64(k)) : Int32(truth[i])
    }
    let excluded = (0..<n).map { _ in rng.next() % 15 == 0 }
    var graph: NeighbourGraph?
    if neighbours > 0 {
        var ids = [Int32](), sims = [Float]()
        for i in 0..<n {
            for _ in 0..<neighbours {
                if rng.next() % 12 == 0 { ids.append(-1); sims.append(0); continue }
                var j = Int(rng.next() % UInt64(n))
                if j == i { j = (j + 1) % n }
                ids.append(Int32(j))
                let r = rng.next() % 10
                sims.append(r == 0 ? 0.97 : r == 1 ? -0.1 : Float(rng.next() % 90) / 100)
            }
        }
        graph = NeighbourGraph(count: n, k: neighbours, ids: ids, similarities: sims)
    }
    let identical = (0..<identicalGroups).map { _ in (0..<(2 + Int(rng.next() % 2))).map { _ in Int32(rng.next() % UInt64(n)) } }
    // Near-duplicate pairs: the graph's closest neighbours, as the pixels would confirm them.
    var pairs: [DuplicatePair] = []
    if let graph {
        for i in 0..<n {
            for (j, s) in graph.neighbours(of: i) where s >= 0.95 && j != i { pairs.append(DuplicatePair(Int32(i), Int32(j), score: s)) }
        }
    }
    return AnalysisInput(
        classes: (0..<k).map { "c\($0)" }, labels: labels, excluded: excluded,
        models: (0..<models).map { ModelProbabilities(name: "m\($0)", values: modelValues[$0]) },
        neighbours: graph, identical: identical, duplicatePairs: pairs)
}

@Suite("Incremental analysis")
struct IncrementalAnalysisTests {
    /// Applies `steps` random decisions and compares with a full analysis after each.
    /// Returns false on the first difference; `flagged` counts confident-learning issues seen.
    func check(_ input: AnalysisInput, settings: AnalysisSettings, steps: Int, rng: inout SplitMix64, context: String, flagged: inout Int) -> Bool {
        var incremental = IncrementalAnalysis(input, settings: settings)
        var diffs = analysisDifferences(incremental.analysis, LabelAnalysis(input, settings: settings))
        #expect(diffs.isEmpty, "\(context), initial: \(diffs)")
        guard diffs.isEmpty else { return false }
        let n = input.count, k = input.classes.count
        for step in 0..<steps {
            let item = Int(rng.next() % UInt64(n))
            let r = rng.next() % 20
            let what: String
            if r < 14 {
                let label = rng.next() % 12 == 0 ? -1 : Int32(rng.next() % UInt64(k))
                incremental.setLabel(item, to: label)
                what = "label \(item) → \(label)"
            } else if r < 18 {
                incremental.setExcluded(item, !incremental.input.excluded[item])
                what = "exclude \(item): \(incremental.input.excluded[item])"
            } else {
                incremental.setSplitOff(item, !incremental.input.splitOff.contains(Int32(item)))
                what = "split off \(item)"
            }
            diffs = analysisDifferences(incremental.analysis, LabelAnalysis(incremental.input, settings: settings))
            if !diffs.isEmpty {
                // Which internal state drifted from a fresh build over the same input?
                let fresh = IncrementalAnalysis(incremental.input, settings: settings)
                var state: [String] = []
                if fresh.thresholds != incremental.thresholds { state.append("thresholds \(incremental.thresholds) vs \(fresh.thresholds)") }
                if fresh.guess != incremental.guess { state.append("guess") }
                if fresh.joint != incremental.joint { state.append("joint \(incremental.joint) vs \(fresh.joint)") }
                if fresh.prune != incremental.prune { state.append("prune \(incremental.prune) vs \(fresh.prune)") }
                if fresh.flaggedByClass != incremental.flaggedByClass { state.append("flaggedByClass") }
                if fresh.noiseRatePicks != incremental.noiseRatePicks { state.append("noiseRatePicks") }
                if fresh.slotOrder != incremental.slotOrder { state.append("slotOrder") }
                if fresh.applied != incremental.applied { state.append("applied \(incremental.applied) vs \(fresh.applied)") }
                if fresh.members != incremental.members { state.append("members") }
                diffs += state
            }
            #expect(diffs.isEmpty, "\(context), step \(step) (\(what)): \(diffs)")
            guard diffs.isEmpty else { return false }
            flagged += incremental.confidentLearningIssue.lazy.filter { $0 }.count
            let probe = Int(rng.next() % UInt64(n))
            let (score, suggested) = incremental.fusedScore(of: probe)
            let full = incremental.analysis
            #expect(score.bitPattern == full.fusedScore[probe].bitPattern || (score.isNaN && full.fusedScore[probe].isNaN))
            #expect(suggested == full.suggested[probe])
        }
        return true
    }

    @Test func randomDecisionSequencesMatchTheFullAnalysis() {
        var rng = SplitMix64(seed: 2024)
        var flagged: [ConfidentLearning.FilterBy: Int] = [:]
        for trial in 0..<120 {
            let k = [2, 2, 3, 4, 5][trial % 5]
            let n = 20 + Int(rng.next() % 60)
            let models = [1, 2, 3, 0, 1, 2][trial % 6]
            let neighbours = models == 0 ? 1 + Int(rng.next() % 4) : [0, 3, 1, 5][Int(rng.next() % 4)]
            let input = randomAnalysisInput(
                items: n, classes: k, models: models, neighbours: neighbours,
                identicalGroups: Int(rng.next() % 3), rng: &rng)
            var settings = AnalysisSettings()
            settings.filterBy = ConfidentLearning.FilterBy.allCases[trial % ConfidentLearning.FilterBy.allCases.count]
            let context = "trial \(trial) (n \(n), k \(k), models \(models), neighbours \(neighbours), \(settings.filterBy))"
            if !check(input, settings: settings, steps: 30, rng: &rng, context: context, flagged: &flagged[settings.filterBy, default: 0]) { break }
        }
        // The sequences exercise confident learning's flags under every filter_by.
        for filter in ConfidentLearning.FilterBy.allCases { #expect(flagged[filter, default: 0] > 0, "\(filter) never flagged anything") }
    }

    @Test func aFewThousandItemsMatchTheFullAnalysis() {
        var rng = SplitMix64(seed: 7)
        // Two classes of ~2500 members each take the sampled selection path of the pruning.
        for (n, k, models) in [(5000, 2, 2), (3000, 10, 1)] {
            let input = randomAnalysisInput(items: n, classes: k, models: models, neighbours: 10, identicalGroups: 20, rng: &rng)
            var flagged = 0
            _ = check(input, settings: AnalysisSettings(), steps: 40, rng: &rng, context: "n \(n), k \(k)", flagged: &flagged)
            #expect(flagged > 0)
        }
    }

    @Test func labellingEveryItemOneByOneFromScratch() {
        var rng = SplitMix64(seed: 99)
        var input = randomAnalysisInput(items: 60, classes: 3, models: 2, neighbours: 4, identicalGroups: 2, rng: &rng)
        let target = input.labels
        input.labels = [Int32](repeating: -1, count: input.count)
        var incremental = IncrementalAnalysis(input)
        for i in 0..<input.count {
            incremental.setLabel(i, to: target[i] < 0 ? 0 : target[i])
            let diffs = analysisDifferences(incremental.analysis, LabelAnalysis(incremental.input))
            #expect(diffs.isEmpty, "after labelling \(i): \(diffs)")
            if !diffs.isEmpty { break }
        }
    }
}
