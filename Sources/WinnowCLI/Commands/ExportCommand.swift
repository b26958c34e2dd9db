import ArgumentParser
import Foundation
import WinnowCore
import WinnowStore

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the corrected label set: every item that is not excluded, with its current label and provenance.",
        discussion: """
            The first columns are image,label (image,labels for multi-label data, classes \
            joined by |), as in labels.csv, so an export can be used as a dataset's labels. \
            Then: given_label (the annotators' label), status (unreviewed, skipped, \
            accepted, relabelled), reviewer and decided_at (who made the decision in \
            effect, and when) and note. Excluded items and items without any label are \
            left out; the manifest counts them. --metadata appends the items.csv metadata \
            columns (a JSONL line gets a "metadata" object).

            With -o the file is written aside and renamed into place (never half-written), \
            and a manifest FILE.manifest.json is written beside it: counts, options, the \
            newest decision included, time and Winnow's version.

            CSV SAFETY: values a spreadsheet would run as formulas (starting with =, +, -, \
            @, a tab or a carriage return, unless they are plain numbers) are prefixed with \
            a single quote ('), so opening the export in a spreadsheet cannot run code. \
            Pass --no-formula-guard for machine consumers that need values verbatim.

            EXAMPLES:
              winnow export SampleProjects/shapes --format csv -o labels.corrected.csv
              winnow export SampleProjects/shapes --format jsonl | head

            \(WinnowExit.helpText)
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, jsonl }

    @OptionGroup var project: ProjectOptions
    @Option(help: "Output format.") var format: Format = .csv
    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write to this file (default: standard output).", valueName: "file"))
    var output: String?
    @Flag(help: "Add the items.csv metadata columns after the provenance columns.")
    var metadata = false
    @Flag(name: .customLong("formula-guard"), inversion: .prefixedNo,
          help: "Neutralise spreadsheet formulas in CSV values (default: on, or export.formula_guard in winnow.toml).")
    var formulaGuard: Bool?

    struct Manifest: Codable {
        var format: String
        var file: String
        var winnowVersion: String
        var createdAt: String
        var dataset: String
        var multiLabel: Bool
        var classes: [String]
        var items: Int
        var excluded: Int
        var unlabelledLeftOut: Int
        var byStatus: [String: Int]
        var decisionsIncluded: Int
        var lastDecisionID: Int64?
        var formulaGuard: Bool
    }

    /// The values of `columns` from an item's metadata object (as stored at import).
    static func metadataValues(_ json: String, columns: [String]) -> [String] {
        let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
        return columns.map { object[$0] as? String ?? "" }
    }

    func run() throws {
        let opened = try Project.open(project)
        let guardFormulas = formulaGuard ?? opened.config.formulaGuard
        let csv = CSVWriter(formulaGuard: guardFormulas)
        let file = try OutputFile(path: output)
        var exported = 0, excluded = 0, unlabelled = 0
        var byStatus: [String: Int] = [:]
        let metadataColumns = metadata ? try opened.store.metadataColumns() : []
        func header(multiLabel: Bool) -> String {
            let labelColumns = multiLabel ? ["labels", "given_labels"] : ["label", "given_label"]
            return csv.record(["image", labelColumns[0], labelColumns[1], "status", "reviewer", "decided_at", "note"] + metadataColumns)
        }
        var wroteHeader = false
        let head = try opened.store.exportItems { head, record in
            if !wroteHeader {
                wroteHeader = true
                if format == .csv { try file.write(header(multiLabel: head.multiLabel)) }
            }
            let resolution = record.resolution
            if resolution.isExcluded { excluded += 1; return }
            guard let labels = resolution.labels, head.multiLabel || !labels.isEmpty else { unlabelled += 1; return }
            exported += 1
            byStatus[resolution.status.rawValue, default: 0] += 1
            let decided = resolution.decidedBy
            let decidedAt = decided.map { Timestamp.string(from: $0.createdAt) } ?? ""
            switch format {
            case .csv:
                var fields = [record.path, labels.description, record.given?.description ?? "", resolution.status.rawValue,
                              decided?.reviewer ?? "", decidedAt, decided?.note ?? ""]
                if metadata { fields += Self.metadataValues(record.metadataJSON, columns: metadataColumns) }
                try file.write(csv.record(fields))
            case .jsonl:
                var line = "{\"image\":" + JSONText.quoted(record.path)
                if head.multiLabel {
                    line += ",\"labels\":" + JSONText.array(labels.names) + ",\"given_labels\":" + (record.given.map { JSONText.array($0.names) } ?? "null")
                } else {
                    line += ",\"label\":" + JSONText.quoted(labels.first ?? "") + ",\"given_label\":" + (record.given?.first.map(JSONText.quoted) ?? "null")
                }
                line += ",\"status\":" + JSONText.quoted(resolution.status.rawValue)
                line += ",\"reviewer\":" + (decided.map { JSONText.quoted($0.reviewer) } ?? "null")
                line += ",\"decided_at\":" + (decided == nil ? "null" : JSONText.quoted(decidedAt))
                line += ",\"note\":" + (decided?.note.map(JSONText.quoted) ?? "null")
                if metadata { line += ",\"metadata\":" + record.metadataJSON }
                try file.write(line + "}\n")
            }
        }
        if !wroteHeader, format == .csv { try file.write(header(multiLabel: head.multiLabel)) }
        try file.commit()

        guard let output else { return }
        let manifest = Manifest(
            format: format.rawValue, file: (output as NSString).lastPathComponent, winnowVersion: WinnowCommand.version,
            createdAt: Timestamp.string(from: Date()), dataset: head.datasetRoot, multiLabel: head.multiLabel, classes: head.classes,
            items: exported, excluded: excluded, unlabelledLeftOut: unlabelled, byStatus: byStatus,
            decisionsIncluded: head.decisions, lastDecisionID: head.lastEventID, formulaGuard: format == .csv && guardFormulas)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let manifestFile = try OutputFile(path: output + ".manifest.json")
        try manifestFile.write(String(decoding: try encoder.encode(manifest), as: UTF8.self) + "\n")
        try manifestFile.commit()
        printError("exported \(exported) items to \(TerminalText.sanitize(output)) (\(excluded) excluded, \(unlabelled) unlabelled left out); manifest: \(TerminalText.sanitize(output)).manifest.json")
    }
}
