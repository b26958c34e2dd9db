import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowNeighbours

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Run the full analysis: neighbours, near-duplicate groups, label-issue signals and queue sizes.",
        discussion: """
            Finds each item's nearest neighbours in embeddings.npy (without one, in \
            Winnow's own image features, cached per file, for near-duplicates only; exact search, \
            with a kernel chosen from the CPU's features, while it fits (1M × 128 with \
            AVX-512 VNNI), an HNSW index above; [analysis] search in winnow.toml), groups \
            near-duplicates, and scores every item: each model's confidence, margin and \
            entropy, the models' disagreement, confident learning (cleanlab's algorithm), \
            agreement with the neighbours, and the fused label-issue score. The neighbour \
            graph is cached in the state folder; queues are recomputed from the current \
            labels each time they are read, so they follow every decision. The triage \
            queue is also saved as it stands (state folder, queues/), so `winnow review` \
            shows its first item at once while the analysis loads behind it.

            EXAMPLES:
              winnow analyze SampleProjects/shapes
              winnow queue SampleProjects/shapes --limit 10

            \(WinnowExit.helpText)
            """)

    @OptionGroup var project: ProjectOptions

    func run() throws {
        let opened = try Project.open(project)
        let start = MonotonicClock.now()
        let session = try AnalysisSession(opened)
        let neighbours = try session.neighbourGraph(rebuild: true)
        let input = try session.input(graph: neighbours?.graph)
        let analysis = LabelAnalysis(input, settings: session.settings())
        let builder = try session.queueBuilder(analysis, input: input, stratifyBy: opened.config.stratifyBy)
        // The triage queue as it stands now, so the next review shows its first item at once.
        let review = try StoreReviewSource(session: session, input: input, analysis: analysis, builder: builder,
                                           graph: neighbours?.graph, reviewer: "winnow analyze")
        try review.snapshot(of: .triage, key: QueueSnapshot.key(project: opened, stratifyBy: opened.config.stratifyBy))
            .write(to: QueueSnapshot.path(stateDirectory: opened.store.stateDirectory, queue: QueueName.triage.rawValue))
        let elapsed = MonotonicClock.now() - start
        let duplicates = try session.nearDuplicates(embeddingGraph: session.context.embeddings == nil ? nil : neighbours?.graph)
        print(Self.summary(analysis: analysis, input: input, builder: builder, neighbours: neighbours, duplicates: duplicates, config: opened.config, seconds: elapsed))
        print("  helper       " + HelperEvidence.describe(config: opened.config, context: session.context, cache: HelperCache.read(HelperEvidence.cachePath(session))))
    }

    static func summary(analysis: LabelAnalysis, input: AnalysisInput, builder: QueueBuilder,
                        neighbours: (graph: NeighbourGraph, method: String, cached: Bool)?, duplicates: NearDuplicates,
                        config: WinnowConfig, seconds: Double) -> String {
        let s = TerminalText.sanitize
        var lines: [String] = []
        let judged = (0..<input.count).filter(input.isJudged).count
        lines.append(String(format: "analysed %d items (%d with a label to judge) in %.1f s", input.count, judged, seconds))
        if let neighbours {
            let kernel = neighbours.method == "exact" && !neighbours.cached ? " (kernel \(SearchKernel.selected.kernel.rawValue))" : ""
            lines.append("  neighbours   \(neighbours.graph.k) per item, \(neighbours.method) search\(kernel)")
        } else {
            lines.append("  neighbours   none (no embeddings.npy, and fewer than two images could be described)")
        }
        if !analysis.sources.isEmpty {
            lines.append("  evidence     " + analysis.sources.map { source in
                let ranking = source.auroc.map { String(format: ", ranks errors at AUROC %.3f", $0) } ?? ""
                return String(format: "%@ (agrees with %.0f%% of labels%@, weight %.2f)", s(source.name), source.accuracy * 100, ranking, source.weight)
            }.joined(separator: ", "))
        }
        lines.append("  confident learning (\(config.filterBy)): \(analysis.confidentLearningIssue.filter { $0 }.count) items")
        let bad = analysis.componentSummaries.filter(\.isBad).count
        lines += AnalysisSession.describe(duplicates, groups: analysis.componentSummaries.count,
                                          members: analysis.componentSummaries.reduce(0) { $0 + $1.members.count }, bad: bad)
        let sizes = QueueName.allCases.filter { $0 != .random && $0 != .stratified }.map { "\($0.rawValue) \(builder.count($0))" }
        lines.append("  queues       " + sizes.joined(separator: " · "))
        return lines.joined(separator: "\n")
    }
}

