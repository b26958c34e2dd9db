import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowStore
import WinnowSession

struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "List a review queue in review order, each entry with why it was flagged.",
        discussion: """
            QUEUES: \(QueueName.allCases.map(\.rawValue).joined(separator: ", ")). \
            The default, triage, mixes the targeted queues by the quotas in winnow.toml \
            [triage], with an audit share of random (or --stratify-by) items. Decided \
            items leave every queue; skipped items come back at the end.

            JSONL lines carry image, label (a list for multi-label data), suggested, \
            score, queue, reasons (a list of sentences) and signals (an object; with \
            problem when the image is missing or does not decode, and quality, the \
            image-quality issues that flag it).

            EXAMPLES:
              winnow queue SampleProjects/shapes --limit 20
              winnow queue SampleProjects/shapes --queue bad-components --format jsonl
              winnow queue SampleProjects/shapes --queue stratified --stratify-by source

            \(WinnowExit.helpText)
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, jsonl, csv }

    @OptionGroup var project: ProjectOptions
    @Option(help: "Which queue.") var queue: String = QueueName.triage.rawValue
    @Option(help: "At most this many entries.") var limit: Int?
    @Option(help: "Output format.") var format: Format = .table
    @Option(
        name: .customLong("filter-by"),
        help: ArgumentHelp(
            "Confident-learning method (default: [analysis] filter_by; multi-label data also takes low_self_confidence, low_normalized_margin).",
            valueName: "method"))
    var filterBy: String?
    @Option(help: "Seed for the random and audit samples (default: [queues] seed).") var seed: UInt64?
    @Option(
        name: .customLong("stratify-by"), help: ArgumentHelp("Metadata column for the stratified queue and the audit sample.", valueName: "column"))
    var stratifyBy: String?

    func validate() throws {
        do { _ = try QueueName.named(queue) } catch { throw ValidationError(error.description) }
        if let filterBy, MultiLabelConfidentLearning.FilterBy(rawValue: filterBy) == nil {
            throw ValidationError(
                "unknown --filter-by \"\(filterBy)\"; methods: \((WinnowConfig.filterByMethods + WinnowConfig.multiLabelFilterByMethods).joined(separator: ", "))"
            )
        }
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more") }
    }

    func run() throws {
        var opened = try Project.open(project)
        if let filterBy { opened = opened.with { $0.filterBy = filterBy } }
        let session = try AnalysisSession(opened)
        let graph = try session.neighbourGraph()?.graph
        let input = try session.input(graph: graph)
        let analysis = LabelAnalysis(input, settings: session.settings())
        let context = session.context
        let builder = try session.queueBuilder(analysis, input: input, stratifyBy: stratifyBy ?? opened.config.stratifyBy, seed: seed)
        let entries = builder.entries(QueueName(rawValue: queue)!, limit: limit)
        let out = try OutputFile(path: nil)
        var writer = EntryWriter(analysis: analysis, input: input, context: context)
        writer.problems = builder.problems
        writer.quality = builder.quality
        writer.multiLabel = builder.multiLabel
        switch format {
        case .table: try out.write(writer.table(entries))
        case .jsonl: for entry in entries { try out.write(writer.json(entry) + "\n") }
        case .csv:
            let csv = CSVWriter(formulaGuard: opened.config.formulaGuard)
            try out.write(csv.record(["rank", "image", "label", "suggested", "score", "queue", "reasons"]))
            for (rank, entry) in entries.enumerated() {
                try out.write(
                    csv.record([
                        String(rank + 1), context.items[entry.item].path, writer.labelText(entry.item), writer.suggestedText(entry.item),
                        String(format: "%.4f", entry.score), entry.source.rawValue, entry.reasons.joined(separator: "; ")
                    ]))
            }
        }
        try out.commit()
    }
}

/// Renders queue entries as a table or JSON.
struct EntryWriter {
    let analysis: LabelAnalysis
    let input: AnalysisInput
    let context: AnalysisContext
    /// Each item's problem as the queues saw it (the import's, or why its image does not
    /// decode); nil: the context's.
    var problems: [String?]?
    /// The image-quality checks: each entry's flags (`signals.quality`).
    var quality: ImageQualityReport?
    /// Multi-label data: the per-class analysis (EntryWriter+MultiLabel.swift).
    var multiLabel: MultiLabelAnalysis?

    func className(_ c: Int32) -> String { c >= 0 && Int(c) < input.classes.count ? input.classes[Int(c)] : "" }

    func labelText(_ item: Int) -> String { context.items[item].resolution.labels?.description ?? "" }

    func table(_ entries: [QueueEntry]) -> String {
        let s = TerminalText.sanitize
        var out = ""
        for (rank, entry) in entries.enumerated() {
            let item = context.items[entry.item]
            let suggestion =
                multiLabel != nil
                ? suggestedSet(entry.item).map { "  → [\(s(LabelSet(normalized: $0).description))]" } ?? ""
                : analysis.suggested[entry.item] >= 0 && analysis.suggested[entry.item] != input.labels[entry.item]
                    ? "  → \(s(className(analysis.suggested[entry.item])))" : ""
            out += String(format: "%4d  ", rank + 1) + "\(s(item.path))  [\(s(labelText(entry.item)))]\(suggestion)  (\(entry.source.rawValue))\n"
            for reason in entry.reasons { out += "        · \(s(reason))\n" }
            // A dispute is what each reviewer decided: say it.
            if entry.source == .disputed, !item.consensus.reviews.isEmpty {
                out += "        · decided: " + item.consensus.reviews.map { "\(s($0.reviewer)) \(s($0.outcome))" }.joined(separator: ", ") + "\n"
            }
        }
        if entries.isEmpty { out = "the queue is empty\n" }
        return out
    }

    func json(_ entry: QueueEntry) -> String {
        let i = entry.item
        let item = context.items[i]
        func number(_ x: Float) -> String { x.isNaN ? "null" : String(format: "%.6g", Double(x)) }
        var line = "{\"image\":" + JSONText.quoted(item.path)
        if context.multiLabel {
            line += ",\"label\":" + JSONText.array(item.resolution.labels?.names ?? [])
        } else {
            line += ",\"label\":" + (item.resolution.labels?.first.map(JSONText.quoted) ?? "null")
        }
        if multiLabel != nil {
            line += ",\"suggested\":" + (suggestedSet(i).map(JSONText.array) ?? "null")
        } else {
            line += ",\"suggested\":" + (analysis.suggested[i] >= 0 ? JSONText.quoted(className(analysis.suggested[i])) : "null")
        }
        line += ",\"score\":" + String(format: "%.6g", entry.score)
        line += ",\"queue\":" + JSONText.quoted(entry.source.rawValue)
        line += ",\"reasons\":" + JSONText.array(entry.reasons)
        var signals: [String] = []
        signals.append("\"label_issue\":" + number(analysis.fusedScore[i]))
        signals.append("\"confident_learning\":" + (analysis.confidentLearningIssue[i] ? "true" : "false"))
        let models = analysis.models.map { m in
            JSONText.quoted(m.name) + ":{\"predicted\":" + JSONText.quoted(className(m.predicted[i])) + ",\"self_confidence\":"
                + number(m.selfConfidence[i])
                + ",\"margin\":" + number(m.margin[i]) + ",\"entropy\":" + number(m.entropy[i]) + "}"
        }
        signals.append("\"models\":{" + models.joined(separator: ",") + "}")
        signals.append("\"vote_disagreement\":" + number(analysis.voteDisagreement[i]))
        signals.append("\"divergence\":" + number(analysis.divergence[i]))
        signals.append("\"neighbour_agreement\":" + number(analysis.neighbourAgreement[i]))
        signals.append("\"neighbour_vote\":" + (analysis.neighbourVote[i] >= 0 ? JSONText.quoted(className(analysis.neighbourVote[i])) : "null"))
        signals.append("\"outlier\":" + number(analysis.outlierScore[i]))
        let component = analysis.components?.componentOf[i] ?? -1
        signals.append("\"component\":" + (component >= 0 ? String(component) : "null"))
        if let problem = problems?[i] ?? item.problem { signals.append("\"problem\":" + JSONText.quoted(problem)) }
        if let flags = quality?.flags[i], !flags.isEmpty { signals.append("\"quality\":" + JSONText.array(flags.map(\.issue.rawValue))) }
        if let multi = multiLabelSignals(i) { signals.append(multi) }
        line += ",\"signals\":{" + signals.joined(separator: ",") + "}}"
        return line
    }
}
