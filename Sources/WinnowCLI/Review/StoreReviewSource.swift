import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowNeighbours
import WinnowStore
import WinnowUI

/// The review screen's view of a project: queues and signals from the analysis, labels
/// and decisions from the store. Decisions update the in-memory labels at once, so
/// components, queues and reasons reflect them.
final class StoreReviewSource: ReviewDataSource, @unchecked Sendable {
    private let lock = NSLock()
    private let store: ProjectStore
    private let reviewer: String
    private let settings: AnalysisSettings
    private let strata: [String]?
    private let queueSettings: QueueSettings
    private let metadataColumns: [String]
    private var context: AnalysisContext
    private var input: AnalysisInput
    private var analysis: LabelAnalysis
    private var builder: QueueBuilder
    private let graph: NeighbourGraph?
    /// The sub-queue that surfaced each item in the last queue loaded (for its reasons).
    private var sources: [QueueName?]
    /// The review state the queues are built from, kept per item so a decision updates
    /// one entry instead of rebuilding million-element arrays.
    private var decided: [Bool]
    private var skipped: [Bool]
    private var problems: [String?]
    /// The queues must be rebuilt (from `decided`, `skipped`, `problems` and the analysis)
    /// before the next queue is handed out.
    private var queuesStale = false
    /// Re-analyses after relabels run here, one at a time; a newer one supersedes.
    private let refreshQueue = DispatchQueue(label: "winnow.review.refresh")
    private var generation = 0
    /// Up to this many items the analysis is recomputed before a decision returns (a few
    /// milliseconds); above it, in the background, so a decision never waits for it.
    static let synchronousRefreshLimit = 20_000
    let taxonomy: ClassTaxonomy

    /// `graph`: the neighbour graph, also when it comes from image features and so is not
    /// label evidence (`input.neighbours` is nil then): "more like this" still uses it.
    init(session: AnalysisSession, input: AnalysisInput, analysis: LabelAnalysis, builder: QueueBuilder, graph: NeighbourGraph?, reviewer: String) throws {
        self.store = session.project.store
        self.graph = graph
        self.reviewer = reviewer
        self.settings = session.settings()
        self.strata = builder.strata
        self.queueSettings = builder.settings
        self.metadataColumns = try session.project.store.metadataColumns()
        self.context = session.context
        self.input = input
        self.analysis = analysis
        self.builder = builder
        self.taxonomy = ClassTaxonomy(session.context.classes)
        self.sources = Array(repeating: nil, count: session.context.items.count)
        self.decided = builder.decided
        self.skipped = builder.skipped
        self.problems = builder.problems
    }

    /// Loads and analyses the project (the neighbour graph comes from its cache) and
    /// builds the queues: everything the review screen needs before its first frame.
    static func open(_ project: Project, reviewer: String, stratifyBy: String?, progress: any ProgressReporter = TerminalProgress()) throws -> StoreReviewSource {
        let session = try AnalysisSession(project, progress: progress)
        let graph = try session.neighbourGraph()?.graph
        let input = try session.input(graph: graph)
        let analysis = LabelAnalysis(input, settings: session.settings())
        let builder = try session.queueBuilder(analysis, input: input, stratifyBy: stratifyBy ?? project.config.stratifyBy)
        return try StoreReviewSource(session: session, input: input, analysis: analysis, builder: builder, graph: graph, reviewer: reviewer)
    }

    var classes: [String] { locked { context.classes } }
    var multiLabel: Bool { locked { context.multiLabel } }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    var count: Int { locked { context.items.count } }

    // MARK: - Queues

    func queue(named name: String) throws -> (slots: [QueueSlot], counts: [String: Int]) {
        try locked {
            guard let queue = QueueName(rawValue: name) else { throw CLIFailure(message: "unknown queue \(name)", exit: .usage) }
            if queuesStale { rebuildQueues() }
            let entries = builder.order(queue)
            for entry in entries { sources[entry.item] = entry.source }
            return (entries.map { QueueSlot(item: $0.item, source: $0.source.rawValue, score: $0.score) },
                    openCounts(known: [queue: entries.count]))
        }
    }

    /// Open entries per queue (call with the lock held and the queues current). Counting
    /// every queue re-ranks the dataset once per queue: cheap below a few hundred thousand
    /// items, so the switcher and the stats view can show them; above, only `known`.
    private func openCounts(known: [QueueName: Int]) -> [String: Int] {
        var counts = Dictionary(uniqueKeysWithValues: known.map { ($0.key.rawValue, $0.value) })
        if context.items.count <= 200_000 {
            for queue in QueueName.allCases where known[queue] == nil { counts[queue.rawValue] = builder.count(queue) }
        }
        return counts
    }

    private func rebuildQueues() {
        builder = QueueBuilder(analysis: analysis, input: input, problems: problems, strata: strata,
                               decided: decided, skipped: skipped, settings: queueSettings)
        queuesStale = false
    }

    // MARK: - Details

    func details(of items: [Int]) throws -> [ItemDetails] {
        let ids = locked { items.filter { context.items.indices.contains($0) }.map { context.items[$0].id } }
        let annotations = try store.annotations(ofItems: ids)
        return locked { items.filter { context.items.indices.contains($0) }.map { details(of: $0, annotations: annotations) } }
    }

    private func className(_ c: Int32) -> String? { c >= 0 && Int(c) < input.classes.count ? input.classes[Int(c)] : nil }

    private func details(of i: Int, annotations: [Int64: [(annotator: String, labels: LabelSet)]]) -> ItemDetails {
        let item = context.items[i]
        let k = input.classes.count
        let queue = sources[i] ?? QueueName.labelIssues
        let reasons = builder.explainedReasons(for: i, in: queue).map { ReasonLine(kind: $0.kind, text: $0.text) }
        let models = input.models.map { model -> ModelTop in
            let row = model.values[(i * k)..<((i + 1) * k)]
            let top = row.indices.sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }.prefix(3)
            return ModelTop(model: model.name, top: top.map { ModelTop.Entry(label: input.classes[$0 - i * k], probability: Double(row[$0])) })
        }
        let annotators = (annotations[item.id] ?? []).count > 1
            ? (annotations[item.id] ?? []).map { ItemDetails.Field(name: $0.annotator, value: $0.labels.names.joined(separator: ", ")) } : []
        return ItemDetails(
            item: i, path: item.path, status: Self.statusText(item.resolution), currentLabels: item.resolution.labels?.names ?? [],
            givenLabels: item.given?.names ?? [], annotators: annotators, suggested: className(analysis.suggested[i]),
            reasons: reasons, models: models, component: component(of: i), metadata: metadata(item.metadataJSON), problem: item.problem)
    }

    static func statusText(_ resolution: ItemResolution) -> String {
        switch resolution.status {
        case .unreviewed: return "pending"
        default: return resolution.status.rawValue
        }
    }

    /// The item's near-duplicate group, counted with the current labels.
    private func component(of i: Int) -> ComponentInfo? {
        guard let components = analysis.components, components.componentOf[i] >= 0 else { return nil }
        let c = Int(components.componentOf[i])
        let members = components.members[c]
        let summary = ComponentSummary(index: c, members: members, labels: members.reduce(into: input.labels) { labels, m in
            if input.excluded[Int(m)] { labels[Int(m)] = -1 }
        })
        let counts = summary.labelCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { ComponentInfo.LabelCount(label: input.classes[$0.key], count: $0.value) }
        return ComponentInfo(id: c, members: members.map(Int.init), labelCounts: counts, purity: summary.purity,
                             isBad: summary.isBad, majority: summary.majority.map { input.classes[$0] })
    }

    private func metadata(_ json: String) -> [ItemDetails.Field] {
        guard json != "{}", !metadataColumns.isEmpty else { return [] }
        let values = ExportCommand.metadataValues(json, columns: metadataColumns)
        return zip(metadataColumns, values).filter { !$0.1.isEmpty }.map { ItemDetails.Field(name: $0.0, value: $0.1) }
    }

    // MARK: - Decisions

    func decide(_ command: DecisionCommand) throws -> (eventIDs: [Int64], message: String) {
        let requests: [DecisionRequest] = locked {
            command.items.map { i in
                let item = context.items[i]
                var action: DecisionAction
                var labels: LabelSet?
                switch command.kind {
                case .accept: action = .accept
                case .relabel(let names):
                    let set = LabelSet(names, in: taxonomy)
                    // Relabelling to the label it already has is accepting it.
                    if item.resolution.labels == set { action = .accept } else { action = .relabel; labels = set }
                case .exclude: action = .exclude
                case .skip: action = .skip
                case .splitOff: action = .split
                }
                return DecisionRequest(imagePath: item.path, reviewer: reviewer, action: action, labels: labels,
                                       queue: command.queue, reason: command.reason)
            }
        }
        let outcomes = try store.decide(requests)
        apply(outcomes, items: command.items)
        return (outcomes.map(\.event.id), Self.describe(outcomes, command: command, paths: requests.map(\.imagePath)))
    }

    func undo(items: [Int]) throws -> String {
        let requests = locked { items.map { DecisionRequest(imagePath: context.items[$0].path, reviewer: reviewer, action: .undo) } }
        let outcomes = try store.decide(requests)
        apply(outcomes, items: items)
        let taken = outcomes.compactMap { $0.undone.map { "#\($0.id) \($0.action.rawValue)" } }
        return "undone: " + taken.joined(separator: ", ") + (items.count == 1 ? " · \(TerminalText.sanitize(context.items[items[0]].path))" : " · \(items.count) images")
    }

    /// The store's new state of each item, into the in-memory copy the queues use.
    private func apply(_ outcomes: [DecisionOutcome], items: [Int]) {
        locked {
            var labelsChanged = false
            for (i, outcome) in zip(items, outcomes) {
                let before = context.items[i].resolution
                context.items[i].resolution = outcome.after
                decided[i] = [.accepted, .relabelled, .excluded].contains(outcome.after.status)
                skipped[i] = outcome.after.status == .skipped
                let label = outcome.after.labels?.first.flatMap { taxonomy.position(of: $0) }.map(Int32.init) ?? -1
                if context.multiLabel == false, input.labels[i] != label { input.labels[i] = label; labelsChanged = true }
                if input.excluded[i] != outcome.after.isExcluded { input.excluded[i] = outcome.after.isExcluded; labelsChanged = true }
                if before.isSplitOff != outcome.after.isSplitOff {
                    if outcome.after.isSplitOff { input.splitOff.insert(Int32(i)) } else { input.splitOff.remove(Int32(i)) }
                    labelsChanged = true
                }
            }
            if labelsChanged && context.items.count <= Self.synchronousRefreshLimit {
                analysis = LabelAnalysis(input, settings: settings)
            } else if labelsChanged {
                scheduleRefresh()
            }
            // Rebuilt when the next queue is loaded: the screen drops decided items itself.
            queuesStale = true
        }
    }

    /// Recomputes the label-dependent signals off the decision path (call with the lock
    /// held). Components and their counts are always current: they are counted from the
    /// live labels whenever they are shown.
    private func scheduleRefresh() {
        generation += 1
        let wanted = generation
        let snapshot = input
        let settings = self.settings
        refreshQueue.async { [self] in
            // A newer relabel has queued its own refresh: leave the work to that one.
            guard locked({ wanted == generation }) else { return }
            let fresh = LabelAnalysis(snapshot, settings: settings)
            locked {
                guard wanted == generation else { return }
                analysis = fresh
                rebuildQueues()
                // Reasons shown from now on use the fresh analysis (queues stay as loaded
                // until the next queue switch).
            }
        }
    }

    /// Waits for a background re-analysis to finish (benchmarks, tests).
    func waitForRefresh() { refreshQueue.sync {} }

    static func describe(_ outcomes: [DecisionOutcome], command: DecisionCommand, paths: [String]) -> String {
        guard let first = outcomes.first else { return "nothing saved" }
        let s = TerminalText.sanitize
        if outcomes.count == 1 {
            return DecideCommand.describe(first, image: paths.first ?? "", showReviewer: false)
        }
        let ids = "#\(outcomes.first!.event.id)–#\(outcomes.last!.event.id)"
        switch command.kind {
        case .relabel(let names): return "saved \(outcomes.count) decisions \(ids): the group is now \(s(names.joined(separator: ", ")))"
        default: return "saved \(outcomes.count) decisions \(ids): \(command.kind.verb)"
        }
    }

    // MARK: - Neighbours, stats, images

    func similar(to item: Int) throws -> [SimilarItem] {
        locked {
            guard let graph else { return [] }
            return graph.neighbours(of: item).filter { $0.id >= 0 }.map { n in
                let other = context.items[n.id]
                return SimilarItem(item: n.id, path: other.path, label: other.resolution.labels?.names.joined(separator: ", ") ?? "(none)",
                                   similarity: Double(n.similarity))
            }
        }
    }

    func stats() throws -> ReviewStats {
        // Counted without loading a queue: that would change which sub-queue's reasons the
        // items on screen are explained with.
        let counts = locked { () -> [String: Int] in
            if queuesStale { rebuildQueues() }
            return openCounts(known: [.triage: builder.count(.triage)])
        }
        return ReviewStats(sections: try StatsReport.make(store: store, project: "", openCounts: counts).sections())
    }

    func imagePath(of item: Int) -> String {
        locked { context.datasetRoot + "/images/" + context.items[item].path }
    }

    func markImageProblem(item: Int, message: String) {
        let path = locked { () -> String in
            context.items[item].problem = message
            problems[item] = message
            queuesStale = true
            return context.items[item].path
        }
        try? store.markProblem(imagePath: path, problem: message)
    }
}
