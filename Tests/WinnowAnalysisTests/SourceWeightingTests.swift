import Foundation
import Testing
import WinnowCore
@testable import WinnowAnalysis

/// Items with hidden true classes and noisy labels, and sources of evidence about them.
struct WeightingFixture {
    let classes: Int
    let truth: [Int]
    let labels: [Int32]
    var rng: SplitMix64

    init(items n: Int, classes k: Int, noise: Double, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        classes = k
        truth = (0..<n).map { _ in Int(rng.next() % UInt64(k)) }
        labels = truth.map { t in
            Double(rng.next() % 10_000) / 10_000 < noise ? Int32((t + 1 + Int(rng.next() % UInt64(k - 1))) % k) : Int32(t)
        }
        self.rng = rng
    }

    var isError: [Bool] { zip(truth, labels).map { $0 != Int($1) } }

    func gaussian(_ rng: inout SplitMix64) -> Double {
        let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-12), u2 = Double(rng.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// A model that sees the true class through Gaussian logit noise: its confidence tells
    /// right from wrong (it ranks well).
    mutating func model(skill: Double) -> [Float] {
        var out: [Float] = []
        for t in truth {
            var row = (0..<classes).map { _ in gaussian(&rng) }
            row[t] += skill
            let top = row.max()!
            let e = row.map { exp($0 - top) }
            let sum = e.reduce(0, +)
            out += e.map { Float($0 / sum) }
        }
        return out
    }

    /// The same top class as `model` (so the same accuracy) with a confidence that says
    /// nothing: uniform in [0.5, 1] on the top class, the rest spread evenly.
    mutating func shuffledConfidence(of model: [Float]) -> [Float] {
        var out: [Float] = []
        for i in truth.indices {
            let row = Array(model[(i * classes)..<((i + 1) * classes)])
            let top = row.indices.max { row[$0] < row[$1] }!
            let confidence = 0.5 + 0.5 * Double(rng.next() % 10_000) / 10_000
            out += (0..<classes).map { $0 == top ? Float(confidence) : Float((1 - confidence) / Double(classes - 1)) }
        }
        return out
    }

    /// Random distributions, unrelated to the items: a chance-level source.
    mutating func noise() -> [Float] {
        var out: [Float] = []
        for _ in truth {
            let row = (0..<classes).map { _ in Double(rng.next() % 1000) + 1 }
            let sum = row.reduce(0, +)
            out += row.map { Float($0 / sum) }
        }
        return out
    }

    /// Each source's probability of each item's label, as `SourceWeighting` takes them.
    func labelProbability(_ sources: [[Float]]) -> [[Float]] {
        sources.map { values in labels.indices.map { values[$0 * classes + Int(labels[$0])] } }
    }

    func predicted(_ values: [Float]) -> [Int32] {
        labels.indices.map { i in
            let row = values[(i * classes)..<((i + 1) * classes)]
            return Int32(row.indices.max { row[$0] < row[$1] }! - row.startIndex)
        }
    }

    /// Each source's highest probability of a class other than each item's label.
    func runnerUp(_ sources: [[Float]]) -> [[Float]] {
        sources.map { values in
            labels.indices.map { i in (0..<classes).filter { $0 != Int(labels[i]) }.map { values[i * classes + $0] }.max()! }
        }
    }

    /// The weighting of these sources on the fixture's items.
    func estimate(_ sources: [[Float]], items: [Int]? = nil) -> SourceWeighting.Estimate {
        let items = items ?? Array(labels.indices)
        let q = labelProbability(sources), p = sources.map(predicted), r = runnerUp(sources)
        return SourceWeighting.estimate(
            labels: items.map { labels[$0] }, classes: classes,
            labelProbability: q.map { column in items.map { column[$0] } },
            predicted: p.map { column in items.map { column[$0] } },
            runnerUp: r.map { column in items.map { column[$0] } })
    }

    /// A source whose p(label) is uniform in [0.3, 0.5] whatever the label (self-confidence
    /// at chance) and whose remaining probability goes to the true class on mislabelled items
    /// (with probability `skill`, else to a random other class) and is spread evenly on the
    /// others: only the normalized margin ranks the errors.
    mutating func marginOnly(skill: Double) -> [Float] {
        var out: [Float] = []
        for i in truth.indices {
            let label = Int(labels[i])
            let own = 0.3 + 0.2 * uniform()
            var row = [Double](repeating: 0, count: classes)
            row[label] = own
            if truth[i] != label {
                let target = uniform() < skill ? truth[i] : (label + 1 + Int(rng.next() % UInt64(classes - 1))) % classes
                row[target] = 1 - own
            } else {
                for c in 0..<classes where c != label { row[c] = (1 - own) / Double(classes - 1) }
            }
            out += row.map { Float($0) }
        }
        return out
    }

    /// A source whose p(label) is lower on mislabelled items (uniform in [0.1, 0.6] against
    /// [0.4, 0.9]) and which puts the rest, at random, either all on one random other class
    /// or evenly on all of them: its self-confidence ranks the errors, its margin adds noise.
    mutating func selfConfidenceOnly() -> [Float] {
        var out: [Float] = []
        for i in truth.indices {
            let label = Int(labels[i])
            let own = truth[i] != label ? 0.1 + 0.5 * uniform() : 0.4 + 0.5 * uniform()
            let concentrated = uniform() < 0.5
            let favoured = (label + 1 + Int(rng.next() % UInt64(classes - 1))) % classes
            var row = [Double](repeating: 0, count: classes)
            row[label] = own
            for c in 0..<classes where c != label {
                row[c] = concentrated ? (c == favoured ? 1 - own : 0) : (1 - own) / Double(classes - 1)
            }
            out += row.map { Float($0) }
        }
        return out
    }

    mutating func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }

    /// Precision at K of a source's self-confidence or normalized margin.
    func precisionAtK(_ values: [Float], form: SourceWeighting.Form) -> Double {
        let suspicion = labels.indices.map { i in
            form.score((0..<classes).map { Double(values[i * classes + $0]) }, label: Int(labels[i]))
        }
        return RankingMetrics(suspicion: suspicion, isError: isError)!.precisionAtK
    }

    func accuracy(_ values: [Float]) -> Double {
        let correct = labels.indices.filter { i in
            let row = values[(i * classes)..<((i + 1) * classes)]
            return row.indices.max { row[$0] < row[$1] }! - row.startIndex == Int(labels[i])
        }.count
        return Double(correct) / Double(labels.count)
    }
}

@Suite("Source weighting by ranking quality")
struct SourceWeightingTests {
    @Test("at equal accuracy, the source whose confidence ranks the errors counts more")
    func betterRankingCountsMoreAtEqualAccuracy() {
        for seed in [1, 2, 3] as [UInt64] {
            for noise in [0.05, 0.2, 0.4] {
                var f = WeightingFixture(items: 3000, classes: 6, noise: noise, seed: seed)
                let good = f.model(skill: 3)
                let flat = f.shuffledConfidence(of: good)
                let other = f.model(skill: 2.5)
                #expect(f.accuracy(good) == f.accuracy(flat))
                // With a third source, and with the two alone.
                for sources in [[good, flat, other], [good, flat]] {
                    let estimate = f.estimate(sources)
                    #expect(estimate.weights[0] > 1.1 * estimate.weights[1], "seed \(seed), noise \(noise), \(sources.count) sources: \(estimate)")
                    #expect(estimate.auroc[0]! > estimate.auroc[1]!)
                }
            }
        }
    }

    @Test("a chance-level source gets almost no weight")
    func chanceGetsNothing() {
        for (seed, sources) in [(UInt64(4), 2), (5, 3), (6, 4)] {
            var f = WeightingFixture(items: 4000, classes: 4, noise: 0.15, seed: seed)
            var all = (0..<(sources - 1)).map { _ in f.model(skill: 2.5) }
            all.insert(f.noise(), at: 0)
            let estimate = f.estimate(all)
            #expect(estimate.weights[0] < 0.05, "\(estimate)")
            #expect(abs(estimate.auroc[0]! - 0.5) < 0.03 && abs(estimate.kappa[0]) < 0.03, "\(estimate)")
        }
    }

    @Test("the estimate does not depend on the order of the sources or of the items, and is deterministic")
    func permutationInvarianceAndDeterminism() {
        var f = WeightingFixture(items: 2500, classes: 5, noise: 0.2, seed: 7)
        let sources = [f.model(skill: 3), f.model(skill: 1.5), f.shuffledConfidence(of: f.model(skill: 2.5)), f.noise()]
        let reference = f.estimate(sources)
        #expect(f.estimate(sources) == reference, "bit for bit on the same input")

        let order = [2, 0, 3, 1]
        let permuted = f.estimate(order.map { sources[$0] })
        #expect(permuted.form == reference.form)
        for (position, source) in order.enumerated() {
            #expect(abs(permuted.weights[position] - reference.weights[source]) < 1e-9)
            #expect(abs(permuted.auroc[position]! - reference.auroc[source]!) < 1e-9)
        }

        var rng = SplitMix64(seed: 11)
        let items = Array(f.labels.indices).shuffled(using: &rng)
        let shuffled = f.estimate(sources, items: items)
        for s in sources.indices {
            #expect(abs(shuffled.weights[s] - reference.weights[s]) < 1e-9)
            #expect(abs(shuffled.auroc[s]! - reference.auroc[s]!) < 1e-9)
        }
    }

    @Test("a lone source has weight 1 and no estimate; no items keep equal weights")
    func degenerateInputs() {
        let lone = SourceWeighting.estimate(labels: [0, 1], classes: 2, labelProbability: [[0.2, 0.9]], predicted: [[1, 1]])
        #expect(lone.weights == [1] && lone.auroc == [nil])
        let empty = SourceWeighting.estimate(labels: [], classes: 2, labelProbability: [[], []], predicted: [[], []])
        #expect(empty.weights == [0.5, 0.5])
        // Identical sources share the weight evenly.
        let same = SourceWeighting.estimate(
            labels: [0, 1, 1, 0], classes: 2, labelProbability: [[0.1, 0.9, 0.8, 0.3], [0.1, 0.9, 0.8, 0.3]],
            predicted: [[1, 1, 1, 1], [1, 1, 1, 1]])
        #expect(same.weights[0] == same.weights[1])
    }

    @Test("the fused ranking stays within 0.01 of the better-ranking model and ranks better than an even mix")
    func fusedRankingFollowsTheBetterRanker() throws {
        var f = WeightingFixture(items: 3000, classes: 6, noise: 0.15, seed: 21)
        let good = f.model(skill: 3)
        let flat = f.shuffledConfidence(of: good)
        let input = AnalysisInput(
            classes: (0..<6).map { "c\($0)" }, labels: f.labels, excluded: [Bool](repeating: false, count: f.labels.count),
            models: [ModelProbabilities(name: "good", values: good), ModelProbabilities(name: "flat", values: flat)], neighbours: nil)
        let analysis = LabelAnalysis(input)
        #expect(analysis.sources.map(\.name) == ["good", "flat"])
        #expect(analysis.sources[0].accuracy == analysis.sources[1].accuracy)
        #expect(analysis.sources[0].weight > 1.1 * analysis.sources[1].weight, "\(analysis.sources)")
        let fused = try #require(RankingMetrics(suspicion: analysis.fusedScore.map(Double.init), isError: f.isError))
        let goodAlone = try #require(
            RankingMetrics(suspicion: f.labels.indices.map { -Double(good[$0 * 6 + Int(f.labels[$0])]) }, isError: f.isError))
        let evenMix = try #require(
            RankingMetrics(
                suspicion: f.labels.indices.map { -Double(good[$0 * 6 + Int(f.labels[$0])] + flat[$0 * 6 + Int(f.labels[$0])]) }, isError: f.isError))
        #expect(fused.precisionAtK >= goodAlone.precisionAtK - 0.01, "fused \(fused), good alone \(goodAlone)")
        #expect(fused.auroc > evenMix.auroc, "fused \(fused), even mix \(evenMix)")
    }
}

@Suite("The fused score's form")
struct FusedFormTests {
    @Test("the normalized margin where only it ranks the errors, self-confidence where only that does")
    func formFollowsRankingQuality() {
        for seed in [31, 32, 33] as [UInt64] {
            for noise in [0.1, 0.3] {
                var f = WeightingFixture(items: 3000, classes: 6, noise: noise, seed: seed)
                let marginSources = [f.marginOnly(skill: 0.9), f.marginOnly(skill: 0.7), f.marginOnly(skill: 0.8)]
                #expect(f.precisionAtK(marginSources[0], form: .normalizedMargin) > f.precisionAtK(marginSources[0], form: .selfConfidence) + 0.2)
                #expect(f.estimate(marginSources).form == .normalizedMargin, "seed \(seed), noise \(noise)")
                let confidenceSources = [f.selfConfidenceOnly(), f.selfConfidenceOnly(), f.selfConfidenceOnly(), f.model(skill: 2)]
                #expect(
                    f.precisionAtK(confidenceSources[0], form: .selfConfidence) > f.precisionAtK(confidenceSources[0], form: .normalizedMargin) + 0.05
                )
                #expect(f.estimate(confidenceSources).form == .selfConfidence, "seed \(seed), noise \(noise)")
            }
        }
    }

    @Test("self-confidence with fewer than three sources, with two classes, or without runner-up probabilities")
    func formNeedsThreeSourcesAndClasses() {
        var f = WeightingFixture(items: 2000, classes: 5, noise: 0.2, seed: 41)
        let sources = [f.marginOnly(skill: 0.9), f.marginOnly(skill: 0.9), f.marginOnly(skill: 0.9)]
        #expect(f.estimate(sources).form == .normalizedMargin)
        #expect(f.estimate(Array(sources.prefix(2))).form == .selfConfidence)
        let q = f.labelProbability(sources), p = sources.map(f.predicted)
        #expect(SourceWeighting.estimate(labels: f.labels, classes: 5, labelProbability: q, predicted: p).form == .selfConfidence)
        var two = WeightingFixture(items: 2000, classes: 2, noise: 0.2, seed: 42)
        let binary = [two.model(skill: 2), two.model(skill: 1.5), two.model(skill: 1)]
        #expect(two.estimate(binary).form == .selfConfidence)
    }

    @Test("top votes by mean rank, ties together; the rank-one fit recovers a rank-one matrix without its left-out pairs")
    func votesAndRankOneFit() {
        // Ranks: 0.9 → 1, the three 0.5s → 2–4 (mean 3), 0.1 → 5.
        let x = [0.5, 0.9, 0.5, 0.1, 0.5]
        #expect(SourceWeighting.topVotes(x, k: 1).sorted() == [1])
        #expect(SourceWeighting.topVotes(x, k: 2).sorted() == [1])
        #expect(SourceWeighting.topVotes(x, k: 3).sorted() == [0, 1, 2, 4])
        #expect(SourceWeighting.topVotes(x, k: 5).sorted() == [0, 1, 2, 3, 4])
        // Values in one histogram bin but not equal are still ordered.
        #expect(SourceWeighting.topVotes([0.50001, 0.50002, 0.2], k: 1) == [1])
        let truth = [0.4, 0.1, 0.3, 0.25, 0.05, 0.2]
        var c = truth.map { a in truth.map { a * $0 } }
        // Pairs 0–1, 2–3, 4–5 are dependent: their entries are wrong and must not count.
        for a in 0..<6 { c[a][a ^ 1] = 5; c[a][a] = 7 }
        let v = SourceWeighting.rankOneFit(c, excluding: { $0 / 2 == $1 / 2 })
        for a in 0..<6 { #expect(abs(v[a] - truth[a]) < 1e-6, "\(v)") }
    }

    @Test("the analysis scores by the chosen form")
    func analysisUsesTheForm() {
        var f = WeightingFixture(items: 1500, classes: 4, noise: 0.2, seed: 43)
        let sources = [f.marginOnly(skill: 0.9), f.marginOnly(skill: 0.8), f.marginOnly(skill: 0.85)]
        let input = AnalysisInput(
            classes: (0..<4).map { "c\($0)" }, labels: f.labels, excluded: [Bool](repeating: false, count: f.labels.count),
            models: sources.enumerated().map { ModelProbabilities(name: "m\($0.offset)", values: $0.element) }, neighbours: nil)
        let analysis = LabelAnalysis(input)
        #expect(analysis.fusedForm == .normalizedMargin)
        let weights = analysis.sources.map(\.weight)
        for i in [0, 1, 2, 100, 700] {
            let combined = (0..<4).map { c in (0..<3).reduce(0.0) { $0 + weights[$1] * Double(sources[$1][i * 4 + c]) } }
            let label = Int(f.labels[i])
            let expected = (1 - combined[label] + combined.indices.filter { $0 != label }.map { combined[$0] }.max()!) / 2
            #expect(abs(Double(analysis.fusedScore[i]) - expected) < 1e-6)
        }
    }
}

@Suite("Ranking metrics")
struct RankingMetricsTests {
    @Test("precision at K, AUROC and AUPRC on small cases, ties counted as random order")
    func smallCases() throws {
        let perfect = try #require(RankingMetrics(suspicion: [0.9, 0.1, 0.8, 0.2], isError: [true, false, true, false]))
        #expect(perfect == RankingMetrics(precisionAtK: 1, auroc: 1, auprc: 1))
        let reversed = try #require(RankingMetrics(suspicion: [0.1, 0.9, 0.2, 0.8], isError: [true, false, true, false]))
        #expect(reversed.precisionAtK == 0 && reversed.auroc == 0)
        // All tied: precision at K is the error share, AUROC one half, AP the error share.
        let tied = try #require(RankingMetrics(suspicion: [0.5, 0.5, 0.5, 0.5], isError: [true, false, false, false]))
        #expect(tied.precisionAtK == 0.25 && tied.auroc == 0.5 && tied.auprc == 0.25)
        // One error first, then a clean item and an error tied, then clean: K = 2.
        let mixed = try #require(RankingMetrics(suspicion: [0.9, 0.5, 0.5, 0.1], isError: [true, true, false, false]))
        #expect(mixed.precisionAtK == 0.75)
        #expect(mixed.auroc == (2 + 1.5) / 4)
        #expect(abs(mixed.auprc - (0.5 * 1 + 0.5 * 2.0 / 3)) < 1e-12)
        #expect(RankingMetrics(suspicion: [0.1, 0.2], isError: [false, false]) == nil)
    }
}

extension RankingMetrics {
    init(precisionAtK: Double, auroc: Double, auprc: Double) {
        self.init(suspicion: [1, 0], isError: [true, false])!
        self.precisionAtK = precisionAtK
        self.auroc = auroc
        self.auprc = auprc
    }
}
