import Foundation
import GRDB
import WinnowCore

/// Everything `winnow info` shows, as one Codable value (its `--json` form).
public struct ProjectInfo: Sendable, Codable {
    public struct ClassCount: Sendable, Codable {
        public var name: String; public var given: Int; public var current: Int
        package init(name: String, given: Int, current: Int) { (self.name, self.given, self.current) = (name, given, current) }
    }
    public struct AnnotatorCount: Sendable, Codable {
        public var name: String; public var labels: Int
        package init(name: String, labels: Int) { (self.name, self.labels) = (name, labels) }
    }
    public struct Model: Sendable, Codable {
        public var name: String; public var source: String
        package init(name: String, source: String) { (self.name, self.source) = (name, source) }
    }
    public struct Embeddings: Sendable, Codable {
        public var source: String; public var dimension: Int; public var scalarType: String
        package init(source: String, dimension: Int, scalarType: String) {
            (self.source, self.dimension, self.scalarType) = (source, dimension, scalarType)
        }
    }
    public struct Problem: Sendable, Codable {
        public var image: String; public var problem: String
        package init(image: String, problem: String) { (self.image, self.problem) = (image, problem) }
    }
    public struct ReviewerDecisions: Sendable, Codable {
        public var reviewer: String; public var actions: [String: Int]; public var total: Int
        package init(reviewer: String, actions: [String: Int], total: Int) { (self.reviewer, self.actions, self.total) = (reviewer, actions, total) }
    }

    public var dataset: String
    public var state: String
    public var layout: String
    public var multiLabel: Bool
    public var items: Int
    /// Items whose image left the dataset; their decisions are kept.
    public var removedItems: Int
    public var labelledItems: Int
    public var classes: [ClassCount]
    public var annotators: [AnnotatorCount]
    /// Items labelled by several annotators who did not all agree.
    public var annotatorDisagreements: Int
    public var models: [Model]
    public var embeddings: Embeddings?
    public var problems: [Problem]
    /// Items by review status (unreviewed, skipped, accepted, relabelled, excluded).
    public var status: [String: Int]
    public var decisions: Int
    public var decisionsByAction: [String: Int]
    public var decisionsByReviewer: [ReviewerDecisions]
    public var lastImport: String?
    public var metadataColumns: [String]
    /// The image-quality checks over the measures the last analysis cached (nil: none yet).
    public var imageQuality: ImageQualitySummary? = nil
    /// A project shared by hosts (PostgreSQL): images this host's copy of the dataset lacks
    /// or cannot read (the other hosts may have them; nil: not asked, as for SQLite).
    public var hostProblems: [Problem]? = nil

    package init(
        dataset: String, state: String, layout: String, multiLabel: Bool, items: Int, removedItems: Int, labelledItems: Int,
        classes: [ClassCount], annotators: [AnnotatorCount], annotatorDisagreements: Int, models: [Model], embeddings: Embeddings?,
        problems: [Problem], status: [String: Int], decisions: Int, decisionsByAction: [String: Int],
        decisionsByReviewer: [ReviewerDecisions], lastImport: String?, metadataColumns: [String], imageQuality: ImageQualitySummary? = nil
    ) {
        self.dataset = dataset
        self.state = state
        self.layout = layout
        self.multiLabel = multiLabel
        self.items = items
        self.removedItems = removedItems
        self.labelledItems = labelledItems
        self.classes = classes
        self.annotators = annotators
        self.annotatorDisagreements = annotatorDisagreements
        self.models = models
        self.embeddings = embeddings
        self.problems = problems
        self.status = status
        self.decisions = decisions
        self.decisionsByAction = decisionsByAction
        self.decisionsByReviewer = decisionsByReviewer
        self.lastImport = lastImport
        self.metadataColumns = metadataColumns
        self.imageQuality = imageQuality
    }
}

/// What `winnow info` reports of the image-quality checks.
public struct ImageQualitySummary: Sendable, Codable {
    public struct Flagged: Sendable, Codable {
        public var image: String
        /// Issue names (dark, light, blurry, low_information, grayscale, odd_aspect_ratio, odd_size).
        public var issues: [String]
        /// The same, each with its measure in words.
        public var reasons: [String]
        public init(image: String, issues: [String], reasons: [String]) {
            self.image = image
            self.issues = issues
            self.reasons = reasons
        }
    }
    /// Images measured (decodable, unchanged since the last analysis) of the dataset's items.
    public var measured: Int
    public var items: Int
    public var colourDataset: Bool
    /// Images flagged by each check, every check listed.
    public var counts: [String: Int]
    /// The flagged images, worst first.
    public var flagged: [Flagged]

    public init(measured: Int, items: Int, colourDataset: Bool, counts: [String: Int], flagged: [Flagged]) {
        self.measured = measured
        self.items = items
        self.colourDataset = colourDataset
        self.counts = counts
        self.flagged = flagged
    }
}

extension ProjectStore {
    public func info() throws(StoreError) -> ProjectInfo {
        try read { db in
            guard let lastImport = try String.fetchOne(db, sql: "SELECT finished_at FROM imports ORDER BY id DESC LIMIT 1") else {
                throw StoreError.notImported
            }
            func setting(_ key: ProjectSetting) throws -> String? { try Self.setting(key, db) }
            let taxonomy = ClassTaxonomy(try Self.classNames(db))
            var given = [String: Int](), current = [String: Int]()
            var status = [String: Int]()
            for s in ItemStatus.allCases { status[s.rawValue] = 0 }
            var items = 0, labelled = 0
            var problems: [ProjectInfo.Problem] = []
            let events = try Self.eventsByItem(db)
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, path, \(Self.itemProblemSQL) AS problem, given_labels FROM items WHERE row IS NOT NULL ORDER BY row")
            while let row = try rows.next() {
                items += 1
                let labels = (row["given_labels"] as String?).map(LabelSet.init(storageText:))
                if let labels {
                    labelled += 1
                    for name in labels.names { given[name, default: 0] += 1 }
                }
                let resolution = ItemHistory.resolve(given: labels, events: events[row["id"]] ?? [])
                status[resolution.status.rawValue, default: 0] += 1
                if !resolution.isExcluded, let names = resolution.labels?.names { for name in names { current[name, default: 0] += 1 } }
                if let problem = row["problem"] as String? { problems.append(.init(image: row["path"], problem: problem)) }
            }
            let annotators = try Row.fetchAll(db, sql: "SELECT annotator, COUNT(*) AS n FROM annotations GROUP BY annotator ORDER BY annotator")
                .map { ProjectInfo.AnnotatorCount(name: $0["annotator"], labels: $0["n"]) }
            let disagreements =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT COUNT(*) FROM (SELECT item_id FROM annotations GROUP BY item_id HAVING COUNT(DISTINCT labels) > 1)
                        """) ?? 0
            let models = try Row.fetchAll(db, sql: "SELECT name, source FROM models ORDER BY name").map {
                ProjectInfo.Model(name: $0["name"], source: $0["source"])
            }
            let embeddings = try Row.fetchOne(db, sql: "SELECT source, dimension, scalar_type FROM embeddings")
                .map { ProjectInfo.Embeddings(source: $0["source"], dimension: $0["dimension"], scalarType: $0["scalar_type"]) }
            var byAction = [String: Int]()
            for a in DecisionAction.allCases { byAction[a.rawValue] = 0 }
            var byReviewer = [String: [String: Int]]()
            for row in try Row.fetchAll(db, sql: "SELECT reviewer, action, COUNT(*) AS n FROM events GROUP BY reviewer, action") {
                let n: Int = row["n"]
                byAction[row["action"], default: 0] += n
                byReviewer[row["reviewer"], default: [:]][row["action"]] = n
            }
            return ProjectInfo(
                dataset: try setting(.datasetRoot) ?? "", state: stateDirectory, layout: try setting(.layout) ?? "",
                multiLabel: try Self.isMultiLabel(db), items: items,
                removedItems: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items WHERE row IS NULL") ?? 0,
                labelledItems: labelled,
                classes: taxonomy.names.map { .init(name: $0, given: given[$0] ?? 0, current: current[$0] ?? 0) },
                annotators: annotators, annotatorDisagreements: disagreements, models: models, embeddings: embeddings,
                problems: problems, status: status, decisions: byAction.values.reduce(0, +), decisionsByAction: byAction,
                decisionsByReviewer: byReviewer.keys.sorted().map { name in
                    .init(reviewer: name, actions: byReviewer[name]!, total: byReviewer[name]!.values.reduce(0, +))
                },
                lastImport: lastImport,
                metadataColumns: (try setting(.metadataColumns)).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? [])
        }
    }
}
