/// cleanlab 2.9's multi-label dataset summaries (`multilabel_classification.dataset`): how
/// many items each class's issues concern, and in which direction.
public struct MultiLabelSummary: Sendable, Equatable {
    /// One row of `common_multilabel_issues`.
    public struct ClassIssues: Sendable, Equatable {
        public var classIndex: Int
        /// true: the item has the class but probably should not ("probably wrong");
        /// false: it lacks the class but probably should have it ("probably missing").
        public var inGivenLabel: Bool
        public var inSuggestedLabel: Bool { !inGivenLabel }
        public var items: Int
        /// `items` / all items.
        public var issueProbability: Double
    }

    /// One row of `rank_classes_by_multilabel_quality`.
    public struct ClassQuality: Sendable, Equatable {
        public var classIndex: Int
        /// Items given the class that probably should not have it: cleanlab's
        /// `int(issue_probability * N)`, which can be one less than the count.
        public var labelIssues: Int
        /// Items without the class that probably should have it (the same way).
        public var inverseLabelIssues: Int
        /// Divided by all items (not by the items given the class, whatever cleanlab's
        /// documentation says: this is what it computes).
        public var labelNoise: Double
        public var inverseLabelNoise: Double
        /// 1 − `labelNoise`.
        public var labelQualityScore: Double
    }

    public var count: Int
    /// Two rows per class, (wrong, missing), in class order.
    public var classIssues: [ClassIssues]
    public var classQuality: [ClassQuality]
    /// `overall_multilabel_health_score`: 1 − the share of items with an issue.
    public var healthScore: Double

    /// - Parameters:
    ///   - issuesPerClass: `find_multilabel_issues_per_class` with cleanlab's defaults (what
    ///     `common_multilabel_issues` uses).
    ///   - flaggedItems: the items `find_label_issues` flags (for the health score).
    public init(labels: MultiLabelSets, issuesPerClass: [[Int32]], flaggedItems: Int) {
        let n = labels.count
        count = n
        var issues: [ClassIssues] = []
        var quality: [ClassQuality] = []
        for (k, flagged) in issuesPerClass.enumerated() {
            var wrong = 0
            for i in flagged where labels.has(Int(i), k) { wrong += 1 }
            let missing = flagged.count - wrong
            let wrongShare = Double(wrong) / Double(n), missingShare = Double(missing) / Double(n)
            issues.append(ClassIssues(classIndex: k, inGivenLabel: true, items: wrong, issueProbability: wrongShare))
            issues.append(ClassIssues(classIndex: k, inGivenLabel: false, items: missing, issueProbability: missingShare))
            quality.append(
                ClassQuality(
                    classIndex: k, labelIssues: Int(wrongShare * Double(n)),
                    inverseLabelIssues: Int(missingShare * Double(n)),
                    labelNoise: wrongShare, inverseLabelNoise: missingShare, labelQualityScore: 1 - wrongShare))
        }
        classIssues = issues
        classQuality = quality
        healthScore = 1.0 - Double(flaggedItems) / Double(n)
    }

    public init(_ cl: MultiLabelConfidentLearning) {
        let perClass = cl.issuesPerClass()
        self.init(labels: cl.labels, issuesPerClass: perClass, flaggedItems: MultiLabelConfidentLearning.union(perClass, count: cl.count).count)
    }

    /// `common_multilabel_issues`' order: by issue probability, largest first. cleanlab's
    /// sort is unstable; here ties keep class order (the wrong row before the missing row).
    public var classIssuesByProbability: [ClassIssues] {
        classIssues.enumerated().sorted { l, r in
            l.element.issueProbability != r.element.issueProbability ? l.element.issueProbability > r.element.issueProbability : l.offset < r.offset
        }.map(\.element)
    }

    /// `rank_classes_by_multilabel_quality`'s order: worst label quality first, ties in class order.
    public var classQualityByScore: [ClassQuality] {
        classQuality.sorted {
            $0.labelQualityScore != $1.labelQualityScore ? $0.labelQualityScore < $1.labelQualityScore : $0.classIndex < $1.classIndex
        }
    }
}
