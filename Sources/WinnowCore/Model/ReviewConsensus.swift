/// Where an item stands when several reviewers look at it (`[team] reviews_per_item`).
///
/// Each reviewer's *review* of an item is their latest decision on it that is still in
/// effect and settles it: accept (the label the item had then), relabel (the new label)
/// or exclude. Skips and splits are not reviews. An item is **final** once
/// `reviewsPerItem` different reviewers agree on it, or once a lead has reviewed it after
/// the others (a lead's review settles a dispute); it is **disputed** when reviews
/// disagree and no lead has settled it. With one review per item (the default) the first
/// review is final, as for a single reviewer.
///
/// A reviewer's later review replaces their earlier one, so a reviewer who changes their
/// mind to agree with the others ends a dispute.
public struct ReviewConsensus: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        /// Nobody has reviewed it.
        case open
        /// Reviews agree so far, but fewer than `reviewsPerItem`.
        case needsMore
        case final
        case disputed
    }

    /// One reviewer's review: the category they put the item in (`Rating.category`: the
    /// labels they settled on, or excluded), the same judgement the agreement figures count.
    public struct Review: Sendable, Equatable {
        public var reviewer: String
        public var category: String
        public var eventID: Int64

        /// Reviews agree when they settle on the same outcome.
        public func agrees(with other: Review) -> Bool { category == other.category }

        public var outcome: String { Rating.displayName(category) }
    }

    public var state: State
    /// One per reviewer, in the order of their reviews.
    public var reviews: [Review]

    public static let none = ReviewConsensus(state: .open, reviews: [])

    public init(state: State, reviews: [Review]) {
        self.state = state
        self.reviews = reviews
    }

    /// The consensus of an item's events (oldest first). `settlers`: the reviewers whose
    /// review settles a disputed or final item (the leads); nil: everybody (no team list).
    public init(events: [DecisionEvent], reviewsPerItem: Int, settlers: Set<String>?) {
        // Each reviewer's latest judgement still in effect, as `ItemHistory.ratings` reads it.
        var latest: [String: Review] = [:]
        for event in ItemHistory.effectiveDecisions(events) {
            guard let category = Rating.category(of: event.action, newLabels: event.newLabels) else { continue }
            latest[event.reviewer] = Review(reviewer: event.reviewer, category: category, eventID: event.id)
        }
        reviews = latest.values.sorted { $0.eventID < $1.eventID }
        state = Self.state(of: reviews[...], reviewsPerItem: reviewsPerItem, settlers: settlers)
    }

    /// The state after `reviews`: a settler's review after the item was disputed or final
    /// settles it their way; otherwise agreement of enough reviewers makes it final.
    static func state(of reviews: ArraySlice<Review>, reviewsPerItem: Int, settlers: Set<String>?) -> State {
        guard let newest = reviews.last else { return .open }
        let before = state(of: reviews.dropLast(), reviewsPerItem: reviewsPerItem, settlers: settlers)
        if before == .disputed || before == .final, settlers?.contains(newest.reviewer) ?? true { return .final }
        guard reviews.allSatisfy({ $0.agrees(with: newest) }) else { return .disputed }
        return reviews.count >= reviewsPerItem ? .final : .needsMore
    }

    /// The outcome everybody agreed on, or the settler's: the newest review's, once final.
    public var finalReview: Review? { state == .final ? reviews.last : nil }

    /// True when `reviewer` should be shown the item in the ordinary queues: nobody has
    /// settled it and they have not reviewed it yet.
    public func isOpen(for reviewer: String) -> Bool {
        switch state {
        case .open: return true
        case .needsMore: return !reviews.contains { $0.reviewer == reviewer }
        case .final, .disputed: return false
        }
    }
}
