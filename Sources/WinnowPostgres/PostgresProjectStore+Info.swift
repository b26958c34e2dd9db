import Foundation
import PostgresNIO
import WinnowCore
import WinnowStore

extension PostgresProjectStore {
    /// An item's problem as SQL over `items`: the one the import found, else why its file
    /// does not decode as the last analysis found it for the file's current size and time
    /// (the SQLite store's `itemProblemSQL`).
    static let itemProblemSQL = """
        COALESCE(items.problem, (SELECT convert_from(m.value, 'UTF8') FROM image_measures m
            WHERE m.item_id = items.id AND m.measure = '\(ImageMeasureKind.decode.name)' AND m.value IS NOT NULL
              AND m.version = \(ImageMeasureKind.decode.version) AND m.file_size = items.file_size AND m.file_mtime = items.file_mtime))
        """

    /// Every event of the log by item, oldest first, read `logBatch` at a time in `db`'s snapshot.
    static func eventsByItem(_ db: PostgresTransaction, logBatch: Int64 = logBatch) throws -> [Int64: [DecisionEvent]] {
        var events: [Int64: [DecisionEvent]] = [:]
        var after = Int64.min
        while true {
            let batch = try db.rows(
                PostgresQuery(unsafeSQL: "SELECT \(eventColumns) FROM events WHERE id > $1 ORDER BY id LIMIT \(logBatch)", binds: binds(after)),
                as: EventRow.self)
            for row in batch { events[row.1, default: []].append(event(from: row)) }
            guard let last = batch.last, batch.count == Int(logBatch) else { return events }
            after = last.0
        }
    }

    /// The project's figures for `winnow info`, in one snapshot, as the SQLite store counts
    /// them. `state` is where the project lives: the database's URL (without a password).
    public func info() throws(StoreError) -> ProjectInfo {
        try read { db in
            guard let lastImport = try db.row("SELECT finished_at FROM imports ORDER BY id DESC LIMIT 1", as: String.self) else {
                throw StoreError.notImported
            }
            let classes = try db.rows("SELECT name FROM classes WHERE position IS NOT NULL ORDER BY position", as: String.self)
            var given = [String: Int](), current = [String: Int]()
            var status = Dictionary(uniqueKeysWithValues: ItemStatus.allCases.map { ($0.rawValue, 0) })
            var items = 0, labelled = 0
            var problems: [ProjectInfo.Problem] = []
            let events = try Self.eventsByItem(db)
            var afterRow = Int64.min
            while true {
                let batch = try db.rows(
                    PostgresQuery(
                        unsafeSQL:
                            #"SELECT id, "row", path, \#(Self.itemProblemSQL), given_labels FROM items WHERE "row" > $1 ORDER BY "row" LIMIT \#(Self.itemBatch)"#,
                        binds: Self.binds(afterRow)), as: (Int64, Int64, String, String?, String?).self)
                for (id, _, path, problem, givenText) in batch {
                    items += 1
                    let labels = givenText.map(LabelSet.init(storageText:))
                    if let labels {
                        labelled += 1
                        for name in labels.names { given[name, default: 0] += 1 }
                    }
                    let resolution = ItemHistory.resolve(given: labels, events: events[id] ?? [])
                    status[resolution.status.rawValue, default: 0] += 1
                    if !resolution.isExcluded, let names = resolution.labels?.names { for name in names { current[name, default: 0] += 1 } }
                    if let problem { problems.append(.init(image: path, problem: problem)) }
                }
                guard let last = batch.last, batch.count == Int(Self.itemBatch) else { break }
                afterRow = last.1
            }
            let annotators = try db.rows(
                #"SELECT annotator, COUNT(*) FROM annotations GROUP BY annotator ORDER BY annotator COLLATE "C""#, as: (String, Int64).self
            )
            .map { ProjectInfo.AnnotatorCount(name: $0.0, labels: Int($0.1)) }
            let disagreements = Int(
                try db.row(
                    """
                    SELECT COUNT(*) FROM (SELECT item_id FROM annotations GROUP BY item_id HAVING COUNT(DISTINCT labels) > 1) AS disputed
                    """, as: Int64.self) ?? 0)
            let models = try db.rows(#"SELECT name, source FROM models ORDER BY name COLLATE "C""#, as: (String, String).self)
                .map { ProjectInfo.Model(name: $0.0, source: $0.1) }
            let embeddings = try db.row("SELECT source, dimension, scalar_type FROM embeddings", as: (String, Int64, String).self)
                .map { ProjectInfo.Embeddings(source: $0.0, dimension: Int($0.1), scalarType: $0.2) }
            var byAction = Dictionary(uniqueKeysWithValues: DecisionAction.allCases.map { ($0.rawValue, 0) })
            var byReviewer = [String: [String: Int]]()
            for (reviewer, action, n) in try db.rows(
                "SELECT reviewer, action, COUNT(*) FROM events GROUP BY reviewer, action", as: (String, String, Int64).self)
            {
                byAction[action, default: 0] += Int(n)
                byReviewer[reviewer, default: [:]][action] = Int(n)
            }
            let metadataColumns =
                try Self.setting(.metadataColumns, db).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
            return ProjectInfo(
                dataset: try Self.setting(.datasetRoot, db) ?? "", state: location, layout: try Self.setting(.layout, db) ?? "",
                multiLabel: try Self.setting(.multiLabel, db) == "true", items: items,
                removedItems: Int(try db.row(#"SELECT COUNT(*) FROM items WHERE "row" IS NULL"#, as: Int64.self) ?? 0),
                labelledItems: labelled,
                classes: classes.map { .init(name: $0, given: given[$0] ?? 0, current: current[$0] ?? 0) },
                annotators: annotators, annotatorDisagreements: disagreements, models: models, embeddings: embeddings,
                problems: problems, status: status, decisions: byAction.values.reduce(0, +), decisionsByAction: byAction,
                decisionsByReviewer: byReviewer.keys.sorted().map { name in
                    .init(reviewer: name, actions: byReviewer[name]!, total: byReviewer[name]!.values.reduce(0, +))
                },
                lastImport: lastImport, metadataColumns: metadataColumns)
        }
    }
}
