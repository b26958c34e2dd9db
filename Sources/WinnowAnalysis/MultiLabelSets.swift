/// The given classes of every item of a multi-label dataset, as the items × classes 0/1
/// matrix cleanlab builds with `MultiLabelBinarizer` (`y_one`), stored class by class:
/// one-vs-rest confident learning reads one class's column at a time.
public struct MultiLabelSets: Sendable, Equatable {
    public let count: Int
    public let classes: Int
    /// Column-major: `members[k * count + i]` is 1 when item i has class k.
    public let members: [UInt8]

    /// - Parameter sets: each item's classes (indices below `classes`; order and repeats do
    ///   not matter, as for `MultiLabelBinarizer`). An empty set is an item with no label.
    public init(_ sets: [[Int32]], classes: Int) {
        let n = sets.count
        var members = [UInt8](repeating: 0, count: n * classes)
        for (i, set) in sets.enumerated() {
            for k in set {
                precondition(k >= 0 && Int(k) < classes, "class index \(k) out of range 0..<\(classes)")
                members[Int(k) * n + i] = 1
            }
        }
        self.init(count: n, classes: classes, members: members)
    }

    public init(count: Int, classes: Int, members: [UInt8]) {
        precondition(members.count == count * classes, "members must be classes × items")
        self.count = count
        self.classes = classes
        self.members = members
    }

    @inline(__always) public func has(_ item: Int, _ k: Int) -> Bool { members[k * count + item] != 0 }

    /// The classes of `item`, ascending.
    public func classes(of item: Int) -> [Int32] {
        (0..<classes).compactMap { has(item, $0) ? Int32($0) : nil }
    }

    /// How many items have each class.
    public func positives() -> [Int] {
        members.withUnsafeBufferPointer { m in
            (0..<classes).map { k in
                var total = 0
                for i in 0..<count { total &+= Int(m[k * count + i]) }
                return total
            }
        }
    }

    /// The subset of items `rows`, in that order.
    public func rows(_ rows: [Int]) -> MultiLabelSets {
        var members = [UInt8](repeating: 0, count: rows.count * classes)
        for k in 0..<classes {
            for (position, i) in rows.enumerated() { members[k * rows.count + position] = self.members[k * count + i] }
        }
        return MultiLabelSets(count: rows.count, classes: classes, members: members)
    }
}

/// Row-major items × classes probabilities turned column-major, so each class's column is
/// contiguous (one-vs-rest work reads a column at a time). Blocked, to stay in cache.
func columnMajor(_ rowMajor: [Float], items n: Int, classes k: Int) -> [Float] {
    var columns = [Float](repeating: 0, count: n * k)
    let block = 256
    rowMajor.withUnsafeBufferPointer { source in
        columns.withUnsafeMutableBufferPointer { target in
            var start = 0
            while start < n {
                let end = min(n, start + block)
                for c in 0..<k {
                    let column = c &* n
                    for i in start..<end { target[column &+ i] = source[i &* k &+ c] }
                }
                start = end
            }
        }
    }
    return columns
}
