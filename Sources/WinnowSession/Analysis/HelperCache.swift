import Foundation
import WinnowCore
import WinnowHelperModel

/// A trained helper model kept in the state folder (`helper/<features>-<settings>.bin`): its
/// probabilities, the training labels and weights they were trained on (so a later run can
/// tell how far the labels have moved since), the folds and fitted weights (so a retrain
/// starts from them), and a summary for `info` and `analyze`.
package struct HelperCache {
    package struct Summary: Codable, Equatable {
        package var items: Int
        package var classes: Int
        package var parameters: Int
        package var folds: Int
        /// C of each fold's model; whether it was chosen by inner cross-validation.
        package var regularisation: [Double]
        package var chosen: Bool
        package var features: String
        package var notes: [String]
        /// The folds' own notes (fewer folds), kept with them.
        package var foldNotes: [String]
        package var trainedItems: Int
        package var outOfFoldLogLoss: Double?
        package var outOfFoldAccuracy: Double?
        /// Log-loss of always predicting the class frequencies: the helper is used only below it.
        package var priorLogLoss: Double?
        package var seconds: Double
        package var trainedAt: String
        /// Nil when the helper is evidence; else why not (no better than the class frequencies).
        package var unused: String?
    }

    package var summary: Summary
    package var labels: [Int32]
    package var weights: [Float]
    package var folds: FoldAssignment
    package var evidence: [Bool]
    package var probabilities: [Float]
    package var fitted: HelperModel.Fitted

    package static let magic = Array("WINNOW-HELPER-2\n".utf8)

    /// Written in Winnow's cache container (`CacheContainer`): the summary as its header,
    /// then labels and weights; with a model, also folds, evidence, probabilities, each
    /// fold's parameters, C per fold and the fold count.
    package func write(to path: String) throws {
        var data = Data()
        try CacheContainer.write(magic: Self.magic, header: summary, to: { data.append(contentsOf: $0) }) { file in
            try file.append(labels)
            try file.append(weights)
            // An entry saying why there is no helper keeps only what it was decided on.
            guard summary.parameters > 0 else { return }
            try file.append(folds.foldOf)
            try file.append(evidence.map { $0 ? UInt8(1) : 0 })
            try file.append(probabilities)
            for fold in fitted.perFold { try file.append(fold) }
            try file.append(fitted.regularisation)
            try file.append([Int32(folds.count)])
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Nil when the file is missing, from another version, or damaged (it is then retrained).
    /// The container's reader checks every size read from the file before it is used, and
    /// the arrays must fill the file exactly: a damaged cache is retrained, never a trap.
    package static func read(_ path: String) -> HelperCache? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return data.withUnsafeBytes { bytes -> HelperCache? in
            guard var file = CacheContainer.Reader(bytes, magic: magic), let summary = file.header(Summary.self) else { return nil }
            let n = summary.items, k = summary.classes, p = summary.parameters, f = summary.folds
            guard n >= 0, k >= 0, p >= 0, f >= 0,
                let expected = Self.byteCount(items: n, classes: k, parameters: p, folds: f),
                file.remaining == expected,
                let labels = file.take(n, as: Int32.self), let weights = file.take(n, as: Float.self)
            else { return nil }
            guard p > 0 else {
                return HelperCache(
                    summary: summary, labels: labels, weights: weights, folds: FoldAssignment(count: 0, foldOf: []), evidence: [],
                    probabilities: [], fitted: HelperModel.Fitted(perFold: [], regularisation: []))
            }
            guard let foldOf = file.take(n, as: Int32.self), let evidence = file.take(n, as: UInt8.self),
                let probabilities = file.take(n * k, as: Float.self)
            else { return nil }
            var perFold: [[Double]] = []
            for _ in 0..<f {
                guard let fold = file.take(p, as: Double.self) else { return nil }
                perFold.append(fold)
            }
            guard let regularisation = file.take(f, as: Double.self), let count = file.take(1, as: Int32.self),
                Int(count[0]) == f
            else { return nil }
            return HelperCache(
                summary: summary, labels: labels, weights: weights,
                folds: FoldAssignment(count: f, foldOf: foldOf, notes: summary.foldNotes), evidence: evidence.map { $0 != 0 },
                probabilities: probabilities, fitted: HelperModel.Fitted(perFold: perFold, regularisation: regularisation))
        }
    }

    /// The bytes after the header for these sizes (labels and weights; with a model, also
    /// folds, evidence, probabilities, each fold's parameters, C per fold and the fold
    /// count), or nil when that does not fit in an Int.
    package static func byteCount(items n: Int, classes k: Int, parameters p: Int, folds f: Int) -> Int? {
        func product(_ factors: Int...) -> Int? {
            var total = 1
            for factor in factors {
                let (next, overflow) = total.multipliedReportingOverflow(by: factor)
                if overflow { return nil }
                total = next
            }
            return total
        }
        func sum(_ terms: Int?...) -> Int? {
            var total = 0
            for term in terms {
                guard let term else { return nil }
                let (next, overflow) = total.addingReportingOverflow(term)
                if overflow { return nil }
                total = next
            }
            return total
        }
        guard p > 0 else { return sum(product(n, 4), product(n, 4)) }
        return sum(product(n, 4), product(n, 4), product(n, 4), n, product(n, k, 4), product(p, 8, f), product(f, 8), 4)
    }

    /// Items whose training label or weight differs from what the cache was trained on.
    package func changedItems(labels: [Int32], weights: [Float]) -> Int {
        guard labels.count == self.labels.count else { return labels.count }
        var changed = 0
        for i in 0..<labels.count where labels[i] != self.labels[i] || weights[i] != self.weights[i] { changed += 1 }
        return changed
    }
}
