import Foundation
import GRDB
import WinnowCore

/// What reviewing has done so far: the figures of the review screen's stats view.
public struct ReviewFigures: Sendable, Equatable {
    public struct Flow: Sendable, Equatable {
        public var from: String
        public var to: String
        public var count: Int
    }
    public struct FlagOutcome: Sendable, Equatable {
        /// The queue (flag) that surfaced the items.
        public var flag: String
        /// Items decided (accepted, relabelled or excluded) after this flag surfaced them.
        public var decided: Int
        public var relabelled: Int
        public var excluded: Int
        /// The flag's measured precision: the share of its decided items that were wrong.
        public var precision: Double { decided == 0 ? 0 : Double(relabelled + excluded) / Double(decided) }
    }

    /// Every event by action, undo included.
    public var decisionsByAction: [String: Int]
    /// Items by current status.
    public var status: [String: Int]
    /// Given label → current label, for items relabelled and still so, most common first.
    public var flows: [Flow]
    public var flags: [FlagOutcome]
    /// Items decided while working through each queue (the queue the reviewer had open).
    public var decidedByQueue: [String: Int]
}

extension ProjectStore {
    public func reviewFigures() throws -> ReviewFigures {
        try read { db in
            var byAction: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT action, COUNT(*) AS n FROM events GROUP BY action") { byAction[row["action"]] = row["n"] }
            let events = try Self.eventsByItem(db)
            var status: [String: Int] = [:]
            for s in ItemStatus.allCases { status[s.rawValue] = 0 }
            var flows: [String: [String: Int]] = [:]
            var flags: [String: ReviewFigures.FlagOutcome] = [:]
            var byQueue: [String: Int] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT id, given_labels FROM items WHERE row IS NOT NULL")
            while let row = try rows.next() {
                let given = (row["given_labels"] as String?).map(LabelSet.init(storageText:))
                let history = events[row["id"]] ?? []
                let resolution = ItemHistory.resolve(given: given, events: history)
                status[resolution.status.rawValue, default: 0] += 1
                if resolution.status == .relabelled {
                    flows[given?.description ?? "(none)", default: [:]][resolution.labels?.description ?? "(none)", default: 0] += 1
                }
                guard [.accepted, .relabelled, .excluded].contains(resolution.status),
                      let decision = ItemHistory.effectiveDecisions(history).last(where: { $0.action != .skip && $0.action != .split }) else { continue }
                byQueue[decision.queue ?? "manual", default: 0] += 1
                let flag = decision.reason ?? decision.queue ?? "manual"
                var outcome = flags[flag] ?? .init(flag: flag, decided: 0, relabelled: 0, excluded: 0)
                outcome.decided += 1
                if resolution.status == .relabelled { outcome.relabelled += 1 }
                if resolution.status == .excluded { outcome.excluded += 1 }
                flags[flag] = outcome
            }
            let flowList = flows.flatMap { from, targets in targets.map { ReviewFigures.Flow(from: from, to: $0.key, count: $0.value) } }
                .sorted { $0.count != $1.count ? $0.count > $1.count : ($0.from, $0.to) < ($1.from, $1.to) }
            return ReviewFigures(decisionsByAction: byAction, status: status, flows: flowList,
                                 flags: flags.values.sorted { $0.decided != $1.decided ? $0.decided > $1.decided : $0.flag < $1.flag },
                                 decidedByQueue: byQueue)
        }
    }
}
