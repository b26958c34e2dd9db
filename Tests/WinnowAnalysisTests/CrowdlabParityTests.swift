import Foundation
import Testing
@testable import WinnowAnalysis
import WinnowDataset

/// One dataset from Fixtures/multiannotator (made by make_fixtures.py with cleanlab 2.9.0).
struct MultiAnnotatorFixture: Sendable, CustomTestStringConvertible {
    let name: String
    var testDescription: String { name }

    static let directory = Bundle.module.resourcePath! + "/Fixtures/multiannotator"
    static let all: [MultiAnnotatorFixture] = ["ma_basic", "ma_sparse", "ma_ties", "ma_weak_model", "ma_strong_model", "ma_large"]
        .map(MultiAnnotatorFixture.init)

    var folder: String { Self.directory + "/" + name }

    struct Stats: Decodable {
        let annotator: Int
        let annotator_quality: Double?
        let agreement_with_consensus: Double
        let worst_class: Int
        let num_examples_labeled: Int
    }
    struct Run: Decodable {
        let consensus_label: [Int32]
        let consensus_quality_score: [Double]
        let annotator_agreement: [Double]
        let num_annotations: [Int]
        let detailed_label_quality: [[Double?]]
        let annotator_stats: [Stats]
        let model_weight: Double?
        let annotator_weight: [Double]?
    }
    struct Facts: Decodable {
        struct TieBreaks: Decodable { let tied: Int; let by_model: Int; let by_frequency: Int; let later: Int }
        let majority_vote_tie_breaks: TieBreaks
        let items_labelled_once: Int
        let annotators_labelled_items: [Int]
        let classes_no_annotator_used: [Int]
    }
    struct Expected: Decodable {
        let k: Int
        let majority_vote_label: [Int32]
        let majority_vote_label_no_model: [Int32]
        let crowdlab: Run
        let crowdlab_majority_vote: Run
        let agreement: Run
        let facts: Facts
    }

    func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json")))
    }

    func labels() throws -> AnnotatorLabels {
        AnnotatorLabels(dense: try JSONDecoder().decode([[Int32?]].self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/labels.json"))))
    }

    func probabilities() throws -> (values: [Float], classes: Int) {
        let matrix = try NPYMatrix(path: folder + "/pred_probs.npy", displayName: "pred_probs.npy")
        var values = [Float]()
        for r in 0..<matrix.rows { for c in 0..<matrix.columns { values.append(Float(matrix.value(row: r, column: c))) } }
        return (values, matrix.columns)
    }
}

/// The acceptance criterion: cleanlab's consensus labels, consensus quality scores,
/// annotator quality and agreement, bit for bit.
@Suite("CROWDLAB: parity with cleanlab 2.9")
struct CrowdlabParityTests {
    @Test(arguments: MultiAnnotatorFixture.all)
    func majorityVote(_ fixture: MultiAnnotatorFixture) throws {
        let expected = try fixture.expected()
        let labels = try fixture.labels()
        let (p, k) = try fixture.probabilities()
        #expect(Crowdlab.majorityVote(labels, probabilities: p, classes: k) == expected.majority_vote_label)
        #expect(Crowdlab.majorityVote(labels, probabilities: nil, classes: k) == expected.majority_vote_label_no_model)
    }

    static func compare(_ got: Crowdlab.Result, _ want: MultiAnnotatorFixture.Run, labels: AnnotatorLabels, _ what: String) {
        #expect(
            got.consensusLabel == want.consensus_label,
            "\(what): \(zip(got.consensusLabel, want.consensus_label).count { $0 != $1 }) consensus labels differ")
        #expect(got.numAnnotations == want.num_annotations, "\(what)")
        let quality = got.consensusQuality.indices.filter { got.consensusQuality[$0] != want.consensus_quality_score[$0] }
        #expect(quality.isEmpty, "\(what): \(quality.count) consensus quality scores differ, e.g. item \(quality.first ?? -1)")
        #expect(got.annotatorAgreement == want.annotator_agreement, "\(what)")
        #expect(got.modelWeight == want.model_weight, "\(what): model weight \(got.modelWeight ?? .nan) vs \(want.model_weight ?? .nan)")
        #expect(got.annotatorWeights == want.annotator_weight, "\(what): annotator weights")
        var detailed = 0
        for i in 0..<labels.count {
            var row = [Double?](repeating: nil, count: labels.annotators)
            for e in labels.entries(of: i) { row[Int(labels.annotator[e])] = got.labelQuality[e] }
            if row != want.detailed_label_quality[i] { detailed += 1 }
        }
        #expect(detailed == 0, "\(what): \(detailed) items' detailed label quality differs")
        #expect(got.annotatorOrder == want.annotator_stats.map(\.annotator), "\(what): annotator order")
        for row in want.annotator_stats {
            let mine = got.annotators[row.annotator]
            #expect(
                mine.quality == row.annotator_quality,
                "\(what) annotator \(row.annotator): quality \(String(describing: mine.quality)) vs \(String(describing: row.annotator_quality))")
            #expect(
                mine.agreementWithConsensus == row.agreement_with_consensus && mine.worstClass == row.worst_class
                    && mine.itemsLabelled == row.num_examples_labeled, "\(what) annotator \(row.annotator)")
        }
    }

    @Test(arguments: MultiAnnotatorFixture.all)
    func crowdlabDefaults(_ fixture: MultiAnnotatorFixture) throws {
        let expected = try fixture.expected()
        let labels = try fixture.labels()
        let (p, k) = try fixture.probabilities()
        #expect(Crowdlab.problem(with: labels, classes: k) == nil)
        Self.compare(Crowdlab.analyse(labels, probabilities: p, classes: k), expected.crowdlab, labels: labels, "\(fixture.name) best_quality")
    }

    @Test(arguments: MultiAnnotatorFixture.all)
    func otherMethods(_ fixture: MultiAnnotatorFixture) throws {
        let expected = try fixture.expected()
        let labels = try fixture.labels()
        let (p, k) = try fixture.probabilities()
        Self.compare(
            Crowdlab.analyse(labels, probabilities: p, classes: k, consensus: .majorityVote), expected.crowdlab_majority_vote,
            labels: labels, "\(fixture.name) majority_vote")
        Self.compare(
            Crowdlab.analyse(labels, probabilities: p, classes: k, quality: .agreement), expected.agreement,
            labels: labels, "\(fixture.name) agreement")
    }

    @Test func fixturesCoverTheEdgeCases() throws {
        let sparse = try MultiAnnotatorFixture(name: "ma_sparse").expected()
        #expect(sparse.facts.classes_no_annotator_used == [5])
        #expect(sparse.facts.items_labelled_once > 100)
        #expect(sparse.facts.annotators_labelled_items.contains(1) && sparse.facts.annotators_labelled_items.contains(2))
        #expect(sparse.crowdlab.annotator_stats.contains { $0.annotator_quality == nil }, "an annotator with no overlap has no quality")
        let ties = try MultiAnnotatorFixture(name: "ma_ties").expected().facts.majority_vote_tie_breaks
        #expect(ties.by_model > 0 && ties.by_frequency > 0 && ties.later > 0, "every tie-break rule is exercised")
    }

    @Test func refusesWhatCleanlabRefuses() {
        let once = AnnotatorLabels([[(0, 1)], [(1, 0)]], annotators: 2)
        #expect(Crowdlab.problem(with: once, classes: 2) == "no item was labelled by two annotators")
        let lonely = AnnotatorLabels([[(0, 1), (1, 1)], []], annotators: 2)
        #expect(Crowdlab.problem(with: lonely, classes: 2) == "some items have no label")
    }
}
