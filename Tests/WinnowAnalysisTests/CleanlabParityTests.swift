import Foundation
import Testing
@testable import WinnowAnalysis
import WinnowDataset

/// One dataset from Fixtures/cleanlab (made by make_fixtures.py with cleanlab 2.9.0).
struct CleanlabFixture: Sendable, CustomTestStringConvertible {
    let name: String
    var testDescription: String { name }

    static let directory = Bundle.module.resourcePath! + "/Fixtures/cleanlab"
    static let all: [CleanlabFixture] = [
        "shapes_logreg", "shapes_forest", "shapes_ensemble", "synthetic_5class", "binary",
        "no_confident_class", "near_ties", "imbalanced", "large_10class"
    ].map(CleanlabFixture.init)

    var folder: String { Self.directory + "/" + name }

    /// What cleanlab computed (decoded with JSONDecoder: on Linux, JSONSerialization
    /// rounds some 17-digit doubles and would hide last-bit differences, or invent them).
    struct Expected: Decodable {
        struct Stable: Decodable {
            let confident_joint_calibrated: [[Int]]
            let find_label_issues: [String: [Int]]
            let ranked: [String: [Int]]
        }
        let confident_thresholds: [Double]
        let confident_joint_uncalibrated: [[Int]]
        let label_quality_scores: [String: [Double]]
        let stable_argsort: Stable
        let ensemble_scores: [Double]?
    }

    func expected() throws -> Expected {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json"))
        return try JSONDecoder().decode(Expected.self, from: data)
    }

    func labels() throws -> [Int32] {
        try NPYIntegerVector.read(path: folder + "/labels.npy", displayName: "labels.npy").map { Int32($0) }
    }

    func probabilities(_ file: String = "pred_probs.npy") throws -> (values: [Float], classes: Int) {
        let matrix = try NPYMatrix(path: folder + "/" + file, displayName: file)
        var values = [Float]()
        values.reserveCapacity(matrix.rows * matrix.columns)
        for r in 0..<matrix.rows { for c in 0..<matrix.columns { values.append(Float(matrix.value(row: r, column: c))) } }
        return (values, matrix.columns)
    }

    func confidentLearning() throws -> ConfidentLearning {
        let (values, classes) = try probabilities()
        return ConfidentLearning(labels: try labels(), probabilities: values, classes: classes)
    }
}

/// The acceptance criterion: the same flags as cleanlab's `find_label_issues`, for every method.
@Suite("Confident learning: parity with cleanlab 2.9")
struct CleanlabParityTests {
    @Test(arguments: CleanlabFixture.all)
    func thresholdsAndConfidentJoint(_ fixture: CleanlabFixture) throws {
        let expected = try fixture.expected()
        let cl = try fixture.confidentLearning()
        let thresholds = cl.confidentThresholds()
        #expect(thresholds == expected.confident_thresholds, "bit-identical thresholds")
        let (joint, _) = cl.confidentJoint(thresholds: thresholds)
        #expect(joint == expected.confident_joint_uncalibrated)
        #expect(cl.calibrated(joint) == expected.stable_argsort.confident_joint_calibrated)
    }

    @Test(arguments: CleanlabFixture.all)
    func findLabelIssuesForEveryFilter(_ fixture: CleanlabFixture) throws {
        let want = try fixture.expected().stable_argsort.find_label_issues
        let cl = try fixture.confidentLearning()
        for method in ConfidentLearning.FilterBy.allCases {
            let flagged = cl.findLabelIssues(filterBy: method)
            let expected = try #require(want[method.rawValue])
            #expect(
                flagged == expected,
                "\(fixture.name) \(method.rawValue): \(flagged.count) flagged, cleanlab \(expected.count); only ours: \(Set(flagged).subtracting(expected).sorted().prefix(5)), only cleanlab: \(Set(expected).subtracting(flagged).sorted().prefix(5))"
            )
        }
    }

    @Test(arguments: CleanlabFixture.all)
    func rankingsAndScores(_ fixture: CleanlabFixture) throws {
        let expected = try fixture.expected()
        let cl = try fixture.confidentLearning()
        for method in LabelQuality.Method.allCases {
            #expect(cl.rankedLabelIssues(rankBy: method) == expected.stable_argsort.ranked[method.rawValue], "\(fixture.name) \(method.rawValue)")
            let want = try #require(expected.label_quality_scores[method.rawValue])
            // numpy's log differs from libm's by an ulp on a few inputs; the rest is exact.
            let tolerance = method == .confidenceWeightedEntropy ? 1e-12 : 0
            let mismatches = (0..<cl.count).filter { i in
                let got = LabelQuality.score(method, row: cl.probabilities[(i * cl.classes)..<((i + 1) * cl.classes)], label: Int(cl.labels[i]))
                return abs(got - want[i]) > tolerance
            }
            #expect(mismatches.isEmpty, "\(fixture.name) \(method.rawValue): \(mismatches.count) scores differ, e.g. item \(mismatches.first ?? -1)")
        }
    }

    @Test func ensembleScoresMatchCleanlab() throws {
        let fixture = CleanlabFixture(name: "shapes_ensemble")
        let expected = try #require(try fixture.expected().ensemble_scores)
        let labels = try fixture.labels()
        let logreg = try fixture.probabilities("pred_probs_logreg.npy")
        let forest = try fixture.probabilities("pred_probs_forest.npy")
        let (scores, weights) = EnsembleLabelQuality.scores(labels: labels, models: [logreg.values, forest.values], classes: logreg.classes)
        #expect(abs(weights.reduce(0, +) - 1) < 1e-15)
        #expect(scores == expected, "\(zip(scores, expected).filter { $0 != $1 }.count) of \(scores.count) differ")
    }
}

@Suite("Numpy-order arithmetic")
struct NumpyArithmeticTests {
    @Test func pairwiseSumMatchesNumpysOrderNotTheNaiveOne() {
        // 0.1 summed 1000 times: the naive loop and numpy's pairwise sum differ in the last bits.
        let values = [Double](repeating: 0.1, count: 1000)
        let naive = values.reduce(0, +)
        #expect(NumpyArithmetic.sum(values) == 100.00000000000004 || NumpyArithmetic.sum(values) != naive)
        #expect(NumpyArithmetic.sum([]) == 0)
        #expect(NumpyArithmetic.sum([1, 2, 3]) == 6)
    }

    @Test func roundingIsHalfToEven() {
        #expect(NumpyArithmetic.round(0.5) == 0 && NumpyArithmetic.round(1.5) == 2 && NumpyArithmetic.round(2.5) == 2)
    }

    @Test func roundPreservingSumKeepsTheTotal() {
        let rows: [[Double]] = [[0.4, 0.4, 0.2], [1.5, 1.5, 1.0], [2.6, 0.2, 0.2], [0.5, 0.5, 0.5, 0.5]]
        for row in rows {
            let rounded = ConfidentLearning.roundPreservingSum(row)
            #expect(Double(rounded.reduce(0, +)) == NumpyArithmetic.round(row.reduce(0, +)), "\(row) → \(rounded)")
        }
    }
}
