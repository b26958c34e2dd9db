import Foundation
import WinnowCore

/// The image-quality checks, as CleanVision (0.3) defines them: each turns a per-image
/// property (`ImageQualityMeasures`) into a score between 0 and 1, lower meaning worse, and
/// flags the images whose score is below a threshold. The defaults are CleanVision's.
public enum QualityIssue: String, Sendable, CaseIterable, Codable {
    case dark
    case light
    case blurry
    case lowInformation = "low_information"
    case grayscale
    case oddAspectRatio = "odd_aspect_ratio"
    case oddSize = "odd_size"

    /// The flag kind its reasons carry (the review screen's colour, the decision log's flags).
    public var flagKind: FlagKind {
        switch self {
        case .dark: return .dark
        case .light: return .light
        case .blurry: return .blurry
        case .lowInformation: return .lowInformation
        case .grayscale: return .grayscale
        case .oddAspectRatio: return .oddAspectRatio
        case .oddSize: return .oddSize
        }
    }

    /// "low information", as the words of a reason.
    public var words: String { rawValue.replacingOccurrences(of: "_", with: " ") }

    /// The `[quality]` setting in winnow.toml that turns this check off.
    public var offSetting: String {
        switch self {
        case .grayscale: return "grayscale = \"off\""
        case .oddSize: return "odd_size_iqr_factor = 0"
        default: return "\(rawValue) = 0"
        }
    }
}

/// Thresholds of the quality checks (`winnow.toml` [quality]); CleanVision's defaults. A
/// threshold of 0 turns its check off.
public struct QualitySettings: Sendable, Equatable, CustomStringConvertible {
    /// Dark below this 99th-percentile brightness.
    public var dark = 0.32
    /// Light below this 1 − 5th-percentile brightness.
    public var light = 0.05
    /// Blurry below this blur score.
    public var blurry = 0.29
    /// Low information below this entropy score (entropy × `lowInformationScale`, at most 1).
    public var lowInformation = 0.3
    /// Odd aspect ratio below this min(w/h, h/w).
    public var oddAspectRatio = 0.35
    /// Odd size beyond the quartiles of √(w·h) ± this many interquartile ranges.
    public var oddSizeIQRFactor = 3.0
    /// Which images are greyscale (flagged only ever in a colour dataset).
    public var grayscale = GrayscaleRule.stored

    public enum GrayscaleRule: String, Sendable, CaseIterable {
        /// Files that store grey samples: CleanVision's definition (Pillow's mode "L").
        case stored
        /// Also colour files in which no pixel has colour (a grey picture saved as RGB).
        case pixels
        case off
    }

    /// CleanVision's fixed parameters of the scores.
    public static let lowInformationScale = 0.1
    public static let blurScale = 0.01
    /// The grey-level histogram's share of the blur score counts only above this.
    public static let blurHistogramThreshold = 0.18

    public init() {}

    public var description: String {
        "dark \(dark) light \(light) blurry \(blurry) low_information \(lowInformation) odd_aspect_ratio \(oddAspectRatio) odd_size_iqr_factor \(oddSizeIQRFactor) grayscale \(grayscale)"
    }
}

/// The quality checks over a dataset: every measured image's scores, which checks flag it,
/// and where it stands among the others (its measure in words).
public struct ImageQualityReport: Sendable {
    public struct Flag: Sendable, Equatable {
        public var issue: QualityIssue
        /// CleanVision's score: 0…1, lower is worse; flagged below `threshold`.
        public var score: Double
        public var threshold: Double
        /// The share of the other measured images that this one is worse than (0…1).
        public var worseThanShare: Double
    }

    /// The odd-size rule of this dataset: sizes (√(w·h)) outside `low…high` are odd. When the
    /// interquartile range is 0 (most images share one size), every other size is odd.
    public struct SizeRange: Sendable, Equatable {
        public var low: Double
        public var high: Double
        public var middle: Double { (low + high) / 2 }
    }

    public let settings: QualitySettings
    /// Each item's measures (nil: not measured: missing, or it does not decode).
    public let measures: [ImageQualityMeasures?]
    /// Each item's flags, worst first.
    public let flags: [[Flag]]
    public let measuredCount: Int
    /// Images with colour among the measured ones.
    public let colourCount: Int
    /// A colour dataset: more than half of the measured images have colour. Greyscale images
    /// are flagged only in one (in a greyscale dataset they are the norm, not an issue).
    public var isColourDataset: Bool { colourCount * 2 > measuredCount }
    public let sizeRange: SizeRange?

    public init(measures: [ImageQualityMeasures?], settings: QualitySettings = QualitySettings()) {
        self.settings = settings
        self.measures = measures
        let measured = measures.indices.filter { measures[$0] != nil }
        measuredCount = measured.count
        colourCount = measured.filter { Self.hasColour(measures[$0]!) }.count
        let colourDataset = colourCount * 2 > measured.count

        // Scores per issue (in `QualityIssue.allCases` order) over the measured images, and
        // their sorted values for the ranks.
        let issues = QualityIssue.allCases
        let sizes = measured.map { measures[$0]!.sizeProperty }
        let range = Self.sizeRange(sizes, factor: settings.oddSizeIQRFactor)
        sizeRange = range.map { SizeRange(low: $0.low, high: $0.high) }
        let scores = issues.map { issue in
            measured.map { Self.score(issue, measures[$0]!, sizeRange: range, colourDataset: colourDataset, grayscale: settings.grayscale) }
        }
        let thresholds = issues.map { Self.threshold($0, settings: settings, sizeRange: range, colourDataset: colourDataset) }
        let sorted = scores.map { $0.sorted() }
        var flags = [[Flag]](repeating: [], count: measures.count)
        for (position, item) in measured.enumerated() {
            var found: [Flag] = []
            for (index, issue) in issues.enumerated() {
                let score = scores[index][position]
                guard let threshold = thresholds[index], score < threshold else { continue }
                // Images with a higher score are less affected: this one is worse than those.
                let values = sorted[index]
                let notAbove = Self.countNotAbove(score, in: values)
                let others = max(1, values.count - 1)
                found.append(Flag(issue: issue, score: score, threshold: threshold, worseThanShare: Double(values.count - notAbove) / Double(others)))
            }
            if !found.isEmpty { flags[item] = found.sorted { Self.severity($0) > Self.severity($1) } }
        }
        self.flags = flags
    }

    static func hasColour(_ m: ImageQualityMeasures) -> Bool { m.hasColour && !m.storedGreyscale }

    /// How many of the sorted `values` are ≤ `score`.
    static func countNotAbove(_ score: Double, in values: [Double]) -> Int {
        var low = 0, high = values.count
        while low < high {
            let mid = (low + high) / 2
            if values[mid] <= score { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The threshold a score is flagged below; nil when the check is off.
    static func threshold(
        _ issue: QualityIssue, settings: QualitySettings, sizeRange: (low: Double, high: Double, gap: Double)?,
        colourDataset: Bool
    ) -> Double? {
        let value: Double
        switch issue {
        case .dark: value = settings.dark
        case .light: value = settings.light
        case .blurry: value = settings.blurry
        case .lowInformation: value = settings.lowInformation
        case .oddAspectRatio: value = settings.oddAspectRatio
        case .grayscale:
            guard settings.grayscale != .off, colourDataset else { return nil }
            return 1
        case .oddSize:
            guard let sizeRange, settings.oddSizeIQRFactor > 0 else { return nil }
            // CleanVision: 0.5 while the range has a width; 1 when it has none.
            return sizeRange.gap > 0 ? 0.5 : 1
        }
        return value > 0 ? value : nil
    }

    /// CleanVision's score of one issue (0…1, lower is worse).
    static func score(
        _ issue: QualityIssue, _ m: ImageQualityMeasures, sizeRange: (low: Double, high: Double, gap: Double)?,
        colourDataset: Bool, grayscale: QualitySettings.GrayscaleRule = .stored
    ) -> Double {
        switch issue {
        case .dark: return m.brightness99
        case .light: return 1 - m.brightness5
        case .oddAspectRatio: return m.aspectRatio
        case .lowInformation: return min(QualitySettings.lowInformationScale * m.entropy, 1)
        case .blurry:
            let blur = 1 - exp(-1 * m.blurriness * QualitySettings.blurScale)
            var spread = 1 - exp(-1 * m.greyLevelSpread * QualitySettings.blurScale)
            if spread <= QualitySettings.blurHistogramThreshold { spread = 0 }
            return min(blur + spread, 1)
        case .grayscale:
            return m.storedGreyscale || (grayscale == .pixels && !m.hasColour) ? 0 : 1
        case .oddSize:
            guard let sizeRange else { return 1 }
            let middle = (sizeRange.low + sizeRange.high) / 2
            let distance = abs(m.sizeProperty - middle)
            let normaliser = sizeRange.gap > 0 ? sizeRange.gap : middle
            guard normaliser != 0 else { return 1 }
            return 1 - min(max(distance / normaliser, 0), 1)
        }
    }

    /// CleanVision's odd-size range: the 25th and 75th percentiles (numpy's linear
    /// interpolation) of √(w·h), widened by `factor` interquartile ranges each way.
    static func sizeRange(_ sizes: [Double], factor: Double) -> (low: Double, high: Double, gap: Double)? {
        guard !sizes.isEmpty else { return nil }
        let sorted = sizes.sorted()
        let q1 = Self.percentile(sorted, 0.25), q3 = Self.percentile(sorted, 0.75)
        let iqr = q3 - q1
        let low = q1 - factor * iqr, high = q3 + factor * iqr
        return (low, high, high - low)
    }

    /// numpy's `percentile` of sorted values with linear interpolation (its `_lerp`).
    static func percentile(_ sorted: [Double], _ quantile: Double) -> Double {
        let virtual = Double(sorted.count - 1) * quantile
        let low = Int(virtual.rounded(.down))
        guard low < sorted.count - 1 else { return sorted[sorted.count - 1] }
        let t = virtual - Double(low)
        let a = sorted[low], b = sorted[low + 1]
        let difference = b - a
        return t >= 0.5 ? b - difference * (1 - t) : a + difference * t
    }

    /// How far past its threshold a flag is (0…1): orders flags and the quality queue.
    static func severity(_ flag: Flag) -> Double {
        flag.issue == .grayscale ? 0.25 : max(0, min(1, (flag.threshold - flag.score) / flag.threshold))
    }

    /// The item's overall severity: the sum over its flags (more issues, or worse ones, first).
    public func severity(of item: Int) -> Double { flags[item].reduce(0) { $0 + Self.severity($1) } }

    /// How many images each check flags.
    public var counts: [QualityIssue: Int] {
        var counts: [QualityIssue: Int] = [:]
        for list in flags { for flag in list { counts[flag.issue, default: 0] += 1 } }
        return counts
    }

    /// Checks that flag nearly every image (at least 90 % of 20 or more measured): then the
    /// check describes the dataset (tiny placeholders, scans, a dark camera), not single
    /// images, and `analyze` says so instead of letting a queue of the whole dataset speak
    /// for itself. The flags stay (they are CleanVision's definitions); the user decides.
    public var datasetWideIssues: [QualityIssue] {
        guard measuredCount >= 20 else { return [] }
        let counts = self.counts
        return QualityIssue.allCases.filter { (counts[$0] ?? 0) * 10 >= measuredCount * 9 }
    }

    /// The items with at least one flag.
    public var flaggedItems: [Int] { flags.indices.filter { !flags[$0].isEmpty } }

    // MARK: - Words

    static func percent(_ share: Double) -> String {
        let value = (share * 100).rounded(.down)
        return "\(Int(value)) %"
    }

    static func number(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", locale: nil, x) }

    /// Why `item` is flagged, one reason per check, each with its measure in words.
    public func reasons(for item: Int) -> [FlagReason] {
        guard let m = measures[item] else { return [] }
        return flags[item].map { FlagReason($0.issue.flagKind, text(for: $0, m)) }
    }

    func text(for flag: Flag, _ m: ImageQualityMeasures) -> String {
        let n = Self.number
        let rank = Self.percent(flag.worseThanShare)
        switch flag.issue {
        case .dark:
            return
                "dark: its brightest pixels reach \(n(m.brightness99, 2)) of full brightness (99th percentile; flagged below \(n(flag.threshold, 2))); darker than \(rank) of the dataset"
        case .light:
            return
                "light: even its darkest pixels are at \(n(m.brightness5, 2)) of full brightness (5th percentile; flagged above \(n(1 - flag.threshold, 2))); lighter than \(rank) of the dataset"
        case .blurry:
            return
                "blurry: edge strength \(n(m.blurriness, 1)) (blur score \(n(flag.score, 2)), flagged below \(n(flag.threshold, 2))); blurrier than \(rank) of the dataset"
        case .lowInformation:
            return
                "low information: \(n(m.entropy, 2)) bits of entropy (score \(n(flag.score, 2)), flagged below \(n(flag.threshold, 2))); less information than \(rank) of the dataset"
        case .grayscale:
            let how = m.storedGreyscale ? "stored as greyscale" : "no pixel has colour"
            return
                "grayscale in a colour dataset: \(how) (\(Self.percent(Double(colourCount) / Double(max(1, measuredCount)))) of the images have colour)"
        case .oddAspectRatio:
            return
                "odd aspect ratio: \(m.width)×\(m.height) (ratio \(n(flag.score, 2)), flagged below \(n(flag.threshold, 2))); more elongated than \(rank) of the dataset"
        case .oddSize:
            let side = m.sizeProperty
            let rule: String
            if let range = sizeRange, range.high > range.low {
                rule =
                    "outside the dataset's usual \(n(max(0, range.low), 0))–\(n(range.high, 0)) (quartiles ± \(n(settings.oddSizeIQRFactor, 1)) IQR)"
            } else {
                rule = "while most images are \(n(sizeRange?.middle ?? side, 0))"
            }
            let direction = side < (sizeRange?.middle ?? side) ? "small" : "large"
            return
                "odd size: \(m.width)×\(m.height) pixels is \(direction) (√area \(n(side, 0)) \(rule)); further from the usual size than \(rank) of the dataset"
        }
    }
}
