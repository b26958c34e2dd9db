#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GRDB
import WinnowCore

/// What an import did, for the one-line summary and `winnow info`.
public struct ImportSummary: Sendable, Codable, Equatable {
    public var items: Int
    public var newItems: Int
    /// Items that left the dataset since the previous import (their history is kept).
    public var removedItems: Int
    public var classes: Int
    public var annotators: Int
    public var labelledItems: Int
    public var models: [String]
    public var embeddingDimension: Int?
    public var problems: Int
    public var layout: String
    public var multiLabel: Bool
    public var notices: [String]
}

extension ImportSummary {
    /// The summary of importing `snapshot`, given what the store counted.
    package init(_ snapshot: DatasetSnapshot, newItems: Int, removedItems: Int) {
        self.init(
            items: snapshot.items.count, newItems: newItems, removedItems: removedItems,
            classes: snapshot.taxonomy.count, annotators: snapshot.annotators.count,
            labelledItems: snapshot.items.reduce(0) { $0 + ($1.givenLabels == nil ? 0 : 1) },
            models: snapshot.models.map(\.name), embeddingDimension: snapshot.embeddings?.dimension,
            problems: snapshot.itemsWithProblems, layout: snapshot.layout.rawValue,
            multiLabel: snapshot.isMultiLabel, notices: snapshot.notices)
    }
}

extension ProjectStore {
    /// Replaces the project's view of the dataset with `snapshot`, in one transaction, keeping
    /// every decision. Items are matched by path, so a re-import after images were added,
    /// predictions replaced or embeddings recomputed keeps each item's id and history.
    public func applyImport(
        _ snapshot: DatasetSnapshot, datasetRoot: String,
        progress: any ProgressReporter = SilentProgress()
    ) throws(StoreError) -> ImportSummary {
        // Matrices first: immutable, content-addressed files. If the transaction below fails
        // they are unreferenced and removed by the next successful import.
        var matrixFiles: [String] = []
        progress.begin("storing prediction matrices", total: nil)
        for model in snapshot.models {
            matrixFiles.append(try writeMatrix(model.probabilities, rows: snapshot.items.count, columns: snapshot.taxonomy.count))
        }

        progress.end()
        let summary = try write { db -> ImportSummary in
            let previousCount = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items") ?? 0
            try Self.set(.datasetRoot, datasetRoot, db)
            try Self.set(.layout, snapshot.layout.rawValue, db)
            try Self.setFlag(.multiLabel, snapshot.isMultiLabel, db)
            try Self.set(.metadataColumns, JSONText.array(snapshot.metadataColumns), db)
            try Self.setFlag(.classesFromFile, snapshot.classesFromFile, db)

            try db.execute(sql: "UPDATE classes SET position = NULL")
            let classStatement = try db.makeStatement(
                sql: "INSERT INTO classes(name, position) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET position = excluded.position")
            for (position, name) in snapshot.taxonomy.names.enumerated() { try classStatement.execute(arguments: [name, position]) }

            progress.begin("writing the project", total: snapshot.items.count + snapshot.annotations.count)
            var itemIDs = [Int64](repeating: 0, count: snapshot.items.count)
            if previousCount == 0 {
                let insert = try BulkInsert(
                    db,
                    sql: "INSERT INTO items(id, path, row, metadata, problem, file_size, file_mtime, given_labels) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                for (row, item) in snapshot.items.enumerated() {
                    let id = Int64(row + 1)
                    itemIDs[row] = id
                    insert.bind(1, id)
                    try Self.bindItem(insert, item, row: row, from: 2)
                    if row & 0xFFFF == 0 { progress.update(row) }
                }
            } else {
                try db.execute(sql: "UPDATE items SET row = NULL")
                let upsert = try BulkInsert(
                    db,
                    sql: """
                        INSERT INTO items(path, row, metadata, problem, file_size, file_mtime, given_labels) VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(path) DO UPDATE SET row = excluded.row, metadata = excluded.metadata, problem = excluded.problem,
                            file_size = excluded.file_size, file_mtime = excluded.file_mtime, given_labels = excluded.given_labels
                        """)
                for (row, item) in snapshot.items.enumerated() {
                    try Self.bindItem(upsert, item, row: row, from: 1)
                    if row & 0xFFFF == 0 { progress.update(row) }
                }
                let rows = try Row.fetchCursor(db, sql: "SELECT id, row FROM items WHERE row IS NOT NULL")
                while let row = try rows.next() { itemIDs[row[1] as Int] = row[0] }
            }

            try db.execute(sql: "DELETE FROM annotations")
            let annotate = try BulkInsert(db, sql: "INSERT INTO annotations(item_id, annotator, labels) VALUES (?, ?, ?)")
            for (i, annotation) in snapshot.annotations.enumerated() {
                annotate.bind(1, itemIDs[annotation.item])
                annotate.bind(2, annotation.annotator)
                annotate.bind(3, annotation.labels.storageText)
                try annotate.step()
                if i & 0xFFFF == 0 { progress.update(snapshot.items.count + i) }
            }
            progress.end()

            try db.execute(sql: "DELETE FROM models")
            for (model, file) in zip(snapshot.models, matrixFiles) {
                try db.execute(
                    sql: "INSERT INTO models(name, source, matrix_file, rows, columns) VALUES (?, ?, ?, ?, ?)",
                    arguments: [model.name, model.source, file, snapshot.items.count, snapshot.taxonomy.count])
            }
            try db.execute(sql: "DELETE FROM embeddings")
            if let e = snapshot.embeddings {
                try db.execute(
                    sql:
                        "INSERT INTO embeddings(source, rows, dimension, scalar_type, file_size, file_mtime, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [e.source, e.rows, e.dimension, e.scalarType, e.fileSize, e.modificationTime, String(e.fingerprint, radix: 16)])
            }

            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items") ?? 0
            let summary = ImportSummary(
                snapshot, newItems: total - previousCount,
                removedItems: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items WHERE row IS NULL") ?? 0)
            let json = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
            try db.execute(sql: "INSERT INTO imports(finished_at, summary) VALUES (?, ?)", arguments: [Timestamp.string(from: Date()), json])
            return summary
        }
        removeUnreferencedMatrices()
        return summary
    }

    /// Binds an item's columns (path, row, metadata, problem, size, mtime, given labels)
    /// starting at parameter `first`, and runs the statement.
    static func bindItem(_ statement: BulkInsert, _ item: DatasetSnapshot.Item, row: Int, from first: Int32) throws {
        statement.bind(first, item.path)
        statement.bind(first + 1, Int64(row))
        statement.bind(first + 2, item.metadataJSON)
        statement.bind(first + 3, item.problem)
        statement.bind(first + 4, item.fileSize)
        statement.bind(first + 5, item.modificationTime)
        statement.bind(first + 6, item.givenLabels?.storageText)
        try statement.step()
    }

    /// Writes a float32 matrix as `.npy` under `matrices/`, named by its content, atomically.
    /// Returns the file name (relative to `matrices/`).
    func writeMatrix(_ values: [Float], rows: Int, columns: Int) throws(StoreError) -> String {
        let header = NPYWriter.float32Header(rows: rows, columns: columns)
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in header { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        values.withUnsafeBytes { raw in
            let words = raw.count / 8
            for i in 0..<words {
                hash = (hash ^ raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* 0x0000_0100_0000_01B3; hash ^= hash >> 29
            }
            for j in (words * 8)..<raw.count { hash = (hash ^ UInt64(raw[j])) &* 0x0000_0100_0000_01B3 }
        }
        let name = String(format: "%016llx.npy", hash)
        let finalPath = stateDirectory + "/matrices/" + name
        if access(finalPath, F_OK) == 0 { return name }
        try writeStateFileAtomically(finalPath, stateDirectory: stateDirectory) { fd in
            header.withUnsafeBytes { writeAll(fd, $0) } && values.withUnsafeBytes { writeAll(fd, $0) }
        }
        return name
    }

    /// Deletes matrix files no model refers to (left by replaced predictions or failed imports).
    /// Files younger than ten minutes are left alone: they may belong to an import that is
    /// still running in another process and has not committed yet.
    func removeUnreferencedMatrices() {
        guard let referenced = try? read({ db in Set(try String.fetchAll(db, sql: "SELECT matrix_file FROM models")) }),
            let names = try? FileManager.default.contentsOfDirectory(atPath: stateDirectory + "/matrices")
        else { return }
        let cutoff = time(nil) - 600
        for name in names where !referenced.contains(name) && (name.hasSuffix(".npy") || name.contains(".tmp-")) {
            let path = stateDirectory + "/matrices/" + name
            var info = stat()
            if stat(path, &info) == 0, info.st_mtim.tv_sec < cutoff { unlink(path) }
        }
    }
}
