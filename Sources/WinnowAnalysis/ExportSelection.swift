import WinnowCore

/// What the group policies of an export (`ExportPolicies`) decide about the members of
/// near-duplicate groups. Pure: the exporter gathers the members' state from one snapshot
/// and asks this type; items outside any group are never affected.
///
/// The policies apply in this order, whatever order they were given in:
/// 1. Excluded items take no part: they are left out (or written as excluded) before
///    anything here, and they neither make a group bad nor count in its labels.
/// 2. `--final-only` and unlabelled items: such items are not written, but they still
///    count when judging a group (an unfinished member is what makes a group unresolved).
/// 3. `bad-components=drop|hold`: a group is bad when its members' current label sets
///    are not all the same (unlabelled members aside; for single-label data this is
///    `ComponentSummary.isBad`), and unresolved when one of its members is not final
///    (`ReviewFinality`). Every member of an unresolved bad group is dropped or held back.
/// 4. `one-per-group`: of the members still to be written, one representative stays: a
///    member whose review is final first, then the highest self-confidence (the models'
///    mean probability of its current label; single-label data with models), then the
///    smallest image path. Deterministic, and stable when items.csv is reordered.
/// 5. `label-intersection` / `drop-rare-labels=F` (multi-label data): a member keeps only
///    the labels that every member (resp. at least the fraction F of the members) of its
///    group has, counted over the group's labelled members. Held-back members keep theirs.
public struct ExportSelection: Sendable {
    public enum Verdict: UInt8, Sendable {
        case keep
        /// A member of an unresolved bad group, with `bad-components=drop`.
        case dropBadComponent
        /// A member of an unresolved bad group, with `bad-components=hold`.
        case holdBadComponent
        /// Not its group's representative, with `one-per-group`.
        case dropDuplicate
    }

    /// A group member as the policies see it.
    public struct Member: Sendable {
        /// Current labels; nil when unlabelled.
        public var labels: LabelSet?
        public var excluded: Bool
        /// Its review is final (`ReviewFinality.isFinal`).
        public var isFinal: Bool
        /// Would be written if no group policy applied: not excluded, labelled, and final
        /// when the export is `--final-only`.
        public var writable: Bool
        /// The models' mean probability of its current label; NaN when unknown.
        public var selfConfidence: Float
        public var path: String

        public init(labels: LabelSet?, excluded: Bool, isFinal: Bool, writable: Bool, selfConfidence: Float = .nan, path: String) {
            self.labels = labels
            self.excluded = excluded
            self.isFinal = isFinal
            self.writable = writable
            self.selfConfidence = selfConfidence
            self.path = path
        }
    }

    /// Verdicts other than `.keep`, by item index.
    public private(set) var verdicts: [Int32: Verdict] = [:]
    /// New labels of members a label policy changed, by item index.
    public private(set) var labels: [Int32: LabelSet] = [:]
    /// Groups (of two or more members), bad groups, and unresolved bad groups.
    public private(set) var groups = 0
    public private(set) var badGroups = 0
    public private(set) var unresolvedGroups = 0

    /// `members` holds every member of `components`' groups (by item index).
    public init(components: Components, members: [Int32: Member], policies: ExportPolicies) {
        for group in components.members {
            groups += 1
            let active = group.filter { members[$0].map { !$0.excluded } ?? false }
            let labelSets = Set(active.compactMap { members[$0]!.labels })
            let bad = labelSets.count > 1
            let unresolved = bad && active.contains { !members[$0]!.isFinal }
            if bad { badGroups += 1 }
            if unresolved {
                unresolvedGroups += 1
                switch policies.badComponents {
                case .keep: break
                case .drop: for m in active { verdicts[m] = .dropBadComponent }
                case .hold: for m in active { verdicts[m] = .holdBadComponent }
                }
            }
            let candidates = active.filter { members[$0]!.writable && verdicts[$0] == nil }
            if policies.onePerGroup, candidates.count > 1 {
                let representative = candidates.min { Self.ranksBefore(members[$0]!, members[$1]!) }!
                for m in candidates where m != representative { verdicts[m] = .dropDuplicate }
            }
            if policies.changesLabels {
                let labelled = active.compactMap { members[$0]!.labels }
                var counts: [String: Int] = [:]
                for set in labelled { for name in set.names { counts[name, default: 0] += 1 } }
                let kept = Set(
                    counts.filter { name, count in
                        if policies.labelIntersection && count < labelled.count { return false }
                        if let fraction = policies.dropRareLabels, Double(count) < fraction * Double(labelled.count) { return false }
                        return true
                    }.keys)
                for m in active {
                    // Held-back members keep their labels as they are: they wait for a review.
                    guard verdicts[m] == nil, let current = members[m]!.labels else { continue }
                    let narrowed = LabelSet(normalized: current.names.filter(kept.contains))
                    if narrowed != current { labels[m] = narrowed }
                }
            }
        }
    }

    public func verdict(of item: Int) -> Verdict { verdicts[Int32(item)] ?? .keep }

    /// The group's representative comes first: final, then surer, then by path.
    static func ranksBefore(_ a: Member, _ b: Member) -> Bool {
        if a.isFinal != b.isFinal { return a.isFinal }
        let ca = a.selfConfidence.isNaN ? -1 : a.selfConfidence, cb = b.selfConfidence.isNaN ? -1 : b.selfConfidence
        if ca != cb { return ca > cb }
        return a.path.utf8.lexicographicallyPrecedes(b.path.utf8)
    }
}
