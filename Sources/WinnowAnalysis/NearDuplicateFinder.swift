import Dispatch
import WinnowCore
import WinnowNeighbours

/// Decides which items are the same picture: embeddings (and Winnow's pixel features)
/// propose, pixels confirm.
///
/// 1. **Candidates**: pairs of neighbours that `NearDuplicateRule` finds close *relative to
///    their own neighbourhood*, in the embeddings' graph and in the pixel features' graph
///    (so a copy the embeddings place far away, as PCA of pixels does with a shifted copy,
///    is still proposed).
/// 2. **Confirmation** where both pictures could be read: their `DuplicateDescriptor`s are
///    aligned (a crop or shift of up to an eighth, brightness and contrast ignored) and the
///    pair is the same picture when the alignment scores at least `pixelFloor` *and* is
///    clearly better than how well each of the two aligns with an ordinary neighbour of its
///    own (the pixel-feature neighbour at `referenceRank`): its residual 1 − score is at most
///    `gap` × the ordinary residual. Where every image of a class looks alike (handwritten
///    ones, sketched circles), ordinary neighbours align well too, and only a copy, which
///    matches far better still, passes; a picture with almost no detail (`isFlat`) is never
///    confirmed: emptiness is no evidence.
/// 3. Where a picture cannot be read, the embeddings decide alone, with the rule's stricter
///    `decisionRatio`.
public enum NearDuplicateFinder {
    public struct Settings: Sendable, Equatable, Codable, CustomStringConvertible {
        public var rule = NearDuplicateRule()
        public var pixelFloor: Float = 0.96
        public var gap: Float = 1
        public var referenceRank = 5
        /// An alignment is refined at full resolution only when its coarse (half-resolution)
        /// score reaches this: below it, no copy was seen to reach `pixelFloor` (see README).
        public var refineFrom: Float = 0.5
        /// The least agreement of two copies' hues (the Bhattacharyya coefficient of their hue
        /// histograms): a copy keeps at least (7/8)² of the picture's pixels (a crop of an
        /// eighth of each side), and a histogram that keeps a share m of another's mass has a
        /// coefficient of at least √m with it: 7/8. Brightness and contrast keep hues.
        public var hueFloor: Float = 0.875
        /// Hues are evidence only when at least this share of both pictures' pixels have one:
        /// 1 − (7/8)², more than a crop can remove. Grey pictures (handwriting, sketches) have
        /// none, and their grey levels are no evidence (brightness and contrast move them).
        public var hueShare: Float = 0.234375

        public init(rule: NearDuplicateRule = NearDuplicateRule()) { self.rule = rule }

        public var description: String {
            "\(rule); pixels >= \(pixelFloor), residual <= \(gap) of rank-\(referenceRank) neighbour's, refined from \(refineFrom), hues >= \(hueFloor) where >= \(hueShare) of pixels have one"
        }
    }

    /// What the decision saw and did, for `winnow analyze`.
    public struct Report: Sendable, Equatable, Codable {
        public var embeddings: NearDuplicateRule.Statistics?
        public var pixels: NearDuplicateRule.Statistics?
        /// The candidates from the pictures' spectra (`DuplicateDescriptor.Prepared.spectrum`).
        public var shifted: NearDuplicateRule.Statistics?
        public var candidates = 0
        public var confirmedByPixels = 0
        public var rejectedByPixels = 0
        /// Aligned well enough, but their hues disagree more than a copy's can.
        public var rejectedByColour = 0
        /// Rejected because one picture has almost no detail.
        public var flat = 0
        public var decidedByEmbeddings = 0
        /// Pairs not proposed by any graph, confirmed by their pixels because both were
        /// confirmed near-duplicates of a common third (closing a triangle).
        public var confirmedByClosing = 0
        public var notDecided = 0
        /// Pairs of pictures aligned (candidates, and pictures with an ordinary neighbour), and
        /// how many of them needed the full-resolution refinement.
        public var aligned = 0
        public var refined = 0
        public var settings = Settings()

        public init() {}
    }

    public static func find(
        count: Int, embeddings: NeighbourGraph?, pixels: NeighbourGraph?, shifted: NeighbourGraph? = nil,
        descriptors: [DuplicateDescriptor?], colours: [[Float]?] = [], settings: Settings = Settings(),
        threads: Int = NeighbourSearch.activeProcessors
    ) -> (pairs: [DuplicatePair], report: Report) {
        precondition(descriptors.isEmpty || descriptors.count == count, "one descriptor slot per item")
        precondition(colours.isEmpty || colours.count == count, "one colour slot per item")
        var report = Report()
        report.settings = settings
        // Candidates from both graphs; the embeddings' reading decides where pixels cannot.
        var byKey: [UInt64: NearDuplicateRule.Candidate] = [:]
        func key(_ c: NearDuplicateRule.Candidate) -> UInt64 { UInt64(UInt32(c.first)) << 32 | UInt64(UInt32(c.second)) }
        if let embeddings {
            let (found, statistics) = settings.rule.candidates(embeddings)
            report.embeddings = statistics
            for c in found { byKey[key(c)] = c }
        }
        // The pixel features and the spectra never decide alone; and a fixed cosine override
        // concerns the embeddings only.
        var pixelRule = settings.rule
        pixelRule.fixedThreshold = nil
        for (graph, slot) in [(pixels, \Report.pixels), (shifted, \Report.shifted)] {
            guard let graph else { continue }
            let (found, statistics) = pixelRule.candidates(graph)
            report[keyPath: slot] = statistics
            for var c in found where byKey[key(c)] == nil {
                c.decidesAlone = false
                byKey[key(c)] = c
            }
        }
        let candidates = byKey.values.sorted { $0.first != $1.first ? $0.first < $1.first : $0.second < $1.second }
        report.candidates = candidates.count
        let hasPictures = !descriptors.isEmpty
        func readable(_ i: Int32) -> Bool { hasPictures && descriptors[Int(i)] != nil }

        // 1. Every candidate whose two pictures can be read is aligned. Most candidates are
        //    ordinary neighbours, far from the pixel floor already at the coarse stage, so the
        //    full-resolution refinement (most of an alignment's cost) runs only for those whose
        //    coarse score reaches `refineFrom`.
        let aligned = candidates.indices.filter { readable(candidates[$0].first) && readable(candidates[$0].second) }
        let scores = alignments(
            aligned.map { (candidates[$0].first, candidates[$0].second) }, descriptors: descriptors,
            refineFrom: settings.refineFrom, threads: threads, report: &report)
        var scoreOf = [Float?](repeating: nil, count: candidates.count)
        var flat = [Bool](repeating: false, count: candidates.count)
        for (index, score) in zip(aligned, scores) {
            if let score { scoreOf[index] = score } else { flat[index] = true }
        }

        // Two different simple pictures (a disc on a smooth background, another disc on
        // another) can be the same grey picture up to the pose the alignment is free to
        // choose; their colours tell them apart, a copy's do not.
        func coloursAgree(_ a: Int32, _ b: Int32) -> Bool {
            guard !colours.isEmpty, let x = colours[Int(a)], let y = colours[Int(b)] else { return true }
            guard let agreement = Self.hueAgreement(x, y, share: settings.hueShare) else { return true }
            return agreement >= settings.hueFloor
        }

        // 2. How well each picture of a candidate that reached the pixel floor aligns with an
        //    ordinary neighbour of its own (only those can still be confirmed).
        var passing = Set<Int32>()
        for (index, score) in scoreOf.enumerated() where (score ?? -1) >= settings.pixelFloor {
            passing.insert(candidates[index].first)
            passing.insert(candidates[index].second)
        }
        var ordinaryPairs: [(Int32, Int32)] = []
        if let reference = pixels ?? embeddings {
            for i in passing.sorted() {
                let neighbours = reference.neighbours(of: Int(i)).filter { $0.0 != Int(i) }
                guard !neighbours.isEmpty else { continue }
                let other = Int32(neighbours[min(settings.referenceRank, neighbours.count) - 1].0)
                if readable(other) { ordinaryPairs.append((i, other)) }
            }
        }
        let ordinaryScores = alignments(ordinaryPairs, descriptors: descriptors, refineFrom: settings.refineFrom, threads: threads, report: &report)
        var ordinary: [Int32: Float] = [:]
        for (pair, score) in zip(ordinaryPairs, ordinaryScores) { ordinary[pair.0] = max(0, score ?? 0) }

        enum Verdict { case confirmed(Float), rejected, colour, flat, alone(Float), undecided }
        let verdicts = candidates.indices.map { index -> Verdict in
            let c = candidates[index]
            if flat[index] { return .flat }
            if let score = scoreOf[index] {
                let usual = max(ordinary[c.first] ?? 0, ordinary[c.second] ?? 0)
                guard score >= settings.pixelFloor && 1 - score <= settings.gap * (1 - usual) else { return .rejected }
                return coloursAgree(c.first, c.second) ? .confirmed(score) : .colour
            }
            return c.decidesAlone ? .alone(c.similarity) : .undecided
        }
        var pairs: [DuplicatePair] = []
        for (c, verdict) in zip(candidates, verdicts) {
            switch verdict {
            case .confirmed(let score): pairs.append(DuplicatePair(c.first, c.second, score: score)); report.confirmedByPixels += 1
            case .alone(let similarity): pairs.append(DuplicatePair(c.first, c.second, score: similarity)); report.decidedByEmbeddings += 1
            case .rejected: report.rejectedByPixels += 1
            case .colour: report.rejectedByColour += 1
            case .flat: report.flat += 1
            case .undecided: report.notDecided += 1
            }
        }

        // 3. Closing triangles: two copies of one picture are copies of each other, but the
        //    graphs may not have proposed that pair (a crop and a shift of one source sit far
        //    apart in every feature), and a group's star then misses one of them: the copy
        //    with the conflicting label ends up alone. Each pair of pictures confirmed with a
        //    common third is aligned too and judged by the same rule, never joined through
        //    the third (no chaining).
        let known = Set(candidates.map { UInt64(UInt32($0.first)) << 32 | UInt64(UInt32($0.second)) })
        let closing = closingPairs(pairs, known: known).filter { readable($0.0) && readable($0.1) }
        let closingScores = alignments(closing, descriptors: descriptors, refineFrom: settings.refineFrom, threads: threads, report: &report)
        for (pair, score) in zip(closing, closingScores) {
            guard let score else { continue }
            let usual = max(ordinary[pair.0] ?? 0, ordinary[pair.1] ?? 0)
            if score >= settings.pixelFloor && 1 - score <= settings.gap * (1 - usual) && coloursAgree(pair.0, pair.1) {
                pairs.append(DuplicatePair(pair.0, pair.1, score: score))
                report.confirmedByClosing += 1
            }
        }
        pairs.sort { $0.first != $1.first ? $0.first < $1.first : $0.second < $1.second }
        return (pairs, report)
    }

    /// The Bhattacharyya coefficient of two pictures' hue histograms, from their colour content
    /// (`ImageFeatures.colourContent`: square roots of the fractions of pixels by hue, then by
    /// grey level); nil when fewer than `share` of either picture's pixels have a hue.
    public static func hueAgreement(_ a: [Float], _ b: [Float], share: Float) -> Float? {
        let hues = ImageFeatures.hueBinCount
        guard a.count >= hues, b.count >= hues else { return nil }
        var dot: Float = 0, massA: Float = 0, massB: Float = 0
        for i in 0..<hues {
            dot += a[i] * b[i]
            massA += a[i] * a[i]
            massB += b[i] * b[i]
        }
        guard massA >= share, massB >= share, massA > 0, massB > 0 else { return nil }
        return dot / (massA * massB).squareRoot()
    }

    /// At most this many of an item's confirmed near-duplicates (the best scoring) take part
    /// in closing triangles: a picture with thousands of copies would otherwise make
    /// millions of pairs.
    static let closingDegree = 16

    /// The pairs (first < second) that share a confirmed near-duplicate and are not among
    /// `known`, ascending.
    static func closingPairs(_ pairs: [DuplicatePair], known: Set<UInt64>) -> [(Int32, Int32)] {
        var linked: [Int32: [(Int32, Float)]] = [:]
        for p in pairs {
            linked[p.first, default: []].append((p.second, p.score))
            linked[p.second, default: []].append((p.first, p.score))
        }
        var found = Set<UInt64>()
        for (_, others) in linked where others.count >= 2 {
            let best = others.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(closingDegree).map(\.0)
            for (i, a) in best.enumerated() {
                for b in best[(i + 1)...] {
                    let key = UInt64(UInt32(min(a, b))) << 32 | UInt64(UInt32(max(a, b)))
                    if !known.contains(key) { found.insert(key) }
                }
            }
        }
        return found.sorted().map { (Int32(truncatingIfNeeded: $0 >> 32), Int32(truncatingIfNeeded: $0 & 0xFFFF_FFFF)) }
    }

    /// Pairs aligned per block: each block's pictures are prepared once (about 8 KB each), so
    /// memory stays bounded however many candidates there are.
    static let alignmentBlock = 8192

    /// The alignment score (`DuplicateDescriptor.Prepared.match`) of each pair of readable
    /// pictures, nil where either has too little detail to compare.
    static func alignments(
        _ pairs: [(Int32, Int32)], descriptors: [DuplicateDescriptor?], refineFrom: Float, threads: Int,
        report: inout Report
    ) -> [Float?] {
        var scores: [Float?] = []
        scores.reserveCapacity(pairs.count)
        for start in stride(from: 0, to: pairs.count, by: alignmentBlock) {
            let block = Array(pairs[start..<min(pairs.count, start + alignmentBlock)])
            var slot: [Int32: Int] = [:]
            var items: [Int32] = []
            for (a, b) in block {
                for i in [a, b] where slot[i] == nil { slot[i] = items.count; items.append(i) }
            }
            let pictures = items
            let prepared = parallelMap(pictures.count, threads: threads) { DuplicateDescriptor.Prepared(descriptors[Int(pictures[$0])]!) }
            let slots = block.map { (slot[$0.0]!, slot[$0.1]!) }
            let results = parallelMap(slots.count, threads: threads) { k -> (score: Float, coarse: Float)? in
                let a = prepared[slots[k].0], b = prepared[slots[k].1]
                if a.isFlat || b.isFlat { return nil }
                return a.match(b, refineFrom: refineFrom)
            }
            for result in results {
                guard let result else { scores.append(nil); continue }
                report.aligned += 1
                if result.coarse >= refineFrom { report.refined += 1 }
                scores.append(result.score)
            }
        }
        return scores
    }

    /// `body(i)` for i in 0..<count on `threads` workers, results in order.
    public static func parallelMap<T>(_ count: Int, threads: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard count > 0 else { return [] }
        var results = [T?](repeating: nil, count: count)
        let chunk = 16
        let chunks = (count + chunk - 1) / chunk
        let next = SharedCounter()
        results.withUnsafeMutableBufferPointer { buffer in
            let output = UnsafeSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: min(max(1, threads), chunks)) { _ in
                while let c = next.take(below: chunks) {
                    for i in (c * chunk)..<min(count, (c + 1) * chunk) { output.value[i] = body(i) }
                }
            }
        }
        return results.map { $0! }
    }
}
