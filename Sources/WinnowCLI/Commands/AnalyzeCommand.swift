import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowNeighbours
import WinnowSession

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Run the full analysis: neighbours, near-duplicate groups, label-issue signals and queue sizes.",
        discussion: """
            Reads every image in full, once (cached per file: a later run reads only new \
            or changed files): an image that does not decode becomes a problem of its \
            item, and CleanVision's image-quality checks (dark, light, blurry, low \
            information, grayscale, odd aspect ratio, odd size; [quality] in winnow.toml) \
            flag the others into the quality queue. Finds each item's nearest neighbours in embeddings.npy (without one, in \
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
        // First: its one decode of each image also gives the image features and duplicate
        // descriptors that the neighbours (without embeddings) and near-duplicates need.
        let checks = try session.imageChecks()
        let neighbours = try session.neighbourGraph(rebuild: true)
        let input = try session.input(graph: neighbours?.graph)
        let analysis = LabelAnalysis(input, settings: session.settings())
        let builder = try session.queueBuilder(analysis, input: input, stratifyBy: opened.config.stratifyBy, checks: checks)
        // The triage queue as it stands now, so the next review shows its first item at once.
        let review = try StoreReviewSource(
            session: session, input: input, analysis: analysis, builder: builder,
            graph: neighbours?.graph, reviewer: "winnow analyze")
        try review.snapshot(of: .triage, key: QueueSnapshot.key(project: opened, stratifyBy: opened.config.stratifyBy))
            .write(to: QueueSnapshot.path(stateDirectory: opened.store.stateDirectory, queue: QueueName.triage.rawValue))
        let elapsed = MonotonicClock.now() - start
        let duplicates = try session.nearDuplicates(embeddingGraph: session.context.embeddings == nil ? nil : neighbours?.graph)
        print(
            Self.summary(
                analysis: analysis, input: input, builder: builder, neighbours: neighbours, duplicates: duplicates, config: opened.config,
                seconds: elapsed,
                checks: checks))
        print(
            "  helper       "
                + HelperEvidence.describe(config: opened.config, context: session.context, cache: HelperCache.read(HelperEvidence.cachePath(session)))
        )
    }

    static func summary(
        analysis: LabelAnalysis, input: AnalysisInput, builder: QueueBuilder,
        neighbours: (graph: NeighbourGraph, method: String, cached: Bool)?, duplicates: NearDuplicates,
        config: WinnowConfig, seconds: Double, checks: AnalysisSession.ImageChecks? = nil
    ) -> String {
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
            lines.append(
                "  evidence     "
                    + analysis.sources.map { source in
                        let ranking = source.auroc.map { String(format: ", ranks errors at AUROC %.3f", $0) } ?? ""
                        return String(
                            format: "%@ (agrees with %.0f%% of labels%@, weight %.2f)", s(source.name), source.accuracy * 100, ranking, source.weight)
                    }.joined(separator: ", ") + (analysis.sources.count > 1 ? "; fused score: \(analysis.fusedForm.rawValue)" : ""))
        }
        lines.append("  confident learning (\(config.filterBy)): \(analysis.confidentLearningIssue.filter { $0 }.count) items")
        let bad = analysis.componentSummaries.filter(\.isBad).count
        lines += AnalysisSession.describe(
            duplicates, groups: analysis.componentSummaries.count,
            members: analysis.componentSummaries.reduce(0) { $0 + $1.members.count }, bad: bad)
        if let checks { lines += imageLines(checks) }
        let sizes = QueueName.allCases.filter { $0 != .random && $0 != .stratified }.map { "\($0.rawValue) \(builder.count($0))" }
        lines.append("  queues       " + sizes.joined(separator: " · "))
        return lines.joined(separator: "\n")
    }

    /// What reading the images found: how many were read, which do not decode, and the
    /// quality flags.
    static func imageLines(_ checks: AnalysisSession.ImageChecks) -> [String] {
        let pass = checks.pass
        let failures = pass.values(.decode).filter { $0 != nil }.count
        var read = "\(pass.read) read in full now, \(pass.cached) unchanged since the last analysis"
        if pass.sharedFiles > 0 { read += ", \(pass.sharedFiles) hard links to files already read" }
        read += failures == 0 ? "; all decode" : "; \(failures) do\(failures == 1 ? "es" : "") not decode (problems queue; winnow info lists them)"
        var lines = ["  images       " + read]
        let quality = checks.quality
        let counts = quality.counts
        var flags = QualityIssue.allCases.map { "\($0.words) \(counts[$0] ?? 0)" }.joined(separator: " · ")
        if !quality.isColourDataset && quality.measuredCount > 0 { flags += " (a greyscale dataset: grayscale not flagged)" }
        lines.append("  quality      " + flags + " (CleanVision's checks, \(quality.measuredCount) images measured)")
        for issue in quality.datasetWideIssues {
            let share = Int((Double(counts[issue] ?? 0) * 100 / Double(quality.measuredCount)).rounded(.down))
            lines.append(
                "  note         \(issue.words) flags \(share) % of the images: that describes the whole dataset, not single images; "
                    + "[quality] \(issue.offSetting) in winnow.toml turns the check off")
        }
        if let range = quality.sizeRange, quality.measuredCount > 0 {
            let rule =
                range.high > range.low
                ? String(format: "√(w·h) outside %.0f–%.0f", locale: nil, max(0, range.low), range.high)
                : String(format: "√(w·h) other than %.0f", locale: nil, range.middle)
            lines.append("               odd size means \(rule) here")
        }
        return lines
    }
}
