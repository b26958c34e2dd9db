import Foundation
import Testing
@testable import WinnowHelperModel

/// The helper model against scikit-learn's `LogisticRegression` + `cross_val_predict` on the
/// same standardised features, folds and C (fixtures written by
/// `Fixtures/sklearn/make_fixtures.py`, fitted to a tolerance of 1e-10).
struct SklearnParityTests {
    struct Case: Decodable {
        var name: String
        var n: Int
        var d: Int
        var classes: Int
        var C: Double
        var features: [Float]
        var labels: [Int32]
        var fold: [Int32]
        var probabilities: [Double]
        var log_loss: Double
    }

    static let directory = Bundle.module.resourcePath! + "/Fixtures/sklearn"
    static let names = ["three-classes", "four-classes-strong-penalty", "constant-column-and-scales", "two-classes", "ten-classes-weak-penalty"]

    static func load(_ name: String) throws -> Case {
        try JSONDecoder().decode(Case.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/\(name).json")))
    }

    /// Out-of-fold probabilities within 1e-4 of scikit-learn's (fitted to a gradient of 1e-8;
    /// float32 products against its float64), and the log-loss within 0.01 %.
    @Test(arguments: names)
    func outOfFoldProbabilitiesMatchScikitLearn(name: String) throws {
        let fixture = try Self.load(name)
        var settings = HelperSettings()
        settings.regularisation = fixture.C
        settings.gradientTolerance = 1e-8
        let features = fixture.features
        var model = try HelperModel.prepare(
            items: fixture.n, columns: fixture.d, read: Self.reader(features, columns: fixture.d),
            labels: fixture.labels, weights: [Float](repeating: 1, count: fixture.n),
            classes: fixture.classes, settings: settings, folds: FoldAssignment(count: Int(fixture.fold.max()!) + 1, foldOf: fixture.fold))
        let result = model.train(labels: fixture.labels, weights: [Float](repeating: 1, count: fixture.n))
        var worst = 0.0
        for i in 0..<(fixture.n * fixture.classes) { worst = max(worst, abs(Double(result.probabilities[i]) - fixture.probabilities[i])) }
        #expect(worst < 1e-4, "largest difference \(worst)")
        #expect(result.evidence.allSatisfy { $0 })
        #expect(abs(result.outOfFoldLogLoss - fixture.log_loss) / fixture.log_loss < 1e-4, "\(result.outOfFoldLogLoss) vs \(fixture.log_loss)")
    }

    static func reader(_ features: [Float], columns: Int) -> FeatureMatrix.RowReader {
        { item, into in
            for j in 0..<columns { into[j] = features[item * columns + j] }
        }
    }
}
