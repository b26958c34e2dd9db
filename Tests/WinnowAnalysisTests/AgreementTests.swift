import Foundation
import Testing
import WinnowCore
@testable import WinnowAnalysis

/// One dataset from Fixtures/agreement (made by scripts/make-agreement-fixtures.py with
/// scikit-learn, statsmodels and krippendorff; the versions are in each file).
struct AgreementFixture: Sendable, CustomTestStringConvertible {
    let name: String
    var testDescription: String { name }

    static let all = [
        "two_raters", "three_raters_missing", "five_raters_missing", "perfect", "chance", "rare_class",
        "single_category", "one_rater", "no_overlap"
    ].map(AgreementFixture.init)

    struct Expected: Decodable {
        struct Row: Decodable {
            let rating: Rating
            init(from decoder: any Decoder) throws {
                var c = try decoder.unkeyedContainer()
                rating = Rating(item: try c.decode(Int64.self), rater: try c.decode(String.self), category: try c.decode(String.self))
            }
        }
        struct Pair: Decodable { let a: String; let b: String; let items: Int; let agreed: Int; let kappa: Double? }
        struct Fleiss: Decodable { let raters_per_item: Int; let items: Int; let kappa: Double?; let per_category: [String: Double?] }
        struct Consensus: Decodable {
            let rater: String; let ratings: Int; let overlapped: Int; let compared: Int; let agreed: Int; let ties: Int; let kappa: Double?
        }
        let tools: [String: String]
        let raters: [String]
        let categories: [String]
        let ratings: [Row]
        let overlapped_items: Int
        let cohen_pairs: [Pair]
        let fleiss: Fleiss?
        let alpha: Double?
        let alpha_per_category: [String: Double?]
        let observed_agreement: Double?
        let specific_agreement: [String: Double]
        let consensus: [Consensus]
    }

    func expected() throws -> Expected {
        let path = Bundle.module.resourcePath! + "/Fixtures/agreement/\(name).json"
        return try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// Both nil (undefined), or both numbers within 1e-12.
func close(_ a: Double?, _ b: Double?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case let (x?, y?): return abs(x - y) <= 1e-12
    default: return false
    }
}

@Suite("Agreement: parity with scikit-learn, statsmodels and krippendorff")
struct AgreementParityTests {
    @Test(arguments: AgreementFixture.all)
    func cohensKappaOfEveryPair(_ fixture: AgreementFixture) throws {
        let expected = try fixture.expected()
        let table = RatingTable(expected.ratings.map(\.rating))
        #expect(table.raters == expected.raters && table.categories == expected.categories)
        let pairs = Agreement.pairs(table)
        #expect(pairs.map { [$0.raterA, $0.raterB] } == expected.cohen_pairs.map { [$0.a, $0.b] })
        for (pair, reference) in zip(pairs, expected.cohen_pairs) {
            #expect(pair.items == reference.items && pair.agreed == reference.agreed)
            #expect(
                close(pair.kappa, reference.kappa),
                "\(pair.raterA)–\(pair.raterB): \(String(describing: pair.kappa)) vs sklearn \(String(describing: reference.kappa))")
        }
    }

    @Test(arguments: AgreementFixture.all)
    func fleissKappaOverallAndPerCategory(_ fixture: AgreementFixture) throws {
        let expected = try fixture.expected()
        let table = RatingTable(expected.ratings.map(\.rating))
        let fleiss = Agreement.fleiss(table)
        guard let reference = expected.fleiss else {
            #expect(fleiss == nil)
            return
        }
        let result = try #require(fleiss)
        #expect(result.ratersPerItem == reference.raters_per_item && result.items == reference.items)
        #expect(close(result.kappa, reference.kappa), "\(String(describing: result.kappa)) vs statsmodels \(String(describing: reference.kappa))")
        for (j, name) in table.categories.enumerated() {
            #expect(close(result.perCategory[j], reference.per_category[name] ?? nil), "κ_\(name)")
        }
    }

    @Test(arguments: AgreementFixture.all)
    func krippendorffAlphaOverallAndPerCategory(_ fixture: AgreementFixture) throws {
        let expected = try fixture.expected()
        let table = RatingTable(expected.ratings.map(\.rating))
        let alpha = Agreement.krippendorffAlpha(table)
        #expect(close(alpha, expected.alpha), "\(String(describing: alpha)) vs krippendorff \(String(describing: expected.alpha))")
        for (j, value) in Agreement.krippendorffAlphaPerCategory(table).enumerated() {
            #expect(close(value, expected.alpha_per_category[table.categories[j]] ?? nil), "α_\(table.categories[j])")
        }
    }

    @Test(arguments: AgreementFixture.all)
    func rawAgreementAndConsensus(_ fixture: AgreementFixture) throws {
        let expected = try fixture.expected()
        let table = RatingTable(expected.ratings.map(\.rating))
        #expect(close(Agreement.observedAgreement(table), expected.observed_agreement))
        for (j, value) in Agreement.specificAgreement(table).enumerated() {
            #expect(close(value, expected.specific_agreement[table.categories[j]]), "\(table.categories[j])")
        }
        let report = AgreementReport(table)
        #expect(report.overlappedItems == expected.overlapped_items)
        #expect(report.raters.map(\.name) == expected.consensus.map(\.rater))
        for (rater, reference) in zip(report.raters, expected.consensus) {
            let counts: [Int] = [rater.ratings, rater.overlapped, rater.compared, rater.agreed, rater.ties]
            let expectedCounts: [Int] = [reference.ratings, reference.overlapped, reference.compared, reference.agreed, reference.ties]
            #expect(counts == expectedCounts, "\(rater.name)")
            #expect(close(rater.kappa, reference.kappa), "\(rater.name): κ with the consensus")
        }
    }

    @Test("the fixtures record the tools that made them")
    func provenance() throws {
        let tools = try AgreementFixture.all[0].expected().tools
        #expect(Set(tools.keys) == ["scikit-learn", "statsmodels", "krippendorff", "numpy"])
    }
}

@Suite("Agreement: definitions and edge cases")
struct AgreementTests {
    func ratings(_ rows: [(Int64, String, String)]) -> RatingTable {
        RatingTable(rows.map { Rating(item: $0.0, rater: $0.1, category: $0.2) })
    }

    @Test("a rater's later rating of an item replaces the earlier one")
    func laterRatingWins() {
        let table = ratings([(1, "a", "cat"), (1, "b", "dog"), (1, "a", "dog"), (2, "b", "cat")])
        #expect(table.unitCount == 2 && table.raterCount(0) == 2)
        #expect(Agreement.pairs(table).first?.agreed == 1)
    }

    @Test("undefined coefficients are nil, never NaN")
    func undefinedIsNil() {
        let one = ratings([(1, "a", "cat"), (1, "b", "cat"), (2, "a", "cat"), (2, "b", "cat")])
        let report = AgreementReport(one)
        #expect(report.cohensKappa == nil && report.krippendorffAlpha == nil && report.fleiss?.kappa == nil)
        #expect(report.observedAgreement == 1)
        #expect(report.raters.allSatisfy { $0.agreement == 1 && $0.kappa == nil })
        let empty = AgreementReport(ratings([]))
        #expect(empty.ratedItems == 0 && empty.krippendorffAlpha == nil && empty.fleiss == nil && empty.pairs.isEmpty)
        #expect(Agreement.cohensKappa([String](), []) == nil)
    }

    @Test("two raters: Cohen's κ is reported overall, and each rater's consensus is the other one")
    func twoRaters() throws {
        let table = ratings([(1, "a", "cat"), (1, "b", "cat"), (2, "a", "dog"), (2, "b", "cat"), (3, "a", "dog"), (3, "b", "dog")])
        let report = AgreementReport(table)
        let kappa = try #require(report.cohensKappa)
        // po = 2/3, pe = (1/3·2/3) + (2/3·1/3) = 4/9: κ = (2/3 − 4/9) / (5/9) = 0.4.
        #expect(abs(kappa - 0.4) < 1e-12)
        #expect(report.raters.map(\.agreed) == [2, 2] && report.raters.allSatisfy { close($0.kappa, kappa) })
    }

    @Test("a tie among the other raters is not compared; a clear majority is")
    func consensusTies() {
        let table = ratings([
            (1, "a", "cat"), (1, "b", "dog"), (1, "c", "fox"),
            (2, "a", "cat"), (2, "b", "cat"), (2, "c", "dog")
        ])
        let raters = AgreementReport(table).raters
        // Item 1: every rater's others are split 1–1. Item 2: a and b each see cat/dog tied
        // (the other two), c sees cat twice.
        #expect(raters.map(\.ties) == [2, 2, 1])
        #expect(raters.map(\.compared) == [0, 0, 1] && raters[2].agreed == 0)
    }

    @Test("Fleiss' κ uses the most common number of raters per item, the larger on a tie")
    func fleissSubset() throws {
        let table = ratings([
            (1, "a", "x"), (1, "b", "x"), (2, "a", "x"), (2, "b", "y"),
            (3, "a", "x"), (3, "b", "x"), (3, "c", "y"), (4, "a", "y"), (4, "b", "y"), (4, "c", "y")
        ])
        let fleiss = try #require(Agreement.fleiss(table))
        #expect(fleiss.ratersPerItem == 3 && fleiss.items == 2)
        let dense = Agreement.fleiss(counts: [[2, 1], [0, 3]], ratersPerItem: 3)
        #expect(close(fleiss.kappa, dense.kappa) && fleiss.perCategory.indices.allSatisfy { close(fleiss.perCategory[$0], dense.perCategory[$0]) })
    }

    @Test("a million ratings are tabled and measured quickly")
    func large() {
        var rng = SplitMix64(seed: 7)
        var rows: [Rating] = []
        rows.reserveCapacity(1_000_000)
        let names = (0..<10).map { "class-\($0)" }
        for item in 0..<400_000 {
            let truth = Int(rng.next() % 10)
            for rater in ["a", "b", "c"] where rng.next() % 10 < 8 {
                rows.append(Rating(item: Int64(item), rater: rater, category: names[rng.next() % 10 < 8 ? truth : Int(rng.next() % 10)]))
            }
        }
        let clock = ContinuousClock()
        let start = clock.now
        let report = AgreementReport(RatingTable(rows))
        let elapsed = clock.now - start
        #expect(report.overlappedItems > 300_000)
        #expect((report.krippendorffAlpha ?? 0) > 0.5)
        // A debug build on a loaded 2-core machine; release is several times faster.
        #expect(elapsed < .seconds(30), "\(elapsed)")
    }
}
