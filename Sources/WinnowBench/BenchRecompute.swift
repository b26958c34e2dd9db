import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowNeighbours
import WinnowSession

struct BenchRecompute: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recompute",
        abstract: "Time the incremental label analysis per decision against one full analysis.",
        discussion: """
            Builds an analysis input in memory (noisy labels, models leaning towards a hidden \
            true class, a random neighbour graph of k neighbours mostly of the same class, a \
            few near-duplicates and identical pairs), runs one full LabelAnalysis, builds an \
            IncrementalAnalysis, then applies --decisions random relabels (mostly to the \
            ensemble's prediction) and reports p50 / p95 / max per decision. The fused score \
            is not part of a decision (its weights change with every decision); its full \
            refresh is timed separately. Finally checks the incremental result against a full \
            analysis of the final labels.
            """)

    @Option(help: "Number of items.") var items = 1_000_000
    @Option(help: "Number of classes.") var classes = 10
    @Option(help: "Number of models.") var models = 2
    @Option(help: "Neighbours per item.") var neighbours = 10
    @Option(help: "Decisions to time.") var decisions = 300
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: "filter_by of confident learning.") var filterBy = "prune_by_noise_rate"
    @Flag(help: "Skip the final equality check (saves one full analysis).") var noVerify = false

    func run() throws {
        guard let filter = ConfidentLearning.FilterBy(rawValue: filterBy) else { throw ValidationError("unknown --filter-by \(filterBy)") }
        var settings = AnalysisSettings()
        settings.filterBy = filter
        var t = MonotonicClock.now()
        let input = Self.input(items: items, classes: classes, models: models, neighbours: neighbours, seed: seed)
        print(
            String(
                format: "input: %d items × %d classes, %d models, k = %d (%.1f s to generate)", items, classes, models, neighbours,
                MonotonicClock.now() - t))

        t = MonotonicClock.now()
        let full = LabelAnalysis(input, settings: settings)
        let fullSeconds = MonotonicClock.now() - t
        print(
            String(
                format: "full LabelAnalysis:          %8.1f ms  (%d confident-learning issues)", fullSeconds * 1000,
                full.confidentLearningIssue.lazy.filter { $0 }.count))

        t = MonotonicClock.now()
        var incremental = IncrementalAnalysis(input, settings: settings)
        print(String(format: "IncrementalAnalysis init:    %8.1f ms  (full analysis + indexes)", (MonotonicClock.now() - t) * 1000))

        var rng = SplitMix64(seed: seed &+ 1)
        var times: [Double] = []
        times.reserveCapacity(decisions)
        for _ in 0..<decisions {
            let item = Int(rng.next() % UInt64(items))
            let current = incremental.input.labels[item]
            let predicted = full.ensemblePredicted.isEmpty ? -1 : full.ensemblePredicted[item]
            let label =
                predicted >= 0 && predicted != current && rng.next() % 4 != 0
                ? predicted
                : Int32((Int(max(current, 0)) + 1 + Int(rng.next() % UInt64(max(classes - 1, 1)))) % classes)
            let start = MonotonicClock.now()
            incremental.setLabel(item, to: label)
            times.append(MonotonicClock.now() - start)
        }
        report("incremental setLabel", times)

        var excludeTimes: [Double] = []
        for _ in 0..<max(1, decisions / 3) {
            let item = Int(rng.next() % UInt64(items))
            let start = MonotonicClock.now()
            incremental.setExcluded(item, !incremental.input.excluded[item])
            excludeTimes.append(MonotonicClock.now() - start)
        }
        report("incremental setExcluded", excludeTimes)

        var splitTimes: [Double] = []
        for _ in 0..<5 {
            let item = Int(rng.next() % UInt64(items))
            let start = MonotonicClock.now()
            incremental.setSplitOff(item, true)
            splitTimes.append(MonotonicClock.now() - start)
        }
        report("setSplitOff (full components)", splitTimes)

        var perItem: [Double] = []
        for _ in 0..<1000 {
            let item = Int(rng.next() % UInt64(items))
            let start = MonotonicClock.now()
            _ = incremental.fusedScore(of: item)
            perItem.append(MonotonicClock.now() - start)
        }
        report("fusedScore(of:) one item", perItem)

        t = MonotonicClock.now()
        let view = incremental.analysis
        print(String(format: "analysis view (fused score of all items): %.1f ms", (MonotonicClock.now() - t) * 1000))

        if !noVerify {
            t = MonotonicClock.now()
            let reference = LabelAnalysis(incremental.input, settings: settings)
            let refresh = MonotonicClock.now() - t
            func same(_ a: [Float], _ b: [Float]) -> Bool { zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) } }
            let equal =
                view.confidentLearningIssue == reference.confidentLearningIssue && same(view.fusedScore, reference.fusedScore)
                && view.suggested == reference.suggested && same(view.neighbourAgreement, reference.neighbourAgreement)
                && view.neighbourVote == reference.neighbourVote && view.componentSummaries == reference.componentSummaries
                && view.sources == reference.sources
                && zip(view.models, reference.models).allSatisfy {
                    same($0.selfConfidence, $1.selfConfidence) && same($0.margin, $1.margin) && $0.accuracy == $1.accuracy
                }
            print(
                String(
                    format: "full LabelAnalysis of the final labels: %.1f ms; incremental result %@", refresh * 1000, equal ? "EQUAL" : "DIFFERENT ←")
            )
        }
        let sorted = times.sorted()
        print(
            String(
                format: "per decision p50 %.3f ms vs full analysis %.1f ms (%.0f×)", sorted[sorted.count / 2] * 1000, fullSeconds * 1000,
                fullSeconds / sorted[sorted.count / 2]))
    }

    func report(_ what: String, _ times: [Double]) {
        let sorted = times.sorted()
        func at(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] * 1000 }
        print(
            String(
                format: "%@ p50 %7.3f ms  p95 %7.3f ms  max %7.3f ms  (n=%d)", what.padding(toLength: 30, withPad: " ", startingAt: 0), at(0.5),
                at(0.95), sorted.last! * 1000, sorted.count))
    }

    /// A synthetic input: 10% label noise, 1% unlabelled, models leaning towards the truth,
    /// neighbours mostly of the same true class (0.5% of them near-duplicates), identical pairs.
    static func input(items n: Int, classes k: Int, models m: Int, neighbours kk: Int, seed: UInt64) -> AnalysisInput {
        var rng = SplitMix64(seed: seed)
        let truth = (0..<n).map { _ in Int32(rng.next() % UInt64(k)) }
        var byClass = [[Int32]](repeating: [], count: k)
        for i in 0..<n { byClass[Int(truth[i])].append(Int32(i)) }
        func unit() -> Float { Float(rng.next() >> 40) / Float(1 << 24) }
        let modelValues = (0..<m).map { _ -> [Float] in
            var values = [Float](repeating: 0, count: n * k)
            for i in 0..<n {
                var total: Float = 0
                let difficulty = unit()
                for c in 0..<k { values[i * k + c] = unit() * (0.2 + difficulty); total += values[i * k + c] }
                let boost = (1 - difficulty) * 3 * unit() + 0.1
                values[i * k + Int(truth[i])] += boost
                total += boost
                for c in 0..<k { values[i * k + c] /= total }
            }
            return values
        }
        let labels = (0..<n).map { i -> Int32 in
            let r = rng.next() % 100
            return r == 0 ? -1 : r < 11 ? Int32(rng.next() % UInt64(k)) : truth[i]
        }
        var ids = [Int32](repeating: -1, count: n * kk), sims = [Float](repeating: 0, count: n * kk)
        for i in 0..<n {
            var s: Float = 0.9
            for j in 0..<kk {
                let sameClass = rng.next() % 5 != 0
                let pool = sameClass ? byClass[Int(truth[i])] : byClass[Int(rng.next() % UInt64(k))]
                var other = pool[Int(rng.next() % UInt64(pool.count))]
                if Int(other) == i { other = Int32((i + 1) % n) }
                ids[i * kk + j] = other
                s -= unit() * 0.05
                sims[i * kk + j] = j == 0 && rng.next() % 200 == 0 ? 0.97 : s
            }
        }
        let identical = (0..<(n / 1000)).map { _ in [Int32(rng.next() % UInt64(n)), Int32(rng.next() % UInt64(n))] }
        return AnalysisInput(
            classes: (0..<k).map { "class\($0)" }, labels: labels, excluded: [Bool](repeating: false, count: n),
            models: (0..<m).map { ModelProbabilities(name: "model\($0)", values: modelValues[$0]) },
            neighbours: NeighbourGraph(count: n, k: kk, ids: ids, similarities: sims), identical: identical)
    }
}
