#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GRDB
import GRDBSQLite
import WinnowCore

/// The SQLite store's side of `winnow store copy`: its project as records, and records
/// written raw into an empty project. Matrices are files in `matrices/`, named as their
/// model rows say.
extension ProjectStore: ProjectCopying {
    /// Rows read and written per batch: bounded memory, few calls.
    static let copyBatch = 5000

    public var copyLocation: String { stateDirectory }

    public func exportProject(_ write: (ProjectRecords) throws -> Void) throws -> LogVerification {
        try passingErrors {
            try pool.read { db in
                try write(.counts(try Self.recordCounts(db)))
                try Self.stream(db, "SELECT key, value FROM project ORDER BY key", write) {
                    .settings($0.map { CopiedSetting(key: $0[0], value: $0[1]) })
                }
                try Self.stream(db, "SELECT id, name, position FROM classes ORDER BY id", write) {
                    .classes($0.map { CopiedClass(id: $0[0], name: $0[1], position: $0[2]) })
                }
                try Self.stream(
                    db, "SELECT id, path, row, metadata, problem, file_size, file_mtime, given_labels FROM items ORDER BY id", write
                ) {
                    .items(
                        $0.map {
                            CopiedItem(
                                id: $0[0], path: $0[1], row: $0[2], metadata: $0[3], problem: $0[4], fileSize: $0[5], modificationTime: $0[6],
                                givenLabels: $0[7])
                        })
                }
                try Self.stream(db, "SELECT item_id, annotator, labels FROM annotations ORDER BY item_id, annotator", write) {
                    .annotations($0.map { CopiedAnnotation(itemID: $0[0], annotator: $0[1], labels: $0[2]) })
                }
                for name in try String.fetchAll(db, sql: "SELECT DISTINCT matrix_file FROM models ORDER BY matrix_file") {
                    try write(.matrix(CopiedMatrix(name: name, npy: try readMatrix(name))))
                }
                try Self.stream(db, "SELECT name, source, matrix_file, rows, columns FROM models ORDER BY name", write) {
                    .models($0.map { CopiedModel(name: $0[0], source: $0[1], matrixFile: $0[2], rows: $0[3], columns: $0[4]) })
                }
                try Self.stream(
                    db, "SELECT source, rows, dimension, scalar_type, file_size, file_mtime, fingerprint FROM embeddings ORDER BY source", write
                ) {
                    .embeddings(
                        $0.map {
                            CopiedEmbeddings(
                                source: $0[0], rows: $0[1], dimension: $0[2], scalarType: $0[3], fileSize: $0[4], modificationTime: $0[5],
                                fingerprint: $0[6])
                        })
                }
                try Self.stream(db, "SELECT id, finished_at, summary FROM imports ORDER BY id", write) {
                    .imports($0.map { CopiedImport(id: $0[0], finishedAt: $0[1], summary: $0[2]) })
                }
                let log = try Self.streamEvents(db, location: stateDirectory, write)
                try Self.stream(db, "SELECT item_id, file_size, file_mtime, hash FROM content_hashes ORDER BY item_id", write) {
                    .contentHashes($0.map { CopiedContentHash(itemID: $0[0], fileSize: $0[1], modificationTime: $0[2], hash: $0[3]) })
                }
                try Self.stream(
                    db, "SELECT item_id, file_size, file_mtime, version, dimension, vector, descriptor FROM image_features ORDER BY item_id", write
                ) {
                    .imageFeatures(
                        $0.map {
                            CopiedImageFeature(
                                itemID: $0[0], fileSize: $0[1], modificationTime: $0[2], version: $0[3], dimension: $0[4], vector: $0[5],
                                descriptor: $0[6])
                        })
                }
                try Self.stream(
                    db, "SELECT item_id, measure, version, file_size, file_mtime, value FROM image_measures ORDER BY item_id, measure", write
                ) {
                    .imageMeasures(
                        $0.map {
                            CopiedImageMeasure(
                                itemID: $0[0], measure: $0[1], version: $0[2], fileSize: $0[3], modificationTime: $0[4], value: $0[5])
                        })
                }
                return log
            }
        }
    }

    /// Runs `sql` and hands its rows to `write` a batch at a time, each batch made by `make`.
    static func stream(_ db: Database, _ sql: String, _ write: (ProjectRecords) throws -> Void, _ make: ([Row]) -> ProjectRecords) throws {
        var batch: [Row] = []
        batch.reserveCapacity(copyBatch)
        let rows = try Row.fetchCursor(db, sql: sql)
        while let row = try rows.next() {
            batch.append(row.copy())
            if batch.count == copyBatch {
                try write(make(batch))
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try write(make(batch)) }
    }

    /// Streams the decision log, read raw (the bytes its hashes cover), checking its chain as
    /// it goes: a broken link stops the copy.
    static func streamEvents(_ db: Database, location: String, _ write: (ProjectRecords) throws -> Void) throws -> LogVerification {
        let statement = try db.makeStatement(
            sql: "SELECT \(DecisionLogChain.columns) FROM events e LEFT JOIN items i ON i.id = e.item_id ORDER BY e.id")
        var verifier = ChainVerifier(recordedHead: nil)
        var batch: [CopiedEvent] = []
        batch.reserveCapacity(copyBatch)
        let rows = try Row.fetchCursor(statement)
        while try rows.next() != nil {
            let h = statement.sqliteStatement
            if !verifier.check(h) { break }
            func text(_ column: Int32) -> String? { DecisionLogChain.string(h, column) }
            func integer(_ column: Int32) -> Int64? { sqlite3_column_type(h, column) == SQLITE_NULL ? nil : sqlite3_column_int64(h, column) }
            func real(_ column: Int32) -> Double? { sqlite3_column_type(h, column) == SQLITE_NULL ? nil : sqlite3_column_double(h, column) }
            batch.append(
                CopiedEvent(
                    id: sqlite3_column_int64(h, 0), itemID: sqlite3_column_int64(h, 1), reviewer: text(3) ?? "", action: text(4) ?? "",
                    oldLabels: text(5), newLabels: text(6), queue: text(7), reason: text(8), note: text(9), undoes: integer(10),
                    createdAt: text(11) ?? "", score: real(12), flags: text(13), hash: text(14)))
            if batch.count == copyBatch {
                try write(.events(batch))
                batch.removeAll(keepingCapacity: true)
            }
        }
        let verification = verifier.finish()
        if let link = verification.brokenLink { throw ProjectCopyError.sourceLogBroken(source: location, link: link) }
        if !batch.isEmpty { try write(.events(batch)) }
        return verification
    }

    /// A matrix file's bytes (mapped, not read: the kernel pages them in as they are copied).
    func readMatrix(_ name: String) throws -> Data {
        guard CopiedMatrix.isUsableName(name) else { throw ProjectCopyError.unusable("a model's matrix has an unusable file name: \(name)") }
        let path = stateDirectory + "/matrices/" + name
        do { return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw ProjectCopyError.unusable("the matrix file \(path) cannot be read (\((error as NSError).localizedDescription))")
        }
    }

    /// Row counts of the copied tables; matrices counted as the files the models refer to.
    static func recordCounts(_ db: Database) throws -> ProjectRecordCounts {
        try ProjectRecordCounts.counted(matrices: "SELECT COUNT(DISTINCT matrix_file) FROM models") { try Int.fetchOne(db, sql: $0) ?? 0 }
    }

    // MARK: - Writing a copy

    public func importProject(
        _ records: (_ write: (ProjectRecords) throws -> Void) throws -> Void,
        beforeCommit: (ProjectRecordCounts, LogVerification) throws -> Void
    ) throws {
        var createdFiles: [String] = []
        do {
            try passingErrors {
                try pool.write { db in
                    if let found = try Self.projectFound(db) { throw ProjectCopyError.targetNotEmpty(target: stateDirectory, what: found) }
                    let writer = try SQLiteCopyWriter(db)
                    try records { batch in
                        if case .matrix(let matrix) = batch {
                            if let created = try writeCopiedMatrix(matrix) { createdFiles.append(created) }
                        }
                        try writer.write(batch)
                    }
                    for name in try String.fetchAll(db, sql: "SELECT DISTINCT matrix_file FROM models")
                    where access(stateDirectory + "/matrices/" + name, R_OK) != 0 {
                        throw ProjectCopyError.mismatch(target: stateDirectory, what: "the matrix \(name) of a model was not copied")
                    }
                    try beforeCommit(try Self.recordCounts(db), try Self.verifyDecisionLog(db, expectingHead: nil))
                }
            }
        } catch {
            // Nothing refers to the matrices this copy added: they go with it.
            for path in createdFiles { unlink(path) }
            throw error
        }
    }

    /// What makes this store hold a project already, in words (nil: nothing).
    static func projectFound(_ db: Database) throws -> String? {
        let items = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items") ?? 0
        let events = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0
        let other =
            try Int.fetchOne(
                db,
                sql:
                    "SELECT (SELECT COUNT(*) FROM imports) + (SELECT COUNT(*) FROM project) + (SELECT COUNT(*) FROM classes) + (SELECT COUNT(*) FROM models)"
            ) ?? 0
        guard items + events + other > 0 else { return nil }
        return "\(items) item\(items == 1 ? "" : "s"), \(events) decision\(events == 1 ? "" : "s")"
    }

    /// Writes a copied matrix into `matrices/` (to a temporary file, synced, renamed into
    /// place). Returns its path when it was not there before (a failed copy removes it).
    func writeCopiedMatrix(_ matrix: CopiedMatrix) throws -> String? {
        guard CopiedMatrix.isUsableName(matrix.name) else {
            throw ProjectCopyError.unusable("a model's matrix has an unusable file name: \(matrix.name)")
        }
        let path = stateDirectory + "/matrices/" + matrix.name
        let existed = access(path, F_OK) == 0
        if existed, let present = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped), present == matrix.npy { return nil }
        try writeStateFileAtomically(path, stateDirectory: stateDirectory) { fd in matrix.npy.withUnsafeBytes { writeAll(fd, $0) } }
        return existed ? nil : path
    }

    /// Runs `body`, turning SQLite's errors into the store's and passing every other error
    /// (a copy's refusals, the other store's errors) through as it is.
    func passingErrors<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DatabaseError { throw failure(error) }
    }
}

/// Inserts copied rows with prepared statements, values bound raw (texts with their byte
/// lengths), so what is stored is exactly what was read.
private struct SQLiteCopyWriter {
    let settings, classes, items, annotations, models, embeddings, imports, events, hashes, features, measures: BulkInsert

    init(_ db: Database) throws {
        settings = try BulkInsert(db, sql: "INSERT INTO project(key, value) VALUES (?, ?)")
        classes = try BulkInsert(db, sql: "INSERT INTO classes(id, name, position) VALUES (?, ?, ?)")
        items = try BulkInsert(
            db, sql: "INSERT INTO items(id, path, row, metadata, problem, file_size, file_mtime, given_labels) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        annotations = try BulkInsert(db, sql: "INSERT INTO annotations(item_id, annotator, labels) VALUES (?, ?, ?)")
        models = try BulkInsert(db, sql: "INSERT INTO models(name, source, matrix_file, rows, columns) VALUES (?, ?, ?, ?, ?)")
        embeddings = try BulkInsert(
            db, sql: "INSERT INTO embeddings(source, rows, dimension, scalar_type, file_size, file_mtime, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?)")
        imports = try BulkInsert(db, sql: "INSERT INTO imports(id, finished_at, summary) VALUES (?, ?, ?)")
        events = try BulkInsert(
            db,
            sql: """
                INSERT INTO events(id, item_id, reviewer, action, old_labels, new_labels, queue, reason, note, undoes, created_at, score, flags, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        hashes = try BulkInsert(db, sql: "INSERT INTO content_hashes(item_id, file_size, file_mtime, hash) VALUES (?, ?, ?, ?)")
        features = try BulkInsert(
            db, sql: "INSERT INTO image_features(item_id, file_size, file_mtime, version, dimension, vector, descriptor) VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        measures = try BulkInsert(
            db, sql: "INSERT INTO image_measures(item_id, measure, version, file_size, file_mtime, value) VALUES (?, ?, ?, ?, ?, ?)")
    }

    func write(_ records: ProjectRecords) throws {
        switch records {
        case .counts, .matrix: return
        case .settings(let rows):
            for row in rows { try step(settings, row.key, row.value) }
        case .classes(let rows):
            for row in rows { try step(classes, row.id, row.name, row.position) }
        case .items(let rows):
            for row in rows {
                try step(items, row.id, row.path, row.row, row.metadata, row.problem, row.fileSize, row.modificationTime, row.givenLabels)
            }
        case .annotations(let rows):
            for row in rows { try step(annotations, row.itemID, row.annotator, row.labels) }
        case .models(let rows):
            for row in rows { try step(models, row.name, row.source, row.matrixFile, row.rows, row.columns) }
        case .embeddings(let rows):
            for row in rows {
                try step(embeddings, row.source, row.rows, row.dimension, row.scalarType, row.fileSize, row.modificationTime, row.fingerprint)
            }
        case .imports(let rows):
            for row in rows { try step(imports, row.id, row.finishedAt, row.summary) }
        case .events(let rows):
            for e in rows {
                try step(
                    events, e.id, e.itemID, e.reviewer, e.action, e.oldLabels, e.newLabels, e.queue, e.reason, e.note, e.undoes, e.createdAt,
                    e.score, e.flags, e.hash)
            }
        case .contentHashes(let rows):
            for row in rows { try step(hashes, row.itemID, row.fileSize, row.modificationTime, row.hash) }
        case .imageFeatures(let rows):
            for row in rows {
                try step(features, row.itemID, row.fileSize, row.modificationTime, row.version, row.dimension, row.vector, row.descriptor)
            }
        case .imageMeasures(let rows):
            for row in rows { try step(measures, row.itemID, row.measure, row.version, row.fileSize, row.modificationTime, row.value) }
        }
    }

    /// Binds `values` in order (each one of the types `BulkInsert` binds) and runs the statement.
    private func step(_ statement: BulkInsert, _ values: (any Sendable)?...) throws {
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            switch value {
            case let v as Int64: statement.bind(index, v)
            case let v as Double: statement.bind(index, Optional(v))
            case let v as String: statement.bind(index, Optional(v))
            case let v as Data: statement.bind(index, Optional(v))
            default: statement.bind(index, Optional<Int64>.none)
            }
        }
        try statement.step()
    }
}
