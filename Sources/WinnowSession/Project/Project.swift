import Foundation
import WinnowCore
import WinnowStore

/// An opened project: its dataset, settings and store.
package struct Project {
    package let root: String
    package let config: WinnowConfig
    package let store: any ProjectStoring
    /// Where the store is (SQLite in the state folder, or a PostgreSQL database).
    package let location: StoreLocation

    package init(root: String, config: WinnowConfig, store: any ProjectStoring, location: StoreLocation? = nil) {
        self.root = root
        self.config = config
        self.store = store
        self.location = location ?? .sqlite(stateDirectory: store.stateDirectory)
    }

    /// The same project with some settings overridden (by command-line options).
    package func with(_ change: (inout WinnowConfig) -> Void) -> Project {
        var config = config
        change(&config)
        return Project(root: root, config: config, store: store, location: location)
    }

    /// The one-line import summary, plus any notices.
    /// `decodeFailures`: images the last analysis found do not decode (and still unchanged).
    package static func describe(_ s: ImportSummary, decodeFailures: Int = 0) -> String {
        var parts = ["\(s.items) item\(s.items == 1 ? "" : "s")"]
        var changes: [String] = []
        if s.newItems > 0 && s.newItems != s.items { changes.append("\(s.newItems) new") }
        if s.removedItems > 0 { changes.append("\(s.removedItems) removed, history kept") }
        if !changes.isEmpty { parts[0] += " (" + changes.joined(separator: ", ") + ")" }
        parts.append("\(s.classes) class\(s.classes == 1 ? "" : "es")\(s.multiLabel ? " (multi-label)" : "")")
        if s.layout == "image-folder" { parts.append("labels from folder names") }
        parts.append("\(s.annotators) annotator\(s.annotators == 1 ? "" : "s")")
        parts.append(
            s.models.isEmpty
                ? "no models"
                : "\(s.models.count) model\(s.models.count == 1 ? "" : "s") (\(s.models.map { TerminalText.sanitize($0) }.joined(separator: ", ")))")
        parts.append(s.embeddingDimension.map { "embeddings \($0)-d" } ?? "no embeddings")
        if s.problems == 0 && decodeFailures == 0 {
            parts.append("no image problems found at import (winnow analyze decodes every image in full)")
        } else {
            var text = "\(s.problems) image problem\(s.problems == 1 ? "" : "s")"
            if decodeFailures > 0 { text += " and \(decodeFailures) image\(decodeFailures == 1 ? "" : "s") that did not decode at the last analysis" }
            parts.append(text + " (see winnow info)")
        }
        var text = "imported " + parts.joined(separator: ", ")
        for notice in s.notices { text += "\nnote: " + notice }
        return text
    }
}
