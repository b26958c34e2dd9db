import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowSession

struct ComponentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "components",
        abstract: "List the groups of near-duplicates with their current labels.",
        discussion: """
            A group holds images that are the same picture (re-encoded, resized, cropped \
            or shifted by up to an eighth, brighter or darker): pairs proposed by the \
            embeddings and by Winnow's own image features, relative to each item's ordinary \
            neighbour distance (or [analysis] duplicate_threshold, a fixed cosine), and \
            confirmed by aligning the pictures' pixels; every member is a near-duplicate of \
            the group's core (no chains). Byte-identical files (content hash) always join. \
            `winnow analyze` prints the rule and its numbers. A group is bad when its labels \
            disagree. JSONL lines carry component, images, label_counts, purity, \
            variance, std and bad.

            EXAMPLES:
              winnow components SampleProjects/shapes --bad
              winnow components SampleProjects/shapes --format jsonl

            \(WinnowExit.helpText)
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, jsonl }

    @OptionGroup var project: ProjectOptions
    @Flag(help: "Only groups whose labels disagree.") var bad = false
    @Option(help: "Output format.") var format: Format = .table

    func run() throws {
        let opened = try Project.open(project)
        let session = try AnalysisSession(opened)
        // Without embeddings, the graph comes from image features and only joins near-duplicates.
        let input = try session.input(graph: try session.neighbourGraph()?.graph, withHelper: false) // groups need no label evidence
        let analysis = LabelAnalysis(input, settings: session.settings())
        let summaries = analysis.componentSummaries.filter { !bad || $0.isBad }
        let paths = session.context.items.map(\.path)
        let out = try OutputFile(path: nil)
        for summary in summaries {
            let counts = summary.labelCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            switch format {
            case .table:
                let labels = counts.map { "\(TerminalText.sanitize(input.classes[$0.key])) \($0.value)" }.joined(separator: ", ")
                try out.write(
                    "#\(summary.index)  \(summary.members.count) images  purity \(String(format: "%.2f", summary.purity))\(summary.isBad ? "  BAD" : "")  \(labels)\n"
                )
                for m in summary.members {
                    try out.write(
                        "    \(TerminalText.sanitize(paths[Int(m)]))  [\(TerminalText.sanitize(input.labels[Int(m)] >= 0 ? input.classes[Int(input.labels[Int(m)])] : "-"))]\n"
                    )
                }
            case .jsonl:
                let labelCounts = counts.map { JSONText.quoted(input.classes[$0.key]) + ":" + String($0.value) }.joined(separator: ",")
                try out.write(
                    "{\"component\":\(summary.index),\"images\":" + JSONText.array(summary.members.map { paths[Int($0)] })
                        + ",\"label_counts\":{" + labelCounts + "}"
                        + String(
                            format: ",\"purity\":%.6g,\"variance\":%.6g,\"std\":%.6g", summary.purity, summary.variance, summary.standardDeviation)
                        + ",\"bad\":\(summary.isBad)}\n")
            }
        }
        if summaries.isEmpty, format == .table {
            try out.write(bad ? "no near-duplicate group has conflicting labels\n" : "no near-duplicate groups\n")
        }
        try out.commit()
    }
}
