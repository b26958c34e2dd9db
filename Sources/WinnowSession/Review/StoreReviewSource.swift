import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowNeighbours
import WinnowStore
import WinnowUI

/// The review screen's view of a project: queues and signals from the analysis, labels
/// and decisions from the store. Decisions update the in-memory labels at once, so
/// components, queues and reasons reflect them.
package final class StoreReviewSource: ReviewDataSource, @unchecked Sendable {
    private let lock = NSLock()
    private let store: any ProjectStoring
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
    /// And its score there (NaN: none), logged with a decision on the item.
    private var scores: [Double]
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
    /// Who may do what, how many reviews an item needs.
    package let policy: TeamPolicy
    /// This session's holds on items (nil: leases are not used, as in benchmarks).
    package let leases: LeaseSession?
    /// The newest decision this source has taken in (its own and other reviewers').
    private var seenEventID: Int64?
    /// Items other sessions held when this source last looked.
    private var lastHeldByOthers: Set<Int64> = []
    private var generation = 0
    /// Above `synchronousRefreshLimit` items: the analysis kept up to date decision by
    /// decision (about a millisecond each at 1M items), built in the background after
    /// opening; nil until then. `changedWhileBuilding` are the items whose labels changed
    /// meanwhile, brought into it when it is installed.
    private var engine: IncrementalAnalysis?
    private var changedWhileBuilding: Set<Int> = []
    /// Up to this many items the analysis is recomputed before a decision returns (a few
    /// milliseconds); above it, in the background, so a decision never waits for it.
    package static let synchronousRefreshLimit = 20_000
    /// `synchronousRefreshLimit`, lower in tests of the large-project path.
    package let refreshLimit: Int
    package let taxonomy: ClassTaxonomy
    /// Retrains the helper model as decisions come in (HelperRetrainer.swift); nil without one.
    package private(set) var helper: HelperRetrainer?
    private var queuesChanged: (@Sendable () -> Void)?
    /// A retrained helper changed the analysis since the screen last refreshed its queue.
    private var retrainedSinceLook = false

    /// `graph`: the neighbour graph, also when it comes from image features and so is not
    /// label evidence (`input.neighbours` is nil then): "more like this" still uses it.
    package init(session: AnalysisSession, input: AnalysisInput, analysis: LabelAnalysis, builder: QueueBuilder, graph: NeighbourGraph?,
         reviewer: String, leases: LeaseSession? = nil, refreshLimit: Int = StoreReviewSource.synchronousRefreshLimit) throws {
        self.refreshLimit = refreshLimit
        self.store = session.project.store
        self.policy = session.config.team
        self.leases = leases
        self.seenEventID = session.context.lastEventID
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
        self.scores = Array(repeating: .nan, count: session.context.items.count)
        self.decided = builder.decided
        self.skipped = builder.skipped
        self.problems = builder.problems
        // Images the analysis found undecodable just now are problems of their items here too.
        for i in context.items.indices where context.items[i].problem == nil { context.items[i].problem = builder.problems[i] }
    }

    /// Loads and analyses the project (the neighbour graph comes from its cache) and
    /// builds the queues: everything the review screen needs before its first frame.
    package static func open(_ project: Project, reviewer: String, stratifyBy: String?, leases: LeaseSession? = nil,
                     refreshLimit: Int = StoreReviewSource.synchronousRefreshLimit,
                     progress: any ProgressReporter = TerminalProgress()) throws -> StoreReviewSource {
        let session = try AnalysisSession(project, progress: progress)
        let graph = try session.neighbourGraph()?.graph
        let input = try session.input(graph: graph)
        let analysis = LabelAnalysis(input, settings: session.settings())
        let builder = try session.queueBuilder(analysis, input: input, stratifyBy: stratifyBy ?? project.config.stratifyBy, reviewer: reviewer)
        let source = try StoreReviewSource(session: session, input: input, analysis: analysis, builder: builder, graph: graph,
                                           reviewer: reviewer, leases: leases, refreshLimit: refreshLimit)
        source.locked { source.startEngine() }
        source.helper = HelperRetrainer.start(for: source, session: session, input: input)
        return source
    }

    package var classes: [String] { locked { context.classes } }
    package var multiLabel: Bool { locked { context.multiLabel } }

    fileprivate func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    package var count: Int { locked { context.items.count } }
    /// The newest decision the loaded project included.
    package var lastEventID: Int64? { locked { context.lastEventID } }

    // MARK: - Queues

    package func queue(named name: String) throws -> (slots: [QueueSlot], counts: [String: Int]) {
        // Other reviewers may have decided items since: a queue is handed out current.
        syncWithOthers()
        return try locked {
            guard let queue = QueueName(rawValue: name) else { throw SessionError(.badRequest, UnknownQueue(name: name).description) }
            if queuesStale { rebuildQueues() }
            var entries = builder.order(queue)
            // Items other sessions hold are theirs: never shown here at the same time.
            let held = heldByOthersNow()
            if !held.isEmpty { entries.removeAll { held.contains(context.items[$0.item].id) } }
            for entry in entries {
                sources[entry.item] = entry.source
                scores[entry.item] = entry.score
            }
            return (entries.map { QueueSlot(item: $0.item, source: $0.source.rawValue, score: $0.score) },
                    openCounts(known: [queue: entries.count], held: held))
        }
    }

    /// Items other sessions hold now (call with the lock held); remembered, so a refresh
    /// can tell when others took or released items.
    private func heldByOthersNow() -> Set<Int64> {
        let held = Set(leases?.heldByOthers().keys ?? [:].keys)
        lastHeldByOthers = held
        return held
    }

    /// Open entries per queue as `queue(named:)` hands them out: items other sessions hold
    /// left out (call with the lock held and the queues current). Counting every queue
    /// re-ranks the dataset once per queue: cheap below a few hundred thousand items, so the
    /// switcher and the stats view can show them; above, only `known`.
    private func openCounts(known: [QueueName: Int], held: Set<Int64>) -> [String: Int] {
        var counts = Dictionary(uniqueKeysWithValues: known.map { ($0.key.rawValue, $0.value) })
        if context.items.count <= Self.countLimit {
            for queue in QueueName.allCases where known[queue] == nil {
                counts[queue.rawValue] = held.isEmpty ? builder.count(queue)
                    : builder.order(queue).reduce(0) { $0 + (held.contains(context.items[$1.item].id) ? 0 : 1) }
            }
        }
        return counts
    }

    /// Above this many items queues are counted (and refreshed for others' changes) only
    /// when opened: re-ranking every queue takes seconds there.
    package static let countLimit = 200_000

    /// Open entries of every queue now, others' latest decisions included.
    package func queueCounts() throws -> [String: Int] {
        syncWithOthers()
        return locked {
            if queuesStale { rebuildQueues() }
            return openCounts(known: [:], held: heldByOthersNow())
        }
    }

    /// The queue again when another session decided, released or took items since this
    /// source last looked; nil when nothing of theirs changed (this session's own writes
    /// wake the watcher too).
    /// Also the queue again after the helper model was retrained (at any size: that happens
    /// only every few decisions).
    package func refreshedQueue(named name: String) throws -> (slots: [QueueSlot], counts: [String: Int])? {
        let retrained = locked { () -> Bool in
            defer { retrainedSinceLook = false }
            return retrainedSinceLook
        }
        guard count <= Self.countLimit || retrained else { return nil }
        let heldBefore = locked { lastHeldByOthers }
        // Takes in every decision since the last look (this session's own too, so the next
        // look starts after them), and says whether any was another reviewer's.
        let decided = syncWithOthers()
        let held = Set(leases?.heldByOthers().keys ?? [:].keys)
        guard decided || held != heldBefore || retrained else { return nil }
        return try queue(named: name)
    }

    private func rebuildQueues() {
        builder = makeBuilder(decided: decided)
        queuesStale = false
    }

    /// Queues over the current analysis and review state, `decided` items left out (call
    /// with the lock held).
    private func makeBuilder(decided: [Bool]) -> QueueBuilder {
        var made = QueueBuilder(analysis: analysis, input: input, problems: problems, strata: strata,
                                decided: decided, skipped: skipped, settings: queueSettings)
        made.disputed = context.items.indices.filter { context.items[$0].consensus.state == .disputed }
        made.quality = builder.quality
        made.multiLabel = builder.multiLabel  // as opened: not refreshed by this session's decisions
        made.crowd = builder.crowd
        return made
    }

    // MARK: - Details

    package func details(of items: [Int]) throws -> [ItemDetails] { try details(of: items, asShown: true) }

    /// `asShown`: as this reviewer may see them (blind review hides others' decisions);
    /// false for what is saved for every reviewer's next start (the saved queue).
    package func details(of items: [Int], asShown: Bool) throws -> [ItemDetails] {
        let ids = locked { items.filter { context.items.indices.contains($0) }.map { context.items[$0].id } }
        let annotations = try store.annotations(ofItems: ids)
        return locked { items.filter { context.items.indices.contains($0) }.map { details(of: $0, annotations: annotations, asShown: asShown) } }
    }

    private func className(_ c: Int32) -> String? { c >= 0 && Int(c) < input.classes.count ? input.classes[Int(c)] : nil }

    private func details(of i: Int, annotations: [Int64: [(annotator: String, labels: LabelSet)]], asShown: Bool) -> ItemDetails {
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
        var details = ItemDetails(
            item: i, path: item.path, status: Self.statusText(item.resolution), currentLabels: item.resolution.labels?.names ?? [],
            givenLabels: item.given?.names ?? [], annotators: annotators,
            suggested: builder.multiLabel.map { $0.suggested(i, currentNames: item.resolution.labels?.names ?? [])?.joined(separator: ", ") } ?? className(analysis.suggested[i]),
            reasons: reasons, models: models, component: component(of: i), metadata: metadata(item.metadataJSON), problem: item.problem)
        details.reviews = Self.reviewFields(item.consensus)
        details.labelIssueScore = QueueMeasure.labelIssueScore(item: i, analysis: analysis)
        details.flagMeasure = sources[i].flatMap { QueueMeasure.describe($0, item: i, builder: builder) }
        if asShown, isBlind(for: queue) {
            details = BlindView.mask(details, consensus: item.consensus, reviewer: reviewer, component: blindComponent(of: i))
        }
        return details
    }

    /// Whether this reviewer reviews blind: never in the disputed queue, where a lead settles
    /// what the others decided and must see it (call with the lock held).
    private func isBlind(for queue: QueueName) -> Bool { policy.isBlind && queue != .disputed }

    /// The labels this reviewer is shown for item `i` under blind review (call with the lock held).
    private func shownLabels(of i: Int) -> BlindView.Shown {
        let item = context.items[i]
        return BlindView.shown(consensus: item.consensus, given: item.given?.names ?? [], reviewer: reviewer)
    }

    /// The item's group counted with the labels this reviewer is shown (blind review).
    private func blindComponent(of i: Int) -> ComponentInfo? {
        guard let info = component(of: i) else { return nil }
        // Counted over the members alone (positions 0…n−1), not a dataset-sized label array.
        var labels = [Int32](repeating: -1, count: info.members.count)
        for (position, m) in info.members.enumerated() {
            let shown = shownLabels(of: m)
            if !shown.excluded, let first = shown.labels.first, let c = taxonomy.position(of: first) { labels[position] = Int32(c) }
        }
        let summary = ComponentSummary(index: info.id, members: info.members.indices.map(Int32.init), labels: labels)
        let counts = summary.labelCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { ComponentInfo.LabelCount(label: input.classes[$0.key], count: $0.value) }
        return ComponentInfo(id: info.id, members: info.members, labelCounts: counts, purity: summary.purity,
                             isBad: summary.isBad, majority: summary.majority.map { input.classes[$0] })
    }

    /// Each reviewer's decision, once more than one person reviewed the item.
    package static func reviewFields(_ consensus: ReviewConsensus) -> [ItemDetails.Field] {
        guard consensus.reviews.count > 1 else { return [] }
        return consensus.reviews.map { ItemDetails.Field(name: $0.reviewer, value: $0.outcome) }
    }

    package static func statusText(_ resolution: ItemResolution) -> String {
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
        let values = ItemMetadata.values(json, columns: metadataColumns)
        return zip(metadataColumns, values).filter { !$0.1.isEmpty }.map { ItemDetails.Field(name: $0.0, value: $0.1) }
    }

    // MARK: - Decisions

    package func decide(_ command: DecisionCommand) throws -> (eventIDs: [Int64], message: String) {
        let requests = locked {
            zip(command.items, Self.requests(for: command, items: command.items.map { (context.items[$0].path, context.items[$0].resolution.labels) },
                                             reviewer: reviewer, taxonomy: taxonomy)).map { i, request in
                var request = request
                (request.score, request.flags) = flagging(of: i)
                if request.action == .accept, isBlind(for: sources[i] ?? .triage) {
                    // Blind: "accept" means the label this reviewer was shown (the given one),
                    // not one another reviewer put there since.
                    let shown = shownLabels(of: i)
                    let labels = LabelSet(shown.labels, in: taxonomy)
                    if !shown.excluded, !shown.labels.isEmpty, labels != context.items[i].resolution.labels {
                        request.action = .relabel
                        request.labels = labels
                    }
                }
                return request
            }
        }
        let outcomes = try Self.unavailableIfTaken(command.items) { try store.decide(requests, policy: policy) }
        apply(outcomes, items: command.items)
        return (outcomes.map(\.event.id), Self.describe(outcomes, command: command, paths: requests.map(\.imagePath)))
    }

    /// A single item another reviewer holds or has just decided is not this reviewer's any
    /// more: the refusal says so in a way that takes it off the screen.
    package static func unavailableIfTaken<T>(_ items: [Int], _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as StoreError {
            switch error {
            case .leased(_, let reviewer, _) where items.count == 1:
                throw ItemsUnavailable(items: [items[0]: Unavailable("\(TerminalText.sanitize(reviewer)) is reviewing it")], message: error.description)
            case .alreadyDecided(_, let reviewers) where items.count == 1:
                throw ItemsUnavailable(items: [items[0]: Unavailable("just decided by \(reviewers.map(TerminalText.sanitize).joined(separator: ", "))", decidedElsewhere: true)],
                                       message: error.description)
            default: throw error
            }
        }
    }

    /// The score and the kinds of flag of the queue entry that surfaced item `i`, for the
    /// decision log (call with the lock held). The score is the item's label-issue score,
    /// the one that compares across queues (each queue's own ranking key does not). Model
    /// and neighbour lines are evidence for a flag, not flags. No flags for an item no
    /// loaded queue listed (a group's other members).
    private func flagging(of i: Int) -> (score: Double?, flags: [String]) {
        let score = QueueMeasure.labelIssueScore(item: i, analysis: analysis)
        guard let source = sources[i] else { return (score, []) }
        return (score, Self.flagKinds(builder.explainedReasons(for: i, in: source).map(\.kind)))
    }

    /// The kinds of flag among an entry's reasons, once each, in order: model and neighbour
    /// lines are evidence for a flag, not flags.
    package static func flagKinds(_ kinds: [FlagKind]) -> [String] {
        var flags: [String] = []
        for kind in kinds where kind != .model && kind != .neighbours && !flags.contains(kind.rawValue) { flags.append(kind.rawValue) }
        return flags
    }

    /// The store requests for a command on items (path and current labels of each).
    package static func requests(for command: DecisionCommand, items: [(path: String, labels: LabelSet?)], reviewer: String,
                         taxonomy: ClassTaxonomy) -> [DecisionRequest] {
        items.map { item in
            var action: DecisionAction
            var labels: LabelSet?
            switch command.kind {
            case .accept: action = .accept
            case .relabel(let names):
                let set = LabelSet(names, in: taxonomy)
                // Relabelling to the label it already has is accepting it.
                if item.labels == set { action = .accept } else { action = .relabel; labels = set }
            case .exclude: action = .exclude
            case .skip: action = .skip
            case .splitOff: action = .split
            }
            // One item, the next of the queue: it must still need this reviewer. A group
            // decision is deliberate, and the roles decide whether it may change others' decisions.
            return DecisionRequest(imagePath: item.path, reviewer: reviewer, action: action, labels: labels,
                                   queue: command.queue, reason: command.reason, note: command.note, mustBeOpen: items.count == 1)
        }
    }

    package func undo(items: [Int]) throws -> String {
        let paths = locked { items.map { context.items[$0].path } }
        let outcomes = try store.decide(paths.map { DecisionRequest(imagePath: $0, reviewer: reviewer, action: .undo) }, policy: policy)
        apply(outcomes, items: items)
        return Self.describeUndo(outcomes, paths: paths)
    }

    /// Takes back this reviewer's latest decision still in effect, from whichever session
    /// made it: the item returns to the queue, and redo can make the decision again.
    package func undoEarlier() throws -> EarlierUndo? {
        guard let found = try store.latestDecisionInEffect(by: reviewer) else { return nil }
        let i = found.row
        guard locked({ context.items.indices.contains(i) && context.items[i].path == found.path }) else { return nil }
        let outcomes = try store.decide([DecisionRequest(imagePath: found.path, reviewer: reviewer, action: .undo)], policy: policy)
        apply(outcomes, items: [i])
        let event = found.event
        let kind: DecisionKind
        switch event.action {
        case .accept: kind = .accept
        case .relabel: kind = .relabel(event.newLabels?.names ?? [])
        case .exclude: kind = .exclude
        case .skip: kind = .skip
        case .split: kind = .splitOff
        case .undo: return nil
        }
        let source = event.reason ?? event.queue ?? QueueName.triage.rawValue
        let slot = QueueSlot(item: i, source: QueueName(rawValue: source) != nil ? source : QueueName.triage.rawValue, score: .nan)
        locked { if let name = QueueName(rawValue: slot.source) { sources[i] = name } }
        let command = DecisionCommand(items: [i], kind: kind, queue: event.queue ?? QueueName.triage.rawValue, reason: event.reason, note: event.note)
        return EarlierUndo(slots: [slot], command: command,
                           message: Self.describeUndo(outcomes, paths: [found.path]) + " (from an earlier session)")
    }

    package static func describeUndo(_ outcomes: [DecisionOutcome], paths: [String]) -> String {
        let taken = outcomes.compactMap { $0.undone.map { "#\($0.id) \($0.action.rawValue)" } }
        return "undone: " + taken.joined(separator: ", ") + (paths.count == 1 ? " · \(TerminalText.sanitize(paths[0]))" : " · \(paths.count) images")
    }

    /// The store's new state of each item, into the in-memory copy the queues use. Applying
    /// an outcome twice changes nothing, so decisions made before this source finished
    /// loading can be replayed into it whether or not it read them.
    package func apply(_ outcomes: [DecisionOutcome], items: [Int]) {
        locked {
            var labelsChanged = false
            for (i, outcome) in zip(items, outcomes) {
                // Whether the item still needs this reviewer follows from all its reviews
                // (other reviewers' too), as the decision's transaction saw them.
                labelsChanged = update(i, to: outcome.after, consensus: policy.consensus(outcome.history)) || labelsChanged
            }
            labelsDidChange(labelsChanged)
        }
        helper?.decisionsMade(outcomes.count)
    }

    /// Brings in what other reviewers decided since this source last looked: their items'
    /// labels (the analysis follows them) and whether those still need this reviewer.
    /// Returns true when it took in a decision of another reviewer.
    @discardableResult
    package func syncWithOthers() -> Bool {
        let since = locked { seenEventID }
        guard let changes = try? store.itemsChanged(after: since) else { return false }
        let others = changes.items.contains { $0.events.contains { $0.id > (since ?? 0) && $0.reviewer != reviewer } }
        locked {
            seenEventID = changes.lastEventID ?? seenEventID
            var labelsChanged = false
            for state in changes.items {
                // The analysis' item index is the item's row (checked: an item that left the
                // dataset since this source loaded is ignored).
                guard let i = state.row, context.items.indices.contains(i), context.items[i].id == state.id else { continue }
                labelsChanged = update(i, to: state.resolution, consensus: policy.consensus(state.events)) || labelsChanged
            }
            labelsDidChange(labelsChanged)
        }
        // This session's own decisions were counted as they were made.
        helper?.decisionsMade(changes.items.count(where: { $0.events.contains { $0.id > (since ?? 0) && $0.reviewer != reviewer } }))
        return others
    }

    /// One item's new state (call with the lock held); true when its label evidence changed.
    private func update(_ i: Int, to after: ItemResolution, consensus: ReviewConsensus) -> Bool {
        let changed = updateState(i, to: after, consensus: consensus)
        if changed {
            if engine != nil { bringEngineUpToDate(item: i) } else if context.items.count > refreshLimit { changedWhileBuilding.insert(i) }
        }
        return changed
    }

    /// The incremental analysis follows the item's live label state (call with the lock held).
    private func bringEngineUpToDate(item i: Int) {
        guard engine != nil else { return }
        if engine!.input.labels[i] != input.labels[i] { engine!.setLabel(i, to: input.labels[i]) }
        if engine!.input.excluded[i] != input.excluded[i] { engine!.setExcluded(i, input.excluded[i]) }
        let splitOff = input.splitOff.contains(Int32(i))
        if engine!.input.splitOff.contains(Int32(i)) != splitOff { engine!.setSplitOff(i, splitOff) }
    }

    /// Builds the incremental analysis in the background (large projects only).
    private func startEngine() {
        guard context.items.count > refreshLimit else { return }
        let snapshot = input
        let settings = self.settings
        refreshQueue.async { [self] in
            let built = IncrementalAnalysis(snapshot, settings: settings)
            locked {
                engine = built
                for i in changedWhileBuilding { bringEngineUpToDate(item: i) }
                changedWhileBuilding = []
            }
        }
    }

    private func updateState(_ i: Int, to after: ItemResolution, consensus: ReviewConsensus) -> Bool {
        let before = context.items[i].resolution
        var labelsChanged = false
        context.items[i].resolution = after
        context.items[i].consensus = consensus
        decided[i] = AnalysisSession.isSettled(consensus, for: reviewer)
        skipped[i] = after.status == .skipped
        let label = after.labels?.first.flatMap { taxonomy.position(of: $0) }.map(Int32.init) ?? -1
        if context.multiLabel == false, input.labels[i] != label { input.labels[i] = label; labelsChanged = true }
        if input.excluded[i] != after.isExcluded { input.excluded[i] = after.isExcluded; labelsChanged = true }
        if before.isSplitOff != after.isSplitOff {
            if after.isSplitOff { input.splitOff.insert(Int32(i)) } else { input.splitOff.remove(Int32(i)) }
            labelsChanged = true
        }
        return labelsChanged
    }

    /// Re-analyses after label changes (call with the lock held): at once for small projects,
    /// in the background above `synchronousRefreshLimit`. The queues are rebuilt when the
    /// next one is loaded (the screen drops decided items itself).
    private func labelsDidChange(_ labelsChanged: Bool) {
        if labelsChanged && context.items.count <= refreshLimit {
            analysis = LabelAnalysis(input, settings: settings)
        } else if labelsChanged {
            scheduleRefresh()
        }
        queuesStale = true
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
            // From the incremental analysis when it is built (the fused scores, ~150 ms at 1M
            // items, are all that is left to compute), else a full analysis (seconds).
            let current = locked { engine }
            let fresh = current?.analysis ?? LabelAnalysis(snapshot, settings: settings)
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
    package func waitForRefresh() { refreshQueue.sync {} }

    // MARK: - The helper model (HelperRetrainer.swift)

    package func observeQueueChanges(_ changed: @escaping @Sendable () -> Void) { locked { queuesChanged = changed } }

    /// The helper's training labels and weights as the review stands now.
    package func helperTraining() -> (labels: [Int32], weights: [Float]) {
        locked { HelperEvidence.training(input: input, items: context.items) }
    }

    /// A retrained helper's probabilities into the analysis (replacing the helper model's,
    /// or added when it had none): at once for small projects, else the incremental
    /// analysis is built again behind the screen with decisions made meanwhile brought in.
    /// Then the screen is told to refresh its queue (keeping the reviewer's place, as for
    /// others' decisions).
    package func installHelper(_ values: [Float], name: String) {
        let notify = locked { () -> (@Sendable () -> Void)? in
            guard values.count == input.count * input.classes.count else { return nil }
            if let index = input.models.firstIndex(where: { $0.name == name }) { input.models[index].values = values } else {
                input.models.append(ModelProbabilities(name: name, values: values))
            }
            guard context.items.count > refreshLimit else {
                analysis = LabelAnalysis(input, settings: settings)
                queuesStale = true
                retrainedSinceLook = true
                return queuesChanged
            }
            generation += 1
            let snapshot = input, settings = self.settings
            refreshQueue.async { [self] in
                let built = IncrementalAnalysis(snapshot, settings: settings)
                let current = locked { () -> IncrementalAnalysis in
                    engine = built
                    for i in 0..<input.count where built.input.labels[i] != input.labels[i] || built.input.excluded[i] != input.excluded[i]
                        || built.input.splitOff.contains(Int32(i)) != input.splitOff.contains(Int32(i)) {
                        bringEngineUpToDate(item: i)
                    }
                    return engine!
                }
                let fresh = current.analysis
                let notify = locked { () -> (@Sendable () -> Void)? in
                    analysis = fresh
                    rebuildQueues()
                    retrainedSinceLook = true
                    return queuesChanged
                }
                notify?()
            }
            return nil
        }
        notify?()
    }

    package static func describe(_ outcomes: [DecisionOutcome], command: DecisionCommand, paths: [String]) -> String {
        guard let first = outcomes.first else { return "nothing saved" }
        let s = TerminalText.sanitize
        if outcomes.count == 1 {
            return DecisionText.describe(first, image: paths.first ?? "", showReviewer: false)
        }
        let ids = "#\(outcomes.first!.event.id)–#\(outcomes.last!.event.id)"
        switch command.kind {
        case .relabel(let names): return "saved \(outcomes.count) decisions \(ids): the group is now \(s(names.joined(separator: ", ")))"
        default: return "saved \(outcomes.count) decisions \(ids): \(command.kind.verb)"
        }
    }

    // MARK: - Leases

    package func hold(items: [Int], queue: String) throws -> [Int: Unavailable] {
        guard let leases else { return [:] }
        let window = locked { items.filter { context.items.indices.contains($0) }.map { (index: $0, id: context.items[$0].id) } }
        return try leases.hold(window, queue: queue)
    }

    package func close() { leases?.close() }

    // MARK: - Quick start

    /// The queue as this analysis orders it, with the details of its first entries, for
    /// the next review to start from (see `QueueSnapshot`).
    package func snapshot(of queue: QueueName, key: String) throws -> QueueSnapshot {
        let (entries, ids) = locked { () -> ([QueueSlot], [Int64]) in
            if queuesStale { rebuildQueues() }
            // Every reviewer starts from the same saved queue: items settled for everybody
            // leave it, not those only this reviewer has reviewed (the quick start leaves
            // out each reviewer's own).
            let shared = policy.reviewsPerItem > 1
                ? makeBuilder(decided: context.items.map { AnalysisSession.isSettled($0.consensus, for: nil) }) : builder
            let order = shared.order(queue)
            return (order.map { QueueSlot(item: $0.item, source: $0.source.rawValue, score: $0.score) }, order.map { context.items[$0.item].id })
        }
        // Reasons are explained by the sub-queue that surfaced each item, as on screen.
        let first = Array(entries.prefix(QueueSnapshot.savedDetails))
        locked { for slot in first { sources[slot.item] = QueueName(rawValue: slot.source) } }
        let details = try self.details(of: first.map(\.item), asShown: false)
        let saved = locked {
            details.map { d in
                QueueSnapshot.SavedDetails(itemID: context.items[d.item].id, details: d,
                                           memberIDs: d.component?.members.map { context.items[$0].id } ?? [])
            }
        }
        return QueueSnapshot(key: key, queue: queue.rawValue, itemCount: count, lastEventID: locked { context.lastEventID },
                             slots: entries, itemIDs: ids, details: saved)
    }

    /// Takes over a queue another source handed out (the quick start's), so reasons are
    /// explained by the sub-queue that surfaced each item on screen.
    package func adopt(_ slots: [QueueSlot]) {
        locked {
            for slot in slots where sources.indices.contains(slot.item) {
                sources[slot.item] = QueueName(rawValue: slot.source)
                scores[slot.item] = slot.score
            }
        }
    }

    // MARK: - Neighbours, stats, images

    package func similar(to item: Int) throws -> [SimilarItem] {
        locked {
            guard let graph else { return [] }
            return graph.neighbours(of: item).filter { $0.id >= 0 }.map { n in
                let other = context.items[n.id]
                return SimilarItem(item: n.id, path: other.path, label: other.resolution.labels?.names.joined(separator: ", ") ?? "(none)",
                                   similarity: Double(n.similarity))
            }
        }
    }

    package func stats() throws -> ReviewStats {
        // Counted without loading a queue: that would change which sub-queue's reasons the
        // items on screen are explained with.
        let counts = locked { () -> [String: Int] in
            if queuesStale { rebuildQueues() }
            return openCounts(known: [.triage: builder.count(.triage)], held: [])
        }
        return ReviewStats(sections: try StatsReport.make(store: store, project: "", openCounts: counts).sections())
    }

    package func imagePath(of item: Int) -> String {
        locked { context.datasetRoot + "/images/" + context.items[item].path }
    }

    package func markImageProblem(item: Int, message: String) {
        let path = locked { () -> String in
            context.items[item].problem = message
            problems[item] = message
            queuesStale = true
            return context.items[item].path
        }
        try? store.markProblem(imagePath: path, problem: message)
    }
}
