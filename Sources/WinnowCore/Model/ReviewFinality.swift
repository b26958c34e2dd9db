/// When an item's review is final. `winnow export --final-only` keeps only final items,
/// and a bad near-duplicate group stays "unresolved" while one of its members is not
/// final. Kept in one place because the rule will change: with `reviews_per_item = N`, an
/// item becomes final once N reviews agree.
public enum ReviewFinality {
    /// Today: the item has a decision in effect that settles it: accepted, relabelled or
    /// excluded. Unreviewed and skipped items are not final; a split off its group is no
    /// decision about the label.
    public static func isFinal(_ resolution: ItemResolution) -> Bool {
        switch resolution.status {
        case .accepted, .relabelled, .excluded: return true
        case .unreviewed, .skipped: return false
        }
    }
}
