import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowStore
import WinnowSession

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a project: items, classes, annotators, models, image problems, image quality and decisions.",
        discussion: """
            Image problems are those the import found (missing, empty, not an image) and \
            those the last `winnow analyze` found decoding every image in full (truncated, \
            corrupt, over the size limits), with the decoder's reason. Image quality lists \
            the images CleanVision's checks flag (dark, light, blurry, low information, \
            grayscale in a colour dataset, odd aspect ratio, odd size), from the measures \
            the last analysis cached.

            EXAMPLES:
              winnow info SampleProjects/shapes
              winnow info SampleProjects/shapes --json | jq .problems

            \(WinnowExit.helpText)
            """)

    @OptionGroup var project: ProjectOptions
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() throws {
        let opened = try Project.open(project)
        var info = try opened.store.info()
        info.imageQuality = try Self.imageQuality(opened)
        if opened.location.isPostgres {
            // Shared by hosts: this is this host's copy (the store keeps the last importer's path),
            // and what this copy lacks is this host's to know.
            info.dataset = opened.root
            info.hostProblems = HostCopy.problems(root: opened.root, paths: try Self.currentPaths(opened))
        }
        let helper = HelperEvidence.info(info, config: opened.config, stateDirectory: opened.store.stateDirectory) // HelperEvidence+Info.swift
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(
                JSONText.escapingControls(inEncoded: String(decoding: try HelperEvidence.adding(helper, toJSON: encoder.encode(info)), as: UTF8.self))
            )
        } else {
            print(Self.render(info, name: opened.config.projectName, helper: helper.text), terminator: "")
        }
    }

    /// The human-readable report. Every dataset-supplied string is sanitised.
    static func render(_ info: ProjectInfo, name: String?, helper: String? = nil) -> String {
        let s = TerminalText.sanitize
        var out = ""
        func line(_ key: String, _ value: String) { out += "  " + key.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + value + "\n" }
        out += "\(s(name ?? (info.dataset as NSString).lastPathComponent))  \(s(info.dataset))\n"
        line("state", "\(s(info.state)) (last import \(info.lastImport ?? "never"))")
        line("layout", "\(info.layout), \(info.multiLabel ? "multi-label" : "single-label")")
        var items = "\(info.items) (\(info.labelledItems) labelled"
        if !info.problems.isEmpty { items += ", \(info.problems.count) with image problems" }
        if info.removedItems > 0 { items += ", \(info.removedItems) removed from the dataset" }
        line("items", items + ")")
        if !info.annotators.isEmpty {
            let names = info.annotators.map { "\($0.name.isEmpty ? "(unnamed)" : s($0.name)) \($0.labels)" }.joined(separator: ", ")
            line("annotators", names + (info.annotatorDisagreements > 0 ? " (they disagree on \(info.annotatorDisagreements) items)" : ""))
        }
        line("models", info.models.isEmpty ? "none" : info.models.map { "\(s($0.name)) (\(s($0.source)))" }.joined(separator: ", "))
        line(
            "embeddings",
            info.embeddings.map { "\($0.dimension)-d \($0.scalarType) (\($0.source))" }
                ?? "none (near-duplicates come from Winnow's own image features)")
        if let helper { line("helper", helper) }
        if !info.metadataColumns.isEmpty { line("metadata", info.metadataColumns.map(s).joined(separator: ", ")) }

        if !info.classes.isEmpty {
            let width = min(40, max(8, info.classes.map { s($0.name).count }.max() ?? 8))
            out += "\n  " + "class".padding(toLength: width, withPad: " ", startingAt: 0) + "   given  current\n"
            for c in info.classes {
                let shown = String(s(c.name).prefix(width)).padding(toLength: width, withPad: " ", startingAt: 0)
                out += "  \(shown) \(pad(c.given, 7)) \(pad(c.current, 8))\n"
            }
        }
        out += "\n"
        let statusOrder = ItemStatus.allCases.map(\.rawValue)
        line("review", statusOrder.map { "\($0) \(info.status[$0] ?? 0)" }.joined(separator: " · "))
        let actions = DecisionAction.allCases.map(\.rawValue).compactMap { a in
            (info.decisionsByAction[a] ?? 0) > 0 ? "\(a) \(info.decisionsByAction[a]!)" : nil
        }
        line("decisions", info.decisions == 0 ? "none yet" : "\(info.decisions): " + actions.joined(separator: " · "))
        for r in info.decisionsByReviewer {
            let detail = DecisionAction.allCases.map(\.rawValue).compactMap { a in r.actions[a].map { "\(a) \($0)" } }.joined(separator: " · ")
            line("", "\(s(r.reviewer)) \(r.total): \(detail)")
        }
        if !info.problems.isEmpty {
            out += "\n  image problems (\(info.problems.count))\n"
            for p in info.problems.prefix(50) { out += "    \(s(p.image))  \(s(p.problem))\n" }
            if info.problems.count > 50 { out += "    … \(info.problems.count - 50) more (winnow info --json lists them all)\n" }
        }
        if let host = info.hostProblems, !host.isEmpty {
            out += "\n  missing or unreadable in this host's copy (\(host.count); the shared project does not count them as image problems)\n"
            for p in host.prefix(50) { out += "    \(s(p.image))  \(s(p.problem))\n" }
            if host.count > 50 { out += "    … \(host.count - 50) more (winnow info --json lists them all)\n" }
        }
        out += renderQuality(info.imageQuality)
        return out
    }

    /// The paths of the project's current items, in items order.
    static func currentPaths(_ project: Project) throws -> [String] {
        var paths: [String] = []
        _ = try project.store.exportItems { _, record in paths.append(record.path) }
        return paths
    }

    /// The quality checks over the measures cached by the last analysis (nil when no image
    /// has been measured yet).
    static func imageQuality(_ project: Project) throws -> ImageQualitySummary? {
        let cached = try project.store.imageMeasuresInItemsOrder(.quality)
        guard cached.contains(where: \.measured) else { return nil }
        let report = ImageQualityReport(
            measures: cached.map { QualityMeasurement.measures(from: $0.value) },
            settings: AnalysisSession.qualitySettings(project.config))
        let counts = report.counts
        let flagged = report.flaggedItems.sorted {
            report.severity(of: $0) != report.severity(of: $1) ? report.severity(of: $0) > report.severity(of: $1) : $0 < $1
        }
        .map { i in
            ImageQualitySummary.Flagged(
                image: cached[i].path, issues: report.flags[i].map(\.issue.rawValue), reasons: report.reasons(for: i).map(\.text))
        }
        return ImageQualitySummary(
            measured: report.measuredCount, items: cached.count, colourDataset: report.isColourDataset,
            counts: Dictionary(uniqueKeysWithValues: QualityIssue.allCases.map { ($0.rawValue, counts[$0] ?? 0) }),
            flagged: flagged)
    }

    static func renderQuality(_ quality: ImageQualitySummary?) -> String {
        let s = TerminalText.sanitize
        guard let quality else { return "\n  image quality: not measured yet (winnow analyze reads every image in full)\n" }
        var out = "\n  image quality (\(quality.measured) of \(quality.items) images measured by the last analysis; CleanVision's checks)\n"
        out += "    " + QualityIssue.allCases.map { "\($0.words) \(quality.counts[$0.rawValue] ?? 0)" }.joined(separator: " · ") + "\n"
        if !quality.colourDataset { out += "    (most images are greyscale: grayscale is not flagged)\n" }
        for flagged in quality.flagged.prefix(50) {
            out += "    \(s(flagged.image))\n"
            for reason in flagged.reasons { out += "      · \(s(reason))\n" }
        }
        if quality.flagged.count > 50 {
            out += "    … \(quality.flagged.count - 50) more (winnow queue DIR --queue quality, or winnow info --json)\n"
        }
        return out
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let text = String(n)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
