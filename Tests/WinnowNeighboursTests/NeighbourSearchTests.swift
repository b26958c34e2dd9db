import Foundation
import Testing
@testable import WinnowNeighbours

/// Deterministic pseudo-random numbers (SplitMix64) with a Gaussian helper.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { max(Double(next() >> 11) / Double(1 << 53), 1e-12) }
    mutating func gaussian() -> Float { Float((-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform())) }
}

/// Clustered vectors with an exact duplicate every 50 items, like real embeddings.
func clusteredMatrix(count: Int, dimension: Int, clusters: Int, seed: UInt64) -> EmbeddingMatrix {
    var rng = TestRandom(seed: seed)
    let centres = (0..<clusters).map { _ in (0..<dimension).map { _ in rng.gaussian() } }
    var values: [Float] = []
    values.reserveCapacity(count * dimension)
    for i in 0..<count {
        if i % 50 == 49 {
            values += values[((i - 1) * dimension)..<(i * dimension)]
            continue
        }
        let centre = centres[Int(rng.next() % UInt64(clusters))]
        values += centre.map { $0 + 0.35 * rng.gaussian() }
    }
    return EmbeddingMatrix(rows: count, dimension: dimension, values: values)
}

/// The obvious O(N²) answer, in Double, ties to the lower index.
func bruteForce(_ m: EmbeddingMatrix, k: Int) -> [[Int]] {
    (0..<m.rows).map { i in
        let sims = (0..<m.rows).map { j -> (Double, Int) in
            var dot = 0.0
            for c in 0..<m.dimension { dot += Double(m.values[i * m.dimension + c]) * Double(m.values[j * m.dimension + c]) }
            return (dot, j)
        }
        return sims.filter { $0.1 != i }.sorted { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }.prefix(k).map(\.1)
    }
}

@Suite("Nearest neighbours")
struct NeighbourSearchTests {
    @Test func rowsAreNormalisedAndZeroRowsStayZero() {
        let m = EmbeddingMatrix(rows: 2, dimension: 2, values: [3, 4, 0, 0])
        #expect(m.values == [0.6, 0.8, 0, 0])
    }

    @Test func exactSearchMatchesBruteForce() {
        let m = clusteredMatrix(count: 700, dimension: 16, clusters: 12, seed: 1)
        let graph = NeighbourSearch.exact(m, k: 5)
        let expected = bruteForce(m, k: 5)
        var mismatches = 0
        for i in 0..<m.rows {
            let got = graph.neighbours(of: i).map(\.id)
            // Float vs Double dot products may swap near-equal neighbours; the sets must agree.
            if Set(got) != Set(expected[i]) { mismatches += 1 }
        }
        #expect(mismatches <= 3, "\(mismatches) of \(m.rows) items have different neighbour sets")
        // Exact duplicates find each other first, at similarity 1.
        let first = graph.neighbours(of: 49)[0]
        #expect(first.id == 48 && abs(first.similarity - 1) < 1e-5)
        #expect(graph.neighbours(of: 10).allSatisfy { $0.id != 10 }, "an item is never its own neighbour")
        #expect(zip(graph.neighbours(of: 10), graph.neighbours(of: 10).dropFirst()).allSatisfy { $0.similarity >= $1.similarity })
    }

    @Test func exactSearchSpansSeveralBlocksAndThreads() {
        // Small blocks, so many query and database block boundaries are crossed.
        let m = clusteredMatrix(count: 500, dimension: 8, clusters: 40, seed: 2)
        let reference = NeighbourSearch.exact(m, k: 4, threads: 1, blocks: (500, 500))
        let single = NeighbourSearch.exact(m, k: 4, threads: 1, blocks: (7, 64))
        let parallel = NeighbourSearch.exact(m, k: 4, threads: 2, blocks: (7, 64))
        #expect(single == reference, "block boundaries do not change the result")
        #expect(parallel == reference, "nor does the number of threads")
        #expect(reference.ids.allSatisfy { $0 >= 0 })
    }

    @Test func tinyInputs() {
        #expect(NeighbourSearch.exact(EmbeddingMatrix(rows: 1, dimension: 3, values: [1, 0, 0]), k: 5).k == 0)
        let two = NeighbourSearch.exact(EmbeddingMatrix(rows: 2, dimension: 2, values: [1, 0, 0, 1]), k: 5)
        #expect(two.k == 1 && two.ids == [1, 0])
    }

    @Test func approximateSearchHasHighRecall() throws {
        let m = clusteredMatrix(count: 3000, dimension: 32, clusters: 60, seed: 3)
        let exact = NeighbourSearch.exact(m, k: 10)
        let approximate = try NeighbourSearch.approximate(m, k: 10)
        let recall = approximate.recall(against: exact)
        #expect(recall >= 0.98, "recall@10 \(recall)")
        #expect((0..<m.rows).allSatisfy { i in approximate.neighbours(of: i).allSatisfy { $0.id != i } })
    }

    @Test func autoChoosesByDatasetSize() throws {
        let small = clusteredMatrix(count: 100, dimension: 4, clusters: 3, seed: 4)
        #expect(try NeighbourSearch.search(small, k: 3).method == .exact)
        #expect(try NeighbourSearch.search(small, k: 3, method: .approximate).method == .approximate)
    }
}
