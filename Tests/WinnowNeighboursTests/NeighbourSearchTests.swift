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
func clusteredMatrix(count: Int, dimension: Int, clusters: Int, seed: UInt64, spread: Float = 0.35) -> EmbeddingMatrix {
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
        values += centre.map { $0 + spread * rng.gaussian() }
    }
    return EmbeddingMatrix(rows: count, dimension: dimension, values: values)
}

/// The obvious O(N²) answer with the defining similarity, ties to the lower index.
func bruteForce(_ m: EmbeddingMatrix, k: Int) -> (ids: [[Int]], sims: [[Float]]) {
    var ids: [[Int]] = [], sims: [[Float]] = []
    m.values.withUnsafeBufferPointer { v in
        let base = v.baseAddress!
        for i in 0..<m.rows {
            var row: [(similarity: Double, id: Int)] = []
            for j in 0..<m.rows where j != i {
                let s = NeighbourSearch.referenceSimilarity(base + i * m.dimension, base + j * m.dimension, dimension: m.dimension)
                row.append((s, j))
            }
            row.sort { $0.similarity != $1.similarity ? $0.similarity > $1.similarity : $0.id < $1.id }
            let best = row.prefix(k)
            ids.append(best.map { $0.id })
            sims.append(best.map { Float($0.similarity) })
        }
    }
    return (ids, sims)
}

@Suite("Nearest neighbours")
struct NeighbourSearchTests {
    @Test func rowsAreNormalisedAndZeroRowsStayZero() {
        let m = EmbeddingMatrix(rows: 2, dimension: 2, values: [3, 4, 0, 0])
        #expect(m.values == [0.6, 0.8, 0, 0])
    }

    @Test func exactSearchMatchesBruteForceOnEveryKernel() throws {
        let m = clusteredMatrix(count: 700, dimension: 16, clusters: 12, seed: 1)
        let expected = bruteForce(m, k: 5)
        for kernel in SearchKernel.supported {
            let graph = try NeighbourSearch.exact(m, k: 5, kernel: kernel)
            for i in 0..<m.rows {
                let got = graph.neighbours(of: i)
                #expect(got.map(\.id) == expected.ids[i], "item \(i) with \(kernel.rawValue)")
                #expect(got.map(\.similarity) == expected.sims[i], "item \(i) with \(kernel.rawValue)")
            }
            // Exact duplicates find each other first, at similarity 1.
            let first = graph.neighbours(of: 49)[0]
            #expect(first.id == 48 && abs(first.similarity - 1) < 1e-5)
            #expect(graph.neighbours(of: 10).allSatisfy { $0.id != 10 }, "an item is never its own neighbour")
            #expect(zip(graph.neighbours(of: 10), graph.neighbours(of: 10).dropFirst()).allSatisfy { $0.similarity >= $1.similarity })
        }
    }

    /// Issue 17 item 0: the graph must not depend on the kernel, the blocking or the threads.
    @Test func exactSearchSpansSeveralBlocksAndThreads() throws {
        // Blocks of 192 items, so the schedule crosses many block boundaries.
        let m = clusteredMatrix(count: 1000, dimension: 8, clusters: 40, seed: 2)
        let reference = try NeighbourSearch.exact(m, k: 4, threads: 1, kernel: .portable, block: 1 << 20)
        #expect(reference.ids.allSatisfy { $0 >= 0 })
        for kernel in SearchKernel.supported {
            for (threads, block) in [(1, 192), (2, 192), (3, 384), (2, 1 << 20)] {
                let graph = try NeighbourSearch.exact(m, k: 4, threads: threads, kernel: kernel, block: block)
                #expect(graph == reference, "\(kernel.rawValue), \(threads) threads, blocks of \(block)")
            }
        }
    }

    /// Exact ties everywhere (a few distinct vectors, each many times, and zero rows): the
    /// lower index wins, on every kernel.
    @Test func tiesGoToTheLowerIndexOnEveryKernel() throws {
        var values: [Float] = []
        let patterns: [[Float]] = [[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 0], [-1, 0, 1]]
        for i in 0..<400 { values += patterns[(i * 7) % patterns.count] }
        let m = EmbeddingMatrix(rows: 400, dimension: 3, values: values)
        let expected = bruteForce(m, k: 6)
        for kernel in SearchKernel.supported {
            let graph = try NeighbourSearch.exact(m, k: 6, threads: 2, kernel: kernel, block: 192)
            for i in 0..<m.rows {
                #expect(graph.neighbours(of: i).map(\.id) == expected.ids[i], "item \(i) with \(kernel.rawValue)")
            }
        }
    }

    /// Every kernel's approximate similarities stay within the error bound the search
    /// relies on, against the float64 reference, on every shape the kernels handle
    /// differently (dimensions not a multiple of 4 or 16, short and long vectors).
    @Test(arguments: SearchKernel.supported)
    func kernelErrorBoundsHold(kernel: SearchKernel) throws {
        for (count, dimension, clusters) in [
            (70, 1, 3), (200, 3, 5), (200, 8, 10), (250, 16, 20), (200, 37, 8), (300, 128, 30), (150, 300, 10), (100, 512, 5), (64, 1030, 4)
        ] {
            for spread: Float in [0.05, 0.35, 3] {
                let m = clusteredMatrix(count: count, dimension: dimension, clusters: clusters, seed: UInt64(dimension), spread: spread)
                let (scores, bounds) = try #require(kernel.approximateScores(m))
                var worst = 0.0
                m.values.withUnsafeBufferPointer { v in
                    for i in 0..<count {
                        for j in 0..<count where j != i {
                            let exact = NeighbourSearch.referenceSimilarity(
                                v.baseAddress! + i * dimension, v.baseAddress! + j * dimension, dimension: dimension)
                            let excess = abs(Double(scores[i * count + j]) - exact) - Double(bounds[i * count + j])
                            worst = max(worst, excess)
                        }
                    }
                }
                #expect(worst <= 0, "\(kernel.rawValue), \(count) × \(dimension), spread \(spread): error exceeds its bound by \(worst)")
            }
        }
    }

    /// The exact similarity has one definition and every build computes the same bits.
    @Test func everyBuildOfTheReferenceSimilarityGivesTheSameBits() {
        var rng = TestRandom(seed: 9)
        for dimension in [1, 2, 7, 8, 9, 15, 16, 17, 31, 64, 127, 128, 129, 300, 513] {
            for _ in 0..<20 {
                let a = (0..<dimension).map { _ in rng.gaussian() * 1e-3 }, b = (0..<dimension).map { _ in rng.gaussian() }
                let definition = a.withUnsafeBufferPointer { x in
                    b.withUnsafeBufferPointer { y in
                        NeighbourSearch.referenceSimilarity(x.baseAddress!, y.baseAddress!, dimension: dimension)
                    }
                }
                for kernel in SearchKernel.supported {
                    #expect(kernel.referenceSimilarity(a, b).bitPattern == definition.bitPattern, "d \(dimension), \(kernel.rawValue)")
                }
            }
        }
    }

    @Test func kernelChoiceFollowsTheCPUAndRefusesWhatItCannotRun() {
        #expect(SearchKernel.supported.contains(.portable))
        #expect(SearchKernel.choose(override: nil).kernel == SearchKernel.best)
        #expect(SearchKernel.choose(override: "portable").kernel == .portable)
        #expect(SearchKernel.choose(override: "portable").reason.contains("WINNOW_KERNEL"))
        let bogus = SearchKernel.choose(override: "sse9\u{1B}[2J")
        #expect(bogus.kernel == SearchKernel.best && bogus.reason.contains("ignored") && !bogus.reason.contains("\u{1B}"))
        for kernel in SearchKernel.allCases where !kernel.isSupported {
            #expect(SearchKernel.choose(override: kernel.rawValue).kernel == SearchKernel.best)
        }
    }

    @Test func tinyInputs() throws {
        #expect(try NeighbourSearch.exact(EmbeddingMatrix(rows: 1, dimension: 3, values: [1, 0, 0]), k: 5).k == 0)
        for kernel in SearchKernel.supported {
            let two = try NeighbourSearch.exact(EmbeddingMatrix(rows: 2, dimension: 2, values: [1, 0, 0, 1]), k: 5, kernel: kernel)
            #expect(two.k == 1 && two.ids == [1, 0])
        }
    }

    @Test func approximateSearchHasHighRecall() throws {
        let m = clusteredMatrix(count: 3000, dimension: 32, clusters: 60, seed: 3)
        let exact = try NeighbourSearch.exact(m, k: 10)
        let approximate = try NeighbourSearch.approximate(m, k: 10)
        let recall = approximate.recall(against: exact)
        #expect(recall >= 0.98, "recall@10 \(recall)")
        #expect((0..<m.rows).allSatisfy { i in approximate.neighbours(of: i).allSatisfy { $0.id != i } })
    }

    @Test func autoChoosesByTheWork() throws {
        let small = clusteredMatrix(count: 100, dimension: 4, clusters: 3, seed: 4)
        #expect(try NeighbourSearch.search(small, k: 3).method == .exact)
        #expect(try NeighbourSearch.search(small, k: 3, method: .approximate).method == .approximate)
        #expect(NeighbourSearch.autoIsExact(rows: 1_000_000, dimension: 128, kernel: .avx512VNNI))
        #expect(!NeighbourSearch.autoIsExact(rows: 1_000_000, dimension: 512, kernel: .avx512VNNI))
        #expect(!NeighbourSearch.autoIsExact(rows: 1_000_000, dimension: 128, kernel: .portable))
    }
}
