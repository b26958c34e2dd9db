import Foundation
import NIOCore
import PostgresNIO
import WinnowCore
import WinnowStore

extension PostgresProjectStore {
    /// Replaces the project's view of the dataset with `snapshot`, in one transaction, keeping
    /// every decision. Items are matched by their path under images/, so a re-import (from
    /// any host's copy of the dataset) keeps each item's id and history.
    public func applyImport(
        _ snapshot: DatasetSnapshot, datasetRoot: String,
        progress: any ProgressReporter = SilentProgress()
    ) throws(StoreError) -> ImportSummary {
        try applyImport(snapshot, datasetRoot: datasetRoot, progress: progress, batch: Self.importBatch)
    }

    /// `applyImport` writing `batch` rows per statement (tests cross batch boundaries with small ones).
    func applyImport(
        _ snapshot: DatasetSnapshot, datasetRoot: String, progress: any ProgressReporter, batch: Int
    ) throws(StoreError) -> ImportSummary {
        progress.begin("storing prediction matrices", total: nil)
        let matrices = snapshot.models.map { Self.npy($0.probabilities, rows: snapshot.items.count, columns: snapshot.taxonomy.count) }
        progress.end()
        return try write { db in
            // One import at a time; decisions may go on reading meanwhile.
            try db.run("LOCK TABLE items IN SHARE ROW EXCLUSIVE MODE")
            let previousCount = Int(try db.row("SELECT COUNT(*) FROM items", as: Int64.self) ?? 0)
            func set(_ key: ProjectSetting, _ value: String) throws {
                try db.query(
                    "INSERT INTO project(key, value) VALUES (\(key.rawValue), \(value)) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            }
            try set(.datasetRoot, datasetRoot)
            try set(.layout, snapshot.layout.rawValue)
            try set(.multiLabel, snapshot.isMultiLabel ? "true" : "false")
            try set(.metadataColumns, JSONText.array(snapshot.metadataColumns))
            try set(.classesFromFile, snapshot.classesFromFile ? "true" : "false")

            try db.run("UPDATE classes SET position = NULL")
            for (position, name) in snapshot.taxonomy.names.enumerated() {
                try db.query(
                    "INSERT INTO classes(name, position) VALUES (\(name), \(Int64(position))) ON CONFLICT (name) DO UPDATE SET position = excluded.position"
                )
            }

            progress.begin("writing the project", total: snapshot.items.count + snapshot.annotations.count)
            var itemIDs = [Int64](repeating: 0, count: snapshot.items.count)
            let items = snapshot.items
            if previousCount == 0 {
                // Ids follow items.csv, as in the SQLite store.
                try Self.insertColumns(
                    db, count: items.count, batch: batch,
                    sql: #"""
                        INSERT INTO items(id, path, "row", metadata, problem, file_size, file_mtime, given_labels)
                        SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::float8[], $8::text[])
                        """#
                ) { range, binds in
                    for i in range { itemIDs[i] = Int64(i + 1) }
                    binds.append(range.map { Int64($0 + 1) })
                    Self.bindItems(items, range, &binds)
                } progress: {
                    progress.update($0)
                }
                try db.query("SELECT setval('items_id_seq', \(Int64(max(snapshot.items.count, 1))))")
            } else {
                try db.run(#"UPDATE items SET "row" = NULL"#)
                try Self.insertColumns(
                    db, count: items.count, batch: batch,
                    sql: #"""
                        INSERT INTO items(path, "row", metadata, problem, file_size, file_mtime, given_labels)
                        SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::float8[], $7::text[])
                        ON CONFLICT (path) DO UPDATE SET "row" = excluded."row", metadata = excluded.metadata, problem = excluded.problem,
                            file_size = excluded.file_size, file_mtime = excluded.file_mtime, given_labels = excluded.given_labels
                        RETURNING id, "row"
                        """#
                ) { range, binds in
                    Self.bindItems(items, range, &binds)
                } returned: { result in
                    for row in result {
                        let (id, index) = try row.decode((Int64, Int64).self)
                        itemIDs[Int(index)] = id
                    }
                } progress: {
                    progress.update($0)
                }
            }

            try db.run("DELETE FROM annotations")
            let annotations = snapshot.annotations
            try Self.insertColumns(
                db, count: annotations.count, batch: batch,
                sql: "INSERT INTO annotations(item_id, annotator, labels) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])"
            ) { range, binds in
                binds.append(range.map { itemIDs[annotations[$0].item] })
                binds.append(range.map { annotations[$0].annotator })
                binds.append(range.map { annotations[$0].labels.storageText })
            } progress: {
                progress.update(snapshot.items.count + $0)
            }
            progress.end()

            try db.run("DELETE FROM models")
            for (model, npy) in zip(snapshot.models, matrices) {
                try db.query("INSERT INTO matrices(name, npy) VALUES (\(npy.name), \(npy.bytes)) ON CONFLICT (name) DO NOTHING")
                try db.query(
                    """
                    INSERT INTO models(name, source, matrix_file, rows, columns)
                    VALUES (\(model.name), \(model.source), \(npy.name), \(Int64(snapshot.items.count)), \(Int64(snapshot.taxonomy.count)))
                    """)
            }
            // Replaced predictions: nothing refers to their matrices any more.
            try db.run("DELETE FROM matrices WHERE name NOT IN (SELECT matrix_file FROM models)")
            try db.run("DELETE FROM embeddings")
            if let e = snapshot.embeddings {
                try db.query(
                    """
                    INSERT INTO embeddings(source, rows, dimension, scalar_type, file_size, file_mtime, fingerprint)
                    VALUES (\(e.source), \(Int64(e.rows)), \(Int64(e.dimension)), \(e.scalarType), \(Int64(e.fileSize)), \(e.modificationTime), \(String(e.fingerprint, radix: 16)))
                    """)
            }

            // Fresh statistics for the rows just written, so queries right after a large import
            // are planned on them, not on the empty tables autovacuum last saw.
            try db.run("ANALYZE items, annotations")
            let total = Int(try db.row("SELECT COUNT(*) FROM items", as: Int64.self) ?? 0)
            let removed = Int(try db.row(#"SELECT COUNT(*) FROM items WHERE "row" IS NULL"#, as: Int64.self) ?? 0)
            let summary = ImportSummary(snapshot, newItems: total - previousCount, removedItems: removed)
            let json = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
            try db.query("INSERT INTO imports(finished_at, summary) VALUES (\(Timestamp.string(from: Date())), \(json))")
            return summary
        }
    }

    /// The items in `range`, one array per column after the id: path, row, metadata,
    /// problem, size, mtime, given labels.
    static func bindItems(_ items: [DatasetSnapshot.Item], _ range: Range<Int>, _ binds: inout PostgresBindings) {
        binds.append(range.map { items[$0].path })
        binds.append(range.map { Int64($0) })
        binds.append(range.map { items[$0].metadataJSON })
        binds.append(PostgresNullableArray(range.map { items[$0].problem }))
        binds.append(PostgresNullableArray(range.map { items[$0].fileSize }))
        binds.append(PostgresNullableArray(range.map { items[$0].modificationTime }))
        binds.append(PostgresNullableArray(range.map { items[$0].givenLabels?.storageText }))
    }

    /// Rows are written `importBatch` at a time, each batch one INSERT of one array per
    /// column spread into rows by `unnest`: a million items take 20 statements of 8
    /// parameters, not a million statements (nor 500 of 16,000 parameters, parsed one by one).
    static let importBatch = 50_000

    /// Runs `sql` once per batch of `count` rows, `bind` giving each batch's arrays.
    static func insertColumns(
        _ db: PostgresTransaction, count: Int, batch: Int, sql: String,
        bind: (Range<Int>, inout PostgresBindings) throws -> Void,
        returned: (PostgresQueryResult) throws -> Void = { _ in },
        progress: (Int) -> Void
    ) throws {
        var start = 0
        while start < count {
            let end = min(start + max(batch, 1), count)
            var binds = PostgresBindings(capacity: 8)
            try bind(start..<end, &binds)
            try returned(try db.query(PostgresQuery(unsafeSQL: sql, binds: binds)))
            progress(end)
            start = end
        }
    }

    /// Inserts `rows` with multi-row INSERTs of as many rows as the protocol's 65,535
    /// parameters allow (at most 2,000): a million items take 500 round trips, not a million.
    static func insertInBatches<Row>(
        _ db: PostgresTransaction, _ rows: [Row], columns: Int, sql: String, suffix: String = "",
        bind: (Row, inout PostgresBindings) -> Void,
        returned: (PostgresQueryResult) throws -> Void = { _ in },
        progress: (Int) -> Void
    ) throws {
        let batch = min(2000, 65_535 / columns)
        var start = 0
        while start < rows.count {
            let end = min(start + batch, rows.count)
            var binds = PostgresBindings(capacity: (end - start) * columns)
            var text = sql
            text.reserveCapacity(sql.count + (end - start) * columns * 7 + suffix.count)
            for i in start..<end {
                text += i == start ? "(" : ",("
                let first = (i - start) * columns
                for c in 0..<columns { text += (c == 0 ? "$" : ",$") + String(first + c + 1) }
                text += ")"
                bind(rows[i], &binds)
            }
            try returned(try db.query(PostgresQuery(unsafeSQL: text + suffix, binds: binds)))
            progress(end)
            start = end
        }
    }

    /// A model's probabilities as `.npy` bytes (float32, little-endian), named by their SHA-256.
    static func npy(_ values: [Float], rows: Int, columns: Int) -> (name: String, bytes: ByteBuffer) {
        let header = NPYWriter.float32Header(rows: rows, columns: columns)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(header.count + values.count * 4)
        buffer.writeBytes(header)
        values.withUnsafeBytes { raw in
            #if _endian(little)
            _ = buffer.writeBytes(raw)
            #else
            for value in values { buffer.writeInteger(value.bitPattern, endianness: .little) }
            #endif
        }
        let name = buffer.withUnsafeReadableBytes { SHA256Digest(of: $0).hex } + ".npy"
        return (name, buffer)
    }
}
