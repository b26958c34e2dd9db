import Foundation
import GRDB
import WinnowCore

/// What the review screen asks the store beyond deciding: a reviewer's latest decision
/// still in effect (undo reaches back into earlier sessions), how many decisions there are,
/// and what evidence the project has.
extension ProjectStore {
    /// `reviewer`'s newest decision that an undo of its image would take back now (it is
    /// the image's latest decision in effect, and the image is still in the dataset), with
    /// the image's row and path; nil when there is none among their `searched` newest.
    public func latestDecisionInEffect(by reviewer: String, searched: Int = 500) throws(StoreError) -> (event: DecisionEvent, row: Int, path: String)?
    {
        try read { db in
            let candidates = try Row.fetchAll(
                db,
                sql: """
                    SELECT e.id, e.item_id, i.row, i.path FROM events e JOIN items i ON i.id = e.item_id
                    WHERE e.reviewer = ? AND e.action <> 'undo' AND i.row IS NOT NULL ORDER BY e.id DESC LIMIT ?
                    """, arguments: [reviewer, searched])
            var checked = Set<Int64>()
            for candidate in candidates {
                let itemID: Int64 = candidate["item_id"]
                // Only the newest of the reviewer's decisions on an image can be its undo target.
                guard checked.insert(itemID).inserted else { continue }
                let history = try Self.events(db, itemID: itemID)
                guard let target = ItemHistory.undoTarget(history), target.id == candidate["id"] as Int64 else { continue }
                return (target, candidate["row"], candidate["path"])
            }
            return nil
        }
    }

    /// How many decisions the log holds (undo included).
    public func decisionCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0 }
    }

    /// What the project gives the analysis to judge labels with.
    public struct Evidence: Sendable, Equatable {
        /// Items with a given label (annotators' or folder names).
        public var labelledItems: Int
        public var models: Int
        public var hasEmbeddings: Bool
        /// The classes come from classes.txt (not only from labels seen).
        public var classesFromFile: Bool
        public var classes: Int

        package init(labelledItems: Int, models: Int, hasEmbeddings: Bool, classesFromFile: Bool, classes: Int) {
            self.labelledItems = labelledItems
            self.models = models
            self.hasEmbeddings = hasEmbeddings
            self.classesFromFile = classesFromFile
            self.classes = classes
        }
    }

    public func evidence() throws(StoreError) -> Evidence {
        try read { db in
            Evidence(
                labelledItems: try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM items WHERE row IS NOT NULL AND given_labels IS NOT NULL AND given_labels <> ''") ?? 0,
                models: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM models") ?? 0,
                hasEmbeddings: (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM embeddings") ?? 0) > 0,
                classesFromFile: try Self.flag(.classesFromFile, db),
                classes: try Self.classNames(db).count)
        }
    }
}
