import WinnowCore

/// Which fold each item is held out in: stratified (every class spread evenly over the
/// folds), deterministic for a seed, and kept across retrains so a retrain can start from
/// the previous weights of the same folds.
public struct FoldAssignment: Sendable, Equatable {
    /// Number of folds.
    public let count: Int
    /// Fold of each item (-1: the item has no features and is in no fold).
    public let foldOf: [Int32]
    /// What was changed from the settings, in words (fewer folds).
    public let notes: [String]

    public init(count: Int, foldOf: [Int32], notes: [String] = []) {
        self.count = count
        self.foldOf = foldOf
        self.notes = notes
    }

    /// Why no folds can be made.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case tooFewClasses(eligible: Int)

        public var description: String {
            switch self {
            case .tooFewClasses(let eligible):
                return
                    "the helper model needs at least two classes with two or more labelled items (there \(eligible == 1 ? "is 1" : "are \(eligible)"))"
            }
        }
    }

    /// Stratified folds over the training items (`weights[i] > 0`, label ≥ 0, features
    /// present). A class with fewer items than `wanted` folds lowers the number of folds to
    /// its count (every fold's training part then still holds each class); a class with one
    /// item cannot be held out and learnt at once, so it does not limit the folds (its item
    /// gets no model evidence). Items that are not trained on but have features (unlabelled,
    /// excluded) are spread over the folds too, so they have a fold if a retrain trains on them.
    public static func stratified(
        labels: [Int32], weights: [Float], present: [Bool], classes: Int, wanted: Int,
        seed: UInt64, classNames: [String]? = nil
    ) throws(Failure) -> FoldAssignment {
        let n = labels.count
        var members = [[Int32]](repeating: [], count: classes)
        var others: [Int32] = []
        for i in 0..<n where present[i] {
            if weights[i] > 0, labels[i] >= 0, Int(labels[i]) < classes { members[Int(labels[i])].append(Int32(i)) } else { others.append(Int32(i)) }
        }
        let eligible = (0..<classes).filter { members[$0].count >= 2 }
        guard eligible.count >= 2 else { throw .tooFewClasses(eligible: eligible.count) }
        let smallest = eligible.min { members[$0].count != members[$1].count ? members[$0].count < members[$1].count : $0 < $1 }!
        let count = max(2, min(wanted, members[smallest].count))
        func name(_ c: Int) -> String { classNames.map { "'\(TerminalText.sanitize($0[c]))'" } ?? "class \(c)" }
        var notes: [String] = []
        if count < wanted {
            notes.append("\(name(smallest)) has only \(members[smallest].count) labelled items: \(count) folds instead of \(wanted)")
        }
        var foldOf = [Int32](repeating: -1, count: n)
        var offset = 0
        for c in 0..<classes where !members[c].isEmpty {
            var rng = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(c + 1))
            let shuffled = members[c].shuffled(using: &rng)
            for (j, item) in shuffled.enumerated() { foldOf[Int(item)] = Int32((offset + j) % count) }
            offset += shuffled.count
        }
        var rng = SplitMix64(seed: seed ^ 0xD1B5_4A32_D192_ED03)
        for (j, item) in others.shuffled(using: &rng).enumerated() { foldOf[Int(item)] = Int32((offset + j) % count) }
        return FoldAssignment(count: count, foldOf: foldOf, notes: notes)
    }

    /// The items with features, fold by fold (each fold's items in item order): the row
    /// order of the feature matrix, so every fold is one contiguous range of rows.
    public var rowOrder: [Int32] {
        var byFold = [[Int32]](repeating: [], count: count)
        for (i, f) in foldOf.enumerated() where f >= 0 { byFold[Int(f)].append(Int32(i)) }
        return byFold.flatMap { $0 }
    }

    /// Each fold's rows in `rowOrder`.
    public var rowRanges: [Range<Int>] {
        var sizes = [Int](repeating: 0, count: count)
        for f in foldOf where f >= 0 { sizes[Int(f)] += 1 }
        var ranges: [Range<Int>] = []
        var start = 0
        for size in sizes {
            ranges.append(start..<(start + size))
            start += size
        }
        return ranges
    }
}
