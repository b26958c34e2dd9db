/// The label(s) of one item: one class for single-label data, any number for multi-label.
///
/// Always kept in taxonomy order without repeats, so equal sets compare equal.
public struct LabelSet: Hashable, Sendable, CustomStringConvertible {
    public let names: [String]

    /// A set normalised against `taxonomy`: taxonomy order, no repeats.
    /// Names not in the taxonomy keep their relative order after the known ones.
    public init(_ names: [String], in taxonomy: ClassTaxonomy) {
        var seen = Set<String>()
        let unique = names.filter { seen.insert($0).inserted }
        self.names = unique.enumerated()
            .map { (position: taxonomy.position(of: $0.element) ?? Int.max, offset: $0.offset, name: $0.element) }
            .sorted { ($0.position, $0.offset) < ($1.position, $1.offset) }
            .map(\.name)
    }

    public init(single name: String) { self.names = [name] }

    /// An already-normalised list (from the store).
    public init(normalized names: [String]) { self.names = names }

    public static let empty = LabelSet(normalized: [])

    public var isEmpty: Bool { names.isEmpty }
    public var first: String? { names.first }

    /// `cat|dog`: the form used in `labels.csv`'s `labels` column and in exports.
    public var description: String { names.joined(separator: "|") }

    // The storage form joins names with U+001F (unit separator), which class names cannot
    // contain (control characters are rejected), so it round-trips any name, even one with `|`.
    public var storageText: String { names.joined(separator: "\u{1F}") }

    public init(storageText: String) {
        if storageText.isEmpty {
            self.names = []
        } else if !storageText.utf8.contains(0x1F) {
            // One class (every single-label item): no split, which costs seconds at a million items.
            self.names = [storageText]
        } else {
            self.names = storageText.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        }
    }
}

/// How several annotators' labels for one item combine into the item's given label.
public enum AnnotatorConsensus {
    /// Single-label: the most frequent label; a tie goes to the label that appears first
    /// (annotations are in labels.csv order, so list the primary annotator first).
    /// Multi-label: the classes chosen by more than half of the annotators.
    /// Returns nil when there are no annotations.
    public static func consensus(of annotations: [LabelSet], multiLabel: Bool, taxonomy: ClassTaxonomy) -> LabelSet? {
        guard let first = annotations.first else { return nil }
        if annotations.count == 1 { return first }
        var counts: [String: Int] = [:]
        for set in annotations { for name in set.names { counts[name, default: 0] += 1 } }
        if multiLabel {
            let chosen = counts.filter { $0.value * 2 > annotations.count }.map(\.key)
            return LabelSet(chosen, in: taxonomy)
        }
        var best: String?
        for set in annotations {
            guard let name = set.first else { continue }
            if best == nil || counts[name]! > counts[best!]! { best = name }
        }
        return best.map { LabelSet(single: $0) }
    }
}
