import Foundation
import Testing
@testable import WinnowAnalysis
import WinnowDataset

/// One dataset from Fixtures/multilabel (made by make_fixtures.py with cleanlab 2.9.0).
struct MultiLabelFixture: Sendable, CustomTestStringConvertible {
    let name: String
    var testDescription: String { name }

    static let directory = Bundle.module.resourcePath! + "/Fixtures/multilabel"
    static let all: [MultiLabelFixture] = ["ml_basic", "ml_every_and_none", "ml_empty_items", "ml_ties", "ml_large", "ml_weak_model"]
        .map(MultiLabelFixture.init)

    var folder: String { Self.directory + "/" + name }

    /// What cleanlab computed (JSONDecoder keeps every double's bits; see CleanlabFixture).
    struct Expected: Decodable {
        struct Row: Decodable, Equatable {
            let `class`: Int
            let in_given_label: Bool?
            let in_suggested_label: Bool?
            let num_examples: Int?
            let issue_probability: Double?
            let label_issues: Int?
            let inverse_label_issues: Int?
            let label_noise: Double?
            let inverse_label_noise: Double?
            let label_quality_score: Double?
        }
        struct Sorted: Decodable {
            let find_label_issues: [String: [Int]]
            let per_class_issues: [String: [[Int]]]
            let ranked: [String: [String: [Int]]]
            let common_multilabel_issues: [Row]
            let rank_classes_by_multilabel_quality: [Row]
            let overall_multilabel_health_score: Double
        }
        let n: Int
        let k: Int
        let classes_on_every_item: [Int]
        let classes_on_no_item: [Int]
        let items_without_labels: Int
        let stock_cleanlab_errors: [String: String]
        let confident_thresholds: [[Double]]
        let confident_joint: [[[Int]]]
        let label_quality_scores: [String: [Double]]
        let label_quality_scores_variants: [String: [Double]]
        /// Absent for the large dataset (it would be 6 MB).
        let label_quality_scores_per_class: [String: [[Double]]]?
        let stable_argsort: Sorted
        let tie_sensitive: [String: Bool]
    }

    func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json")))
    }

    func confidentLearning() throws -> MultiLabelConfidentLearning {
        let sets = try JSONDecoder().decode([[Int32]].self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/labels.json")))
        let matrix = try NPYMatrix(path: folder + "/pred_probs.npy", displayName: "pred_probs.npy")
        var values = [Float]()
        values.reserveCapacity(matrix.rows * matrix.columns)
        for r in 0..<matrix.rows { for c in 0..<matrix.columns { values.append(Float(matrix.value(row: r, column: c))) } }
        return MultiLabelConfidentLearning(labels: MultiLabelSets(sets, classes: matrix.columns), probabilities: values)
    }
}

/// Scores that go through `log` (confidence_weighted_entropy) or `exp` (softmin) differ
/// from numpy's by an ulp on some inputs: numpy's SIMD log/exp are not glibc's, which is
/// what Swift calls. Their tolerance is 1e-12 absolute (scores lie in [0, 1]); every
/// other score is compared bit for bit.
func multiLabelTolerance(_ key: String) -> Double {
    key.contains("confidence_weighted_entropy") || key.contains("softmin") ? 1e-12 : 0
}

func mismatches(_ got: [Double], _ want: [Double], tolerance: Double) -> [Int] {
    guard got.count == want.count else { return [-1] }
    return got.indices.filter { abs(got[$0] - want[$0]) > tolerance || got[$0].isNaN != want[$0].isNaN }
}

/// The acceptance criterion: the same flags, rankings and scores as cleanlab's
/// `multilabel_classification`, for every `filter_by`.
@Suite("Multi-label confident learning: parity with cleanlab 2.9")
struct MultiLabelParityTests {
    @Test(arguments: MultiLabelFixture.all)
    func thresholdsAndConfidentJoints(_ fixture: MultiLabelFixture) throws {
        let expected = try fixture.expected()
        let cl = try fixture.confidentLearning()
        #expect(cl.confidentThresholds() == expected.confident_thresholds, "bit-identical thresholds")
        #expect(cl.confidentJoints() == expected.confident_joint)
    }

    @Test(arguments: MultiLabelFixture.all)
    func issuesPerClassForEveryFilter(_ fixture: MultiLabelFixture) throws {
        let want = try fixture.expected().stable_argsort.per_class_issues
        let cl = try fixture.confidentLearning()
        for method in MultiLabelConfidentLearning.FilterBy.allCases {
            let got = cl.issuesPerClass(filterBy: method).map { $0.map(Int.init) }
            let expected = try #require(want[method.rawValue])
            for k in 0..<cl.classes {
                #expect(
                    got[k] == expected[k],
                    "\(fixture.name) \(method.rawValue) class \(k): \(got[k].count) flagged, cleanlab \(expected[k].count); only ours: \(Set(got[k]).subtracting(expected[k]).sorted().prefix(5)), only cleanlab: \(Set(expected[k]).subtracting(got[k]).sorted().prefix(5))"
                )
            }
        }
    }

    @Test(arguments: MultiLabelFixture.all)
    func findLabelIssuesForEveryFilter(_ fixture: MultiLabelFixture) throws {
        let want = try fixture.expected().stable_argsort.find_label_issues
        let cl = try fixture.confidentLearning()
        for method in MultiLabelConfidentLearning.FilterBy.allCases {
            let got = cl.findLabelIssues(filterBy: method)
            let expected = try #require(want[method.rawValue])
            #expect(
                got == expected,
                "\(fixture.name) \(method.rawValue): \(got.count) flagged, cleanlab \(expected.count); only ours: \(Set(got).subtracting(expected).sorted().prefix(5)), only cleanlab: \(Set(expected).subtracting(got).sorted().prefix(5))"
            )
        }
    }

    @Test(arguments: MultiLabelFixture.all)
    func rankingsForEveryFilterAndMethod(_ fixture: MultiLabelFixture) throws {
        let expected = try fixture.expected()
        let cl = try fixture.confidentLearning()
        for filter in MultiLabelConfidentLearning.FilterBy.allCases {
            for method in LabelQuality.Method.allCases {
                let want = try #require(expected.stable_argsort.ranked[filter.rawValue]?[method.rawValue])
                let got = cl.rankedLabelIssues(filterBy: filter, rankBy: method)
                #expect(
                    got == want,
                    "\(fixture.name) \(filter.rawValue) ranked by \(method.rawValue): first difference at \(zip(got, want).enumerated().first { $1.0 != $1.1 }?.offset ?? min(got.count, want.count))"
                )
            }
        }
    }

    @Test(arguments: MultiLabelFixture.all)
    func labelQualityScores(_ fixture: MultiLabelFixture) throws {
        let expected = try fixture.expected()
        let cl = try fixture.confidentLearning()
        for method in LabelQuality.Method.allCases {
            let want = try #require(expected.label_quality_scores[method.rawValue])
            let bad = mismatches(MultiLabelQuality.scores(cl, method: method), want, tolerance: multiLabelTolerance(method.rawValue))
            #expect(bad.isEmpty, "\(fixture.name) \(method.rawValue): \(bad.count) scores differ, e.g. item \(bad.first ?? -1)")
            guard let wantPerClass = expected.label_quality_scores_per_class?[method.rawValue] else { continue }
            let perClass = MultiLabelQuality.scoresPerClass(cl, method: method)
            for k in 0..<cl.classes {
                let bad = mismatches(perClass[k], wantPerClass[k], tolerance: multiLabelTolerance(method.rawValue))
                #expect(bad.isEmpty, "\(fixture.name) \(method.rawValue) class \(k): \(bad.count) per-class scores differ")
            }
        }
        let variants: [(String, LabelQuality.Method, MultiLabelQuality.Aggregator, Bool)] = [
            ("self_confidence/ema_alpha_0.5", .selfConfidence, .exponentialMovingAverage(alpha: 0.5), false),
            ("self_confidence/ema_alpha_default", .selfConfidence, .exponentialMovingAverage(alpha: nil), false),
            ("self_confidence/softmin", .selfConfidence, .softmin(temperature: 0.1), false),
            ("normalized_margin/softmin_t0.5", .normalizedMargin, .softmin(temperature: 0.5), false),
            ("self_confidence/adjusted", .selfConfidence, .cleanlabDefault, true),
            ("normalized_margin/adjusted", .normalizedMargin, .cleanlabDefault, true)
        ]
        for (key, method, aggregator, adjust) in variants {
            let want = try #require(expected.label_quality_scores_variants[key])
            let got = MultiLabelQuality.scores(cl, method: method, aggregator: aggregator, adjustPredProbs: adjust)
            let bad = mismatches(got, want, tolerance: multiLabelTolerance(key))
            #expect(
                bad.isEmpty,
                "\(fixture.name) \(key): \(bad.count) scores differ, e.g. item \(bad.first ?? -1): \(bad.first.map { got[$0] } ?? 0) vs \(bad.first.map { want[$0] } ?? 0)"
            )
        }
    }

    @Test(arguments: MultiLabelFixture.all)
    func datasetSummaries(_ fixture: MultiLabelFixture) throws {
        let expected = try fixture.expected().stable_argsort
        let summary = MultiLabelSummary(try fixture.confidentLearning())
        #expect(summary.healthScore == expected.overall_multilabel_health_score)
        // cleanlab's row order among equal probabilities is its unstable sort's: compare rows by class.
        let issues = Dictionary(uniqueKeysWithValues: summary.classIssues.map { ("\($0.classIndex)-\($0.inGivenLabel)", $0) })
        #expect(issues.count == expected.common_multilabel_issues.count)
        for row in expected.common_multilabel_issues {
            let mine = try #require(issues["\(row.class)-\(row.in_given_label!)"])
            #expect(
                mine.items == row.num_examples && mine.issueProbability == row.issue_probability && mine.inSuggestedLabel == row.in_suggested_label,
                "\(fixture.name) class \(row.class) in given \(row.in_given_label!)")
        }
        #expect(summary.classIssuesByProbability.map(\.issueProbability) == expected.common_multilabel_issues.map { $0.issue_probability! })
        let quality = Dictionary(uniqueKeysWithValues: summary.classQuality.map { ($0.classIndex, $0) })
        for row in expected.rank_classes_by_multilabel_quality {
            let mine = try #require(quality[row.class])
            #expect(
                mine.labelIssues == row.label_issues && mine.inverseLabelIssues == row.inverse_label_issues
                    && mine.labelNoise == row.label_noise && mine.inverseLabelNoise == row.inverse_label_noise
                    && mine.labelQualityScore == row.label_quality_score, "\(fixture.name) class \(row.class)")
        }
        #expect(summary.classQualityByScore.map(\.labelQualityScore) == expected.rank_classes_by_multilabel_quality.map { $0.label_quality_score! })
    }

    @Test func fixturesCoverTheEdgeCases() throws {
        let every = try MultiLabelFixture(name: "ml_every_and_none").expected()
        #expect(every.classes_on_every_item == [0] && every.classes_on_no_item == [4])
        // Stock cleanlab refuses these (the one check the fixtures lift; see make_fixtures.py).
        #expect(every.stock_cleanlab_errors["prune_by_noise_rate"]?.contains("at least 2 classes") == true)
        #expect(try MultiLabelFixture(name: "ml_empty_items").expected().items_without_labels > 100)
        let ties = try MultiLabelFixture(name: "ml_ties").expected()
        #expect(ties.tie_sensitive["find_label_issues"] == true, "the ties dataset must be one where the sort order matters")
    }
}
