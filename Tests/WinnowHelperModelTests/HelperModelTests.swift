import Foundation
import Testing
import WinnowCore
@testable import WinnowHelperModel

/// Small synthetic classification data: Gaussian classes around random centres, some labels
/// flipped.
struct Blobs {
    var n: Int
    var d: Int
    var classes: Int
    var features: [Float]
    var truth: [Int32]
    var labels: [Int32]

    init(n: Int, d: Int, classes: Int, separation: Double = 1.5, noise: Double = 0.1, seed: UInt64 = 1) {
        self.n = n
        self.d = d
        self.classes = classes
        var rng = SplitMix64(seed: seed)
        func gaussian() -> Double {
            let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-12), u2 = Double(rng.next() >> 11) / Double(1 << 53)
            return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        }
        let centres = (0..<(classes * d)).map { _ in gaussian() * separation }
        truth = (0..<n).map { Int32($0 % classes) }
        features = []
        for i in 0..<n { for j in 0..<d { features.append(Float(centres[Int(truth[i]) * d + j] + gaussian())) } }
        labels = truth.map { t in Double(rng.next() % 1000) / 1000 < noise ? Int32(rng.next() % UInt64(classes)) : t }
    }

    var reader: FeatureMatrix.RowReader {
        let features = self.features, d = self.d
        return { item, into in for j in 0..<d { into[j] = features[item * d + j] } }
    }

    func model(
        settings: HelperSettings = HelperSettings(), labels: [Int32]? = nil, weights: [Float]? = nil,
        folds: FoldAssignment? = nil
    ) throws -> HelperModel {
        try HelperModel.prepare(
            items: n, columns: d, read: reader, labels: labels ?? self.labels,
            weights: weights ?? [Float](repeating: 1, count: n), classes: classes, settings: settings, folds: folds)
    }
}

struct HelperModelTests {
    static func fixedC(_ c: Double = 1, tolerance: Double = 1e-7) -> HelperSettings {
        var s = HelperSettings()
        s.regularisation = c
        s.gradientTolerance = tolerance
        return s
    }

    static func largestDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    @Test func everyRowIsADistributionAndCleanDataIsLearnt() throws {
        let data = Blobs(n: 400, d: 6, classes: 4, separation: 2, noise: 0)
        var model = try data.model()
        let result = model.train(labels: data.labels, weights: [Float](repeating: 1, count: data.n))
        #expect(result.folds == 5)
        for i in 0..<data.n {
            let row = result.probabilities[(i * 4)..<((i + 1) * 4)]
            #expect(row.allSatisfy { $0.isFinite && $0 >= 0 })
            #expect(abs(row.reduce(0, +) - 1) < 1e-5)
        }
        #expect(result.outOfFoldAccuracy > 0.9)
        #expect(result.regularisation.count == 5)
        #expect(result.selectionCurves.allSatisfy { !$0.isEmpty })
    }

    /// A class with fewer items than folds lowers the number of folds to its count, and says so.
    @Test func aSmallClassLowersTheFolds() throws {
        var data = Blobs(n: 200, d: 4, classes: 3, noise: 0)
        // Class 2 keeps only three items.
        var kept = 0
        for i in 0..<data.n where data.labels[i] == 2 {
            kept += 1
            if kept > 3 { data.labels[i] = 0 }
        }
        var model = try data.model(settings: Self.fixedC())
        let result = model.train(labels: data.labels, weights: [Float](repeating: 1, count: data.n))
        #expect(result.folds == 3)
        #expect(result.notes.contains { $0.contains("only 3 labelled items") && $0.contains("3 folds instead of 5") })
        #expect(result.evidence.allSatisfy { $0 })
        // Every fold's training part still holds class 2, so its items get real out-of-fold rows.
        let folds = model.folds.foldOf
        #expect(Set((0..<data.n).filter { data.labels[$0] == 2 }.map { folds[$0] }).count == 3)
    }

    /// A class with one item cannot be learnt out of fold: its item gets no evidence (a row
    /// that repeats its label), the others are unaffected, nothing is NaN.
    @Test func aClassWithOneItemGetsNoEvidence() throws {
        var data = Blobs(n: 150, d: 4, classes: 3, noise: 0)
        let lonely = data.labels.firstIndex(of: 2)!
        for i in 0..<data.n where data.labels[i] == 2 && i != lonely { data.labels[i] = 1 }
        var model = try data.model(settings: Self.fixedC())
        let result = model.train(labels: data.labels, weights: [Float](repeating: 1, count: data.n))
        #expect(result.folds == 5)
        #expect(!result.evidence[lonely])
        #expect(Array(result.probabilities[(lonely * 3)..<(lonely * 3 + 3)]) == [0, 0, 1])
        #expect(result.evidence.filter { !$0 }.count == 1)
        #expect(result.probabilities.allSatisfy { $0.isFinite })
        #expect(result.notes.contains { $0.hasPrefix("class 2 has too few labelled items") })
    }

    @Test func allZeroOrConstantFeaturesGiveNoHelper() throws {
        let labels: [Int32] = (0..<50).map { Int32($0 % 2) }
        for value: Float in [0, 4.25] {
            #expect(throws: HelperModel.Unavailable.features(.constant)) {
                _ = try HelperModel.prepare(
                    items: 50, columns: 8, read: { _, into in for j in 0..<8 { into[j] = value } },
                    labels: labels, weights: [Float](repeating: 1, count: 50), classes: 2)
            }
        }
        // A single constant column among varying ones is left out, not fatal.
        let data = Blobs(n: 60, d: 3, classes: 2)
        let model = try HelperModel.prepare(
            items: 60, columns: 4,
            read: { item, into in
                for j in 0..<3 { into[j] = data.features[item * 3 + j] }
                into[3] = 7
            }, labels: data.labels, weights: [Float](repeating: 1, count: 60), classes: 2)
        #expect(model.features.keptColumns == [0, 1, 2])
        let error = HelperModel.Unavailable.features(.constant).description
        #expect(error.contains("constant or all zero"))
    }

    @Test func tooFewItemsOrClassesGiveNoHelper() throws {
        #expect(throws: HelperModel.Unavailable.folds(.tooFewClasses(eligible: 1))) {
            _ = try HelperModel.prepare(
                items: 4, columns: 2,
                read: { item, into in
                    into[0] = Float(item); into[1] = 1
                },
                labels: [0, 0, 0, 1], weights: [1, 1, 1, 1], classes: 2)
        }
        #expect(throws: HelperModel.Unavailable.features(.tooFewItems(1))) {
            _ = try HelperModel.prepare(
                items: 5, columns: 2, present: [true, false, false, false, false],
                read: { item, into in
                    into[0] = Float(item); into[1] = 1
                },
                labels: [0, 0, 1, 1, 0], weights: [1, 1, 1, 1, 1], classes: 2, folds: FoldAssignment(count: 1, foldOf: [0, -1, -1, -1, -1]))
        }
        // No item with features (every image unreadable): said so, not that the classes are too small.
        #expect(throws: HelperModel.Unavailable.features(.tooFewItems(0))) {
            _ = try HelperModel.prepare(
                items: 4, columns: 2, present: [false, false, false, false], read: { _, _ in },
                labels: [0, 0, 1, 1], weights: [1, 1, 1, 1], classes: 2)
        }
    }

    @Test func sameSeedSameProbabilitiesOnAnyNumberOfThreads() throws {
        let data = Blobs(n: 3000, d: 10, classes: 5, separation: 0.8, noise: 0.2)
        var one = HelperSettings()
        one.threads = 1
        var two = HelperSettings()
        two.threads = 3
        var a = try data.model(settings: one), b = try data.model(settings: two), c = try data.model(settings: one)
        let weights = [Float](repeating: 1, count: data.n)
        let ra = a.train(labels: data.labels, weights: weights)
        let rb = b.train(labels: data.labels, weights: weights)
        let rc = c.train(labels: data.labels, weights: weights)
        #expect(ra.probabilities == rb.probabilities)
        #expect(ra.probabilities == rc.probabilities)
        #expect(ra.regularisation == rb.regularisation)
        var other = HelperSettings()
        other.seed = 7
        var d = try data.model(settings: other)
        #expect(d.train(labels: data.labels, weights: weights).probabilities != ra.probabilities)
    }

    /// A retrain after label changes starts from the previous weights and reaches the same
    /// optimum as a model trained from scratch on the new labels, in fewer steps.
    @Test(arguments: [10, 100])
    func warmStartReachesTheColdOptimum(fixes: Int) throws {
        let data = Blobs(n: 2000, d: 12, classes: 4, separation: 0.9, noise: 0.15)
        let settings = Self.fixedC(0.5, tolerance: 1e-7)
        let weights = [Float](repeating: 1, count: data.n)
        var warm = try data.model(settings: settings)
        let first = warm.train(labels: data.labels, weights: weights)
        // A reviewer fixes some labels (verified: weight 2) and excludes a few items.
        var labels = data.labels
        var changed = weights
        var fixed = 0
        for i in 0..<data.n where labels[i] != data.truth[i] && fixed < fixes {
            labels[i] = data.truth[i]
            changed[i] = 2
            fixed += 1
        }
        for i in stride(from: 1, to: fixes * 4, by: 20) { changed[i] = 0 }
        let retrained = warm.train(labels: labels, weights: changed)
        var cold = try data.model(settings: settings, folds: warm.folds)
        let fresh = cold.train(labels: labels, weights: changed)
        #expect(Self.largestDifference(retrained.probabilities, fresh.probabilities) < 2e-4)
        #expect(retrained.iterations < fresh.iterations, "\(retrained.iterations) steps warm, \(fresh.iterations) cold")
        #expect(first.evidence.allSatisfy { $0 })
    }

    /// A verified item with weight 2 counts as two copies of it; an excluded item (weight 0)
    /// is as if it were not there: the objective and its gradient are the same.
    @Test func weightsCountLikeCopiesAndZeroLeavesTraining() throws {
        let data = Blobs(n: 3000, d: 5, classes: 3, separation: 1, noise: 0.1)
        var weights = [Float](repeating: 1, count: data.n)
        weights[10] = 2
        for i in 2000..<2300 { weights[i] = 0 }
        let weighted = SoftmaxObjective(
            values: data.features, d: data.d, ranges: [0..<data.n], labels: data.labels, weights: weights,
            classes: 3, c: 0.7, threads: 2)
        let rows = (0..<data.n).filter { weights[$0] > 0 } + [10]
        let copied = SoftmaxObjective(
            values: rows.flatMap { data.features[($0 * data.d)..<(($0 + 1) * data.d)] }, d: data.d,
            ranges: [0..<rows.count], labels: rows.map { data.labels[$0] },
            weights: [Float](repeating: 1, count: rows.count), classes: 3, c: 0.7, threads: 2)
        var rng = SplitMix64(seed: 3)
        let theta = (0..<weighted.parameterCount).map { _ in Double(rng.next() % 2001) / 1000 - 1 }
        let a = weighted.evaluate(theta), b = copied.evaluate(theta)
        #expect(abs(a.value - b.value) < 1e-6 * abs(b.value))
        #expect(zip(a.gradient, b.gradient).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    /// The fold models evaluated together give each model exactly what it gets alone on
    /// its training rows (value and gradient), whichever models are asked at once.
    @Test func jointEvaluationEqualsEachModelAlone() throws {
        let data = Blobs(n: 5000, d: 7, classes: 4, separation: 1, noise: 0.1)
        var weights = [Float](repeating: 1, count: data.n)
        for i in stride(from: 0, to: data.n, by: 37) { weights[i] = 0 }
        weights[5] = 2
        // Rows in fold order, as the helper keeps them: 3 folds of uneven size.
        let bounds = [0, 1500, 3400, data.n]
        var folds = [Int32](repeating: 0, count: data.n)
        for f in 0..<3 { for r in bounds[f]..<bounds[f + 1] { folds[r] = Int32(f) } }
        let cs = [0.3, 1.0, 2.5]
        let joint = JointObjective(
            values: data.features, d: data.d, labels: data.labels, weights: weights, folds: folds, models: 3,
            classes: 4, c: cs, threads: 2)
        var rng = SplitMix64(seed: 11)
        let thetas = (0..<3).map { _ in (0..<joint.parameterCount).map { _ in Double(rng.next() % 2001) / 2000 - 0.5 } }
        for asked in [[0, 1, 2], [1], [0, 2]] {
            let together = joint.evaluate(Dictionary(uniqueKeysWithValues: asked.map { ($0, thetas[$0]) }))
            for g in asked {
                let training = (0..<3).filter { $0 != g }.map { bounds[$0]..<bounds[$0 + 1] }
                let alone = SoftmaxObjective(
                    values: data.features, d: data.d, ranges: training, labels: data.labels, weights: weights,
                    classes: 4, c: cs[g], threads: 2
                ).evaluate(thetas[g])
                let got = try #require(together[g])
                #expect(abs(got.value - alone.value) < 1e-9 * abs(alone.value), "model \(g) asked with \(asked)")
                #expect(zip(got.gradient, alone.gradient).allSatisfy { abs($0 - $1) < 1e-6 }, "model \(g) asked with \(asked)")
            }
        }
    }

    /// The gradient is the objective's derivative (central differences).
    @Test func gradientMatchesFiniteDifferences() throws {
        let data = Blobs(n: 500, d: 4, classes: 3)
        var weights = [Float](repeating: 1, count: data.n)
        weights[3] = 2.5
        let objective = SoftmaxObjective(
            values: data.features, d: data.d, ranges: [0..<200, 300..<500], labels: data.labels, weights: weights,
            classes: 3, c: 0.3, threads: 2)
        var rng = SplitMix64(seed: 9)
        let theta = (0..<objective.parameterCount).map { _ in Double(rng.next() % 2001) / 2000 - 0.5 }
        let gradient = objective.evaluate(theta).gradient
        for j in 0..<objective.parameterCount {
            var plus = theta, minus = theta
            plus[j] += 1e-3
            minus[j] -= 1e-3
            let numeric = (objective.evaluate(plus).value - objective.evaluate(minus).value) / 2e-3
            #expect(abs(numeric - gradient[j]) < 1e-4, "parameter \(j): \(numeric) vs \(gradient[j])")
        }
    }
}
