import ArgumentParser
import Foundation
import WinnowCore
import WinnowStore
import WinnowUI

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Show the decision log: who decided what, when, on which image, from which queue and flag, with what score.",
        discussion: """
            Every decision ever made, oldest first, undo included (an undo is a decision \
            too: it names the one it took back). Filter by IMAGE, --reviewer and --since; \
            filters combine.

            The table shows each decision's id, time (UTC), reviewer, action, image, labels \
            (before → after), queue / flag (the queue worked through and the sub-queue that \
            surfaced the image), the kinds of flag behind it, the queue entry's score, and \
            the note. JSONL lines carry id, image, item_id, reviewer, action, old_labels, \
            new_labels (lists of classes, null when unlabelled), queue, reason, note, \
            undoes, created_at, score, flags and hash (the event's link in the hash chain: \
            see winnow verify).

            The log streams: a million decisions print without being held in memory.

            EXAMPLES:
              winnow log SampleProjects/shapes
              winnow log SampleProjects/shapes batch-01/img_0007.png
              winnow log SampleProjects/shapes --reviewer alice --since 2d
              winnow log SampleProjects/shapes --since 2026-11-01T09:00 --format jsonl

            \(WinnowExit.helpText)
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, jsonl }

    @OptionGroup var project: ProjectOptions

    @Argument(help: ArgumentHelp("Only the decisions on this image (a path relative to images/).", valueName: "image"))
    var image: String?

    @Option(help: ArgumentHelp("Only this reviewer's decisions.", valueName: "name"))
    var reviewer: String?

    @Option(help: ArgumentHelp("Only decisions made at or after this time: \(TimeArgument.help).", valueName: "time"))
    var since: String?

    @Option(help: "Output format.") var format: Format = .table

    func validate() throws {
        if let since, TimeArgument.parse(since) == nil {
            throw ValidationError("--since: cannot read \"\(TerminalText.sanitize(since))\" as a time; give \(TimeArgument.help)")
        }
    }

    func run() throws {
        let opened = try Project.open(project, importIfNeeded: false)
        let out = try OutputFile(path: nil)
        var table = LogTable()
        let shown = try opened.store.logEntries(image: image, reviewer: reviewer, since: since.flatMap { TimeArgument.parse($0) }) { entry in
            switch format {
            case .table: try table.add(entry, to: out)
            case .jsonl: try out.write(Self.json(entry) + "\n")
            }
        }
        if format == .table {
            try table.finish(to: out)
            if shown == 0 {
                try out.write(image == nil && reviewer == nil && since == nil ? "no decisions yet\n" : "no decisions match\n")
            }
        }
        try out.commit()
    }

    /// One event as a JSON object, every field included.
    static func json(_ e: DecisionLogEntry) -> String {
        func labels(_ set: LabelSet?) -> String { set.map { JSONText.array($0.names) } ?? "null" }
        func text(_ value: String?) -> String { value.map(JSONText.quoted) ?? "null" }
        var line = "{\"id\":\(e.id),\"image\":" + JSONText.quoted(e.imagePath) + ",\"item_id\":\(e.itemID)"
        line += ",\"reviewer\":" + JSONText.quoted(e.reviewer) + ",\"action\":" + JSONText.quoted(e.action)
        line += ",\"old_labels\":" + labels(e.oldLabels) + ",\"new_labels\":" + labels(e.newLabels)
        line += ",\"queue\":" + text(e.queue) + ",\"reason\":" + text(e.reason) + ",\"note\":" + text(e.note)
        line += ",\"undoes\":" + (e.undoes.map { String($0) } ?? "null")
        line += ",\"created_at\":" + JSONText.quoted(e.createdAt)
        // Swift prints the shortest text that reads back as the same double; valid JSON when finite.
        line += ",\"score\":" + (e.score.flatMap { $0.isFinite ? "\($0)" : nil } ?? "null")
        line += ",\"flags\":" + JSONText.array(e.flags) + ",\"hash\":" + text(e.hash) + "}"
        return line
    }
}

/// The log as an aligned table, streamed: column widths come from the first rows (a long
/// value further down pushes its row's later columns right rather than being cut).
/// Every value from the project is sanitised: labels, paths and names may hold escapes.
struct LogTable {
    static let header = ["id", "time (UTC)", "reviewer", "action", "image", "labels", "queue / flag", "flags", "score"]
    /// Widest a column grows from the sample.
    static let maxWidth = [10, 19, 20, 8, 48, 40, 32, 40, 6]
    static let sampleSize = 200

    private var sample: [(cells: [String], note: String?)] = []
    private var widths: [Int]?

    mutating func add(_ entry: DecisionLogEntry, to out: OutputFile) throws {
        let row = Self.cells(entry)
        if let widths { return try out.write(Self.line(row.cells, note: row.note, widths: widths)) }
        sample.append(row)
        if sample.count == Self.sampleSize { try flushSample(to: out) }
    }

    mutating func finish(to out: OutputFile) throws {
        if widths == nil, !sample.isEmpty { try flushSample(to: out) }
    }

    private mutating func flushSample(to out: OutputFile) throws {
        var widths = Self.header.map { DisplayWidth.of($0) }
        for row in sample {
            for (c, cell) in row.cells.enumerated() { widths[c] = max(widths[c], min(Self.maxWidth[c], DisplayWidth.of(cell))) }
        }
        self.widths = widths
        try out.write(Self.line(Self.header, note: nil, widths: widths))
        for row in sample { try out.write(Self.line(row.cells, note: row.note, widths: widths)) }
        sample = []
    }

    static func line(_ cells: [String], note: String?, widths: [Int]) -> String {
        var line = String(repeating: " ", count: max(0, widths[0] - cells[0].count)) + cells[0]
        for c in 1..<cells.count {
            line += "  " + cells[c]
            if c < cells.count - 1 { line += String(repeating: " ", count: max(0, widths[c] - DisplayWidth.of(cells[c]))) }
        }
        if let note { line += "  · " + note }
        return line + "\n"
    }

    static func cells(_ e: DecisionLogEntry) -> (cells: [String], note: String?) {
        let s = TerminalText.sanitize
        func show(_ labels: LabelSet?) -> String { labels.map { $0.isEmpty ? "(no labels)" : s($0.description) } ?? "(unlabelled)" }
        var labels = e.oldLabels == e.newLabels ? show(e.newLabels) : show(e.oldLabels) + " → " + show(e.newLabels)
        if let undoes = e.undoes { labels += " (undoes #\(undoes))" }
        // 2026-11-01T10:00:00.123Z → 2026-11-01 10:00:00
        let time = e.createdAt.count >= 19 ? String(e.createdAt.prefix(19)).replacingOccurrences(of: "T", with: " ") : e.createdAt
        var queue = e.queue.map(s) ?? "-"
        if let reason = e.reason, reason != e.queue { queue += " / " + s(reason) }
        let cells = [String(e.id), s(time), s(e.reviewer), s(e.action), s(e.imagePath), labels, queue,
                     e.flags.isEmpty ? "-" : s(e.flags.joined(separator: ", ")),
                     e.score.map { String(format: "%.3f", $0) } ?? "-"]
        return (cells, e.note.flatMap { $0.isEmpty ? nil : s($0) })
    }
}
