import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowNeighbours
import WinnowStore
import WinnowUI

/// The review screen's view of a project: queues and signals from the analysis, labels
/// and decisions from the store. It wires the pieces that do the work, each with one job:
/// `ReviewState` owns the live review state (`ReviewModel`: labels, analysis, ranked
/// queues), `ItemFacts` reads an item's facts from it, `DecisionRequests` turns commands
/// into store requests and outcomes into words, `AnalysisRefresher` keeps the analysis
/// following the labels and `QueueChangeSignal` tells the screen when the queue's order
/// changed without a key; `LeaseSession` holds items.
///
/// A decision: requests from the state → the store's transaction → the outcomes into the
/// state → a fresh analysis (at once, or in the background) → the screen told to re-read
/// its queue.
package final class StoreReviewSource: ReviewDataSource, @unchecked Sendable {
    private let store: any ProjectStoring
    private let reviewer: String
    private let state: ReviewState
    private let facts: ItemFacts
    private let refresher: AnalysisRefresher
    /// Raised when relabels re-ranked the queues, and when a retrained helper did.
    private let reRanked = QueueChangeSignal()
    private let retrained = QueueChangeSignal()
    private let graph: NeighbourGraph?
    private let datasetRoot: String
    /// Up to this many items the analysis is recomputed before a decision returns (a few
    /// milliseconds); above it, in the background, so a decision never waits for it.
    package static let synchronousRefreshLimit = 20_000
    /// `synchronousRefreshLimit`, lower in tests of the large-project path.
    package let refreshLimit: Int
    /// Who may do what, how many reviews an item needs.
    package let policy: TeamPolicy
    /// This session's holds on items (nil: leases are not used, as in benchmarks).
    package let leases: LeaseSession?
    package let taxonomy: ClassTaxonomy
    package let classes: [String]
    package let multiLabel: Bool
    package let count: Int
    /// The newest decision the loaded project included.
    package let lastEventID: Int64?
    /// Retrains the helper model as decisions come in (HelperRetrainer.swift); nil without one.
    package private(set) var helper: HelperRetrainer?

    /// `graph`: the neighbour graph, also when it comes from image features and so is not
    /// label evidence (`input.neighbours` is nil then): "more like this" still uses it.
    package init(
        session: AnalysisSession, input: AnalysisInput, analysis: LabelAnalysis, builder: QueueBuilder, graph: NeighbourGraph?,
        reviewer: String, leases: LeaseSession? = nil, refreshLimit: Int = StoreReviewSource.synchronousRefreshLimit
    ) throws {
        self.refreshLimit = refreshLimit
        store = session.project.store
        policy = session.config.team
        self.leases = leases
        self.graph = graph
        self.reviewer = reviewer
        facts = ItemFacts(policy: session.config.team, metadataColumns: try session.project.store.metadataColumns())
        taxonomy = ClassTaxonomy(session.context.classes)
        classes = session.context.classes
        multiLabel = session.context.multiLabel
        count = session.context.items.count
        lastEventID = session.context.lastEventID
        datasetRoot = session.context.datasetRoot
        state = ReviewState(
            ReviewModel(
                context: session.context, input: input, analysis: analysis, builder: builder,
                reviewer: reviewer, refreshLimit: refreshLimit))
        refresher = AnalysisRefresher(
            state: state, settings: session.settings(), refreshLimit: refreshLimit, reRanked: reRanked, retrained: retrained)
    }

    /// Loads and analyses the project (the neighbour graph comes from its cache) and
    /// builds the queues: everything the review screen needs before its first frame.
    package static func open(
        _ project: Project, reviewer: String, stratifyBy: String?, leases: LeaseSession? = nil,
        refreshLimit: Int = StoreReviewSource.synchronousRefreshLimit,
        progress: any ProgressReporter = TerminalProgress()
    ) throws -> StoreReviewSource {
        let session = try AnalysisSession(project, progress: progress)
        let graph = try session.neighbourGraph()?.graph
        let input = try session.input(graph: graph)
        let analysis = LabelAnalysis(input, settings: session.settings())
        let builder = try session.queueBuilder(analysis, input: input, stratifyBy: stratifyBy ?? project.config.stratifyBy, reviewer: reviewer)
        let source = try StoreReviewSource(
            session: session, input: input, analysis: analysis, builder: builder, graph: graph,
            reviewer: reviewer, leases: leases, refreshLimit: refreshLimit)
        source.refresher.start()
        source.helper = HelperRetrainer.start(for: source, session: session, input: input)
        return source
    }

    // MARK: - Queues

    package func queue(named name: String) throws -> (slots: [QueueSlot], counts: [String: Int]) {
        guard let queue = QueueName(rawValue: name) else { throw SessionError(.badRequest, UnknownQueue(name: name).description) }
        // Other reviewers may have decided items since: a queue is handed out current.
        syncWithOthers()
        // Items other sessions hold are theirs: never shown here at the same time.
        let held = heldByOthers()
        return state.write { model in
            model.lastHeldByOthers = held
            let entries = model.order(queue, leavingOut: held)
            return (
                entries.map { QueueSlot(item: $0.item, source: $0.source.rawValue, score: $0.score) },
                model.openCounts(known: [queue: entries.count], held: held, countLimit: Self.countLimit)
            )
        }
    }

    private func heldByOthers() -> Set<Int64> { Set(leases?.heldByOthers().keys ?? [:].keys) }

    /// Above this many items queues are counted (and refreshed for others' changes) only
    /// when opened: re-ranking every queue takes seconds there.
    package static let countLimit = 200_000

    /// Open entries of every queue now, others' latest decisions included.
    package func queueCounts() throws -> [String: Int] {
        syncWithOthers()
        let held = heldByOthers()
        return state.write { model in
            model.lastHeldByOthers = held
            return model.openCounts(known: [:], held: held, countLimit: Self.countLimit)
        }
    }

    /// The queue again when another session decided, released or took items since this
    /// source last looked; nil when nothing of theirs changed (this session's own writes
    /// wake the watcher too).
    /// Also the queue again after the queues were ranked over a fresh analysis without a key
    /// (this session's relabels analysed in the background, a retrained helper): at any
    /// size, as that happens at most once per decision.
    package func refreshedQueue(named name: String) throws -> (slots: [QueueSlot], counts: [String: Int])? {
        let retrainedSinceLook = retrained.take()
        let reRankedSinceLook = reRanked.take() || retrainedSinceLook
        guard count <= Self.countLimit || reRankedSinceLook else { return nil }
        let heldBefore = state.read { $0.lastHeldByOthers }
        // Takes in every decision since the last look (this session's own too, so the next
        // look starts after them), and says whether any was another reviewer's.
        let decided = syncWithOthers()
        guard decided || heldByOthers() != heldBefore || reRankedSinceLook else { return nil }
        return try queue(named: name)
    }

    // MARK: - Details

    package func details(of items: [Int]) throws -> [ItemDetails] { try details(of: items, asShown: true) }

    /// `asShown`: as this reviewer may see them (blind review hides others' decisions);
    /// false for what is saved for every reviewer's next start (the saved queue).
    package func details(of items: [Int], asShown: Bool) throws -> [ItemDetails] {
        let ids = state.read { model in items.filter(model.contains).map(model.id) }
        let annotations = try store.annotations(ofItems: ids)
        return state.read { model in
            items.filter(model.contains).map { facts.details(of: $0, in: model, annotations: annotations, asShown: asShown) }
        }
    }

    // MARK: - Decisions

    package func decide(_ command: DecisionCommand) throws -> (eventIDs: [Int64], message: String) {
        let requests = state.read { DecisionRequests.prepare(command, in: $0, facts: facts) }
        let outcomes = try DecisionRequests.unavailableIfTaken(command.items) { try store.decide(requests, policy: policy) }
        apply(outcomes, items: command.items)
        return (outcomes.map(\.event.id), DecisionRequests.describe(outcomes, command: command, paths: requests.map(\.imagePath)))
    }

    /// The kinds of flag among an entry's reasons (`winnow decide` logs them too).
    package static func flagKinds(_ kinds: [FlagKind]) -> [String] { DecisionRequests.flagKinds(kinds) }

    package func undo(items: [Int]) throws -> String {
        let paths = state.read { model in items.map { model.context.items[$0].path } }
        let outcomes = try store.decide(paths.map { DecisionRequest(imagePath: $0, reviewer: reviewer, action: .undo) }, policy: policy)
        apply(outcomes, items: items)
        return DecisionRequests.describeUndo(outcomes, paths: paths)
    }

    /// Takes back this reviewer's latest decision still in effect, from whichever session
    /// made it: the item returns to the queue, and redo can make the decision again.
    package func undoEarlier() throws -> EarlierUndo? {
        guard let found = try store.latestDecisionInEffect(by: reviewer) else { return nil }
        let i = found.row
        guard state.read({ $0.contains(i) && $0.context.items[i].path == found.path }) else { return nil }
        let outcomes = try store.decide([DecisionRequest(imagePath: found.path, reviewer: reviewer, action: .undo)], policy: policy)
        apply(outcomes, items: [i])
        guard let redo = DecisionRequests.redo(of: found.event, item: i) else { return nil }
        state.write { $0.surfaced(i, by: QueueName(rawValue: redo.slot.source)) }
        return EarlierUndo(
            slots: [redo.slot], command: redo.command,
            message: DecisionRequests.describeUndo(outcomes, paths: [found.path]) + " (from an earlier session)")
    }

    /// The store's new state of each item, into the live review state. Applying an outcome
    /// twice changes nothing, so decisions made before this source finished loading can be
    /// replayed into it whether or not it read them.
    package func apply(_ outcomes: [DecisionOutcome], items: [Int]) {
        let labelsChanged = state.write { model in
            // Whether the item still needs this reviewer follows from all its reviews
            // (other reviewers' too), as the decision's transaction saw them.
            zip(items, outcomes).reduce(false) { changed, pair in
                model.update(pair.0, to: pair.1.after, consensus: policy.consensus(pair.1.history)) || changed
            }
        }
        // The re-ranked queue reaches the screen by itself once the analysis is fresh.
        if labelsChanged { refresher.labelsChanged() }
        helper?.decisionsMade(outcomes.count)
    }

    /// Brings in what other reviewers decided since this source last looked: their items'
    /// labels (the analysis follows them) and whether those still need this reviewer.
    /// Returns true when it took in a decision of another reviewer.
    @discardableResult
    package func syncWithOthers() -> Bool {
        let since = state.read { $0.seenEventID }
        guard let changes = try? store.itemsChanged(after: since) else { return false }
        let byOthers = changes.items.count(where: { $0.events.contains { $0.id > (since ?? 0) && $0.reviewer != reviewer } })
        let labelsChanged = state.write { model in
            model.seenEventID = changes.lastEventID ?? model.seenEventID
            var labelsChanged = false
            for item in changes.items {
                // The analysis' item index is the item's row (checked: an item that left the
                // dataset since this source loaded is ignored).
                guard let i = item.row, model.contains(i), model.id(of: i) == item.id else { continue }
                labelsChanged = model.update(i, to: item.resolution, consensus: policy.consensus(item.events)) || labelsChanged
            }
            return labelsChanged
        }
        // The caller reads the queue next: no need to announce an analysis done at once.
        if labelsChanged { refresher.labelsChanged(announce: false) }
        // This session's own decisions were counted as they were made.
        helper?.decisionsMade(byOthers)
        return byOthers > 0
    }

    /// Waits for a background re-analysis to finish (benchmarks, tests).
    package func waitForRefresh() { refresher.wait() }

    // MARK: - The helper model (HelperRetrainer.swift)

    /// A retrained helper re-ranked the queues.
    package func observeQueueChanges(_ changed: @escaping @Sendable () -> Void) { retrained.observe(changed) }

    /// This session's relabels re-ranked the queues (others' too, when analysed in the background).
    package func observeReRanking(_ changed: @escaping @Sendable () -> Void) { reRanked.observe(changed) }

    /// The helper's training labels and weights as the review stands now.
    package func helperTraining() -> (labels: [Int32], weights: [Float]) {
        state.read { HelperEvidence.training(input: $0.input, items: $0.context.items) }
    }

    /// A retrained helper's probabilities into the analysis; then the screen is told to
    /// refresh its queue (keeping the reviewer's place, as for others' decisions).
    package func installHelper(_ values: [Float], name: String) {
        guard state.write({ $0.setModel(values, name: name) }) else { return }
        refresher.modelsChanged()
    }

    // MARK: - Leases

    package func hold(items: [Int], queue: String) throws -> [Int: Unavailable] {
        guard let leases else { return [:] }
        let window = state.read { model in items.filter(model.contains).map { (index: $0, id: model.id(of: $0)) } }
        return try leases.hold(window, queue: queue)
    }

    package func close() { leases?.close() }

    // MARK: - Quick start

    /// The queue as this analysis orders it, with the details of its first entries, for
    /// the next review to start from (see `QueueSnapshot`).
    package func snapshot(of queue: QueueName, key: String) throws -> QueueSnapshot {
        let (entries, ids) = state.write { model -> ([QueueSlot], [Int64]) in
            // Every reviewer starts from the same saved queue: items settled for everybody
            // leave it, not those only this reviewer has reviewed (the quick start leaves
            // out each reviewer's own).
            let shared =
                policy.reviewsPerItem > 1
                ? model.makeBuilder(decided: model.context.items.map { AnalysisSession.isSettled($0.consensus, for: nil) }) : model.current()
            let order = shared.order(queue)
            return (order.map { QueueSlot(item: $0.item, source: $0.source.rawValue, score: $0.score) }, order.map { model.id(of: $0.item) })
        }
        // Reasons are explained by the sub-queue that surfaced each item, as on screen.
        let first = Array(entries.prefix(QueueSnapshot.savedDetails))
        adopt(first)
        let details = try self.details(of: first.map(\.item), asShown: false)
        let saved = state.read { model in
            details.map { d in
                QueueSnapshot.SavedDetails(
                    itemID: model.id(of: d.item), details: d,
                    memberIDs: d.component?.members.map { model.id(of: $0) } ?? [])
            }
        }
        return QueueSnapshot(
            key: key, queue: queue.rawValue, itemCount: count, lastEventID: lastEventID,
            slots: entries, itemIDs: ids, details: saved)
    }

    /// Takes over a queue another source handed out (the quick start's), so reasons are
    /// explained by the sub-queue that surfaced each item on screen.
    package func adopt(_ slots: [QueueSlot]) {
        state.write { model in for slot in slots { model.surfaced(slot.item, by: QueueName(rawValue: slot.source)) } }
    }

    // MARK: - Neighbours, stats, images

    package func similar(to item: Int) throws -> [SimilarItem] {
        guard let graph else { return [] }
        return state.read { model in
            graph.neighbours(of: item).filter { $0.id >= 0 }.map { n in
                let other = model.context.items[n.id]
                return SimilarItem(
                    item: n.id, path: other.path, label: other.resolution.labels?.names.joined(separator: ", ") ?? "(none)",
                    similarity: Double(n.similarity))
            }
        }
    }

    package func stats() throws -> ReviewStats {
        // Counted without loading a queue: that would change which sub-queue's reasons the
        // items on screen are explained with.
        let counts = state.write { model in
            model.openCounts(known: [.triage: model.current().count(.triage)], held: [], countLimit: Self.countLimit)
        }
        return ReviewStats(sections: try StatsReport.make(store: store, project: "", openCounts: counts).sections())
    }

    package func imagePath(of item: Int) -> String {
        datasetRoot + "/images/" + state.read { $0.context.items[item].path }
    }

    package func markImageProblem(item: Int, message: String) {
        let path = state.read { $0.context.items[item].path }
        // Recorded for every host only when it is the image's, not this copy's (`HostCopy`);
        // shown here either way, as this host's when it is.
        let ofItem = HostCopy.recordsProblem(of: datasetRoot + "/images/" + path, sharedStore: store.isShared)
        state.write { model in model.markProblem(item, ofItem ? message : "this host's copy: " + message) }
        guard ofItem else { return }
        try? store.markProblem(imagePath: path, problem: message)
    }
}
