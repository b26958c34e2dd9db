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
        public var pixelFloor: Float = 0.95
        public var gap: Float = 1
        public var referenceRank = 5

        public init(rule: NearDuplicateRule = NearDuplicateRule()) { self.rule = rule }

        public var description: String { "\(rule); pixels >= \(pixelFloor), residual <= \(gap) of rank-\(referenceRank) neighbour's" }
    }

    /// What the decision saw and did, for `winnow analyze`.
    public struct Report: Sendable, Equatable, Codable {
        public var embeddings: NearDuplicateRule.Statistics?
        public var pixels: NearDuplicateRule.Statistics?
        public var candidates = 0
        public var confirmedByPixels = 0
        public var rejectedByPixels = 0
        /// Rejected because one picture has almost no detail.
        public var flat = 0
        public var decidedByEmbeddings = 0
        public var notDecided = 0
        public var settings = Settings()

        public init() {}
    }

    public static func find(count: Int, embeddings: NeighbourGraph?, pixels: NeighbourGraph?, descriptors: [DuplicateDescriptor?],
                            settings: Settings = Settings(), threads: Int = NeighbourSearch.activeProcessors) -> (pairs: [DuplicatePair], report: Report) {
        precondition(descriptors.isEmpty || descriptors.count == count, "one descriptor slot per item")
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
        if let pixels {
            // The pixel features never decide alone; and a fixed cosine override concerns the embeddings only.
            var rule = settings.rule
            rule.fixedThreshold = nil
            let (found, statistics) = rule.candidates(pixels)
            report.pixels = statistics
            for var c in found where byKey[key(c)] == nil {
                c.decidesAlone = false
                byKey[key(c)] = c
            }
        }
        let candidates = byKey.values.sorted { $0.first != $1.first ? $0.first < $1.first : $0.second < $1.second }
        report.candidates = candidates.count
        let descriptor: @Sendable (Int32) -> DuplicateDescriptor? = { descriptors.isEmpty ? nil : descriptors[Int($0)] }

        // How well each candidate's picture aligns with an ordinary neighbour of its own.
        let reference = pixels ?? embeddings
        var involved = Set<Int32>()
        for c in candidates where descriptor(c.first) != nil && descriptor(c.second) != nil { involved.insert(c.first); involved.insert(c.second) }
        // Each picture prepared for alignment once: the candidates' and their references'.
        var references: [Int32: Int32] = [:]
        if let reference {
            for i in involved {
                let neighbours = reference.neighbours(of: Int(i)).filter { $0.0 != Int(i) }
                guard !neighbours.isEmpty else { continue }
                let other = Int32(neighbours[min(settings.referenceRank, neighbours.count) - 1].0)
                if descriptor(other) != nil { references[i] = other }
            }
        }
        let preparedItems = involved.union(references.values).sorted()
        let preparedList = parallelMap(preparedItems.count, threads: threads) { DuplicateDescriptor.Prepared(descriptor(preparedItems[$0])!) }
        let prepared = Dictionary(uniqueKeysWithValues: zip(preparedItems, preparedList))
        let referenceOf = references
        let items = involved.sorted()
        let ordinaryScores = parallelMap(items.count, threads: threads) { position -> Float in
            guard let other = referenceOf[items[position]] else { return 0 }
            return max(0, prepared[items[position]]!.match(prepared[other]!))
        }
        var levels: [Int32: Float] = [:]
        for (position, item) in items.enumerated() { levels[item] = ordinaryScores[position] }
        let ordinary = levels

        enum Verdict { case confirmed(Float), rejected, flat, alone(Float), undecided }
        let verdicts = parallelMap(candidates.count, threads: threads) { index -> Verdict in
            let c = candidates[index]
            if let a = descriptor(c.first), let b = descriptor(c.second) {
                if a.isFlat || b.isFlat { return .flat }
                let score = prepared[c.first]!.match(prepared[c.second]!)
                let usual = max(ordinary[c.first] ?? 0, ordinary[c.second] ?? 0)
                return score >= settings.pixelFloor && 1 - score <= settings.gap * (1 - usual) ? .confirmed(score) : .rejected
            }
            return c.decidesAlone ? .alone(c.similarity) : .undecided
        }
        var pairs: [DuplicatePair] = []
        for (c, verdict) in zip(candidates, verdicts) {
            switch verdict {
            case .confirmed(let score): pairs.append(DuplicatePair(c.first, c.second, score: score)); report.confirmedByPixels += 1
            case .alone(let similarity): pairs.append(DuplicatePair(c.first, c.second, score: similarity)); report.decidedByEmbeddings += 1
            case .rejected: report.rejectedByPixels += 1
            case .flat: report.flat += 1
            case .undecided: report.notDecided += 1
            }
        }
        return (pairs, report)
    }

    /// `body(i)` for i in 0..<count on `threads` workers, results in order.
    static func parallelMap<T>(_ count: Int, threads: Int, _ body: @Sendable (Int) -> T) -> [T] {
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
