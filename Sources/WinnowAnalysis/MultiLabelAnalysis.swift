import Foundation
import WinnowCore

/// The label-quality signals of a multi-label dataset: cleanlab's multi-label confident
/// learning (`MultiLabelConfidentLearning`) on the items' current label sets and the
/// models' mean per-class probabilities, with each flag attributed to the class it is
/// about, so a reviewer reads "'umbrella' is probably missing" rather than "something is
/// wrong".
public struct MultiLabelAnalysis: Sendable {
    /// One class of one item that looks mis-annotated.
    public struct ClassIssue: Sendable, Equatable {
        public var classIndex: Int32
        /// true: the item has the class and probably should not ("probably wrong");
        /// false: it lacks the class and probably should have it ("probably missing").
        public var given: Bool
        /// The models' (mean) probability of the class for the item.
        public var probability: Float
    }

    public let classes: [String]
    public let filterBy: MultiLabelConfidentLearning.FilterBy
    /// Items judged: with a label set (possibly empty) and not excluded, in item order.
    public let judged: [Int]
    /// Per item: flagged by cleanlab's `find_label_issues` (false for items not judged).
    public let issue: [Bool]
    /// Per item: the classes that look mis-annotated, worst (lowest per-class score) first.
    public let classIssues: [[ClassIssue]]
    /// Per item: cleanlab's multi-label quality score (self-confidence per class, the default
    /// exponential moving average across classes), NaN for items not judged. Low is bad.
    public let quality: [Double]
    /// The per-class summary over the judged items (`common_multilabel_issues`, …).
    public let summary: MultiLabelSummary?

    /// - Parameters:
    ///   - labels: each item's current classes (indices), nil for an item without labels.
    ///   - excluded: items excluded from the dataset take no part.
    ///   - probabilities: row-major items × classes, each the probability of that class (the
    ///     models' mean); empty when there is no model (then nothing is judged).
    public init(
        classes: [String], labels: [[Int32]?], excluded: [Bool], probabilities: [Float],
        filterBy: MultiLabelConfidentLearning.FilterBy = .pruneByNoiseRate
    ) {
        let n = labels.count, k = classes.count
        self.classes = classes
        self.filterBy = filterBy
        var issue = [Bool](repeating: false, count: n)
        var classIssues = [[ClassIssue]](repeating: [], count: n)
        var quality = [Double](repeating: .nan, count: n)
        let judged = probabilities.count == n * k && k > 0 ? (0..<n).filter { labels[$0] != nil && !excluded[$0] } : []
        self.judged = judged
        guard !judged.isEmpty else {
            self.issue = issue
            self.classIssues = classIssues
            self.quality = quality
            self.summary = nil
            return
        }
        var subset = [Float]()
        subset.reserveCapacity(judged.count * k)
        for i in judged { subset += probabilities[(i * k)..<((i + 1) * k)] }
        let cl = MultiLabelConfidentLearning(labels: MultiLabelSets(judged.map { labels[$0]! }, classes: k), probabilities: subset)
        let perClass = cl.issuesPerClass(filterBy: filterBy)
        let flagged = cl.findLabelIssues(filterBy: filterBy)
        let scores = MultiLabelQuality.scores(cl)
        for (position, i) in judged.enumerated() { quality[i] = scores[position] }
        for (c, items) in perClass.enumerated() {
            for position in items {
                let i = judged[Int(position)]
                classIssues[i].append(ClassIssue(classIndex: Int32(c), given: cl.labels.has(Int(position), c), probability: probabilities[i * k + c]))
            }
        }
        for position in flagged {
            let i = judged[position]
            issue[i] = true
            // The low_* methods flag items, not classes: name the item's worst class.
            if classIssues[i].isEmpty {
                let worst = (0..<k).min { a, b in
                    let sa = MultiLabelQuality.classScore(
                        .selfConfidence, p: subset[position * k + a], label: cl.labels.has(position, a) ? 1 : 0, thresholds: nil)
                    let sb = MultiLabelQuality.classScore(
                        .selfConfidence, p: subset[position * k + b], label: cl.labels.has(position, b) ? 1 : 0, thresholds: nil)
                    return sa != sb ? sa < sb : a < b
                }!
                classIssues[i] = [
                    ClassIssue(classIndex: Int32(worst), given: cl.labels.has(position, worst), probability: probabilities[i * k + worst])
                ]
            }
        }
        // Worst first: the class whose annotation the model contradicts most.
        for i in judged where classIssues[i].count > 1 {
            classIssues[i].sort { a, b in
                let sa = a.given ? a.probability : 1 - a.probability, sb = b.given ? b.probability : 1 - b.probability
                return sa != sb ? sa < sb : a.classIndex < b.classIndex
            }
        }
        self.issue = issue
        self.classIssues = classIssues
        self.quality = quality
        self.summary = MultiLabelSummary(labels: cl.labels, issuesPerClass: perClass, flaggedItems: flagged.count)
    }

    /// The label set cleanlab's flags suggest: the current set with every flagged class
    /// added (missing) or removed (wrong). nil when nothing is flagged.
    public func suggested(_ item: Int, current: [Int32]) -> [Int32]? {
        guard !classIssues[item].isEmpty else { return nil }
        var set = Set(current)
        for issue in classIssues[item] {
            if issue.given { set.remove(issue.classIndex) } else { set.insert(issue.classIndex) }
        }
        return set.sorted()
    }

    /// `suggested(_:current:)` by class names.
    public func suggested(_ item: Int, currentNames: [String]) -> [String]? {
        let positions = Dictionary(classes.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { first, _ in first })
        return suggested(item, current: currentNames.compactMap { positions[$0] })?.map { classes[Int($0)] }
    }

    /// "'umbrella' is probably missing (the models give it 0.93)".
    public func describe(_ issue: ClassIssue) -> String {
        let name = Int(issue.classIndex) < classes.count ? TerminalText.sanitize(classes[Int(issue.classIndex)]) : "?"
        let p = String(format: "%.2f", locale: nil, Double(issue.probability))
        return issue.given ? "'\(name)' is probably wrong (the models give it \(p))" : "'\(name)' is probably missing (the models give it \(p))"
    }
}
