import Foundation
import NIOCore
import PostgresNIO
import WinnowCore
import WinnowStore

/// The PostgreSQL store's side of `winnow store copy`: its project as records (read a batch
/// at a time by key, in one REPEATABLE READ snapshot), and records written raw into an
/// empty database in one transaction. Matrices are `.npy` bytes in `matrices`.
extension PostgresProjectStore: ProjectCopying {
    /// Rows read per query: bounded memory, few round trips.
    static let copyBatch: Int64 = 5000

    public var copyLocation: String { location }

    public func exportProject(_ write: (ProjectRecords) throws -> Void) throws -> LogVerification {
        try connections.transactionPassingErrors(.snapshot) { db in
            // Small tables in one read each; an empty table gives no batch (as in SQLite).
            func whole(_ records: ProjectRecords) throws { if records.count > 0 { try write(records) } }
            try write(.counts(try Self.recordCounts(db, matrices: "SELECT COUNT(DISTINCT matrix_file) FROM models")))
            try whole(
                .settings(
                    try db.rows(#"SELECT key, value FROM project ORDER BY key COLLATE "C""#, as: (String, String).self).map {
                        CopiedSetting(key: $0.0, value: $0.1)
                    }))
            try whole(
                .classes(
                    try db.rows("SELECT id, name, position FROM classes ORDER BY id", as: (Int64, String, Int64?).self).map {
                        CopiedClass(id: $0.0, name: $0.1, position: $0.2)
                    }))
            try Self.pages(db, key: \CopiedItem.id) { after in
                try db.rows(
                    #"""
                    SELECT id, path, "row", metadata, problem, file_size, file_mtime, given_labels FROM items
                    WHERE id > \#(after) ORDER BY id LIMIT \#(Self.copyBatch)
                    """#, as: (Int64, String, Int64?, String, String?, Int64?, Double?, String?).self
                ).map {
                    CopiedItem(
                        id: $0.0, path: $0.1, row: $0.2, metadata: $0.3, problem: $0.4, fileSize: $0.5, modificationTime: $0.6, givenLabels: $0.7)
                }
            } write: {
                try write(.items($0))
            }
            var after = (Int64.min, "")
            while true {
                let batch = try db.rows(
                    """
                    SELECT item_id, annotator, labels FROM annotations WHERE (item_id, annotator) > (\(after.0), \(after.1))
                    ORDER BY item_id, annotator LIMIT \(Self.copyBatch)
                    """, as: (Int64, String, String).self
                ).map { CopiedAnnotation(itemID: $0.0, annotator: $0.1, labels: $0.2) }
                if !batch.isEmpty { try write(.annotations(batch)) }
                guard let last = batch.last, batch.count == Int(Self.copyBatch) else { break }
                after = (last.itemID, last.annotator)
            }
            for name in try db.rows(#"SELECT DISTINCT matrix_file COLLATE "C" FROM models ORDER BY 1"#, as: String.self) {
                guard let npy = try db.row("SELECT npy FROM matrices WHERE name = \(name)", as: Data.self) else {
                    throw ProjectCopyError.unusable("the matrix \(name) is missing from \(location)")
                }
                try write(.matrix(CopiedMatrix(name: name, npy: npy)))
            }
            try whole(
                .models(
                    try db.rows(
                        #"SELECT name, source, matrix_file, rows, columns FROM models ORDER BY name COLLATE "C""#,
                        as: (String, String, String, Int64, Int64).self
                    ).map { CopiedModel(name: $0.0, source: $0.1, matrixFile: $0.2, rows: $0.3, columns: $0.4) }))
            try whole(
                .embeddings(
                    try db.rows(
                        #"SELECT source, rows, dimension, scalar_type, file_size, file_mtime, fingerprint FROM embeddings ORDER BY source COLLATE "C""#,
                        as: (String, Int64, Int64, String, Int64, Double, String).self
                    ).map {
                        CopiedEmbeddings(
                            source: $0.0, rows: $0.1, dimension: $0.2, scalarType: $0.3, fileSize: $0.4, modificationTime: $0.5, fingerprint: $0.6)
                    }))
            try whole(
                .imports(
                    try db.rows("SELECT id, finished_at, summary FROM imports ORDER BY id", as: (Int64, String, String).self).map {
                        CopiedImport(id: $0.0, finishedAt: $0.1, summary: $0.2)
                    }))
            let log = try streamEvents(db, write)
            try Self.pages(db, key: \CopiedContentHash.itemID) { after in
                try db.rows(
                    "SELECT item_id, file_size, file_mtime, hash FROM content_hashes WHERE item_id > \(after) ORDER BY item_id LIMIT \(Self.copyBatch)",
                    as: (Int64, Int64, Double, String).self
                ).map { CopiedContentHash(itemID: $0.0, fileSize: $0.1, modificationTime: $0.2, hash: $0.3) }
            } write: {
                try write(.contentHashes($0))
            }
            try Self.pages(db, key: \CopiedImageFeature.itemID) { after in
                try db.rows(
                    """
                    SELECT item_id, file_size, file_mtime, version, dimension, vector, descriptor FROM image_features
                    WHERE item_id > \(after) ORDER BY item_id LIMIT \(Self.copyBatch)
                    """, as: (Int64, Int64, Double, Int64, Int64, Data?, Data?).self
                ).map {
                    CopiedImageFeature(
                        itemID: $0.0, fileSize: $0.1, modificationTime: $0.2, version: $0.3, dimension: $0.4, vector: $0.5, descriptor: $0.6)
                }
            } write: {
                try write(.imageFeatures($0))
            }
            var measured = (Int64.min, "")
            while true {
                let batch = try db.rows(
                    """
                    SELECT item_id, measure, version, file_size, file_mtime, value FROM image_measures
                    WHERE (item_id, measure) > (\(measured.0), \(measured.1)) ORDER BY item_id, measure LIMIT \(Self.copyBatch)
                    """, as: (Int64, String, Int64, Int64, Double, Data?).self
                ).map {
                    CopiedImageMeasure(itemID: $0.0, measure: $0.1, version: $0.2, fileSize: $0.3, modificationTime: $0.4, value: $0.5)
                }
                if !batch.isEmpty { try write(.imageMeasures(batch)) }
                guard let last = batch.last, batch.count == Int(Self.copyBatch) else { break }
                measured = (last.itemID, last.measure)
            }
            return log
        }
    }

    /// Reads a table keyed by one integer a page at a time (`page(after)`), handing each
    /// non-empty page to `write`.
    static func pages<Row>(
        _ db: PostgresTransaction, key: (Row) -> Int64, page: (Int64) throws -> [Row], write: ([Row]) throws -> Void
    ) throws {
        var after = Int64.min
        while true {
            let rows = try page(after)
            if !rows.isEmpty { try write(rows) }
            guard let last = rows.last, rows.count == Int(copyBatch) else { return }
            after = key(last)
        }
    }

    /// Streams the decision log as stored, checking its chain as it goes (`ChainVerifier`):
    /// a broken link stops the copy.
    func streamEvents(_ db: PostgresTransaction, _ write: (ProjectRecords) throws -> Void) throws -> LogVerification {
        var verifier = ChainVerifier(recordedHead: nil)
        var batch: [CopiedEvent] = []
        try Self.forEachChainRow(db) { row in
            guard Self.check(row, &verifier) else { return false }
            batch.append(
                CopiedEvent(
                    id: row.0, itemID: row.1, reviewer: row.3, action: row.4, oldLabels: row.5, newLabels: row.6, queue: row.7,
                    reason: row.8, note: row.9, undoes: row.10, createdAt: row.11, score: row.12, flags: row.13, hash: row.14))
            if batch.count == Int(Self.copyBatch) {
                try write(.events(batch))
                batch.removeAll(keepingCapacity: true)
            }
            return true
        }
        let verification = verifier.finish()
        if let link = verification.brokenLink { throw ProjectCopyError.sourceLogBroken(source: location, link: link) }
        if !batch.isEmpty { try write(.events(batch)) }
        return verification
    }

    /// Row counts of the copied tables (`matrices`: the query counting matrices).
    static func recordCounts(_ db: PostgresTransaction, matrices: String) throws -> ProjectRecordCounts {
        try ProjectRecordCounts.counted(matrices: matrices) { Int(try db.row(PostgresQuery(unsafeSQL: $0), as: Int64.self) ?? 0) }
    }

    // MARK: - Writing a copy

    public func importProject(
        _ records: (_ write: (ProjectRecords) throws -> Void) throws -> Void,
        beforeCommit: (ProjectRecordCounts, LogVerification) throws -> Void
    ) throws {
        try connections.transactionPassingErrors(.readWrite) { db in
            // Imports and decisions wait until the copy has committed (or rolled back): the
            // emptiness checked here holds until then.
            try db.run("LOCK TABLE items, events IN SHARE ROW EXCLUSIVE MODE")
            let items = Int(try db.row("SELECT COUNT(*) FROM items", as: Int64.self) ?? 0)
            let events = Int(try db.row("SELECT COUNT(*) FROM events", as: Int64.self) ?? 0)
            let other =
                try db.row(
                    "SELECT (SELECT COUNT(*) FROM imports) + (SELECT COUNT(*) FROM project) + (SELECT COUNT(*) FROM classes) + (SELECT COUNT(*) FROM models)",
                    as: Int64.self) ?? 0
            if items + events + Int(other) > 0 {
                throw ProjectCopyError.targetNotEmpty(
                    target: location, what: "\(items) item\(items == 1 ? "" : "s"), \(events) decision\(events == 1 ? "" : "s")")
            }
            try records { batch in try Self.writeCopied(batch, db) }
            // The sequences continue after the copied ids, as they do in the source.
            for (table, sequence) in [
                ("items", "'items_id_seq'"), ("classes", "pg_get_serial_sequence('classes', 'id')"),
                ("imports", "pg_get_serial_sequence('imports', 'id')")
            ] {
                try db.run("SELECT setval(\(sequence), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM \(table)")
            }
            try db.run("ANALYZE items, annotations, events")
            try beforeCommit(
                try Self.recordCounts(db, matrices: "SELECT COUNT(*) FROM matrices"), try Self.verifyDecisionLog(db, expectingHead: nil))
        }
    }

    /// Inserts one batch of copied rows, values as they came.
    static func writeCopied(_ records: ProjectRecords, _ db: PostgresTransaction) throws {
        func insert<Row>(_ rows: [Row], _ columns: Int, _ sql: String, _ bind: (Row, inout PostgresBindings) -> Void) throws {
            try insertInBatches(db, rows, columns: columns, sql: sql, bind: bind, progress: { _ in })
        }
        switch records {
        case .counts: return
        case .settings(let rows):
            try insert(rows, 2, "INSERT INTO project(key, value) VALUES ") { row, b in
                b.append(row.key)
                b.append(row.value)
            }
        case .classes(let rows):
            try insert(rows, 3, "INSERT INTO classes(id, name, position) VALUES ") { row, b in
                b.append(row.id)
                b.append(row.name)
                b.append(row.position)
            }
        case .items(let rows):
            try insert(rows, 8, #"INSERT INTO items(id, path, "row", metadata, problem, file_size, file_mtime, given_labels) VALUES "#) { row, b in
                b.append(row.id)
                b.append(row.path)
                b.append(row.row)
                b.append(row.metadata)
                b.append(row.problem)
                b.append(row.fileSize)
                b.append(row.modificationTime)
                b.append(row.givenLabels)
            }
        case .annotations(let rows):
            try insert(rows, 3, "INSERT INTO annotations(item_id, annotator, labels) VALUES ") { row, b in
                b.append(row.itemID)
                b.append(row.annotator)
                b.append(row.labels)
            }
        case .matrix(let matrix):
            guard CopiedMatrix.isUsableName(matrix.name) else {
                throw ProjectCopyError.unusable("a model's matrix has an unusable name: \(matrix.name)")
            }
            try db.query("INSERT INTO matrices(name, npy) VALUES (\(matrix.name), \(ByteBuffer(bytes: matrix.npy)))")
        case .models(let rows):
            try insert(rows, 5, "INSERT INTO models(name, source, matrix_file, rows, columns) VALUES ") { row, b in
                b.append(row.name)
                b.append(row.source)
                b.append(row.matrixFile)
                b.append(row.rows)
                b.append(row.columns)
            }
        case .embeddings(let rows):
            try insert(rows, 7, "INSERT INTO embeddings(source, rows, dimension, scalar_type, file_size, file_mtime, fingerprint) VALUES ") {
                row, b in
                b.append(row.source)
                b.append(row.rows)
                b.append(row.dimension)
                b.append(row.scalarType)
                b.append(row.fileSize)
                b.append(row.modificationTime)
                b.append(row.fingerprint)
            }
        case .imports(let rows):
            // The ids are the source's (the column is GENERATED ALWAYS otherwise).
            try insert(rows, 3, "INSERT INTO imports(id, finished_at, summary) OVERRIDING SYSTEM VALUE VALUES ") { row, b in
                b.append(row.id)
                b.append(row.finishedAt)
                b.append(row.summary)
            }
        case .events(let rows):
            try insert(
                rows, 14,
                "INSERT INTO events(id, item_id, reviewer, action, old_labels, new_labels, queue, reason, note, undoes, created_at, score, flags, hash) VALUES "
            ) { e, b in
                b.append(e.id)
                b.append(e.itemID)
                b.append(e.reviewer)
                b.append(e.action)
                b.append(e.oldLabels)
                b.append(e.newLabels)
                b.append(e.queue)
                b.append(e.reason)
                b.append(e.note)
                b.append(e.undoes)
                b.append(e.createdAt)
                b.append(e.score)
                b.append(e.flags)
                b.append(e.hash)
            }
        case .contentHashes(let rows):
            try insert(rows, 4, "INSERT INTO content_hashes(item_id, file_size, file_mtime, hash) VALUES ") { row, b in
                b.append(row.itemID)
                b.append(row.fileSize)
                b.append(row.modificationTime)
                b.append(row.hash)
            }
        case .imageFeatures(let rows):
            try insert(rows, 7, "INSERT INTO image_features(item_id, file_size, file_mtime, version, dimension, vector, descriptor) VALUES ") {
                row, b in
                b.append(row.itemID)
                b.append(row.fileSize)
                b.append(row.modificationTime)
                b.append(row.version)
                b.append(row.dimension)
                b.append(row.vector.map { ByteBuffer(bytes: $0) })
                b.append(row.descriptor.map { ByteBuffer(bytes: $0) })
            }
        case .imageMeasures(let rows):
            try insert(rows, 6, "INSERT INTO image_measures(item_id, measure, version, file_size, file_mtime, value) VALUES ") { row, b in
                b.append(row.itemID)
                b.append(row.measure)
                b.append(row.version)
                b.append(row.fileSize)
                b.append(row.modificationTime)
                b.append(row.value.map { ByteBuffer(bytes: $0) })
            }
        }
    }
}
