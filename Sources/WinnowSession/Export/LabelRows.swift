import Foundation
import WinnowCore
import WinnowStore

/// The corrected label set as rows, one item per row: CSV
/// `image,label,given_label,status,reviewer,decided_at,note` (multi-label: `labels`,
/// `given_labels`, classes joined by `|`), then the items.csv columns with --metadata; or
/// JSONL with the same keys (multi-label: arrays), metadata as an object. The CSV's first
/// two columns make it a dataset's labels.csv.
package struct LabelRows {
    package enum Format: String { case csv, jsonl }

    package let format: Format
    package let multiLabel: Bool
    package let csv: CSVWriter
    /// The items.csv columns to append; nil without --metadata.
    package let metadataColumns: [String]?

    package init(format: Format, multiLabel: Bool, csv: CSVWriter, metadataColumns: [String]?) {
        self.format = format
        self.multiLabel = multiLabel
        self.csv = csv
        self.metadataColumns = metadataColumns
    }

    package var header: String? {
        guard format == .csv else { return nil }
        let labelColumns = multiLabel ? ["labels", "given_labels"] : ["label", "given_label"]
        return csv.record(["image", labelColumns[0], labelColumns[1], "status", "reviewer", "decided_at", "note"] + (metadataColumns ?? []))
    }

    /// Writes the row of `record` with `labels` (its current labels, or what a label policy
    /// left of them) to `file`, field by field (no line is built: a million rows).
    package func write(_ record: ExportRecord, labels: LabelSet, to file: OutputFile) throws {
        let resolution = record.resolution
        let decided = resolution.decidedBy
        let decidedAt = decided.map { Timestamp.string(from: $0.createdAt) }
        switch format {
        case .csv:
            func field(_ value: String) throws {
                try file.write(",")
                try file.write(csv.encode(value))
            }
            try file.write(csv.encode(record.path))
            try field(labels.description)
            try field(record.given?.description ?? "")
            try field(resolution.status.rawValue)
            if let decided {
                try field(decided.reviewer)
                try field(decidedAt ?? "")
                try field(decided.note ?? "")
            } else {
                try file.write(",,,")
            }
            if let metadataColumns {
                for value in ItemMetadata.values(record.metadataJSON, columns: metadataColumns) { try field(value) }
            }
            try file.write("\n")
        case .jsonl:
            // Written piece by piece, plain strings without a copy (a million lines).
            func string(_ value: String?) throws {
                guard let value else { return try file.write("null") }
                if JSONText.isPlain(value) {
                    try file.write("\"")
                    try file.write(value)
                    try file.write("\"")
                } else {
                    try file.write(JSONText.quoted(value))
                }
            }
            try file.write("{\"image\":")
            try string(record.path)
            if multiLabel {
                try file.write(
                    ",\"labels\":" + JSONText.array(labels.names) + ",\"given_labels\":" + (record.given.map { JSONText.array($0.names) } ?? "null"))
            } else {
                try file.write(",\"label\":")
                try string(labels.first ?? "")
                try file.write(",\"given_label\":")
                try string(record.given?.first)
            }
            try file.write(",\"status\":\"" + resolution.status.rawValue + "\",\"reviewer\":")
            try string(decided?.reviewer)
            try file.write(",\"decided_at\":")
            try string(decidedAt)
            try file.write(",\"note\":")
            try string(decided?.note)
            if metadataColumns != nil {
                try file.write(",\"metadata\":")
                try file.write(record.metadataJSON)
            }
            try file.write("}\n")
        }
    }
}
