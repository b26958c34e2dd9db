import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowStore
import WinnowSession

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show review progress, decisions, each flag's measured precision and how far reviewers agree.",
        discussion: """
            Progress per queue counts the items decided while working through each queue \
            against its open entries; counting these builds the queues, which runs the \
            analysis as winnow queue does (the neighbour graph from its cache). \
            --no-queues reads only the decision log and is fast on any project.

            A flag's precision is the share of the items it surfaced, and a reviewer \
            then decided, that were relabelled or excluded: a flag whose precision stays \
            low is worth a higher threshold.

            Agreement is measured on items decided by two or more reviewers. A reviewer's \
            rating of an item is their latest decision still in effect: accept rates the \
            label the item had, relabel the new label (a multi-label set as a whole), \
            exclude the category (excluded); skips are not ratings. Cohen's κ (two \
            reviewers, and every pair), Fleiss' κ (on the items with the most common \
            number of ratings), Krippendorff's α (nominal, any number of ratings), per \
            class the specific agreement and α of the class against the rest, and each \
            reviewer against the majority of the other reviewers of each item (items \
            where the others are tied are counted as ties, not compared). A coefficient \
            with nothing to measure (one category, no overlap) is shown as – (null).

            JSON KEYS: project, items, status {unreviewed, accepted, relabelled, excluded, \
            skipped}, queues [{queue, decided, open, progress}], decisions {total, \
            by_action {accept, relabel, exclude, skip, undo, split}, by_reviewer \
            [{reviewer, total, by_action}]}, relabel_flows [{from, to, count}], flags \
            [{flag, decided, accepted, relabelled, excluded, relabelled_share, precision}], \
            agreement {rated_items, overlapped_items, reviewers, observed_agreement, \
            cohens_kappa, fleiss {kappa, raters_per_item, items}, krippendorff_alpha, \
            per_reviewer [{reviewer, ratings, overlapped, compared, agreed, ties, \
            agreement, kappa}], per_class [{class, ratings, specific_agreement, alpha, \
            fleiss_kappa}], pairs [{a, b, items, agreed, observed_agreement, kappa}]}, \
            annotators [{annotator, items, quality, agreement_with_consensus, \
            worst_class}] (the dataset's annotators by CROWDLAB, worst first; empty unless \
            labels.csv has several annotators and there is a model). Every key is always \
            present; a figure that cannot be computed is null.

            EXAMPLES:
              winnow stats SampleProjects/shapes
              winnow stats SampleProjects/shapes --format json | jq .agreement
              winnow stats SampleProjects/shapes --no-queues

            \(WinnowExit.helpText)
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @OptionGroup var project: ProjectOptions
    @Option(help: "Output format.") var format: Format = .table
    @Flag(name: .customLong("no-queues"), help: "Leave out the open entries per queue (no analysis: only the decision log is read).")
    var noQueues = false

    func run() throws {
        let opened = try Project.open(project)
        let name = opened.config.projectName ?? (opened.root as NSString).lastPathComponent
        var report = try StatsReport.make(store: opened.store, project: name, openCounts: noQueues ? nil : try Self.openCounts(opened))
        report.annotators = try StatsReport.annotatorQuality(opened)
        let out = try OutputFile(path: nil)
        switch format {
        case .table: try out.write(report.table())
        case .json: try out.write(report.json().rendered() + "\n")
        }
        try out.commit()
    }

    /// Every queue's open entries, from a fresh analysis (as winnow queue builds them).
    static func openCounts(_ project: Project) throws -> [String: Int] {
        let session = try AnalysisSession(project)
        let graph = try session.neighbourGraph()?.graph
        let input = try session.input(graph: graph)
        let analysis = LabelAnalysis(input, settings: session.settings())
        let builder = try session.queueBuilder(analysis, input: input, stratifyBy: project.config.stratifyBy)
        return Dictionary(uniqueKeysWithValues: QueueName.allCases.map { ($0.rawValue, builder.count($0)) })
    }
}
