/// Inter-rater agreement on nominal categories: Cohen's κ, Fleiss' κ and Krippendorff's α,
/// overall and per category. Each is checked against the reference implementation
/// (scikit-learn, statsmodels, the `krippendorff` package) on fixtures made by
/// scripts/make-agreement-fixtures.py.
///
/// A coefficient that is undefined (every rating in one category, no item rated twice, a
/// single rater) is nil, never NaN: "no measurement" must not print as a number.
public enum Agreement {
    /// Two raters compared over the items both rated.
    public struct Pair: Sendable, Equatable {
        public var raterA: String
        public var raterB: String
        /// Items both rated.
        public var items: Int
        /// Items they put in the same category.
        public var agreed: Int
        /// `agreed / items`.
        public var observed: Double? { items == 0 ? nil : Double(agreed) / Double(items) }
        /// Cohen's κ (as scikit-learn's `cohen_kappa_score`); nil with no shared item or
        /// when both used one and the same category throughout.
        public var kappa: Double?
    }

    /// Fleiss' κ over the items rated by exactly `ratersPerItem` raters.
    public struct Fleiss: Sendable, Equatable {
        public var ratersPerItem: Int
        public var items: Int
        /// As statsmodels' `fleiss_kappa(table, method="fleiss")`.
        public var kappa: Double?
        /// Fleiss' (1971) κ_j for each category of the table (nil when no or every rating
        /// is in it). κ_j equals Fleiss' κ of the table recoded to "j" against "not j".
        public var perCategory: [Double?]
    }

    // MARK: - Cohen's κ

    /// What two raters' common items add up to.
    struct Tally {
        var items = 0, agreed = 0
        var a: [Int32: Int] = [:], b: [Int32: Int] = [:]
    }

    static func count(_ x: RatingTable.Entry, _ y: RatingTable.Entry, into t: inout Tally) {
        t.items += 1
        if x.category == y.category { t.agreed += 1 }
        t.a[x.category, default: 0] += 1
        t.b[y.category, default: 0] += 1
    }

    /// Cohen's κ of every pair of raters with at least one item in common, in rater order.
    /// One pass over the items, whatever the number of raters.
    public static func pairs(_ table: RatingTable) -> [Pair] {
        var tallies: [Int: Tally] = [:]
        let r = table.raters.count
        for u in 0..<table.unitCount {
            let unit = table.unit(u)
            guard unit.count >= 2 else { continue }
            for i in unit.indices {
                for j in unit.indices where j > i {
                    let (x, y) = (unit[i], unit[j])
                    // Updated in place: a copy out and back would copy its dictionaries.
                    Self.count(x, y, into: &tallies[Int(x.rater) * r + Int(y.rater), default: Tally()])
                }
            }
        }
        return tallies.keys.sorted().map { key in
            let t = tallies[key]!
            return Pair(
                raterA: table.raters[key / r], raterB: table.raters[key % r], items: t.items, agreed: t.agreed,
                kappa: kappa(items: t.items, agreed: t.agreed, a: t.a, b: t.b))
        }
    }

    /// Cohen's κ = 1 − Σ_{i≠j} C_ij / Σ_{i≠j} E_ij with E = a bᵀ / n, written with exact
    /// integers up to the last division: Σ_{i≠j} C_ij = n − agreed and
    /// Σ_{i≠j} E_ij = (n² − Σ_c a_c b_c) / n.
    static func kappa(items n: Int, agreed: Int, a: [Int32: Int], b: [Int32: Int]) -> Double? {
        guard n > 0 else { return nil }
        let chance = a.reduce(0) { $0 + $1.value * (b[$1.key] ?? 0) }
        let expectedOff = n * n - chance
        guard expectedOff > 0 else { return nil }
        return 1 - Double(n - agreed) / (Double(expectedOff) / Double(n))
    }

    /// Cohen's κ between two sequences of categories (any Hashable), item by item.
    public static func cohensKappa<C: Hashable>(_ a: [C], _ b: [C]) -> Double? {
        precondition(a.count == b.count)
        var codes: [C: Int32] = [:]
        func code(_ c: C) -> Int32 {
            codes[c]
                ?? {
                    codes[c] = Int32(codes.count); return Int32(codes.count - 1)
                }()
        }
        var ma: [Int32: Int] = [:], mb: [Int32: Int] = [:]
        var agreed = 0
        for (x, y) in zip(a, b) {
            let (cx, cy) = (code(x), code(y))
            ma[cx, default: 0] += 1
            mb[cy, default: 0] += 1
            if cx == cy { agreed += 1 }
        }
        return kappa(items: a.count, agreed: agreed, a: ma, b: mb)
    }

    // MARK: - Fleiss' κ

    /// Fleiss' κ needs the same number of ratings on every item. Items rated by n raters,
    /// n being the most common number of raters among items rated at least twice (a tie
    /// goes to the larger n), are used; the others are left out (the result says how many
    /// items it rests on). Nil when no item was rated twice.
    public static func fleiss(_ table: RatingTable) -> Fleiss? {
        var frequency: [Int: Int] = [:]
        for u in 0..<table.unitCount where table.raterCount(u) >= 2 { frequency[table.raterCount(u), default: 0] += 1 }
        guard let n = frequency.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key < $1.key })?.key else { return nil }
        return fleiss(categories: table.categories.count, ratersPerItem: n) { row in
            forEachPairableUnit(table) { m, counts in if m == n { row(counts) } }
        }
    }

    /// Fleiss' κ of an items × categories table of counts whose rows all sum to
    /// `ratersPerItem` (≥ 2), as statsmodels' `fleiss_kappa(table, method="fleiss")`.
    public static func fleiss(counts: [[Int]], ratersPerItem n: Int) -> Fleiss {
        let k = counts.first?.count ?? 0
        precondition(n >= 2 && counts.allSatisfy { $0.count == k && $0.reduce(0, +) == n })
        return fleiss(categories: k, ratersPerItem: n) { row in
            for counts in counts { row(counts.enumerated().filter { $0.element > 0 }.map { (Int32($0.offset), $0.element) }) }
        }
    }

    /// The computation, over sparse rows ((category, count) pairs with counts > 0) so a
    /// million items of a thousand classes need no dense table.
    static func fleiss(categories k: Int, ratersPerItem n: Int, rows: (([(Int32, Int)]) -> Void) -> Void) -> Fleiss {
        var items = 0
        var perCategoryTotal = [Int](repeating: 0, count: k)
        var itemsWith = [Int](repeating: 0, count: k)
        var agreementSum = 0.0
        // Per category j: Σ over the items holding j of the binarised table's per-item
        // agreement; every item without j agrees perfectly on "not j" and adds 1.
        var binarySums = [Double](repeating: 0, count: k)
        let pairs = Double(n * (n - 1))
        rows { row in
            items += 1
            var squares = 0
            for (j, x) in row {
                squares += x * x
                perCategoryTotal[Int(j)] += x
                itemsWith[Int(j)] += 1
                binarySums[Int(j)] += Double(x * x + (n - x) * (n - x) - n) / pairs
            }
            agreementSum += Double(squares - n) / pairs
        }
        guard items > 0 else { return Fleiss(ratersPerItem: n, items: 0, kappa: nil, perCategory: Array(repeating: nil, count: k)) }
        let total = Double(items * n)
        let observed = agreementSum / Double(items)
        let p = perCategoryTotal.map { Double($0) / total }
        let used = perCategoryTotal.filter { $0 > 0 }.count
        let chance = p.reduce(0) { $0 + $1 * $1 }
        let kappa = used >= 2 ? (observed - chance) / (1 - chance) : nil
        let perCategory: [Double?] = (0..<k).map { j in
            guard perCategoryTotal[j] > 0, perCategoryTotal[j] < items * n else { return nil }
            let q = 1 - p[j]
            let chanceJ = p[j] * p[j] + q * q
            let observedJ = (binarySums[j] + Double(items - itemsWith[j])) / Double(items)
            return (observedJ - chanceJ) / (1 - chanceJ)
        }
        return Fleiss(ratersPerItem: n, items: items, kappa: kappa, perCategory: perCategory)
    }

    // MARK: - Krippendorff's α

    /// Krippendorff's α for nominal data, from the coincidence matrix: any number of raters
    /// per item, missing ratings allowed; items with a single rating are not pairable and
    /// drop out. α = 1 − Σ_{c≠k} o_ck / Σ_{c≠k} e_ck, with o_ck = Σ_u n_uc n_uk / (m_u − 1)
    /// and e_ck = n_c n_k / (n − 1). Nil when fewer than two categories are pairable (or no
    /// item was rated twice), where the `krippendorff` package raises.
    public static func krippendorffAlpha(_ table: RatingTable) -> Double? {
        var observedOff = 0.0
        var n = [Int](repeating: 0, count: table.categories.count)
        forEachPairableUnit(table) { m, counts in
            var squares = 0
            for (c, x) in counts {
                squares += x * x
                n[Int(c)] += x
            }
            observedOff += Double(m * m - squares) / Double(m - 1)
        }
        return alpha(observedOff: observedOff, marginals: n)
    }

    /// α of each category recoded against the rest ("cat" / "not cat"), over the same
    /// pairable items as the overall α: how reliably reviewers recognise that category.
    public static func krippendorffAlphaPerCategory(_ table: RatingTable) -> [Double?] {
        let k = table.categories.count
        var observedOff = [Double](repeating: 0, count: k)
        var inCategory = [Int](repeating: 0, count: k)
        var pairable = 0
        forEachPairableUnit(table) { m, counts in
            pairable += m
            for (c, x) in counts {
                inCategory[Int(c)] += x
                observedOff[Int(c)] += Double(2 * x * (m - x)) / Double(m - 1)
            }
        }
        return (0..<k).map { alpha(observedOff: observedOff[$0], marginals: [inCategory[$0], pairable - inCategory[$0]]) }
    }

    static func alpha(observedOff: Double, marginals n: [Int]) -> Double? {
        let total = n.reduce(0, +)
        let expectedOffTimesTotalMinusOne = total * total - n.reduce(0) { $0 + $1 * $1 }
        guard total > 1, expectedOffTimesTotalMinusOne > 0 else { return nil }
        return 1 - observedOff / (Double(expectedOffTimesTotalMinusOne) / Double(total - 1))
    }

    // MARK: - Raw agreement

    /// The share of agreeing pairs among all pairs of ratings of the same item (each item
    /// weighted by its number of pairs). Nil when no item was rated twice.
    public static func observedAgreement(_ table: RatingTable) -> Double? {
        var agreeing = 0, pairs = 0
        forEachPairableUnit(table) { m, counts in
            pairs += m * (m - 1)
            for (_, x) in counts { agreeing += x * (x - 1) }
        }
        return pairs == 0 ? nil : Double(agreeing) / Double(pairs)
    }

    /// Specific agreement per category: of the pairs of ratings of one item where one
    /// rating is in the category, the share where the other is too (for two raters,
    /// 2a / (2a + b + c)). Raw, not chance-corrected; nil for a category no rating of an
    /// item rated twice is in.
    public static func specificAgreement(_ table: RatingTable) -> [Double?] {
        let k = table.categories.count
        var agreeing = [Int](repeating: 0, count: k), involving = [Int](repeating: 0, count: k)
        forEachPairableUnit(table) { m, counts in
            for (c, x) in counts {
                agreeing[Int(c)] += x * (x - 1)
                involving[Int(c)] += x * (m - 1)
            }
        }
        return (0..<k).map { involving[$0] == 0 ? nil : Double(agreeing[$0]) / Double(involving[$0]) }
    }

    /// Calls `body` with each item rated at least twice: its number of ratings and its
    /// (category, count) pairs.
    static func forEachPairableUnit(_ table: RatingTable, _ body: (Int, [(Int32, Int)]) -> Void) {
        var counts: [(Int32, Int)] = []
        for u in 0..<table.unitCount {
            let m = table.raterCount(u)
            guard m >= 2 else { continue }
            counts.removeAll(keepingCapacity: true)
            for e in table.unit(u) {
                if let at = counts.firstIndex(where: { $0.0 == e.category }) { counts[at].1 += 1 } else { counts.append((e.category, 1)) }
            }
            body(m, counts)
        }
    }
}
