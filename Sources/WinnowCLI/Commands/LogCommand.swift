import ArgumentParser
import Foundation
import WinnowCore
import WinnowStore
import WinnowUI
import WinnowSession

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
            surfaced the image, with what that means in words), the kinds of flag behind it, \
            the item's label-issue score when it was decided (0–1, the same scale whichever \
            queue surfaced it), and the note. JSONL lines carry id, image, item_id, reviewer, action, old_labels, \
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
        var line = JSONLine()
        let shown = try opened.store.logEntries(image: image, reviewer: reviewer, since: since.flatMap { TimeArgument.parse($0) }) { entry in
            switch format {
            case .table: try table.add(entry, to: out)
            case .jsonl:
                line.clear()
                line.append(entry)
                try line.bytes.withUnsafeBytes { try out.write(bytes: $0) }
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

    /// One event as a JSON object, every field included, and a newline.
    static func json(_ e: DecisionLogEntry) -> String {
        var line = JSONLine()
        line.append(e)
        return String(decoding: line.bytes, as: UTF8.self)
    }
}

/// Builds JSONL lines as bytes: a million log lines through String appends cost several
/// times more than the database reads behind them.
struct JSONLine {
    private(set) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1024) }

    mutating func clear() { bytes.removeAll(keepingCapacity: true) }

    private mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func number(_ value: Int64) {
        var text = String(value)
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private mutating func string(_ value: String?) {
        guard var value else { return raw("null") }
        let plain = JSONText.isPlain(value)
        value.withUTF8 { utf8 in
            // Nothing to escape (the common case): the bytes as they are. JSONText decides,
            // so C1 and bidi controls are escaped here as everywhere.
            if plain {
                bytes.append(0x22)
                bytes.append(contentsOf: utf8)
                bytes.append(0x22)
            } else {
                bytes.append(contentsOf: JSONText.quoted(String(decoding: utf8, as: UTF8.self)).utf8)
            }
        }
    }

    private mutating func strings(_ values: [String]?) {
        guard let values else { return raw("null") }
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Appends `e` as one JSON object and a newline.
    mutating func append(_ e: DecisionLogEntry) {
        raw("{\"id\":"); number(e.id)
        raw(",\"image\":"); string(e.imagePath)
        raw(",\"item_id\":"); number(e.itemID)
        raw(",\"reviewer\":"); string(e.reviewer)
        raw(",\"action\":"); string(e.actionText)
        raw(",\"old_labels\":"); strings(e.oldLabels?.names)
        raw(",\"new_labels\":"); strings(e.newLabels?.names)
        raw(",\"queue\":"); string(e.queue)
        raw(",\"reason\":"); string(e.reason)
        raw(",\"note\":"); string(e.note)
        raw(",\"undoes\":"); if let undoes = e.undoes { number(undoes) } else { raw("null") }
        raw(",\"created_at\":"); string(e.createdAtText)
        // Swift prints the shortest text that reads back as the same double: valid JSON when finite.
        raw(",\"score\":")
        if let score = e.score, score.isFinite {
            var text = score.description
            text.withUTF8 { bytes.append(contentsOf: $0) }
        } else {
            raw("null")
        }
        raw(",\"flags\":"); strings(e.flags)
        raw(",\"hash\":"); string(e.hash)
        raw("}\n")
    }
}

/// The log as an aligned table, streamed: column widths come from the first rows (a long
/// value further down pushes its row's later columns right rather than being cut).
/// Every value from the project is sanitised: labels, paths and names may hold escapes.
struct LogTable {
    static let header = ["id", "time (UTC)", "reviewer", "action", "image", "labels", "queue / flag", "flags", "score"]
    /// Widest a column grows from the sample.
    static let maxWidth = [10, 19, 20, 8, 48, 40, 48, 40, 6]
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
        var time = e.createdAtText
        if time.utf8.count >= 19, time.utf8.dropFirst(10).first == UInt8(ascii: "T") {
            time = String(decoding: time.utf8.prefix(10), as: UTF8.self) + " " + String(decoding: time.utf8.dropFirst(11).prefix(8), as: UTF8.self)
        }
        var queue = e.queue.map(s) ?? "-"
        if let reason = e.reason, reason != e.queue { queue += " / " + s(reason) }
        // What surfaced it, in words: each queue's own measure does not compare across queues.
        if let words = (e.reason ?? e.queue).flatMap(QueueMeasure.phrase(forReason:)) { queue += " (\(words))" }
        let cells = [
            String(e.id), s(time), s(e.reviewer), s(e.actionText), s(e.imagePath), labels, queue,
            e.flags.isEmpty ? "-" : s(e.flags.joined(separator: ", ")),
            Self.comparableScore(e.score).map(Self.threeDecimals) ?? "-"
        ]
        return (cells, e.note.flatMap { $0.isEmpty ? nil : s($0) })
    }

    /// The score column: the item's label-issue score (0–1, the same scale in every queue).
    /// Decisions logged before it was used there carry their queue's own ranking key (a
    /// random draw's position, a group's rank), which compares with nothing: not shown.
    static func comparableScore(_ score: Double?) -> Double? {
        guard let score, score >= 0, score <= 1 else { return nil }
        return score
    }

    /// `%.3f` without Foundation's formatter (a million rows).
    static func threeDecimals(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return value.isNaN ? "nan" : String(format: "%.3f", value) }
        let thousandths = Int64((abs(value) * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return (value < 0 && thousandths > 0 ? "-" : "") + String(thousandths / 1000) + "." + String(repeating: "0", count: 3 - fraction.count)
            + fraction
    }
}
