import Foundation
import PostgresNIO
import WinnowCore
import WinnowStore

extension PostgresProjectStore {
    /// Everything an analysis reads, in one snapshot: items in order with their given labels,
    /// problems and state under `policy`, models, embeddings, the last event's id. The models'
    /// matrices live in the database; each is written to `stateDirectory/matrices/` (its name
    /// is its SHA-256, so a file already there holds the same bytes) for the analysis to map.
    public func analysisContext(policy: TeamPolicy = TeamPolicy()) throws(StoreError) -> AnalysisContext {
        try read { db in
            guard try db.row("SELECT COUNT(*) FROM imports", as: Int64.self) ?? 0 > 0 else { throw StoreError.notImported }
            let events = try Self.eventsByItem(db)
            var items: [AnalysisContext.Item] = []
            var afterRow = Int64.min
            while true {
                let batch = try db.rows(
                    PostgresQuery(
                        unsafeSQL: #"""
                            SELECT id, "row", path, \#(Self.itemProblemSQL), metadata, given_labels, file_size, file_mtime
                            FROM items WHERE "row" > $1 ORDER BY "row" LIMIT \#(Self.itemBatch)
                            """#, binds: Self.binds(afterRow)), as: (Int64, Int64, String, String?, String, String?, Int64?, Double?).self)
                for (id, _, path, problem, metadata, givenText, size, time) in batch {
                    let given = givenText.map(LabelSet.init(storageText:))
                    let history = events[id] ?? []
                    items.append(
                        .init(
                            id: id, path: path, problem: problem, metadataJSON: metadata, fileSize: size, modificationTime: time,
                            given: given, resolution: ItemHistory.resolve(given: given, events: history),
                            consensus: history.isEmpty ? .none : policy.consensus(history)))
                }
                guard let last = batch.last, batch.count == Int(Self.itemBatch) else { break }
                afterRow = last.1
            }
            var models: [AnalysisContext.Model] = []
            for (name, file) in try db.rows(#"SELECT name, matrix_file FROM models ORDER BY name COLLATE "C""#, as: (String, String).self) {
                models.append(.init(name: name, matrixPath: try writeMatrix(file, db)))
            }
            let embeddings = try db.row("SELECT source, rows, dimension, fingerprint FROM embeddings", as: (String, Int64, Int64, String).self)
                .map { AnalysisContext.Embeddings(source: $0.0, rows: Int($0.1), dimension: Int($0.2), fingerprint: $0.3) }
            return AnalysisContext(
                datasetRoot: try Self.setting(.datasetRoot, db) ?? "",
                classes: try db.rows("SELECT name FROM classes WHERE position IS NOT NULL ORDER BY position", as: String.self),
                multiLabel: try Self.setting(.multiLabel, db) == "true",
                items: items, models: models, embeddings: embeddings,
                lastEventID: try db.row("SELECT MAX(id) FROM events", as: Int64?.self) ?? nil)
        }
    }

    /// The path of matrix `name` in this host's state folder, written from the database when
    /// it is not there yet (`writeStateFileAtomically`: a reader never sees half).
    func writeMatrix(_ name: String, _ db: PostgresTransaction) throws -> String {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw StoreError.io("a stored matrix has an unusable name: \(TerminalText.sanitize(name))")
        }
        let folder = stateDirectory + "/matrices"
        let path = folder + "/" + name
        if FileManager.default.fileExists(atPath: path) { return path }
        guard let npy = try db.row("SELECT npy FROM matrices WHERE name = \(name)", as: Data.self) else {
            throw StoreError.io("the matrix \(TerminalText.sanitize(name)) is missing from \(location)")
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError.io("cannot write \(path): \(error.localizedDescription)\n    fix: check that the state folder is writable")
        }
        try writeStateFileAtomically(path, stateDirectory: stateDirectory) { fd in npy.withUnsafeBytes { writeAll(fd, $0) } }
        return path
    }
}
