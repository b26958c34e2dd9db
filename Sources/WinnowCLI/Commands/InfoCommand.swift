import ArgumentParser
import Foundation
import WinnowCore
import WinnowStore

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a project: items, classes, annotators, models, image problems and decisions.",
        discussion: """
            EXAMPLES:
              winnow info SampleProjects/shapes
              winnow info SampleProjects/shapes --json | jq .problems

            \(WinnowExit.helpText)
            """)

    @OptionGroup var project: ProjectOptions
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() throws {
        let opened = try Project.open(project)
        let info = try opened.store.info()
        let helper = HelperEvidence.info(info, config: opened.config, stateDirectory: opened.store.stateDirectory)  // HelperEvidence+Info.swift
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(JSONText.escapingControls(inEncoded: String(decoding: try HelperEvidence.adding(helper, toJSON: encoder.encode(info)), as: UTF8.self)))
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
        line("embeddings", info.embeddings.map { "\($0.dimension)-d \($0.scalarType) (\($0.source))" } ?? "none (near-duplicates come from Winnow's own image features)")
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
        let actions = DecisionAction.allCases.map(\.rawValue).compactMap { a in (info.decisionsByAction[a] ?? 0) > 0 ? "\(a) \(info.decisionsByAction[a]!)" : nil }
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
        return out
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let text = String(n)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
