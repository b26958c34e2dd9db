import Foundation
import GRDB
import WinnowCore

/// Everything an analysis reads from the project, in one consistent snapshot.
public struct AnalysisContext: Sendable {
    public struct Item: Sendable {
        public var id: Int64
        public var path: String
        public var problem: String?
        public var metadataJSON: String
        public var fileSize: Int64?
        public var modificationTime: Double?
        /// The annotators' consensus label, before any review decision.
        public var given: LabelSet?
        public var resolution: ItemResolution
        /// Where its reviews stand under the team policy the context was read with.
        public var consensus: ReviewConsensus

        package init(
            id: Int64, path: String, problem: String?, metadataJSON: String, fileSize: Int64?, modificationTime: Double?,
            given: LabelSet?, resolution: ItemResolution, consensus: ReviewConsensus
        ) {
            (self.id, self.path, self.problem, self.metadataJSON) = (id, path, problem, metadataJSON)
            (self.fileSize, self.modificationTime, self.given, self.resolution, self.consensus) = (
                fileSize, modificationTime, given, resolution, consensus
            )
        }
    }

    public struct Model: Sendable {
        public var name: String
        /// Absolute path of the float32 items × classes `.npy` in the state folder.
        public var matrixPath: String

        package init(name: String, matrixPath: String) { (self.name, self.matrixPath) = (name, matrixPath) }
    }

    public struct Embeddings: Sendable {
        /// Relative to the dataset root.
        public var source: String
        public var rows: Int
        public var dimension: Int
        public var fingerprint: String

        package init(source: String, rows: Int, dimension: Int, fingerprint: String) {
            (self.source, self.rows, self.dimension, self.fingerprint) = (source, rows, dimension, fingerprint)
        }
    }

    public var datasetRoot: String
    public var classes: [String]
    public var multiLabel: Bool
    /// Items in the dataset, in items order (the row order of every matrix).
    public var items: [Item]
    public var models: [Model]
    public var embeddings: Embeddings?
    /// The newest decision this context includes.
    public var lastEventID: Int64?

    package init(
        datasetRoot: String, classes: [String], multiLabel: Bool, items: [Item], models: [Model], embeddings: Embeddings?, lastEventID: Int64?
    ) {
        (self.datasetRoot, self.classes, self.multiLabel, self.items) = (datasetRoot, classes, multiLabel, items)
        (self.models, self.embeddings, self.lastEventID) = (models, embeddings, lastEventID)
    }
}

extension ProjectStore {
    /// `policy`: how reviews combine (`[team] reviews_per_item`, the leads), for each item's consensus.
    public func analysisContext(policy: TeamPolicy = TeamPolicy()) throws(StoreError) -> AnalysisContext {
        try read { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM imports") ?? 0 > 0 else { throw StoreError.notImported }
            let events = try Self.eventsByItem(db)
            var items: [AnalysisContext.Item] = []
            items.reserveCapacity(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items WHERE row IS NOT NULL") ?? 0)
            let rows = try Row.fetchCursor(
                db,
                sql:
                    "SELECT id, path, \(Self.itemProblemSQL), metadata, given_labels, file_size, file_mtime FROM items WHERE row IS NOT NULL ORDER BY row"
            )
            // Columns by position: on a million rows, looking each up by name costs seconds.
            while let row = try rows.next() {
                let id: Int64 = row[0]
                let given = (row[4] as String?).map(LabelSet.init(storageText:))
                let history = events[id] ?? []
                items.append(
                    .init(
                        id: id, path: row[1], problem: row[2], metadataJSON: row[3],
                        fileSize: row[5], modificationTime: row[6], given: given,
                        resolution: ItemHistory.resolve(given: given, events: history),
                        consensus: history.isEmpty ? .none : policy.consensus(history)))
            }
            let models = try Row.fetchAll(db, sql: "SELECT name, matrix_file FROM models ORDER BY name").map {
                AnalysisContext.Model(name: $0["name"], matrixPath: stateDirectory + "/matrices/" + ($0["matrix_file"] as String))
            }
            let embeddings = try Row.fetchOne(db, sql: "SELECT source, rows, dimension, fingerprint FROM embeddings").map {
                AnalysisContext.Embeddings(source: $0["source"], rows: $0["rows"], dimension: $0["dimension"], fingerprint: $0["fingerprint"])
            }
            return AnalysisContext(
                datasetRoot: try Self.setting(.datasetRoot, db) ?? "",
                classes: try Self.classNames(db),
                multiLabel: try Self.isMultiLabel(db),
                items: items, models: models, embeddings: embeddings,
                lastEventID: try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM events"))
        }
    }
}

extension ProjectStore {
    /// Cached content hashes by item id, valid only while the file's size and time match.
    public func contentHashes() throws(StoreError) -> [Int64: (size: Int64, modificationTime: Double, hash: UInt64)] {
        try read { db in
            var result: [Int64: (Int64, Double, UInt64)] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT item_id, file_size, file_mtime, hash FROM content_hashes")
            while let row = try rows.next() {
                if let hash = UInt64(row["hash"] as String, radix: 16) { result[row["item_id"]] = (row["file_size"], row["file_mtime"], hash) }
            }
            return result
        }
    }

    /// Stores newly computed content hashes (replacing older ones for the same items).
    public func saveContentHashes(_ hashes: [(itemID: Int64, size: Int64, modificationTime: Double, hash: UInt64)]) throws(StoreError) {
        guard !hashes.isEmpty else { return }
        try write { db in
            let statement = try BulkInsert(db, sql: "INSERT OR REPLACE INTO content_hashes(item_id, file_size, file_mtime, hash) VALUES (?, ?, ?, ?)")
            for h in hashes {
                statement.bind(1, h.itemID)
                statement.bind(2, h.size)
                statement.bind(3, h.modificationTime)
                statement.bind(4, String(h.hash, radix: 16))
                try statement.step()
            }
        }
    }
}

extension ProjectStore {
    /// Each annotator's labels for the given items (by item id), annotators in name order.
    public func annotations(ofItems ids: [Int64]) throws(StoreError) -> [Int64: [(annotator: String, labels: LabelSet)]] {
        guard !ids.isEmpty else { return [:] }
        return try read { db in
            var result: [Int64: [(annotator: String, labels: LabelSet)]] = [:]
            for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min(ids.count, $0 + 500)]) }) {
                let marks = chunk.map { _ in "?" }.joined(separator: ",")
                let rows = try Row.fetchAll(
                    db, sql: "SELECT item_id, annotator, labels FROM annotations WHERE item_id IN (\(marks)) ORDER BY annotator",
                    arguments: StatementArguments(chunk))
                for row in rows { result[row["item_id"], default: []].append((row["annotator"], LabelSet(storageText: row["labels"]))) }
            }
            return result
        }
    }
}
