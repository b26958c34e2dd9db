import Foundation
import WinnowCore
import WinnowStore

/// The corrections report (`--format corrections`): only the items whose label changed or
/// that were excluded, for whoever maintains the source labels. CSV
/// `image,old_label,new_label,action,reviewers,decided_at,queue,reason,note`
/// (multi-label: `old_labels,new_labels`, classes joined by `|`), or JSONL when -o ends in
/// `.jsonl` or `.ndjson`.
///
/// old label: the given label (the annotators'). new label: the current one; an excluded
/// item's is `(excluded)` in CSV and null in JSONL. action: `relabel` or `exclude`.
/// reviewers: everyone whose decision (accept, relabel, exclude) is in effect on the item,
/// in the order they decided, joined by `|` in CSV. decided_at, queue, reason and note:
/// of the decision in effect; queue and reason are what surfaced the item (the flag).
package struct CorrectionRows {
    package enum Format: String { case csv, jsonl }

    package let format: Format
    package let multiLabel: Bool
    package let csv: CSVWriter

    package init(format: Format, multiLabel: Bool, csv: CSVWriter) {
        self.format = format
        self.multiLabel = multiLabel
        self.csv = csv
    }

    package static let excludedMarker = "(excluded)"

    /// JSONL for `.jsonl` / `.ndjson` outputs, CSV otherwise (and on standard output).
    package static func format(forOutput path: String?) -> Format {
        let ext = (path.map { ($0 as NSString).pathExtension.lowercased() }) ?? ""
        return ext == "jsonl" || ext == "ndjson" ? .jsonl : .csv
    }

    /// A correction is an item relabelled (its label differs from the given one) or excluded.
    package static func isCorrection(_ resolution: ItemResolution) -> Bool {
        resolution.status == .relabelled || resolution.status == .excluded
    }

    package var header: String? {
        guard format == .csv else { return nil }
        let labels = multiLabel ? ["old_labels", "new_labels"] : ["old_label", "new_label"]
        return csv.record(["image"] + labels + ["action", "reviewers", "decided_at", "queue", "reason", "note"])
    }

    package func row(_ record: ExportRecord) -> String {
        let resolution = record.resolution
        let excluded = resolution.isExcluded
        let decided = resolution.decidedBy
        let flag = decided.map(Self.surfacingFlag(of:))
        let reviewers = Self.reviewers(of: record.events)
        let decidedAt = decided.map { Timestamp.string(from: $0.createdAt) }
        let action = excluded ? "exclude" : "relabel"
        switch format {
        case .csv:
            return csv.record([
                record.path, record.given?.description ?? "",
                excluded ? Self.excludedMarker : resolution.labels?.description ?? "",
                action, reviewers.joined(separator: "|"), decidedAt ?? "",
                flag?.queue ?? "", flag?.reason ?? "", decided?.note ?? ""
            ])
        case .jsonl:
            func labels(_ set: LabelSet?) -> String {
                guard let set else { return "null" }
                return multiLabel ? JSONText.array(set.names) : set.first.map(JSONText.quoted) ?? "null"
            }
            func text(_ value: String?) -> String { value.map(JSONText.quoted) ?? "null" }
            let key = multiLabel ? "labels" : "label"
            return "{\"image\":" + JSONText.quoted(record.path)
                + ",\"old_\(key)\":" + labels(record.given)
                + ",\"new_\(key)\":" + (excluded ? "null" : labels(resolution.labels))
                + ",\"action\":" + JSONText.quoted(action)
                + ",\"reviewers\":" + JSONText.array(reviewers)
                + ",\"decided_at\":" + text(decidedAt)
                + ",\"queue\":" + text(flag?.queue) + ",\"reason\":" + text(flag?.reason)
                + ",\"note\":" + text(decided?.note) + "}\n"
        }
    }

    /// What surfaced the item for the decision: the queue it was reviewed from and the
    /// reason the queue gave. The one place that reads it, so richer flags recorded with
    /// each decision (a later schema) change only this.
    package static func surfacingFlag(of event: DecisionEvent) -> (queue: String?, reason: String?) {
        (event.queue, event.reason)
    }

    /// Everyone whose decision on the item is in effect (skips and split-offs aside), in
    /// the order they first decided.
    package static func reviewers(of events: [DecisionEvent]) -> [String] {
        var seen = Set<String>()
        return ItemHistory.effectiveDecisions(events)
            .filter { [.accept, .relabel, .exclude].contains($0.action) }
            .compactMap { seen.insert($0.reviewer).inserted ? $0.reviewer : nil }
    }
}
