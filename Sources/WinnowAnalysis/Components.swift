import HeapModule

/// Groups of near-duplicates, without chaining: every member of a group is a confirmed
/// near-duplicate of the group's *core* (or byte-identical to a member that is).
///
/// Connected components (fastdup's idea, and Winnow's before) join A–B and B–C into one
/// group even when A and C are different pictures; in embeddings where a class's images are
/// all alike, such chains run through the whole class. Here groups are stars: the item with
/// the most confirmed near-duplicates not yet grouped becomes a core (ties: the higher sum of
/// pair scores, then the lower index), its ungrouped near-duplicates join it, and the next
/// core is chosen among the rest. Byte-identical files (`identical`, by content hash) are one
/// unit throughout: they join whatever their members are paired with.
public struct Components: Sendable {
    /// Component index of each item; -1 for items without a near-duplicate.
    public let componentOf: [Int32]
    /// Members of each component (size ≥ 2), ascending.
    public let members: [[Int32]]

    /// `splitOff`: items a reviewer declared "not a duplicate"; they join no component.
    public init(count: Int, pairs: [DuplicatePair], identical: [[Int32]] = [], splitOff: Set<Int32> = []) {
        // Units: each byte-identical set (without split-off items) is one, every other item its own.
        var unitOf = Array(0..<Int32(count))
        func find(_ x: Int32) -> Int32 {
            var x = x
            while unitOf[Int(x)] != x {
                unitOf[Int(x)] = unitOf[Int(unitOf[Int(x)])] // path halving
                x = unitOf[Int(x)]
            }
            return x
        }
        for group in identical {
            let kept = splitOff.isEmpty ? group : group.filter { !splitOff.contains($0) }
            for member in kept.dropFirst() {
                let a = find(kept[0]), b = find(member)
                if a != b { unitOf[Int(max(a, b))] = min(a, b) }
            }
        }
        for item in 0..<count { unitOf[item] = find(Int32(item)) }
        // Confirmed links between units, with the best score of the pairs behind each.
        var links: [Int32: [Int32: Float]] = [:]
        for pair in pairs {
            if !splitOff.isEmpty, splitOff.contains(pair.first) || splitOff.contains(pair.second) { continue }
            let a = unitOf[Int(pair.first)], b = unitOf[Int(pair.second)]
            guard a != b else { continue }
            links[a, default: [:]][b] = max(links[a]?[b] ?? -.infinity, pair.score)
            links[b, default: [:]][a] = max(links[b]?[a] ?? -.infinity, pair.score)
        }
        // Star groups of units, cores chosen greedily from a heap with lazy updates.
        struct Entry: Comparable {
            var degree: Int, weight: Float, unit: Int32
            static func < (l: Entry, r: Entry) -> Bool {
                l.degree != r.degree ? l.degree < r.degree : l.weight != r.weight ? l.weight < r.weight : l.unit > r.unit
            }
        }
        var grouped = Set<Int32>()
        func entry(_ unit: Int32) -> Entry {
            var degree = 0, weight: Float = 0
            for (other, score) in links[unit] ?? [:] where !grouped.contains(other) { degree += 1; weight += score }
            return Entry(degree: degree, weight: weight, unit: unit)
        }
        var heap = Heap(links.keys.map(entry))
        var coreOf: [Int32: Int32] = [:] // unit → the core unit of its group
        while let top = heap.popMax() {
            guard !grouped.contains(top.unit) else { continue }
            let current = entry(top.unit)
            guard current.degree > 0 else { continue }
            if current != top { heap.insert(current); continue }
            grouped.insert(top.unit)
            coreOf[top.unit] = top.unit
            for other in (links[top.unit] ?? [:]).keys.sorted() where !grouped.contains(other) {
                grouped.insert(other)
                coreOf[other] = top.unit
            }
        }
        var groups: [Int32: [Int32]] = [:]
        for item in 0..<count {
            // Grouped units under their core; an ungrouped identical set under its own unit.
            let unit = unitOf[item]
            groups[coreOf[unit] ?? unit, default: []].append(Int32(item))
        }
        // Components numbered by their smallest member: deterministic.
        let multi = groups.values.filter { $0.count > 1 }.sorted { $0[0] < $1[0] }
        var componentOf = [Int32](repeating: -1, count: count)
        for (c, group) in multi.enumerated() { for item in group { componentOf[Int(item)] = Int32(c) } }
        self.componentOf = componentOf
        self.members = multi
    }
}

/// What a component's current labels say.
public struct ComponentSummary: Sendable, Equatable {
    public var index: Int
    public var members: [Int32]
    /// Count per class index, over members that have a label and are not excluded.
    public var labelCounts: [Int: Int]
    /// Largest count ÷ labelled members (1 when all agree; 1 when nobody is labelled).
    public var purity: Double
    /// Variance and standard deviation of the label counts over the classes present, the
    /// spread statistics used for pruning in the data-cleaning literature.
    public var variance: Double
    public var standardDeviation: Double
    /// The labels disagree (more than one class among labelled members).
    public var isBad: Bool
    /// The most common label (ties: lower class index), nil when nobody is labelled.
    public var majority: Int?

    public init(index: Int, members: [Int32], labels: [Int32]) {
        self.index = index
        self.members = members
        var counts: [Int: Int] = [:]
        for m in members where labels[Int(m)] >= 0 { counts[Int(labels[Int(m)]), default: 0] += 1 }
        labelCounts = counts
        let labelled = counts.values.reduce(0, +)
        let top = counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }
        majority = top?.key
        purity = labelled == 0 ? 1 : Double(top!.value) / Double(labelled)
        // In class order: a dictionary's order differs between instances, and float sums with it.
        let values = counts.sorted { $0.key < $1.key }.map { Double($0.value) }
        let mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        variance = values.isEmpty ? 0 : values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
        standardDeviation = variance.squareRoot()
        isBad = counts.count > 1
    }
}
