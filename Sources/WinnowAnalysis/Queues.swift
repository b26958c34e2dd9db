import Foundation
import WinnowCore

/// The review queues: each a scorer over the analysis signals, giving entries in review
/// order, each with its reasons in words and numbers.
public enum QueueName: String, Sendable, CaseIterable {
    case triage
    case labelIssues = "label-issues"
    case confidentLearning = "confident-learning"
    case lowConfidence = "low-confidence"
    case disagreement
    /// Items whose CROWDLAB consensus of several annotators is doubtful.
    case lowConsensus = "low-consensus"
    case badComponents = "bad-components"
    case duplicates
    case outliers
    case problems
    /// Image-quality flags (dark, light, blurry, low information, grayscale, odd aspect
    /// ratio, odd size), worst first.
    case quality
    case random
    case stratified
    /// Items whose reviewers disagree ([team] reviews_per_item), for leads to settle.
    case disputed
}

/// One reason an item was flagged, with the kind of evidence it rests on.
public struct FlagReason: Sendable, Equatable {
    public typealias Kind = FlagKind

    public var kind: Kind
    public var text: String

    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }
}

public struct QueueEntry: Sendable, Equatable {
    public var item: Int
    /// Higher = more urgent, within the queue that surfaced it (`source`).
    public var score: Double
    /// The queue that surfaced the item (for triage: the sub-queue).
    public var source: QueueName
    public var reasons: [String]
}

/// Settings of the queues (`winnow.toml` [queues] and [triage]).
public struct QueueSettings: Sendable, Equatable {
    /// Share of the triage queue given to a random (or stratified) audit sample: purely
    /// targeted review skews the data towards what the detectors already find.
    public var auditShare = 0.15
    /// Triage quotas of the targeted queues (normalised over those that have entries).
    public var quotas: [QueueName: Double] = [
        .labelIssues: 0.45, .badComponents: 0.15, .disagreement: 0.10, .outliers: 0.05, .problems: 0.10, .quality: 0.05
    ]
    /// Ensemble probability of the current label below which an item is low-confidence.
    public var lowConfidence = 0.5
    /// CROWDLAB consensus quality below which an item is in the low-consensus queue.
    public var lowConsensus = 0.5
    /// Share of items (the most unusual) in the outliers queue.
    public var outlierShare = 0.01
    public var seed: UInt64 = 0
    public init() {}
}

/// Builds queues from an analysis and the review state.
public struct QueueBuilder: Sendable {
    public let analysis: LabelAnalysis
    public let input: AnalysisInput
    /// Per-image problems (missing file, ...), nil when fine.
    public let problems: [String?]
    /// Metadata value per item for the stratified queue (nil: not stratified).
    public let strata: [String]?
    /// Decided items (accepted, relabelled, excluded) leave every queue.
    public let decided: [Bool]
    /// Skipped items come back after everything else.
    public let skipped: [Bool]
    public let settings: QueueSettings
    /// Items whose reviewers disagree (the disputed queue, for leads), in item order.
    public var disputed: [Int] = []
    /// The image-quality checks (the quality queue); nil when the images were not measured.
    public var quality: ImageQualityReport?
    /// Multi-label data: its per-class label analysis (queues and reasons: Queues+MultiLabel.swift).
    public var multiLabel: MultiLabelAnalysis?
    /// Several annotators and a model: CROWDLAB's consensus (the low-consensus queue).
    public var crowd: CrowdConsensus?

    public init(
        analysis: LabelAnalysis, input: AnalysisInput, problems: [String?], strata: [String]?,
        decided: [Bool], skipped: [Bool], settings: QueueSettings = QueueSettings()
    ) {
        self.analysis = analysis
        self.input = input
        self.problems = problems
        self.strata = strata
        self.decided = decided
        self.skipped = skipped
        self.settings = settings
    }

    var classes: [String] { input.classes }
    var k: Int { input.classes.count }

    func name(_ c: Int32) -> String { c >= 0 && Int(c) < classes.count ? "'\(classes[Int(c)])'" : "(none)" }
    func format(_ x: Double) -> String { String(format: "%.2f", locale: nil, x) }
    func format(_ x: Float) -> String { format(Double(x)) }

    /// The queue's entries in review order: decided items removed, skipped ones last; at most
    /// `limit`. Reasons are written only for the entries returned (they cost microseconds
    /// each, and a million-item queue is read a screenful at a time).
    public func entries(_ queue: QueueName, limit: Int? = nil) -> [QueueEntry] {
        var chosen = order(queue)
        if let limit { chosen = Array(chosen.prefix(limit)) }
        return chosen.map { entry in
            var entry = entry
            entry.reasons = reasons(for: entry.item, in: entry.source)
            return entry
        }
    }

    /// How many entries the queue has (no reasons are written).
    public func count(_ queue: QueueName) -> Int { order(queue).count }

    /// The queue's entries in review order, without reasons (write them with
    /// `explainedReasons(for:in:)` for the few on screen).
    public func order(_ queue: QueueName) -> [QueueEntry] {
        // Disputed items are settled for everybody but the leads: they are this queue.
        if queue == .disputed { return candidates(.disputed) }
        let raw = queue == .triage ? triage() : candidates(queue)
        let open = raw.filter { !decided[$0.item] }
        return open.filter { !skipped[$0.item] } + open.filter { skipped[$0.item] }
    }

    /// A queue's candidates, most urgent first (before review state is applied).
    func candidates(_ queue: QueueName) -> [QueueEntry] {
        let n = input.count
        let a = analysis
        func ranked(_ items: [Int], score: (Int) -> Double) -> [QueueEntry] {
            items.map { QueueEntry(item: $0, score: score($0), source: queue, reasons: []) }
                .sorted { $0.score != $1.score ? $0.score > $1.score : $0.item < $1.item }
        }
        if let entries = multiLabelCandidates(queue) { return entries }
        switch queue {
        case .lowConsensus:
            return lowConsensusCandidates()
        case .labelIssues:
            // The whole fused ranking of the judged items: a queue cut at the flags below
            // could be shorter than the number of real errors (the flags miss some), and the
            // errors past its end could then never be reached in ranking order. Triage takes
            // only the flagged ones (`isFlaggedLabelIssue`).
            let items = (0..<n).filter { input.isJudged($0) && !a.fusedScore[$0].isNaN }
            return ranked(items) { Double(a.fusedScore[$0]) }
        case .confidentLearning:
            return ranked((0..<n).filter { a.confidentLearningIssue[$0] }) { 1 - ensembleSelfConfidence($0) }
        case .lowConfidence:
            guard !a.ensemble.isEmpty else { return [] }
            return ranked((0..<n).filter { input.isJudged($0) && ensembleSelfConfidence($0) < settings.lowConfidence }) {
                1 - ensembleSelfConfidence($0)
            }
        case .disagreement:
            guard a.models.count > 1 else { return [] }
            return ranked((0..<n).filter { !input.excluded[$0] && a.voteDisagreement[$0] > 0 }) {
                Double(a.voteDisagreement[$0]) + Double(a.divergence[$0]) / 10
            }
        case .badComponents, .duplicates:
            var entries: [QueueEntry] = []
            let chosen = a.componentSummaries.filter { queue == .duplicates || $0.isBad }
                .sorted { l, r in
                    let ls = (1 - l.purity) * Double(l.members.count), rs = (1 - r.purity) * Double(r.members.count)
                    return ls != rs ? ls > rs : (l.members.count != r.members.count ? l.members.count > r.members.count : l.index < r.index)
                }
            for (rank, summary) in chosen.enumerated() {
                // Within a component, members whose label departs from the majority first.
                let members = summary.members.map(Int.init).filter { !input.excluded[$0] }
                    .sorted { l, r in
                        let lm = input.labels[l] != Int32(summary.majority ?? -1), rm = input.labels[r] != Int32(summary.majority ?? -1)
                        return lm != rm ? lm : l < r
                    }
                for item in members {
                    entries.append(QueueEntry(item: item, score: Double(chosen.count - rank), source: queue, reasons: []))
                }
            }
            return entries
        case .outliers:
            guard input.neighbours != nil else { return [] }
            let count = max(1, Int((Double(n) * settings.outlierShare).rounded(.up)))
            let top = (0..<n).filter { !input.excluded[$0] }.sorted {
                a.outlierScore[$0] != a.outlierScore[$1] ? a.outlierScore[$0] > a.outlierScore[$1] : $0 < $1
            }.prefix(count)
            return ranked(Array(top)) { Double(a.outlierScore[$0]) }
        case .problems:
            return ranked((0..<n).filter { problems[$0] != nil }) { _ in 1 }
        case .quality:
            guard let quality else { return [] }
            return ranked(quality.flaggedItems.filter { !input.excluded[$0] }) { quality.severity(of: $0) }
        case .disputed:
            return ranked(disputed) { _ in 1 }
        case .random:
            var rng = SplitMix64(seed: settings.seed)
            return (0..<n).filter { !input.excluded[$0] }.shuffled(using: &rng).enumerated().map { position, item in
                QueueEntry(item: item, score: Double(n - position), source: .random, reasons: [])
            }
        case .stratified:
            guard let strata else { return candidates(.random).map { QueueEntry(item: $0.item, score: $0.score, source: .stratified, reasons: []) } }
            // Round-robin over the strata (sorted), each stratum in seeded random order.
            var rng = SplitMix64(seed: settings.seed)
            var byStratum: [String: [Int]] = [:]
            for i in 0..<n where !input.excluded[i] { byStratum[strata[i], default: []].append(i) }
            var queues = byStratum.keys.sorted().map { byStratum[$0]!.shuffled(using: &rng) }
            var entries: [QueueEntry] = []
            var position = 0
            while queues.contains(where: { !$0.isEmpty }) {
                for s in queues.indices where position < queues[s].count {
                    let item = queues[s][position]
                    entries.append(QueueEntry(item: item, score: 0, source: .stratified, reasons: []))
                }
                position += 1
                if queues.allSatisfy({ position >= $0.count }) { queues = [] }
            }
            return entries.enumerated().map { QueueEntry(item: $1.item, score: Double(entries.count - $0), source: $1.source, reasons: $1.reasons) }
        case .triage:
            return triage()
        }
    }

    /// The default queue: the targeted queues interleaved by their quotas (smooth weighted
    /// round-robin), with an audit share of random (or stratified) items, each item once.
    func triage() -> [QueueEntry] {
        var sources: [(entries: [QueueEntry], weight: Double)] = settings.quotas.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { quota in (candidates(quota.key).filter { quota.key != .labelIssues || isFlaggedLabelIssue($0.item) }, quota.value) }
            .filter { !$0.entries.isEmpty && $0.weight > 0 }
        let targetedWeight = sources.reduce(0) { $0 + $1.weight }
        if settings.auditShare > 0 {
            let audit = candidates(strata == nil ? .random : .stratified)
            // The audit weight is its share of the whole: a / (1 − a) of the targeted weight.
            let weight = targetedWeight > 0 ? targetedWeight * settings.auditShare / max(1 - settings.auditShare, 1e-9) : 1
            sources.append((audit, weight))
        }
        var cursor = [Int](repeating: 0, count: sources.count)
        var credit = [Double](repeating: 0, count: sources.count)
        var seen = Set<Int>()
        var result: [QueueEntry] = []
        while true {
            let live = sources.indices.filter { cursor[$0] < sources[$0].entries.count }
            guard !live.isEmpty else { break }
            let total = live.reduce(0) { $0 + sources[$1].weight }
            for s in live { credit[s] += sources[s].weight }
            let pick = live.max { credit[$0] != credit[$1] ? credit[$0] < credit[$1] : $0 > $1 }!
            credit[pick] -= total
            // Take the source's next item not already in the triage queue.
            while cursor[pick] < sources[pick].entries.count {
                let entry = sources[pick].entries[cursor[pick]]
                cursor[pick] += 1
                if seen.insert(entry.item).inserted {
                    result.append(entry)
                    break
                }
            }
        }
        // Each entry keeps the score of the queue that surfaced it.
        return result
    }

    /// Whether the label evidence flags the item: the fused evidence favours another class,
    /// or confident learning flags it. These lead triage's label-issue share.
    public func isFlaggedLabelIssue(_ i: Int) -> Bool {
        input.isJudged(i) && !analysis.fusedScore[i].isNaN && (analysis.suggested[i] != input.labels[i] || analysis.confidentLearningIssue[i])
    }

    func ensembleSelfConfidence(_ i: Int) -> Double {
        let label = Int(input.labels[i])
        guard label >= 0, !analysis.ensemble.isEmpty else { return .nan }
        return Double(analysis.ensemble[i * k + label])
    }

    /// Why `item` is in `queue`, in words and numbers, most important first.
    public func reasons(for item: Int, in queue: QueueName) -> [String] {
        explainedReasons(for: item, in: queue).map(\.text)
    }

    /// The reasons with the kind of evidence each one is (the review screen colours them).
    public func explainedReasons(for item: Int, in queue: QueueName) -> [FlagReason] {
        let a = analysis
        var reasons: [FlagReason] = []
        let label = input.labels[item]
        switch queue {
        case .random:
            return [FlagReason(.audit, "random audit sample")]
        case .stratified:
            return [FlagReason(.audit, strata.map { "stratified audit sample: \(TerminalText.sanitize($0[item]))" } ?? "random audit sample")]
        case .problems:
            return [FlagReason(.problem, "image problem: \(TerminalText.sanitize(problems[item] ?? "unknown"))")]
        case .quality:
            reasons += quality?.reasons(for: item) ?? []
        case .outliers:
            reasons.append(
                FlagReason(
                    .outlier,
                    "outlier: mean similarity to its neighbours is \(format(1 - a.outlierScore[item])) (among the \(format(settings.outlierShare * 100))% least typical)"
                ))
        case .badComponents, .duplicates:
            if let c = a.components?.componentOf[item], c >= 0 {
                let summary = a.componentSummaries[Int(c)]
                let counts = summary.labelCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                    .map { "\(classes[$0.key]) \($0.value)" }.joined(separator: ", ")
                reasons.append(
                    FlagReason(
                        summary.isBad ? .badComponent : .duplicate,
                        "near-duplicate group #\(c) of \(summary.members.count) images: \(counts.isEmpty ? "no labels" : counts)\(summary.isBad ? " (labels disagree)" : "")"
                    ))
            }
        case .confidentLearning:
            reasons.append(
                FlagReason(
                    .confidentLearning,
                    "confident learning flags it: the models give the label \(name(label)) \(format(ensembleSelfConfidence(item)))"))
        case .lowConfidence:
            reasons.append(
                FlagReason(.lowConfidence, "low confidence: the models give the label \(name(label)) \(format(ensembleSelfConfidence(item)))"))
        case .disagreement:
            let votes = a.models.map { "\(TerminalText.sanitize($0.name)) says \(name($0.predicted[item]))" }.joined(separator: ", ")
            reasons.append(FlagReason(.disagreement, "models disagree: \(votes) (divergence \(format(a.divergence[item])) bits)"))
        case .disputed:
            reasons.append(FlagReason(.dispute, "reviewers disagree: a lead's decision settles it"))
        default:
            break
        }
        reasons += multiLabelReasons(for: item, in: queue) + consensusReasons(for: item, in: queue)
        // The label evidence, for every queue that judges labels.
        if label >= 0, queue != .problems {
            if !a.fusedScore[item].isNaN, a.suggested[item] != label {
                reasons.append(
                    FlagReason(
                        .labelIssue,
                        "the evidence favours \(name(a.suggested[item])) over \(name(label)) (label-issue score \(format(a.fusedScore[item])))"))
            } else if !a.fusedScore[item].isNaN, queue == .labelIssues {
                reasons.append(FlagReason(.labelIssue, "label-issue score \(format(a.fusedScore[item]))"))
            }
            for model in a.models {
                let predicted = model.predicted[item]
                let p = input.models.first { $0.name == model.name }!.values
                if predicted != label {
                    reasons.append(
                        FlagReason(
                            .model,
                            "\(TerminalText.sanitize(model.name)) gives \(name(predicted)) \(format(p[item * k + Int(predicted)])) vs \(name(label)) \(format(p[item * k + Int(label)]))"
                        ))
                } else if queue != .labelIssues {
                    reasons.append(
                        FlagReason(.model, "\(TerminalText.sanitize(model.name)) agrees: \(name(label)) \(format(p[item * k + Int(label)]))"))
                }
            }
            if let graph = input.neighbours {
                let labelled = graph.neighbours(of: item).filter { input.isJudged($0.id) }
                if !labelled.isEmpty {
                    let same = labelled.filter { input.labels[$0.id] == label }.count
                    var text = "\(same) of \(labelled.count) nearest neighbours say \(name(label))"
                    if a.neighbourVote[item] >= 0, a.neighbourVote[item] != label { text += "; most say \(name(a.neighbourVote[item]))" }
                    reasons.append(FlagReason(.neighbours, text))
                }
            }
            if a.confidentLearningIssue[item], queue != .confidentLearning {
                reasons.append(FlagReason(.confidentLearning, "confident learning flags it"))
            }
        }
        return reasons
    }
}
