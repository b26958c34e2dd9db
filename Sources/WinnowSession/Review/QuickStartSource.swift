import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowStore
import WinnowUI

/// The review screen's first seconds: the saved queue (`QueueSnapshot`) brought up to date
/// with the decisions made since it was saved, and the saved details of its first entries
/// with each item's current state read from the store. It answers only what it knows
/// (nil otherwise); `DeferredReviewSource` asks the full analysis for the rest.
package final class QuickStartSource: @unchecked Sendable {
    package let queueName: String
    package let slots: [QueueSlot]
    /// The newest decision the saved queue reflected, and the newest `slots` reflect.
    package let snapshotEventID: Int64?
    package let lastEventID: Int64?
    private let store: any ProjectStoring
    private let reviewer: String
    private let taxonomy: ClassTaxonomy
    private let multiLabel: Bool
    private let imagesRoot: String
    private let saved: [Int: QueueSnapshot.SavedDetails]
    private let policy: TeamPolicy
    private let leases: LeaseSession?
    private let lock = NSLock()
    /// Items with decisions after the snapshot (read at start, then this session's).
    private var changed: Set<Int64>

    /// The saved queue `name` when it still matches the project (`key`), else nil.
    package static func open(project: Project, queue name: String, key: String, reviewer: String, leases: LeaseSession? = nil) throws
        -> QuickStartSource?
    {
        let path = QueueSnapshot.path(stateDirectory: project.store.stateDirectory, queue: name)
        guard let snapshot = QueueSnapshot.read(from: path), snapshot.header.key == key, snapshot.header.queue == name else { return nil }
        return try QuickStartSource(snapshot: snapshot, project: project, reviewer: reviewer, leases: leases)
    }

    package init(snapshot: QueueSnapshot, project: Project, reviewer: String, leases: LeaseSession?) throws {
        store = project.store
        self.reviewer = reviewer
        self.leases = leases
        policy = project.config.team
        taxonomy = try store.taxonomy()
        multiLabel = try store.isMultiLabel()
        imagesRoot = project.root + "/images/"
        queueName = snapshot.header.queue
        saved = Dictionary(snapshot.header.details.map { ($0.details.item, $0) }, uniquingKeysWith: { first, _ in first })
        let since = try store.itemsChanged(after: snapshot.header.lastEventID)
        snapshotEventID = snapshot.header.lastEventID
        lastEventID = since.lastEventID
        changed = Set(since.items.map(\.id))
        // Settled since (for this reviewer): out of the queue; skipped since: back at its end,
        // as the analysis would put them. Items other sessions hold are theirs.
        var settled = Set<Int64>()
        var skippedSince = Set<Int64>()
        for item in since.items {
            if AnalysisSession.isSettled(policy.consensus(item.events), for: reviewer) {
                settled.insert(item.id)
            } else if item.resolution.status == .skipped {
                skippedSince.insert(item.id)
            }
        }
        if let held = leases?.heldByOthers() { settled.formUnion(held.keys) }
        // The saved queue is everybody's: with several reviews per item it still lists the
        // items this reviewer has reviewed already.
        if policy.reviewsPerItem > 1 {
            for item in try store.itemStates(ids: store.itemsReviewed(by: reviewer))
            where AnalysisSession.isSettled(policy.consensus(item.events), for: reviewer) {
                settled.insert(item.id)
            }
        }
        var open: [QueueSlot] = []
        var skipped: [QueueSlot] = []
        open.reserveCapacity(snapshot.header.count)
        for (position, slot) in snapshot.slots.enumerated() {
            let id = snapshot.itemIDs[position]
            if settled.contains(id) { continue }
            if skippedSince.contains(id) { skipped.append(slot) } else { open.append(slot) }
        }
        slots = open + skipped
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    package func knows(_ items: [Int]) -> Bool { items.allSatisfy { saved[$0] != nil } }

    package func imagePath(of item: Int) -> String? { saved[item].map { imagesRoot + $0.details.path } }

    /// The saved details with each item's state (status, labels, problem) read now, and its
    /// component recounted when members were decided after the snapshot. Nil when an item
    /// has no saved details.
    package func details(of items: [Int]) throws -> [ItemDetails]? {
        guard knows(items) else { return nil }
        let entries = items.compactMap { saved[$0] }
        let changed = locked { self.changed }
        // A component with a member decided since is recounted from all its members.
        let recounted = entries.filter { $0.details.component != nil && $0.memberIDs.contains(where: changed.contains) }
        let states = try store.itemStates(ids: entries.map(\.itemID) + recounted.flatMap(\.memberIDs))
        let byID = Dictionary(states.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return entries.map { entry in
            var details = entry.details
            if let state = byID[entry.itemID] {
                details.status = ItemFacts.statusText(state.resolution)
                details.currentLabels = state.resolution.labels?.names ?? []
                details.problem = state.problem
                details.reviews = ItemFacts.reviewFields(policy.consensus(state.events))
            }
            if let component = details.component, entry.memberIDs.contains(where: changed.contains) {
                details.component = recount(component, memberIDs: entry.memberIDs, saved: byID)
            }
            if policy.isBlind, queueName != QueueName.disputed.rawValue, let state = byID[entry.itemID] {
                details = BlindView.mask(
                    details, consensus: policy.consensus(state.events), reviewer: reviewer,
                    component: details.component.map { blindRecount($0, memberIDs: entry.memberIDs) })
            }
            return details
        }
    }

    /// The group counted with the labels this reviewer is shown of each member (blind review).
    private func blindRecount(_ component: ComponentInfo, memberIDs: [Int64]) -> ComponentInfo {
        let states = Dictionary(((try? store.itemStates(ids: memberIDs)) ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var labels = [Int32](repeating: -1, count: memberIDs.count)
        for (position, id) in memberIDs.enumerated() {
            guard !multiLabel, let state = states[id] else { continue }
            let shown = BlindView.shown(consensus: policy.consensus(state.events), given: state.given?.names ?? [], reviewer: reviewer)
            if !shown.excluded, let first = shown.labels.first, let c = taxonomy.position(of: first) { labels[position] = Int32(c) }
        }
        let summary = ComponentSummary(index: component.id, members: memberIDs.indices.map(Int32.init), labels: labels)
        let counts = summary.labelCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { ComponentInfo.LabelCount(label: taxonomy.names[$0.key], count: $0.value) }
        return ComponentInfo(
            id: component.id, members: component.members, labelCounts: counts, purity: summary.purity,
            isBad: summary.isBad, majority: summary.majority.map { taxonomy.names[$0] })
    }

    /// The component's label counts with the members' current labels, counted as the
    /// analysis counts them.
    private func recount(_ component: ComponentInfo, memberIDs: [Int64], saved states: [Int64: ItemState]) -> ComponentInfo {
        var labels = [Int32](repeating: -1, count: memberIDs.count)
        for (position, id) in memberIDs.enumerated() {
            guard !multiLabel, let state = states[id] else { continue }
            if !state.resolution.isExcluded, let name = state.resolution.labels?.first, let c = taxonomy.position(of: name) {
                labels[position] = Int32(c)
            }
        }
        let summary = ComponentSummary(index: component.id, members: memberIDs.indices.map(Int32.init), labels: labels)
        let counts = summary.labelCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { ComponentInfo.LabelCount(label: taxonomy.names[$0.key], count: $0.value) }
        return ComponentInfo(
            id: component.id, members: component.members, labelCounts: counts, purity: summary.purity,
            isBad: summary.isBad, majority: summary.majority.map { taxonomy.names[$0] })
    }

    /// Stores a decision on items with saved details (nil otherwise), returning what the
    /// full source must replay.
    package func decide(_ command: DecisionCommand) throws -> (outcomes: [DecisionOutcome], message: String)? {
        // A split-off changes who is in a group, which only the analysis knows: it waits for it.
        guard knows(command.items), command.kind != .splitOff else { return nil }
        let ids = command.items.compactMap { saved[$0]?.itemID }
        let states = Dictionary(try store.itemStates(ids: ids).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let items = command.items.map { i -> (path: String, labels: LabelSet?) in
            let id = saved[i]!.itemID
            return (saved[i]!.details.path, states[id]?.resolution.labels)
        }
        var requests = DecisionRequests.requests(for: command, items: items, reviewer: reviewer, taxonomy: taxonomy)
        // The log records the flags and score of the entry decided on, as the analysis would.
        for (k, i) in command.items.enumerated() {
            requests[k].flags = DecisionRequests.flagKinds(saved[i]!.details.reasons.map(\.kind))
            // The label-issue score, which compares across queues (as the analysis logs it).
            requests[k].score = saved[i]!.details.labelIssueScore
            // Blind: "accept" means the label this reviewer was shown, as the full source does.
            if requests[k].action == .accept, policy.isBlind, queueName != QueueName.disputed.rawValue, let state = states[saved[i]!.itemID] {
                let shown = BlindView.shown(consensus: policy.consensus(state.events), given: state.given?.names ?? [], reviewer: reviewer)
                let labels = LabelSet(shown.labels, in: taxonomy)
                if !shown.excluded, !shown.labels.isEmpty, labels != state.resolution.labels {
                    requests[k].action = .relabel
                    requests[k].labels = labels
                }
            }
        }
        let outcomes = try DecisionRequests.unavailableIfTaken(command.items) { try store.decide(requests, policy: policy) }
        locked { changed.formUnion(ids) }
        return (outcomes, DecisionRequests.describe(outcomes, command: command, paths: requests.map(\.imagePath)))
    }

    package func undo(items: [Int]) throws -> (outcomes: [DecisionOutcome], message: String)? {
        guard knows(items) else { return nil }
        let paths = items.map { saved[$0]!.details.path }
        // Taking back a split-off changes who is in a group: the analysis must do it.
        let states = try store.itemStates(ids: items.compactMap { saved[$0]?.itemID })
        if states.contains(where: { ItemHistory.undoTarget($0.events)?.action == .split }) { return nil }
        let outcomes = try store.decide(paths.map { DecisionRequest(imagePath: $0, reviewer: reviewer, action: .undo) }, policy: policy)
        locked { changed.formUnion(items.compactMap { saved[$0]?.itemID }) }
        return (outcomes, DecisionRequests.describeUndo(outcomes, paths: paths))
    }

    /// Holds items with saved details (nil otherwise); see `ReviewDataSource.hold`.
    package func hold(items: [Int], queue: String) throws -> [Int: Unavailable]? {
        guard knows(items) else { return nil }
        guard let leases else { return [:] }
        return try leases.hold(items.map { (index: $0, id: saved[$0]!.itemID) }, queue: queue)
    }

    package func markImageProblem(item: Int, message: String) -> Bool {
        guard let entry = saved[item] else { return false }
        // Recorded for every host only when it is the image's, not this copy's (`HostCopy`).
        if HostCopy.recordsProblem(of: imagesRoot + entry.details.path, sharedStore: store.isShared) {
            try? store.markProblem(imagePath: entry.details.path, problem: message)
        }
        return true
    }
}
