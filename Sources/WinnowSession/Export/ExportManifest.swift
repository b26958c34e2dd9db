import Foundation
import WinnowCore
import WinnowStore

/// What an export holds and where it came from, written beside every export written with
/// -o (`FILE.manifest.json`; `OUT/manifest.json` inside an imagefolder export, so it moves
/// and is replaced with the folder), so a training run can cite exactly which labels it used:
/// the decision log's head (its newest event and hash), the policies, and the counts.
package struct ExportManifest: Encodable {
    package struct DecisionLog: Encodable {
        package var events: Int
        package var lastEventID: Int64?
        /// The hash of the log up to `lastEventID` ("" while the project has no hash chain).
        package var headHash: String?

        package init(_ head: ExportHead) {
            events = head.decisions
            lastEventID = head.lastEventID
            headHash = head.decisionLog?.hash
        }

        package enum CodingKeys: String, CodingKey { case events, lastEventID = "last_event_id", headHash = "head_hash" }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(events, forKey: .events)
            try container.encode(lastEventID, forKey: .lastEventID) // null rather than absent
            try container.encode(headHash, forKey: .headHash)
        }
    }

    package struct Groups: Encodable {
        package var groups: Int
        package var bad: Int
        package var unresolved: Int

        package init(groups: Int, bad: Int, unresolved: Int) {
            self.groups = groups
            self.bad = bad
            self.unresolved = unresolved
        }
    }

    package struct Counts: Encodable {
        package init() {}
        /// Items in the dataset.
        package var items = 0
        /// Items (imagefolder: images) written to the export.
        package var written = 0
        /// Items reviewers excluded (left out, or written with status excluded under keep-excluded).
        package var excluded = 0
        package var heldBack = 0
        package var unlabelledLeftOut = 0
        /// Items left out, by the policy that left them out (drop-excluded, final-only,
        /// bad-components, one-per-group).
        package var dropped: [String: Int] = [:]
        /// Labels taken off written items by label-intersection and drop-rare-labels.
        package var labelsRemoved = 0
        package var byStatus: [String: Int] = [:]
        /// Written items per class (multi-label: an item counts for each of its classes).
        package var perClass: [String: Int] = [:]
        /// The near-duplicate groups, when a policy needed them.
        package var groups: Groups?
        /// imagefolder: items whose image file is missing (not written), and images copied
        /// because the file already had the most hard links the file system allows.
        package var missingImages: Int?
        package var copiedInsteadOfLinked: Int?
        /// imagefolder: images left out because of a problem with their file (see `leftOut`).
        package var leftOut: Int?

        package enum CodingKeys: String, CodingKey {
            case items, written, excluded, heldBack = "held_back", unlabelledLeftOut = "unlabelled_left_out", dropped
            case labelsRemoved = "labels_removed", byStatus = "by_status", perClass = "per_class", groups
            case missingImages = "missing_images", copiedInsteadOfLinked = "copied_instead_of_linked", leftOut = "left_out"
        }
    }

    package var format: String
    /// The export's file or folder name, and the held-back one's (bad-components=hold).
    package var output: String
    package var heldBack: String?
    package var winnowVersion: String
    package var createdAt: String
    package var dataset: String
    package var multiLabel: Bool
    package var classes: [String]
    /// The policies in force, in the order they apply.
    package var policies: [String]
    package var finalOnly: Bool
    /// CSV outputs: whether spreadsheet formulas were neutralised.
    package var formulaGuard: Bool?
    /// imagefolder: how images were placed, and how names were made safe.
    package var linkMode: String?
    package var layout: ImageFolderLayout?
    /// imagefolder: every image left out because of its file, with why (a problem found at
    /// import, or a symbolic link leading out of the dataset folder).
    package var leftOut: [String: String]?
    package var decisionLog: DecisionLog
    package var counts: Counts

    package enum CodingKeys: String, CodingKey {
        case format, output, heldBack = "held_back", winnowVersion = "winnow_version", createdAt = "created_at", dataset
        case multiLabel = "multi_label", classes, policies, finalOnly = "final_only", formulaGuard = "formula_guard"
        case linkMode = "link_mode", layout, leftOut = "left_out", decisionLog = "decision_log", counts
    }

    /// A manifest of an export read from `head`, written now by this Winnow.
    package init(format: String, output: String, head: ExportHead, policies: [String], finalOnly: Bool, formulaGuard: Bool?, counts: Counts) {
        self.format = format
        self.output = output
        winnowVersion = WinnowVersion.current
        createdAt = Timestamp.string(from: Date())
        dataset = head.datasetRoot
        multiLabel = head.multiLabel
        classes = head.classes
        self.policies = policies
        self.finalOnly = finalOnly
        self.formulaGuard = formulaGuard
        decisionLog = DecisionLog(head)
        self.counts = counts
    }

    /// Pretty, sorted JSON (stable to diff between exports).
    package func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Paths and class names are untrusted: no raw C1 or bidi control even in a file someone may `cat`.
        return JSONText.escapingControls(inEncoded: String(decoding: try encoder.encode(self), as: UTF8.self)) + "\n"
    }

    /// Writes the manifest atomically to `path`.
    package func write(to path: String) throws {
        let file = try OutputFile(path: path)
        try file.write(try json())
        try file.commit()
    }
}

/// How an imagefolder export named its folders and files (see `ImageFolderOutput`).
package struct ImageFolderLayout: Encodable {
    /// Every class's folder name (the same as the class unless it had to be made safe).
    package var classFolders: [String: String]
    /// Images written under another name than their own: image path → `class-folder/name`
    /// (multi-label: the first of its folders; the name is the same in every folder).
    package var renamedFiles: [String: String]
    /// How names are made safe and unique, in words.
    package var naming: String

    package enum CodingKeys: String, CodingKey { case classFolders = "class_folders", renamedFiles = "renamed_files", naming }
}
