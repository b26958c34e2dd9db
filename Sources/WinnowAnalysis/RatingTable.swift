import WinnowCore

/// Ratings coded as small integers and grouped by item: the form every agreement
/// statistic reads. Built once from a million ratings in well under a second (one sort of
/// flat arrays, no per-item allocation).
public struct RatingTable: Sendable {
    public struct Entry: Sendable, Hashable {
        /// Index into `raters`.
        public var rater: Int32
        /// Index into `categories`.
        public var category: Int32
    }

    /// Every rater, sorted.
    public let raters: [String]
    /// Every category used, sorted.
    public let categories: [String]
    /// Every item with at least one rating, ascending.
    public let items: [Int64]
    /// The ratings of `items[u]` are `entries[unitStarts[u]..<unitStarts[u + 1]]`, one per
    /// rater, ordered by rater.
    public let entries: [Entry]
    public let unitStarts: [Int]

    /// `ratings` in any order; when a rater rated an item twice, the later one counts.
    public init(_ ratings: some Sequence<Rating>) {
        var raterCodes: [String: Int32] = [:], categoryCodes: [String: Int32] = [:]
        var raterNames: [String] = [], categoryNames: [String] = []
        var item: [Int64] = [], rater: [Int32] = [], category: [Int32] = []
        for r in ratings {
            let rc =
                raterCodes[r.rater]
                ?? {
                    raterNames.append(r.rater)
                    raterCodes[r.rater] = Int32(raterNames.count - 1)
                    return Int32(raterNames.count - 1)
                }()
            let cc =
                categoryCodes[r.category]
                ?? {
                    categoryNames.append(r.category)
                    categoryCodes[r.category] = Int32(categoryNames.count - 1)
                    return Int32(categoryNames.count - 1)
                }()
            item.append(r.item)
            rater.append(rc)
            category.append(cc)
        }
        // Codes in sorted-name order, so results list raters and categories alphabetically.
        let raterOrder = raterNames.indices.sorted { raterNames[$0] < raterNames[$1] }
        let categoryOrder = categoryNames.indices.sorted { categoryNames[$0] < categoryNames[$1] }
        var raterRemap = [Int32](repeating: 0, count: raterNames.count)
        var categoryRemap = [Int32](repeating: 0, count: categoryNames.count)
        for (new, old) in raterOrder.enumerated() { raterRemap[old] = Int32(new) }
        for (new, old) in categoryOrder.enumerated() { categoryRemap[old] = Int32(new) }
        raters = raterOrder.map { raterNames[$0] }
        categories = categoryOrder.map { categoryNames[$0] }

        // By (item, rater), the later rating last, then keep the last of each pair.
        let order = item.indices.sorted { a, b in
            if item[a] != item[b] { return item[a] < item[b] }
            let (ra, rb) = (raterRemap[Int(rater[a])], raterRemap[Int(rater[b])])
            return ra != rb ? ra < rb : a < b
        }
        var items: [Int64] = [], entries: [Entry] = [], starts: [Int] = []
        entries.reserveCapacity(order.count)
        for (position, i) in order.enumerated() {
            if position + 1 < order.count, item[order[position + 1]] == item[i], rater[order[position + 1]] == rater[i] { continue }
            if items.last != item[i] {
                items.append(item[i])
                starts.append(entries.count)
            }
            entries.append(Entry(rater: raterRemap[Int(rater[i])], category: categoryRemap[Int(category[i])]))
        }
        starts.append(entries.count)
        self.items = items
        self.entries = entries
        self.unitStarts = starts
    }

    public var unitCount: Int { items.count }

    /// The ratings of the `u`th item.
    public func unit(_ u: Int) -> ArraySlice<Entry> { entries[unitStarts[u]..<unitStarts[u + 1]] }

    /// How many raters rated the `u`th item.
    public func raterCount(_ u: Int) -> Int { unitStarts[u + 1] - unitStarts[u] }

    /// Items rated by at least two raters: the only ones agreement can be measured on.
    public var overlappedUnits: [Int] { (0..<unitCount).filter { raterCount($0) >= 2 } }
}
