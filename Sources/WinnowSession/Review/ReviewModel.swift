import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowStore

/// The session's live review state: every item's labels and reviews, the analysis over
/// them, and the queues ranked from both. The one copy on the session side; the screen's
/// `AppState.queue` is its view of the queue on screen. A plain value: `ReviewState` owns
/// the one instance and hands it out only under its lock, so nothing here needs a lock
/// or a "call with the lock held" rule.
struct ReviewModel {
    var context: AnalysisContext
    /// The label evidence the analysis reads (follows every decision).
    var input: AnalysisInput
    var analysis: LabelAnalysis
    /// The queues as last ranked; `queuesStale` says they must be ranked again first.
    private(set) var builder: QueueBuilder
    private(set) var queuesStale = false
    /// The builder's inputs, kept per item so a decision updates one entry instead of
    /// rebuilding million-element arrays from `context.items`.
    private var decided: [Bool]
    private var skipped: [Bool]
    private var problems: [String?]
    /// The sub-queue that surfaced each item in the last queue handed out (for its reasons
    /// and the decision log).
    private(set) var surfacedBy: [QueueName?]
    let reviewer: String
    let taxonomy: ClassTaxonomy
    /// Above `refreshLimit` items: the analysis kept up to date decision by decision (about a
    /// millisecond each at 1M items), built in the background after opening; nil until then.
    /// `changedWhileBuilding` are the items whose labels changed meanwhile, brought into it
    /// when it is installed.
    private(set) var engine: IncrementalAnalysis?
    private var changedWhileBuilding: Set<Int> = []
    let refreshLimit: Int
    /// The newest decision taken in (this session's and other reviewers'), and the items
    /// other sessions held when this session last looked.
    var seenEventID: Int64?
    var lastHeldByOthers: Set<Int64> = []

    init(context: AnalysisContext, input: AnalysisInput, analysis: LabelAnalysis, builder: QueueBuilder, reviewer: String, refreshLimit: Int) {
        self.refreshLimit = refreshLimit
        seenEventID = context.lastEventID
        self.context = context
        self.input = input
        self.analysis = analysis
        self.builder = builder
        self.reviewer = reviewer
        taxonomy = ClassTaxonomy(context.classes)
        surfacedBy = Array(repeating: nil, count: context.items.count)
        decided = builder.decided
        skipped = builder.skipped
        problems = builder.problems
        // Images the analysis found undecodable just now are problems of their items here too.
        for i in self.context.items.indices where self.context.items[i].problem == nil { self.context.items[i].problem = builder.problems[i] }
    }

    var count: Int { context.items.count }
    func contains(_ i: Int) -> Bool { context.items.indices.contains(i) }
    func id(of i: Int) -> Int64 { context.items[i].id }

    // MARK: - Queues

    /// The queues over the current analysis and review state.
    mutating func current() -> QueueBuilder {
        if queuesStale {
            builder = makeBuilder(decided: decided)
            queuesStale = false
        }
        return builder
    }

    /// Queues over the current analysis with `decided` items left out.
    func makeBuilder(decided: [Bool]) -> QueueBuilder {
        var made = QueueBuilder(
            analysis: analysis, input: input, problems: problems, strata: builder.strata,
            decided: decided, skipped: skipped, settings: builder.settings)
        made.disputed = context.items.indices.filter { context.items[$0].consensus.state == .disputed }
        made.quality = builder.quality
        made.multiLabel = builder.multiLabel // as opened: not refreshed by this session's decisions
        made.crowd = builder.crowd
        return made
    }

    /// A queue's entries in order, items in `held` (other sessions') left out; remembered
    /// as the sub-queue that surfaced each item.
    mutating func order(_ queue: QueueName, leavingOut held: Set<Int64>) -> [QueueEntry] {
        var entries = current().order(queue)
        if !held.isEmpty { entries.removeAll { held.contains(context.items[$0.item].id) } }
        for entry in entries { surfacedBy[entry.item] = entry.source }
        return entries
    }

    /// Takes over who surfaced an item from a queue handed out elsewhere (the quick start's,
    /// an earlier session's undo).
    mutating func surfaced(_ i: Int, by queue: QueueName?) {
        guard surfacedBy.indices.contains(i), let queue else { return }
        surfacedBy[i] = queue
    }

    /// Open entries per queue as `order` hands them out. Counting every queue re-ranks the
    /// dataset once per queue: cheap below `countLimit` items, so the switcher and the stats
    /// view can show them; above, only `known`.
    mutating func openCounts(known: [QueueName: Int], held: Set<Int64>, countLimit: Int) -> [String: Int] {
        let builder = current()
        var counts = Dictionary(uniqueKeysWithValues: known.map { ($0.key.rawValue, $0.value) })
        if count <= countLimit {
            for queue in QueueName.allCases where known[queue] == nil {
                counts[queue.rawValue] =
                    held.isEmpty
                    ? builder.count(queue)
                    : builder.order(queue).reduce(0) { $0 + (held.contains(context.items[$1.item].id) ? 0 : 1) }
            }
        }
        return counts
    }

    // MARK: - Review state

    /// One item's new state from the store; true when its label evidence changed (the
    /// analysis must follow). The queues are ranked again before the next is handed out.
    mutating func update(_ i: Int, to after: ItemResolution, consensus: ReviewConsensus) -> Bool {
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
        queuesStale = true
        if labelsChanged {
            if engine != nil { bringEngineUpToDate(item: i) } else if count > refreshLimit { changedWhileBuilding.insert(i) }
        }
        return labelsChanged
    }

    /// The incremental analysis follows the item's live label state.
    private mutating func bringEngineUpToDate(item i: Int) {
        guard engine != nil else { return }
        if engine!.input.labels[i] != input.labels[i] { engine!.setLabel(i, to: input.labels[i]) }
        if engine!.input.excluded[i] != input.excluded[i] { engine!.setExcluded(i, input.excluded[i]) }
        let splitOff = input.splitOff.contains(Int32(i))
        if engine!.input.splitOff.contains(Int32(i)) != splitOff { engine!.setSplitOff(i, splitOff) }
    }

    /// An incremental analysis built in the background from an earlier `input`: the labels
    /// changed since are brought into it (`everyItem`: compared item by item, when it was
    /// built for other models rather than from the first load).
    mutating func installEngine(_ built: IncrementalAnalysis, everyItem: Bool = false) {
        engine = built
        if everyItem {
            for i in 0..<input.count
            where built.input.labels[i] != input.labels[i] || built.input.excluded[i] != input.excluded[i]
                || built.input.splitOff.contains(Int32(i)) != input.splitOff.contains(Int32(i))
            {
                bringEngineUpToDate(item: i)
            }
        } else {
            for i in changedWhileBuilding { bringEngineUpToDate(item: i) }
        }
        changedWhileBuilding = []
    }

    /// A retrained helper's probabilities into the evidence (replacing the helper model's,
    /// or added when it had none); false when they do not fit the dataset.
    mutating func setModel(_ values: [Float], name: String) -> Bool {
        guard values.count == input.count * input.classes.count else { return false }
        if let index = input.models.firstIndex(where: { $0.name == name }) {
            input.models[index].values = values
        } else {
            input.models.append(ModelProbabilities(name: name, values: values))
        }
        return true
    }

    mutating func markProblem(_ i: Int, _ message: String) {
        context.items[i].problem = message
        problems[i] = message
        queuesStale = true
    }

    /// A fresh analysis (after relabels, or a retrained helper): the queues follow it.
    mutating func install(_ fresh: LabelAnalysis) {
        analysis = fresh
        queuesStale = true
    }

    /// The score and the kinds of flag of the queue entry that surfaced item `i`, for the
    /// decision log. The score is the item's label-issue score, the one that compares
    /// across queues (each queue's own ranking key does not). No flags for an item no
    /// queue handed out listed (a group's other members). From the queues as last ranked:
    /// ranking again is not the decision's work.
    func flagging(of i: Int) -> (score: Double?, flags: [String]) {
        let score = QueueMeasure.labelIssueScore(item: i, analysis: analysis)
        guard let source = surfacedBy[i] else { return (score, []) }
        return (score, DecisionRequests.flagKinds(builder.explainedReasons(for: i, in: source).map(\.kind)))
    }
}
