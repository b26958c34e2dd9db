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
    /// Counts the analyses installed; `behindScreenVersion` is the newest one installed
    /// without a decision of the screen's own behind it (a background re-analysis, a
    /// retrained helper): the screen has not read its facts over that one yet.
    private(set) var analysisVersion = 0
    private var behindScreenVersion = 0
    /// The queue last handed out to the screen: its items in order, the sub-queue of each,
    /// and the analysis it was ranked over. A re-rank that leaves it as it is needs no refresh.
    private var handedOut: (queue: QueueName, items: [Int], sources: [QueueName], version: Int)?

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

    /// The queues as ranked now and the analysis they were ranked over: a value, read
    /// outside the lock (later changes to the model do not reach it).
    mutating func rankedQueues() -> (builder: QueueBuilder, version: Int) { (current(), analysisVersion) }

    /// The items with these ids (the ones other sessions hold), to leave out of a queue.
    func items(withIDs ids: Set<Int64>) -> Set<Int> {
        guard !ids.isEmpty else { return [] }
        return Set(context.items.indices.filter { ids.contains(context.items[$0].id) })
    }

    /// `queue`'s entries in order over `builder`, the items in `held` left out.
    static func order(_ queue: QueueName, in builder: QueueBuilder, leavingOut held: Set<Int>) -> [QueueEntry] {
        var entries = builder.order(queue)
        if !held.isEmpty { entries.removeAll { held.contains($0.item) } }
        return entries
    }

    /// A queue's entries in order, items in `held` (other sessions') left out, handed out
    /// (`handOut`) in one go: for callers holding the model anyway. The review source ranks
    /// outside its lock instead (`StoreReviewSource.handOut`).
    mutating func order(_ queue: QueueName, leavingOut held: Set<Int64>) -> [QueueEntry] {
        let ranked = rankedQueues()
        let entries = Self.order(queue, in: ranked.builder, leavingOut: items(withIDs: held))
        _ = handOut(queue, entries, version: ranked.version)
        return entries
    }

    /// `entries`, ranked over analysis `version`, go to the screen as `queue`: remembered
    /// as the sub-queue that surfaced each item and as the order the screen shows. Returns
    /// false when the screen shows that order already (the entries last handed out, less
    /// those this session decided since, which the screen dropped itself) and has read its
    /// facts over this analysis: a refresh would change nothing there.
    mutating func handOut(_ queue: QueueName, _ entries: [QueueEntry], version: Int) -> Bool {
        for entry in entries { surfacedBy[entry.item] = entry.source }
        defer { handedOut = (queue, entries.map(\.item), entries.map(\.source), version) }
        guard let last = handedOut, last.queue == queue, last.version >= behindScreenVersion, version >= behindScreenVersion else { return true }
        var listed = [Bool](repeating: false, count: count)
        for entry in entries where contains(entry.item) { listed[entry.item] = true }
        var next = 0
        for (item, source) in zip(last.items, last.sources) where contains(item) && listed[item] {
            guard next < entries.count, entries[next].item == item, entries[next].source == source else { return true }
            next += 1
        }
        return next != entries.count
    }

    /// Takes over who surfaced an item from a queue handed out elsewhere (the quick start's,
    /// an earlier session's undo).
    mutating func surfaced(_ i: Int, by queue: QueueName?) {
        guard surfacedBy.indices.contains(i), let queue else { return }
        surfacedBy[i] = queue
    }

    /// Open entries per queue as `order` hands them out (items in `held` left out), over
    /// `builder` (from `rankedQueues`). Counting every queue re-ranks the dataset once per
    /// queue: done outside the lock, and only up to `countLimit` items (the switcher and the
    /// stats view show them); above, only `known`.
    static func openCounts(_ builder: QueueBuilder, known: [QueueName: Int], held: Set<Int>, countLimit: Int) -> [String: Int] {
        var counts = Dictionary(uniqueKeysWithValues: known.map { ($0.key.rawValue, $0.value) })
        if builder.input.count <= countLimit {
            for queue in QueueName.allCases where known[queue] == nil {
                counts[queue.rawValue] =
                    held.isEmpty ? builder.count(queue) : builder.order(queue).reduce(0) { $0 + (held.contains($1.item) ? 0 : 1) }
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
    /// `behindScreen`: not computed before a decision of the screen's own returned (which
    /// has the screen read its facts again), so the screen must be told.
    mutating func install(_ fresh: LabelAnalysis, behindScreen: Bool) {
        analysis = fresh
        queuesStale = true
        analysisVersion += 1
        if behindScreen { behindScreenVersion = analysisVersion }
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
