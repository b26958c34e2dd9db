/// Fuzzy matching for the class picker: the query's characters must appear in order
/// (case-insensitive); consecutive runs, word starts and a prefix score higher. Fast
/// enough to re-rank 1,000 classes on every keystroke.
public enum FuzzyMatch {
    /// A score (higher is better), or nil when `candidate` does not match.
    public static func score(_ query: String, _ candidate: String) -> Int? {
        if query.isEmpty { return 0 }
        let q = Array(query.lowercased())
        let c = Array(candidate.lowercased())
        var score = 0
        var qi = 0
        var previousMatch = -2
        for (ci, character) in c.enumerated() where qi < q.count {
            guard character == q[qi] else { continue }
            score += 1
            if ci == previousMatch + 1 { score += 5 }
            if ci == 0 { score += 10 } else if !c[ci - 1].isLetter && !c[ci - 1].isNumber { score += 6 }
            previousMatch = ci
            qi += 1
        }
        guard qi == q.count else { return nil }
        if candidate.lowercased() == query.lowercased() { score += 100 }
        // Shorter candidates first among equals: "cat" before "category".
        return score * 1000 - c.count
    }

    /// The indices of `candidates` matching `query`, best first (stable for ties).
    public static func rank(_ query: String, _ candidates: [String]) -> [Int] {
        candidates.enumerated().compactMap { index, name in score(query, name).map { (index, $0) } }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            .map(\.0)
    }
}
