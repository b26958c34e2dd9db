/// Unit-length embedding rows (cosine similarity = inner product), contiguous row-major.
public struct EmbeddingMatrix: Sendable {
    public let rows: Int
    public let dimension: Int
    public let values: [Float]

    /// Normalises each row of `values` (rows × dimension) to unit length. A zero row stays
    /// zero: it is similar to nothing.
    public init(rows: Int, dimension: Int, values: [Float]) {
        precondition(values.count == rows * dimension)
        var normalized = values
        normalized.withUnsafeMutableBufferPointer { v in
            for r in 0..<rows {
                var sum: Float = 0
                for c in 0..<dimension { sum += v[r * dimension + c] * v[r * dimension + c] }
                guard sum > 0 else { continue }
                let scale = 1 / sum.squareRoot()
                for c in 0..<dimension { v[r * dimension + c] *= scale }
            }
        }
        self.rows = rows
        self.dimension = dimension
        self.values = normalized
    }

    /// Builds the matrix from any source of values (e.g. a memory-mapped `.npy`), row by row.
    public init(rows: Int, dimension: Int, value: (_ row: Int, _ column: Int) -> Float) {
        var values = [Float](repeating: 0, count: rows * dimension)
        for r in 0..<rows { for c in 0..<dimension { values[r * dimension + c] = value(r, c) } }
        self.init(rows: rows, dimension: dimension, values: values)
    }
}

/// Each item's k nearest other items by cosine similarity, best first (ties: lower index).
public struct NeighbourGraph: Sendable, Equatable {
    public let count: Int
    public let k: Int
    /// count × k item indices; -1 where an item has fewer than k neighbours.
    public let ids: [Int32]
    /// count × k similarities, matching `ids`.
    public let similarities: [Float]

    public init(count: Int, k: Int, ids: [Int32], similarities: [Float]) {
        precondition(ids.count == count * k && similarities.count == count * k)
        self.count = count
        self.k = k
        self.ids = ids
        self.similarities = similarities
    }

    /// A graph searched over some items only (row r of the search is item `items[r]`),
    /// re-indexed to item positions out of `count`: items that were not searched get no
    /// neighbours (-1).
    public func spread(to items: [Int], count: Int) -> NeighbourGraph {
        precondition(items.count == self.count)
        var ids = [Int32](repeating: -1, count: count * k)
        var similarities = [Float](repeating: 0, count: count * k)
        for (row, item) in items.enumerated() {
            for j in 0..<k {
                let neighbour = self.ids[row * k + j]
                guard neighbour >= 0 else { continue }
                ids[item * k + j] = Int32(items[Int(neighbour)])
                similarities[item * k + j] = self.similarities[row * k + j]
            }
        }
        return NeighbourGraph(count: count, k: k, ids: ids, similarities: similarities)
    }

    /// The neighbours of `item`, best first.
    public func neighbours(of item: Int) -> [(id: Int, similarity: Float)] {
        (0..<k).compactMap { j in
            let id = ids[item * k + j]
            return id < 0 ? nil : (Int(id), similarities[item * k + j])
        }
    }

    /// recall@k of `self` against an exact `reference`: the share of the reference's
    /// neighbours that `self` found, averaged over items.
    public func recall(against reference: NeighbourGraph) -> Double {
        precondition(reference.count == count && reference.k == k)
        var found = 0, total = 0
        for item in 0..<count {
            let mine = Set(ids[(item * k)..<((item + 1) * k)])
            for j in 0..<k where reference.ids[item * k + j] >= 0 {
                total += 1
                if mine.contains(reference.ids[item * k + j]) { found += 1 }
            }
        }
        return total == 0 ? 1 : Double(found) / Double(total)
    }
}
