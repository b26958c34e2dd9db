import WinnowAnalysis
import WinnowCore
import WinnowStore

/// Everything `winnow stats` and the review screen's stats view show: progress, decisions,
/// relabel flows, each flag's measured precision, and how far reviewers agree. One value,
/// rendered three ways (table, JSON, the stats view's bar charts), so the three never differ.
package struct StatsReport {
    package struct QueueProgress: Equatable {
        package var queue: String
        /// Items decided while working through the queue.
        package var decided: Int
        /// Entries still open; nil when not counted (`--no-queues`, the review screen on a
        /// large project, or a queue that is not one of the analysis' queues, such as
        /// "manual" for winnow decide).
        package var open: Int?
        package var share: Double? {
            guard let open else { return nil }
            return decided + open == 0 ? 0 : Double(decided) / Double(decided + open)
        }
    }

    package var project: String
    package var figures: ReviewFigures
    package var queues: [QueueProgress]
    package var agreement: AgreementReport
    /// The dataset's annotators by CROWDLAB (StatsReport+Annotators.swift); empty unless
    /// the dataset has several annotators and a model.
    package var annotators: [CrowdConsensus.Annotator] = []

    /// Items of the dataset (every status).
    package var items: Int { figures.status.values.reduce(0, +) }
    package var decisions: Int { figures.decisionsByAction.values.reduce(0, +) }

    /// Reads the figures and the ratings from the store. `openCounts`: each queue's open
    /// entries, when the caller has built the queues.
    package static func make(store: any ProjectStoring, project: String, openCounts: [String: Int]?) throws -> StatsReport {
        let figures = try store.reviewFigures()
        let agreement = AgreementReport(RatingTable(try store.ratings()))
        return StatsReport(
            project: project, figures: figures, queues: progress(figures.decidedByQueue, openCounts: openCounts),
            agreement: agreement)
    }

    /// The analysis' queues in their usual order (those with open entries or decisions),
    /// then any other queue decisions name, by name.
    package static func progress(_ decided: [String: Int], openCounts: [String: Int]?) -> [QueueProgress] {
        let known = QueueName.allCases.map(\.rawValue)
        var rows = known.compactMap { name -> QueueProgress? in
            let done = decided[name] ?? 0
            let open = openCounts?[name]
            guard open != nil || done > 0 else { return nil }
            return QueueProgress(queue: name, decided: done, open: open)
        }
        rows += decided.keys.filter { !known.contains($0) }.sorted().map { QueueProgress(queue: $0, decided: decided[$0]!, open: nil) }
        return rows
    }

    /// Statuses in the order a reviewer reads them.
    package static let statusOrder: [ItemStatus] = [.unreviewed, .accepted, .relabelled, .excluded, .skipped]

    /// Reviewers by number of decisions, most first.
    package var reviewers: [(name: String, total: Int, actions: [String: Int])] {
        figures.decisionsByReviewer.map { (name: $0.key, total: $0.value.values.reduce(0, +), actions: $0.value) }
            .sorted { $0.total != $1.total ? $0.total > $1.total : $0.name < $1.name }
    }

    /// Actions with their counts, in `DecisionAction` order, those never used left out.
    package static func actions(_ counts: [String: Int]) -> [(action: String, count: Int)] {
        DecisionAction.allCases.map(\.rawValue).compactMap { a in (counts[a] ?? 0) > 0 ? (a, counts[a]!) : nil }
    }
}
