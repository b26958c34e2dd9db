import Foundation
import WinnowCore

// The figures and ratings of reviewing, worked out from rows a store streams to them: pure,
// so the SQLite and PostgreSQL stores compute them alike from their own reads.

/// `ReviewFigures` from the log's counts per reviewer and action, then every item of the
/// dataset with its history, one at a time.
package struct ReviewFiguresTally {
    private var byAction: [String: Int] = [:]
    private var byReviewer: [String: [String: Int]] = [:]
    private var status: [String: Int] = Dictionary(uniqueKeysWithValues: ItemStatus.allCases.map { ($0.rawValue, 0) })
    private var flows: [String: [String: Int]] = [:]
    private var flags = FlagTally()
    private var byQueue: [String: Int] = [:]

    package init() {}

    /// `n` events of `action` by `reviewer`.
    package mutating func count(reviewer: String, action: String, _ n: Int) {
        byAction[action, default: 0] += n
        byReviewer[reviewer, default: [:]][action] = n
    }

    /// One item of the dataset: its given labels' storage text, its events oldest first and
    /// each event's stored `flags` text.
    package mutating func item(given: String?, history: [DecisionEvent], storedFlags: [String?]) {
        guard !history.isEmpty else {
            status[ItemStatus.unreviewed.rawValue, default: 0] += 1
            return
        }
        let given = given.map(LabelSet.init(storageText:))
        let resolution = ItemHistory.resolve(given: given, events: history)
        status[resolution.status.rawValue, default: 0] += 1
        if resolution.status == .relabelled {
            flows[given?.description ?? "(none)", default: [:]][resolution.labels?.description ?? "(none)", default: 0] += 1
        }
        guard [.accepted, .relabelled, .excluded].contains(resolution.status),
            let decision = ItemHistory.effectiveDecisions(history).last(where: { $0.action != .skip && $0.action != .split })
        else { return }
        byQueue[decision.queue ?? "manual", default: 0] += 1
        let logged = history.firstIndex { $0.id == decision.id }.flatMap { storedFlags[$0] }.map(ProjectStore.flagNames)
        flags.record(flags: FlagTally.flags(of: decision, stored: logged), outcome: resolution.status)
    }

    package var figures: ReviewFigures {
        let flowList = flows.flatMap { from, targets in targets.map { ReviewFigures.Flow(from: from, to: $0.key, count: $0.value) } }
            .sorted { $0.count != $1.count ? $0.count > $1.count : ($0.from, $0.to) < ($1.from, $1.to) }
        return ReviewFigures(
            decisionsByAction: byAction, decisionsByReviewer: byReviewer, status: status, flows: flowList,
            flags: flags.results, decidedByQueue: byQueue)
    }
}

/// Every reviewer's rating of every item (`ItemHistory.ratings`'s rule) replayed from the
/// log: told first which events undo took back and which items left the dataset, then fed
/// the accept, relabel and exclude events in id order.
package struct RatingsReplay {
    private struct Key: Hashable { var item: Int64; var reviewer: Int32 }
    private let undone: Set<Int64>
    private let removed: Set<Int64>
    private var reviewers: [String] = [], reviewerCodes: [String: Int32] = [:]
    private var latest: [Key: String] = [:]

    package init(undone: Set<Int64>, removedItems: Set<Int64>) {
        self.undone = undone
        removed = removedItems
    }

    package mutating func event(id: Int64, item: Int64, reviewer name: String, action: String, newLabels: String?) {
        guard !undone.contains(id), !removed.contains(item),
            let action = DecisionAction(rawValue: action),
            let category = Rating.category(of: action, storedLabels: newLabels)
        else { return }
        let code: Int32
        if let known = reviewerCodes[name] {
            code = known
        } else {
            reviewers.append(name)
            code = Int32(reviewers.count - 1)
            reviewerCodes[name] = code
        }
        latest[Key(item: item, reviewer: code)] = category
    }

    package var ratings: [Rating] {
        latest.map { Rating(item: $0.key.item, rater: reviewers[Int($0.key.reviewer)], category: $0.value) }
            .sorted { $0.item != $1.item ? $0.item < $1.item : $0.rater < $1.rater }
    }
}
