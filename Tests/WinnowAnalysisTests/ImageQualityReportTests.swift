import Foundation
import Testing
@testable import WinnowAnalysis
import WinnowCore

/// CleanVision's scores and flags (cleanvision 0.3.7's `ImagePropertyIssueManager` with its
/// default parameters) over tables of per-image properties, from
/// Fixtures/cleanvision/scores.json (scripts/make-cleanvision-fixtures.py).
struct CleanVisionScores: Decodable, Sendable, CustomTestStringConvertible {
    struct Image: Decodable, Sendable {
        let width: Int
        let height: Int
        let brightness_perc_99: Double
        let brightness_perc_5: Double
        let entropy: Double
        let blurriness: Double
        let blurriness_grayscale_std: Double
        let size: Double
        let aspect_ratio: Double
        let color_space: String
        let scores: [String: Double]
        let flags: [String]

        var measures: ImageQualityMeasures {
            ImageQualityMeasures(
                width: width, height: height, brightness99: brightness_perc_99, brightness5: brightness_perc_5,
                entropy: entropy, blurriness: blurriness, greyLevelSpread: blurriness_grayscale_std,
                storedGreyscale: color_space == "L", hasColour: color_space != "L")
        }
    }

    let name: String
    let images: [Image]
    var testDescription: String { name }

    static let all: [CleanVisionScores] = {
        struct File: Decodable { let datasets: [CleanVisionScores] }
        let path = Bundle.module.resourcePath! + "/Fixtures/cleanvision/scores.json"
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path))).datasets
    }()
}

@Suite struct ImageQualityReportTests {
    @Test(arguments: CleanVisionScores.all)
    func scoresAndFlagsMatchCleanVision(_ dataset: CleanVisionScores) {
        let report = ImageQualityReport(measures: dataset.images.map { Optional($0.measures) })
        let colourDataset = dataset.images.filter { $0.color_space != "L" }.count * 2 > dataset.images.count
        #expect(report.isColourDataset == colourDataset)
        for (i, image) in dataset.images.enumerated() {
            // Winnow's sizes must be CleanVision's before any score can be.
            #expect(image.measures.sizeProperty == image.size)
            #expect(image.measures.aspectRatio == image.aspect_ratio)
            for issue in QualityIssue.allCases where issue != .grayscale {
                let score = ImageQualityReport.score(
                    issue, image.measures,
                    sizeRange: ImageQualityReport.sizeRange(
                        dataset.images.map(\.size), factor: 3), colourDataset: colourDataset)
                #expect(abs(score - image.scores[issue.rawValue]!) < 1e-12, "\(issue) of image \(i): \(score) vs \(image.scores[issue.rawValue]!)")
            }
            var expected = Set(image.flags)
            // Grayscale only in a colour dataset: in a greyscale one it is the norm (CleanVision
            // flags every greyscale image wherever it is).
            if !colourDataset { expected.remove("grayscale") }
            #expect(Set(report.flags[i].map(\.issue.rawValue)) == expected, "image \(i) (\(image.width)×\(image.height))")
        }
    }

    @Test func unmeasuredImagesAreLeftOut() {
        let measured = CleanVisionScores.all[0].images.map(\.measures)
        let report = ImageQualityReport(measures: [nil] + measured.map { Optional($0) } + [nil])
        let plain = ImageQualityReport(measures: measured.map { Optional($0) })
        #expect(report.flags.first == [] && report.flags.last == [])
        #expect(Array(report.flags[1...measured.count]) == plain.flags)
        #expect(report.measuredCount == measured.count)
    }

    @Test func zeroThresholdTurnsACheckOff() {
        let dataset = CleanVisionScores.all[1]
        var settings = QualitySettings()
        settings.dark = 0
        settings.oddSizeIQRFactor = 0
        settings.grayscale = .off
        let report = ImageQualityReport(measures: dataset.images.map { Optional($0.measures) }, settings: settings)
        let counts = report.counts
        #expect(counts[.dark] == nil && counts[.oddSize] == nil && counts[.grayscale] == nil)
        #expect((counts[.lowInformation] ?? 0) > 0)
    }

    /// A dataset of flat placeholders fails blur and information everywhere: that is said as
    /// a property of the dataset, while a check that flags a few images is not.
    @Test func checksThatFlagNearlyEveryImageAreDatasetWide() {
        let placeholder = ImageQualityMeasures(
            width: 8, height: 8, brightness99: 0.6, brightness5: 0.4, entropy: 0, blurriness: 0,
            greyLevelSpread: 0, storedGreyscale: false, hasColour: true)
        let report = ImageQualityReport(measures: Array(repeating: placeholder, count: 30))
        #expect(Set(report.datasetWideIssues) == [.blurry, .lowInformation])
        #expect(ImageQualityReport(measures: Array(repeating: placeholder, count: 19)).datasetWideIssues.isEmpty, "too few images to say")
        var settings = QualitySettings()
        settings.blurry = 0
        settings.lowInformation = 0
        #expect(ImageQualityReport(measures: Array(repeating: placeholder, count: 30), settings: settings).datasetWideIssues.isEmpty)
        for dataset in CleanVisionScores.all {
            let report = ImageQualityReport(measures: dataset.images.map { Optional($0.measures) })
            for issue in report.datasetWideIssues {
                #expect((report.counts[issue] ?? 0) * 10 >= report.measuredCount * 9, "\(dataset.name): \(issue)")
            }
        }
        #expect(QualityIssue.oddSize.offSetting == "odd_size_iqr_factor = 0" && QualityIssue.grayscale.offSetting == "grayscale = \"off\"")
    }

    @Test func reasonsGiveTheMeasureInWords() throws {
        let dataset = CleanVisionScores.all[1]
        let report = ImageQualityReport(measures: dataset.images.map { Optional($0.measures) })
        let dark = try #require(report.flags.indices.first { report.flags[$0].contains { $0.issue == .dark } })
        let reason = try #require(report.reasons(for: dark).first { $0.kind == .dark })
        #expect(reason.text.hasPrefix("dark: its brightest pixels reach "))
        #expect(reason.text.contains("of the dataset"))
        // The darkest image is darker than (nearly) all the others.
        let darkest = dataset.images.indices.min { dataset.images[$0].brightness_perc_99 < dataset.images[$1].brightness_perc_99 }!
        let flag = try #require(report.flags[darkest].first { $0.issue == .dark })
        #expect(flag.worseThanShare == 1)
        #expect(report.reasons(for: darkest).first { $0.kind == .dark }!.text.hasSuffix("darker than 100 % of the dataset"))
    }
}
