import Testing
import WinnowCore
@testable import WinnowAnalysis
import WinnowNeighbours

@Suite("Label-issues queue length")
struct LabelIssueQueueTests {
    /// A random neighbour graph whose neighbours mostly share the item's true class.
    func graph(truth: [Int], k: Int, purity: Double, rng: inout SplitMix64) -> NeighbourGraph {
        let n = truth.count
        var byClass: [Int: [Int]] = [:]
        for (i, t) in truth.enumerated() { byClass[t, default: []].append(i) }
        var ids: [Int32] = [], similarities: [Float] = []
        for i in 0..<n {
            for _ in 0..<k {
                let sameClass = Double(rng.next() % 1000) / 1000 < purity
                let pool = sameClass ? byClass[truth[i]]! : Array(0..<n)
                var j = pool[Int(rng.next() % UInt64(pool.count))]
                if j == i { j = (i + 1) % n }
                ids.append(Int32(j))
                similarities.append(0.5 + Float(rng.next() % 400) / 1000)
            }
        }
        return NeighbourGraph(count: n, k: k, ids: ids, similarities: similarities)
    }

    @Test("the queue holds every judged item in fused-score order, so never fewer than the real errors; triage takes the flagged ones")
    func neverShorterThanTheRealErrors() {
        var shorterFlags = 0
        for trial in 0..<24 {
            let classes = [2, 3, 5, 10][trial % 4]
            let noise = [0.05, 0.15, 0.3, 0.4][trial / 4 % 4]
            var f = WeightingFixture(items: 600, classes: classes, noise: noise, seed: UInt64(100 + trial))
            var models = (0..<(trial % 3)).map { ModelProbabilities(name: "m\($0)", values: f.model(skill: 1.5 + Double($0))) }
            // Models trained on noisy labels repeat some of them: the first one swaps the true
            // and the given class on half the errors, so the flags miss those.
            if !models.isEmpty {
                for i in f.labels.indices where f.isError[i] && i % 2 == 0 {
                    let t = i * classes + f.truth[i], g = i * classes + Int(f.labels[i])
                    models[0].values.swapAt(t, g)
                }
            }
            var rng = SplitMix64(seed: UInt64(trial))
            let neighbours = models.isEmpty || trial % 2 == 0 ? graph(truth: f.truth, k: 8, purity: 0.7, rng: &rng) : nil
            var excluded = [Bool](repeating: false, count: f.labels.count)
            excluded[Int(rng.next() % 600)] = true
            let input = AnalysisInput(
                classes: (0..<classes).map { "c\($0)" }, labels: f.labels, excluded: excluded, models: models, neighbours: neighbours)
            let analysis = LabelAnalysis(input)
            let n = input.count
            let builder = QueueBuilder(
                analysis: analysis, input: input, problems: [String?](repeating: nil, count: n), strata: nil,
                decided: [Bool](repeating: false, count: n), skipped: [Bool](repeating: false, count: n))
            let queue = builder.order(.labelIssues)
            let judged = (0..<n).filter(input.isJudged)
            let realErrors = judged.filter { f.isError[$0] }.count
            let context = "trial \(trial): \(classes) classes, \(noise) noise, \(models.count) models, neighbours \(neighbours != nil)"
            #expect(queue.count >= realErrors, "\(context)")
            #expect(Set(queue.map(\.item)) == Set(judged), "\(context)")
            #expect(zip(queue, queue.dropFirst()).allSatisfy { $0.score >= $1.score }, "\(context): in fused-score order")
            // The flags alone (the old cut) can fall short of the real errors.
            if judged.filter(builder.isFlaggedLabelIssue).count < realErrors { shorterFlags += 1 }
            // Triage's label-issue share is the flagged items only.
            let triageLabelIssues = builder.order(.triage).filter { $0.source == .labelIssues }
            #expect(triageLabelIssues.allSatisfy { builder.isFlaggedLabelIssue($0.item) }, "\(context)")
            #expect(Set(builder.order(.triage).map(\.item)).isSuperset(of: judged.filter(builder.isFlaggedLabelIssue)), "\(context)")
        }
        #expect(shorterFlags > 0, "the trials include cases where the flags alone would have cut the queue short")
    }
}
