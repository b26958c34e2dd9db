/// Every agreement figure of a set of ratings, as `winnow stats` and the review screen's
/// stats view show them.
public struct AgreementReport: Sendable, Equatable {
    public struct Rater: Sendable, Equatable {
        public var name: String
        /// Items this rater rated.
        public var ratings: Int
        /// Of those, items someone else rated too.
        public var overlapped: Int
        /// Items compared with the others' consensus (overlapped items without a tie among
        /// the others), and how many of them the rater agreed with.
        public var compared: Int
        public var agreed: Int
        /// Overlapped items where the others were tied, so there was no consensus to compare with.
        public var ties: Int
        public var agreement: Double? { compared == 0 ? nil : Double(agreed) / Double(compared) }
        /// Cohen's κ between the rater and the consensus over the compared items.
        public var kappa: Double?
    }

    public struct Category: Sendable, Equatable {
        public var name: String
        /// Ratings in this category on overlapped items.
        public var ratings: Int
        public var specificAgreement: Double?
        /// Krippendorff's α of the category against the rest.
        public var alpha: Double?
        /// Fleiss' κ_j, over the items Fleiss' κ uses.
        public var fleissKappa: Double?
    }

    public var raters: [Rater]
    /// Items with at least one rating, and with ratings from at least two raters.
    public var ratedItems: Int
    public var overlappedItems: Int
    /// Raters with a rating on an overlapped item.
    public var overlappingRaters: Int
    public var observedAgreement: Double?
    /// Cohen's κ when exactly two raters rated overlapped items (then every overlapped item
    /// is rated by both); nil otherwise (see `pairs` and Fleiss' κ).
    public var cohensKappa: Double?
    public var fleiss: Agreement.Fleiss?
    public var krippendorffAlpha: Double?
    /// Categories used on overlapped items, in name order.
    public var categories: [Category]
    /// Cohen's κ of every pair of raters that rated an item in common.
    public var pairs: [Agreement.Pair]

    public init(_ table: RatingTable) {
        let pairs = Agreement.pairs(table)
        let fleiss = Agreement.fleiss(table)
        let alphas = Agreement.krippendorffAlphaPerCategory(table)
        let specific = Agreement.specificAgreement(table)
        var used = [Int](repeating: 0, count: table.categories.count)
        Agreement.forEachPairableUnit(table) { _, counts in for (c, x) in counts { used[Int(c)] += x } }
        self.pairs = pairs
        self.fleiss = fleiss
        ratedItems = table.unitCount
        overlappedItems = table.overlappedUnits.count
        let consensus = Consensus.compare(table)
        raters = consensus
        overlappingRaters = consensus.filter { $0.overlapped > 0 }.count
        observedAgreement = Agreement.observedAgreement(table)
        cohensKappa = overlappingRaters == 2 ? pairs.first?.kappa : nil
        krippendorffAlpha = Agreement.krippendorffAlpha(table)
        categories = table.categories.indices.filter { used[$0] > 0 }.map { j in
            Category(
                name: table.categories[j], ratings: used[j], specificAgreement: specific[j], alpha: alphas[j],
                fleissKappa: fleiss?.perCategory[j])
        }
    }
}

/// Each rater against the consensus of the others.
///
/// The consensus of an item, for rater r, is the category most of the *other* raters of
/// the item chose (leaving r out, so a rater is never compared with itself: with two
/// raters it is the other one's rating). When the others are tied (one says "cat", one
/// "dog"), there is no consensus: the item is counted as a tie and not compared, rather
/// than broken by an arbitrary rule that would favour some raters.
public enum Consensus {
    public static func compare(_ table: RatingTable) -> [AgreementReport.Rater] {
        let r = table.raters.count
        var ratings = [Int](repeating: 0, count: r), overlapped = ratings, compared = ratings, agreed = ratings, ties = ratings
        var own = [[Int32: Int]](repeating: [:], count: r), other = own
        var counts: [Int32: Int] = [:]
        for u in 0..<table.unitCount {
            let unit = table.unit(u)
            for e in unit { ratings[Int(e.rater)] += 1 }
            guard unit.count >= 2 else { continue }
            counts.removeAll(keepingCapacity: true)
            for e in unit { counts[e.category, default: 0] += 1 }
            for e in unit {
                let rater = Int(e.rater)
                overlapped[rater] += 1
                // The others' counts: this rater's own rating taken out.
                var best: Int32 = -1, bestCount = 0, tied = false
                for (c, x) in counts {
                    let n = c == e.category ? x - 1 : x
                    if n > bestCount { best = c; bestCount = n; tied = false } else if n == bestCount && n > 0 { tied = true }
                }
                if tied { ties[rater] += 1; continue }
                compared[rater] += 1
                if best == e.category { agreed[rater] += 1 }
                own[rater][e.category, default: 0] += 1
                other[rater][best, default: 0] += 1
            }
        }
        return (0..<r).map { i in
            AgreementReport.Rater(
                name: table.raters[i], ratings: ratings[i], overlapped: overlapped[i], compared: compared[i],
                agreed: agreed[i], ties: ties[i],
                kappa: Agreement.kappa(items: compared[i], agreed: agreed[i], a: own[i], b: other[i]))
        }
    }
}
