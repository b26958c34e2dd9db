/// When an item's review is final. `winnow export --final-only` keeps only final items,
/// and a bad near-duplicate group stays "unresolved" while one of its members is not
/// final. One rule, shared with the review screen's queues: the item's reviews under the
/// team policy (`ReviewConsensus`). With one review per item (the default) that is a
/// decision in effect that settles it (accepted, relabelled or excluded); with
/// `reviews_per_item = N`, N agreeing reviews or a lead's settlement. Unreviewed, skipped
/// and disputed items are not final; a split off its group is no decision about the label.
public enum ReviewFinality {
    public static func isFinal(_ events: [DecisionEvent], policy: TeamPolicy) -> Bool {
        !events.isEmpty && policy.consensus(events).state == .final
    }
}
