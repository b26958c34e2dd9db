import Testing
import WinnowCore
import WinnowNeighbours
@testable import WinnowAnalysis

/// A graph of `n` items in clusters of `clusterSize`: each item's neighbours are the other
/// members of its cluster at `ordinary` distance (1 − cosine), except pairs listed in
/// `copies`, which are at `copy` distance.
func clusteredGraph(n: Int, clusterSize: Int, ordinary: Float, copy: Float, copies: Set<[Int]>) -> NeighbourGraph {
    let k = clusterSize - 1
    var ids = [Int32](), sims = [Float]()
    for i in 0..<n {
        let base = i / clusterSize * clusterSize
        let others = (base..<(base + clusterSize)).filter { $0 != i }
        // Nearest first, as a search returns them; ordinary distances spread a little.
        let rows = others.map { j -> (Int, Float) in
            let isCopy = copies.contains([min(i, j), max(i, j)])
            let spread = Float((i * 7 + j * 13) % 10) / 100
            return (j, 1 - (isCopy ? copy : ordinary * (1 + spread)))
        }.sorted { $0.1 > $1.1 }
        ids += rows.map { Int32($0.0) }
        sims += rows.map(\.1)
    }
    return NeighbourGraph(count: n, k: k, ids: ids, similarities: sims)
}

@Suite("Near-duplicate rule: relative to the data")
struct NearDuplicateRuleTests {
    let copies: Set<[Int]> = [[0, 1], [11, 12], [22, 24]]

    @Test("the same copies are found whether the embedding space is spread out or cramped")
    func relativeToEachSpace() {
        // Strong embeddings: ordinary neighbours 0.4 apart, copies 0.01. Weak ones (PCA of
        // pixels): everything 40× closer, ordinary neighbours above 0.99 cosine.
        for (ordinary, copy) in [(Float(0.4), Float(0.01)), (0.01, 0.00025)] {
            let graph = clusteredGraph(n: 30, clusterSize: 10, ordinary: ordinary, copy: copy, copies: copies)
            let (candidates, statistics) = NearDuplicateRule().candidates(graph)
            #expect(Set(candidates.map { [Int($0.first), Int($0.second)] }) == copies, "ordinary \(ordinary)")
            #expect(candidates.allSatisfy { $0.decidesAlone })
            #expect(abs(statistics.medianNeighbourDistance - ordinary * 1.05) < ordinary * 0.06)
            // A fixed cosine of 0.95 cannot serve both: in the cramped space it joins everything.
            let fixed = NearDuplicateRule(fixedThreshold: 0.95).candidates(graph).candidates.count
            #expect(ordinary > 0.1 ? fixed == 3 : fixed == 30 * 9 / 2)
        }
    }

    @Test("a pair is a candidate up to 0.8 of the item's median neighbour distance, and decides alone up to 0.3")
    func ratios() {
        for (copy, candidate, alone) in [(Float(0.1), true, true), (0.25, true, false), (0.45, false, false)] {
            let graph = clusteredGraph(n: 10, clusterSize: 10, ordinary: 0.5, copy: copy, copies: [[0, 1]])
            let found = NearDuplicateRule().candidates(graph).candidates
            #expect((found.first { $0.first == 0 && $0.second == 1 } != nil) == candidate, "copy distance \(copy)")
            #expect((found.first { $0.first == 0 && $0.second == 1 }?.decidesAlone ?? false) == alone, "copy distance \(copy)")
        }
    }

    @Test("Datalab's global median would miss copies in a sparse class beside a dense one; the item's own median does not")
    func densityVaries() {
        // Cluster 0 dense (ordinary 0.02), cluster 1 sparse (ordinary 0.6) with a copy pair at 0.05.
        let dense = clusteredGraph(n: 10, clusterSize: 10, ordinary: 0.02, copy: 0.02, copies: [])
        let sparse = clusteredGraph(n: 10, clusterSize: 10, ordinary: 0.6, copy: 0.05, copies: [[0, 1]])
        let graph = NeighbourGraph(
            count: 20, k: 9, ids: dense.ids + sparse.ids.map { $0 + 10 }, similarities: dense.similarities + sparse.similarities)
        let found = NearDuplicateRule().candidates(graph).candidates
        #expect(found.map { [$0.first, $0.second] } == [[10, 11]])
    }
}

@Suite("Near-duplicate groups: no chaining")
struct NoChainingTests {
    /// Every group has a core that each other member is paired with (directly, or through a
    /// byte-identical copy of itself or of the core).
    static func everyGroupIsAStar(_ components: Components, pairs: [DuplicatePair], identical: [[Int32]]) -> Bool {
        var unit: [Int32: Int32] = [:]
        for group in identical { for m in group { unit[m] = group.min()! } }
        func u(_ x: Int32) -> Int32 { unit[x] ?? x }
        let linked = Set(pairs.map { [u($0.first), u($0.second)] } + pairs.map { [u($0.second), u($0.first)] })
        return components.members.allSatisfy { members in
            let units = Set(members.map(u))
            return units.contains { core in units.allSatisfy { $0 == core || linked.contains([core, $0]) } }
        }
    }

    @Test("a chain of look-alikes through a whole class is never one group")
    func chainsAreCut() {
        // 0–1–2–…–39: each image confirmed only with the next (handwritten ones that each look
        // like their neighbour), the old connected components would make one group of 40.
        let pairs = (0..<39).map { DuplicatePair(Int32($0), Int32($0 + 1), score: 0.96) }
        let components = Components(count: 40, pairs: pairs)
        #expect(components.members.allSatisfy { $0.count <= 3 })
        #expect(Self.everyGroupIsAStar(components, pairs: pairs, identical: []))
    }

    @Test("property: random pairs and identical files always give star groups, deterministically", arguments: 0..<40)
    func randomGraphs(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let n = 20 + Int(rng.next() % 60)
        var pairs: [DuplicatePair] = []
        for _ in 0..<Int(rng.next() % UInt64(n * 2)) {
            let a = Int32(rng.next() % UInt64(n)), b = Int32(rng.next() % UInt64(n))
            if a != b { pairs.append(DuplicatePair(a, b, score: Float(rng.next() % 100) / 100)) }
        }
        // A class-long chain on top, as weak embeddings would propose it.
        let start = Int32(rng.next() % UInt64(n / 2))
        for i in start..<(start + Int32(n / 2) - 1) { pairs.append(DuplicatePair(i, i + 1, score: 0.97)) }
        var identical: [[Int32]] = []
        var used = Set<Int32>()
        for _ in 0..<Int(rng.next() % 4) {
            let group = (0..<2).map { _ in Int32(rng.next() % UInt64(n)) }
            if Set(group).count == 2, used.isDisjoint(with: group) { identical.append(group); used.formUnion(group) }
        }
        let components = Components(count: n, pairs: pairs, identical: identical)
        #expect(Self.everyGroupIsAStar(components, pairs: pairs, identical: identical), "seed \(seed)")
        #expect(
            Components(count: n, pairs: pairs.reversed(), identical: identical).members == components.members, "order of pairs matters (seed \(seed))"
        )
        for group in identical { #expect(Set(group.map { components.componentOf[Int($0)] }).count == 1, "identical files apart (seed \(seed))") }
        #expect(Set(components.members.flatMap { $0 }).count == components.members.reduce(0) { $0 + $1.count }, "an item in two groups")
    }
}

@Suite("Near-duplicate finder: embeddings propose, pixels confirm")
struct NearDuplicateFinderTests {
    @Test("a copy is confirmed, a look-alike of the same class and a blank page are not; unreadable pictures fall back to the embeddings")
    func decides() {
        // Items 0–9 in one cramped cluster; 0–1 a true copy, 2–3 and 4–5 proposed too.
        let graph = clusteredGraph(n: 10, clusterSize: 10, ordinary: 0.02, copy: 0.001, copies: [[0, 1], [2, 3], [4, 5]])
        var descriptors = [DuplicateDescriptor?](repeating: nil, count: 10)
        func descriptor(_ grey: (Int, Int) -> Int) -> DuplicateDescriptor {
            DuplicateDescriptor(grey: (0..<(32 * 32)).map { UInt8(max(0, min(255, grey($0 % 32, $0 / 32)))) })
        }
        func strokes(_ seed: UInt64) -> DuplicateDescriptor {
            var rng = SplitMix64(seed: seed)
            let bars = (0..<6).map { _ in (Int(rng.next() % 24) + 4, Int(rng.next() % 24) + 4, Int(rng.next() % 2)) }
            return descriptor { x, y in
                bars.contains { $0.2 == 0 ? abs(x - $0.0) <= 1 && abs(y - $0.1) <= 6 : abs(y - $0.1) <= 1 && abs(x - $0.0) <= 6 } ? 20 : 235
            }
        }
        descriptors[0] = strokes(1)
        descriptors[1] = DuplicateDescriptor(grey: strokes(1).grey.map { UInt8(min(255, Int($0) * 9 / 10 + 10)) }) // darker copy
        descriptors[2] = strokes(2)
        descriptors[3] = strokes(3)
        descriptors[4] = descriptor { _, _ in 250 }
        descriptors[5] = descriptor { _, _ in 251 }
        for i in 6..<10 { descriptors[i] = strokes(UInt64(10 + i)) }
        let (pairs, report) = NearDuplicateFinder.find(count: 10, embeddings: graph, pixels: nil, descriptors: descriptors, threads: 2)
        #expect(pairs.map { [$0.first, $0.second] } == [[0, 1]])
        #expect(report.confirmedByPixels == 1 && report.flat == 1 && report.rejectedByPixels == 1 && report.candidates == 3)
        // Without readable pictures the embeddings decide alone (all three are far closer than ordinary).
        let alone = NearDuplicateFinder.find(count: 10, embeddings: graph, pixels: nil, descriptors: [], threads: 2)
        #expect(alone.pairs.count == 3 && alone.report.decidedByEmbeddings == 3)
    }

    @Test(
        "a copy that only the spectra propose (a shift moved it away in the other graphs) is confirmed by its pixels; the spectra never decide alone")
    func spectraPropose() {
        // Embeddings: no copies at all. Spectra: 0–1 a copy (shifted strokes), 2–3 two different pictures.
        let embeddings = clusteredGraph(n: 10, clusterSize: 10, ordinary: 0.2, copy: 0.2, copies: [])
        let spectra = clusteredGraph(n: 10, clusterSize: 10, ordinary: 0.2, copy: 0.01, copies: [[0, 1], [2, 3]])
        func strokes(_ seed: UInt64, shift: Int = 0) -> DuplicateDescriptor {
            var rng = SplitMix64(seed: seed)
            let bars = (0..<6).map { _ in (Int(rng.next() % 20) + 6, Int(rng.next() % 20) + 6, Int(rng.next() % 2)) }
            return DuplicateDescriptor(
                grey: (0..<(32 * 32)).map { index in
                    let x = index % 32 - shift, y = index / 32
                    return bars.contains { $0.2 == 0 ? abs(x - $0.0) <= 1 && abs(y - $0.1) <= 5 : abs(y - $0.1) <= 1 && abs(x - $0.0) <= 5 }
                        ? 20 : 235
                })
        }
        var descriptors = (0..<10).map { Optional(strokes(UInt64(20 + $0))) }
        descriptors[1] = strokes(20, shift: 3) // item 0 moved right by 3 of 32 pixels
        let (pairs, report) = NearDuplicateFinder.find(
            count: 10, embeddings: embeddings, pixels: nil, shifted: spectra, descriptors: descriptors, threads: 2)
        #expect(pairs.map { [$0.first, $0.second] } == [[0, 1]])
        #expect(report.shifted?.candidates == 2 && report.confirmedByPixels == 1 && report.rejectedByPixels == 1)
        // Without pictures the spectra's proposals are not decided.
        let blind = NearDuplicateFinder.find(
            count: 10, embeddings: nil, pixels: nil, shifted: spectra,
            descriptors: [DuplicateDescriptor?](repeating: nil, count: 10), threads: 2)
        #expect(blind.pairs.isEmpty && blind.report.notDecided == 2)
    }
}

@Suite("Near-duplicate finder: what the grey alignment cannot tell apart")
struct NearDuplicateLookAlikeTests {
    /// A disc of `radius` at (`cx`, `cy`) on a left-to-right gradient, 32×32 grey levels.
    static func disc(cx: Double, cy: Double, radius: Double, ink: Int, from: Int, to: Int) -> DuplicateDescriptor {
        DuplicateDescriptor(
            grey: (0..<(32 * 32)).map { index in
                let x = Double(index % 32) + 0.5, y = Double(index / 32) + 0.5
                let inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius
                return UInt8(inside ? ink : from + (to - from) * (index % 32) / 31)
            })
    }

    /// Colour content (`ImageFeatures.colourContent`) with `hues` (bin → share of pixels) and
    /// the rest grey.
    static func colours(_ hues: [Int: Float]) -> [Float] {
        var block = [Float](repeating: 0, count: 17)
        for (bin, share) in hues { block[bin] = share.squareRoot() }
        block[14] = max(0, 1 - hues.values.reduce(0, +)).squareRoot()
        return block
    }

    static func strokes(_ seed: UInt64) -> DuplicateDescriptor {
        var rng = SplitMix64(seed: seed)
        let bars = (0..<6).map { _ in (Int(rng.next() % 24) + 4, Int(rng.next() % 24) + 4, Int(rng.next() % 2)) }
        return DuplicateDescriptor(
            grey: (0..<(32 * 32)).map { index in
                let x = index % 32, y = index / 32
                return bars.contains { $0.2 == 0 ? abs(x - $0.0) <= 1 && abs(y - $0.1) <= 6 : abs(y - $0.1) <= 1 && abs(x - $0.0) <= 6 } ? 20 : 235
            })
    }

    @Test("two different shapes of one class (discs on smooth backgrounds) align in grey but are not confirmed: their hues differ; the copy's do not")
    func differentShapesOfOneClass() {
        // 0: a purple disc on green; 1: its copy, brighter; 2: a green disc of the same size
        // elsewhere, on pink shaded the other way; 3–9: ordinary pictures.
        let graph = clusteredGraph(n: 10, clusterSize: 10, ordinary: 0.2, copy: 0.01, copies: [[0, 1], [0, 2], [1, 2]])
        var descriptors = (0..<10).map { Optional(Self.strokes(UInt64(40 + $0))) }
        descriptors[0] = Self.disc(cx: 14, cy: 15, radius: 7, ink: 60, from: 150, to: 190)
        descriptors[1] = DuplicateDescriptor(grey: descriptors[0]!.grey.map { UInt8(min(255, Int($0) * 11 / 10 + 5)) })
        descriptors[2] = Self.disc(cx: 16, cy: 16, radius: 7, ink: 70, from: 200, to: 160)
        #expect(descriptors[0]!.match(descriptors[2]!) >= NearDuplicateFinder.Settings().pixelFloor, "the look-alike aligns in grey")
        var colours = (0..<10).map { _ in Optional(Self.colours([:])) }
        colours[0] = Self.colours([9: 0.2, 4: 0.8]) // purple disc, green background
        colours[1] = Self.colours([9: 0.2, 4: 0.75])
        colours[2] = Self.colours([4: 0.25, 11: 0.75]) // green disc, pink background
        let (pairs, report) = NearDuplicateFinder.find(
            count: 10, embeddings: graph, pixels: nil, descriptors: descriptors, colours: colours, threads: 2)
        #expect(pairs.map { [$0.first, $0.second] } == [[0, 1]])
        #expect(report.rejectedByColour == 2 && report.confirmedByPixels == 1)
        // Without colours, grey alone cannot tell them apart: that is what the hues add.
        let grey = NearDuplicateFinder.find(count: 10, embeddings: graph, pixels: nil, descriptors: descriptors, threads: 2)
        #expect(grey.pairs.count == 3)
    }

    @Test("hues are evidence only where both pictures have enough of them, and a crop keeps at least 7/8 of their agreement")
    func hueAgreement() {
        let share = NearDuplicateFinder.Settings().hueShare
        // Grey pictures (handwriting): no evidence either way.
        #expect(NearDuplicateFinder.hueAgreement(Self.colours([:]), Self.colours([:]), share: share) == nil)
        #expect(NearDuplicateFinder.hueAgreement(Self.colours([3: 0.1]), Self.colours([3: 0.9]), share: share) == nil)
        // A crop that removes (7/8)² of a two-hue picture's one hue entirely.
        let whole = Self.colours([0: 0.5, 6: 0.5])
        let cropped = Self.colours([0: 0.5 - (1 - 0.765625), 6: 0.5])
        let kept = NearDuplicateFinder.hueAgreement(whole, cropped, share: share)!
        #expect(kept >= NearDuplicateFinder.Settings().hueFloor - 0.05)
        #expect(NearDuplicateFinder.hueAgreement(whole, Self.colours([3: 0.5, 9: 0.5]), share: share)! < 0.1)
    }

    @Test("a copy with a conflicting label lands in the same group as its source, even when no graph proposed the pair")
    func conflictingCopyJoinsItsGroup() {
        // 0, 1, 2, 3: one picture and three copies; the graphs propose only the path 0–1, 1–2, 2–3
        // (a crop and a shift sit far apart in every feature). A star over the path alone
        // leaves 3 outside the group of 1; the pairs closed through a common third join it.
        let graph = clusteredGraph(n: 12, clusterSize: 12, ordinary: 0.2, copy: 0.01, copies: [[0, 1], [1, 2], [2, 3]])
        var descriptors = (0..<12).map { Optional(Self.strokes(UInt64(60 + $0))) }
        let source = Self.strokes(7)
        for (i, shade) in [(0, 0), (1, 8), (2, -8), (3, 14)] {
            descriptors[i] = DuplicateDescriptor(grey: source.grey.map { UInt8(max(0, min(255, Int($0) + shade))) })
        }
        let (pairs, report) = NearDuplicateFinder.find(count: 12, embeddings: graph, pixels: nil, descriptors: descriptors, threads: 2)
        #expect(report.confirmedByPixels == 3 && report.confirmedByClosing == 2)
        let components = Components(count: 12, pairs: pairs)
        #expect(components.members == [[0, 1, 2, 3]])
        var labels = [Int32](repeating: 0, count: 12)
        labels[3] = 5 // the copy with the conflicting label
        #expect(ComponentSummary(index: 0, members: components.members[0], labels: labels).isBad)
        // The path alone would split the group: the copy with the conflicting label outside it.
        let path = pairs.filter { [[0, 1], [1, 2], [2, 3]].contains([$0.first, $0.second]) }
        #expect(Components(count: 12, pairs: path).members != [[0, 1, 2, 3]])
    }
}
