/// Several annotators' labels of each item: cleanlab's `labels_multiannotator` (items ×
/// annotators, NaN where an annotator did not label an item), stored by item so that a
/// crowd of a thousand annotators who each labelled a few items costs what they labelled.
public struct AnnotatorLabels: Sendable, Equatable {
    public let count: Int
    public let annotators: Int
    /// Item i's labels are entries `offsets[i]..<offsets[i + 1]`, by ascending annotator.
    public let offsets: [Int]
    public let annotator: [Int32]
    public let label: [Int32]

    /// - Parameter items: per item, (annotator index, class index) pairs, each annotator
    ///   at most once per item.
    public init(_ items: [[(annotator: Int32, label: Int32)]], annotators: Int) {
        var offsets = [0]
        offsets.reserveCapacity(items.count + 1)
        var who: [Int32] = [], what: [Int32] = []
        for entries in items {
            for entry in entries.sorted(by: { $0.annotator < $1.annotator }) {
                precondition(entry.annotator >= 0 && Int(entry.annotator) < annotators && entry.label >= 0, "bad annotation \(entry)")
                precondition(who.count == offsets.last! || who.last! != entry.annotator, "annotator \(entry.annotator) labelled an item twice")
                who.append(entry.annotator)
                what.append(entry.label)
            }
            offsets.append(who.count)
        }
        self.count = items.count
        self.annotators = annotators
        self.offsets = offsets
        self.annotator = who
        self.label = what
    }

    /// From the dense matrix (nil where an annotator did not label an item).
    public init(dense rows: [[Int32?]]) {
        let m = rows.first?.count ?? 0
        self.init(rows.map { row in row.enumerated().compactMap { a, l in l.map { (Int32(a), $0) } } }, annotators: m)
    }

    @inline(__always) public func entries(of item: Int) -> Range<Int> { offsets[item]..<offsets[item + 1] }
    @inline(__always) public func annotations(of item: Int) -> Int { offsets[item + 1] - offsets[item] }

    /// The entries (positions into `annotator`/`label`) of each annotator, by ascending item.
    public func entriesByAnnotator() -> [[Int]] {
        var result = [[Int]](repeating: [], count: annotators)
        for i in 0..<count { for e in entries(of: i) { result[Int(annotator[e])].append(e) } }
        return result
    }

    /// The item of each entry.
    public func itemOfEntry() -> [Int32] {
        var items = [Int32](repeating: 0, count: annotator.count)
        for i in 0..<count { for e in entries(of: i) { items[e] = Int32(i) } }
        return items
    }
}
