import WinnowNeighbours

/// Two items judged to be the same picture (`first < second`), with the evidence's score:
/// the pixels' alignment (`DuplicateDescriptor.match`) when they confirmed it, else the
/// embeddings' cosine similarity.
public struct DuplicatePair: Sendable, Hashable, Codable {
    public var first: Int32
    public var second: Int32
    public var score: Float

    public init(_ a: Int32, _ b: Int32, score: Float) {
        first = min(a, b)
        second = max(a, b)
        self.score = score
    }
}

/// Which neighbours may be near-duplicates, relative to the data rather than a fixed cosine.
///
/// A copy of a picture (re-encoded, resized, slightly cropped, brighter) lies much closer to
/// it than the picture's ordinary neighbours do, whatever the embedding space: in strong
/// embeddings everything is farther apart, copies included; in weak ones (PCA of pixels)
/// everything is closer. So each pair is measured against its own neighbourhood: the
/// distance (1 − cosine) between i and its neighbour j, divided by the median distance from
/// i to its k neighbours (its *ordinary* neighbour distance; copies are a few of the k at
/// most). Datalab's `near_duplicate` check divides by one median for the whole dataset
/// instead, which fails where density varies (a class of near-identical strokes beside a
/// varied one) and where copies are common (the median itself becomes a copy's distance).
///
/// A pair is a *candidate* when that ratio is at most `candidateRatio` (loose: pixels
/// confirm or reject it) and, where pixels cannot be read, a near-duplicate on the
/// embeddings alone when it is at most `decisionRatio`. `fixedThreshold` (winnow.toml
/// `duplicate_threshold`) replaces both with a cosine similarity, as before.
public struct NearDuplicateRule: Sendable, Equatable, Codable, CustomStringConvertible {
    public var candidateRatio: Float = 0.8
    public var decisionRatio: Float = 0.3
    public var fixedThreshold: Float?

    public init(fixedThreshold: Float? = nil) { self.fixedThreshold = fixedThreshold }

    public var description: String {
        if let fixedThreshold { return "cosine >= \(fixedThreshold)" }
        return "candidates <= \(candidateRatio), alone <= \(decisionRatio) of the median neighbour distance"
    }

    /// What the rule saw in a graph, for `winnow analyze` to print.
    public struct Statistics: Sendable, Equatable, Codable {
        /// Median over items of the distance to the nearest neighbour (Datalab's scale).
        public var medianNearestDistance: Float = .nan
        /// Median over items of their median neighbour distance (this rule's scale).
        public var medianNeighbourDistance: Float = .nan
        public var candidates = 0
        public var decidedAlone = 0
    }

    /// One proposed pair: the embedding cosine and the distance ratio it was proposed at.
    public struct Candidate: Sendable, Equatable {
        public var first: Int32
        public var second: Int32
        public var similarity: Float
        public var ratio: Float
        /// Close enough to be a near-duplicate without a pixel check.
        public var decidesAlone: Bool
    }

    /// Each item's median distance to its neighbours (NaN without neighbours).
    public static func neighbourScale(_ graph: NeighbourGraph) -> [Float] {
        var scale = [Float](repeating: .nan, count: graph.count)
        var distances: [Float] = []
        for i in 0..<graph.count {
            distances.removeAll(keepingCapacity: true)
            for (j, similarity) in graph.neighbours(of: i) where j != i { distances.append(max(0, 1 - similarity)) }
            guard !distances.isEmpty else { continue }
            distances.sort()
            let m = distances.count
            scale[i] = m % 2 == 1 ? distances[m / 2] : (distances[m / 2 - 1] + distances[m / 2]) / 2
        }
        return scale
    }

    /// The candidate pairs of `graph`, each once (the closer reading of the two directions), in
    /// (first, second) order, and what the rule saw.
    public func candidates(_ graph: NeighbourGraph) -> (candidates: [Candidate], statistics: Statistics) {
        let scale = Self.neighbourScale(graph)
        var statistics = Statistics()
        var nearest: [Float] = []
        for i in 0..<graph.count {
            if let first = graph.neighbours(of: i).first(where: { $0.0 != i }) { nearest.append(max(0, 1 - first.1)) }
        }
        statistics.medianNearestDistance = Self.median(nearest)
        statistics.medianNeighbourDistance = Self.median(scale.filter { !$0.isNaN })
        var best: [UInt64: Candidate] = [:]
        for i in 0..<graph.count {
            for (j, similarity) in graph.neighbours(of: i) where j != i {
                let distance = max(0, 1 - similarity)
                let ratio: Float
                let proposed: Bool, alone: Bool
                if let fixedThreshold {
                    ratio = distance / max(scale[i], .leastNormalMagnitude)
                    proposed = similarity >= fixedThreshold
                    alone = proposed
                } else {
                    ratio = distance == 0 ? 0 : distance / scale[i]
                    proposed = ratio <= candidateRatio
                    alone = ratio <= decisionRatio
                }
                guard proposed else { continue }
                let a = Int32(min(i, j)), b = Int32(max(i, j))
                let key = UInt64(UInt32(a)) << 32 | UInt64(UInt32(b))
                let candidate = Candidate(first: a, second: b, similarity: similarity, ratio: ratio, decidesAlone: alone)
                if let seen = best[key] {
                    if candidate.ratio < seen.ratio || (candidate.decidesAlone && !seen.decidesAlone) {
                        best[key] = Candidate(
                            first: a, second: b, similarity: max(similarity, seen.similarity), ratio: min(ratio, seen.ratio),
                            decidesAlone: candidate.decidesAlone || seen.decidesAlone)
                    }
                } else {
                    best[key] = candidate
                }
            }
        }
        let sorted = best.values.sorted { $0.first != $1.first ? $0.first < $1.first : $0.second < $1.second }
        statistics.candidates = sorted.count
        statistics.decidedAlone = sorted.filter(\.decidesAlone).count
        return (sorted, statistics)
    }

    static func median(_ values: [Float]) -> Float {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let m = sorted.count
        return m % 2 == 1 ? sorted[m / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2
    }
}
