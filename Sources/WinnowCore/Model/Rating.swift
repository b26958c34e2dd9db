/// One reviewer's judgement of one item, as the agreement statistics see it: the category
/// the reviewer put the item in. Derived from the decision log (see `ItemHistory.ratings`),
/// never stored.
public struct Rating: Sendable, Hashable {
    public var item: Int64
    public var rater: String
    /// The label set's storage text (so multi-label sets compare as wholes), or one of the
    /// two categories below.
    public var category: String

    public init(item: Int64, rater: String, category: String) {
        self.item = item
        self.rater = rater
        self.category = category
    }

    /// The category of an exclusion: "this item does not belong in the dataset" is a
    /// judgement other reviewers can agree or disagree with. (A class literally named
    /// "(excluded)" would share it; class names are the dataset's, so that is left be.)
    public static let excluded = "(excluded)"
    /// The category of an item accepted with no label at all (unlabelled, or a multi-label
    /// item where no class applies).
    public static let unlabelled = "(none)"

    /// The category a decision gives its item, or nil when it is not a judgement of the
    /// label (skip, split off, undo). An accept rates the labels the item had then (the
    /// event's new labels, which an accept leaves as they were).
    public static func category(of action: DecisionAction, newLabels: LabelSet?) -> String? {
        category(of: action, storedLabels: newLabels?.storageText)
    }

    /// The same from the labels' storage text (the log's `new_labels` column), so a
    /// million events are rated without parsing a label set each.
    public static func category(of action: DecisionAction, storedLabels: String?) -> String? {
        switch action {
        case .accept, .relabel:
            guard let storedLabels, !storedLabels.isEmpty else { return unlabelled }
            return storedLabels
        case .exclude: return excluded
        case .skip, .split, .undo: return nil
        }
    }

    /// A category as people read it: `cat|dog` for a multi-label set.
    public static func displayName(_ category: String) -> String {
        category == excluded || category == unlabelled ? category : LabelSet(storageText: category).description
    }
}

extension ItemHistory {
    /// Each reviewer's rating of the item: their latest decision still in effect (an undo,
    /// by anyone, takes a decision back, as in `effectiveDecisions`) that judges the label.
    /// Skips and split-offs are not ratings. Ordered by reviewer.
    public static func ratings(_ events: [DecisionEvent]) -> [Rating] {
        var latest: [String: Rating] = [:]
        for event in effectiveDecisions(events) {
            guard let category = Rating.category(of: event.action, newLabels: event.newLabels) else { continue }
            latest[event.reviewer] = Rating(item: event.itemID, rater: event.reviewer, category: category)
        }
        return latest.values.sorted { $0.rater < $1.rater }
    }
}
