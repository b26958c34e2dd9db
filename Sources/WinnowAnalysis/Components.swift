import WinnowNeighbours

/// Groups of near-duplicates: connected components of the graph whose edges join
/// neighbours with cosine similarity ≥ `threshold` (fastdup's idea), and of byte-identical
/// files (`identical`, found by content hash), which join whatever the embeddings say.
public struct Components: Sendable {
    /// Component index of each item; -1 for items without a near-duplicate.
    public let componentOf: [Int32]
    /// Members of each component (size ≥ 2), ascending.
    public let members: [[Int32]]

    /// `splitOff`: items a reviewer declared "not a duplicate"; they join no component.
    public init(count: Int, graph: NeighbourGraph?, threshold: Float, identical: [[Int32]] = [], splitOff: Set<Int32> = []) {
        var parent = Array(0..<Int32(count))
        func find(_ x: Int32) -> Int32 {
            var x = x
            while parent[Int(x)] != x {
                parent[Int(x)] = parent[Int(parent[Int(x)])]  // path halving
                x = parent[Int(x)]
            }
            return x
        }
        func join(_ x: Int32, _ y: Int32) {
            let a = find(x), b = find(y)
            if a != b { parent[Int(max(a, b))] = min(a, b) }
        }
        if let graph {
            for item in 0..<graph.count {
                for j in 0..<graph.k {
                    let other = graph.ids[item * graph.k + j]
                    guard other >= 0, graph.similarities[item * graph.k + j] >= threshold else { continue }
                    if !splitOff.isEmpty, splitOff.contains(Int32(item)) || splitOff.contains(other) { continue }
                    join(Int32(item), other)
                }
            }
        }
        for group in identical {
            let kept = splitOff.isEmpty ? group : group.filter { !splitOff.contains($0) }
            for member in kept.dropFirst() { join(kept[0], member) }
        }
        var groups: [Int32: [Int32]] = [:]
        for item in 0..<count { groups[find(Int32(item)), default: []].append(Int32(item)) }
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
