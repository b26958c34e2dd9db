import Foundation

// A project as the rows that make it, store-neutral: what `winnow store copy` moves between
// stores (SQLite, PostgreSQL). Each record is a table row as stored, values unchanged
// (labels as their storage text, times as their stored text, hashes as stored), so a copy
// is the same project, and its decision log the same chain, byte for byte. Leases are not
// records: they belong to the review sessions of one store, and end with them.

public struct CopiedSetting: Sendable, Equatable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

public struct CopiedClass: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var position: Int64?
    public init(id: Int64, name: String, position: Int64?) {
        self.id = id
        self.name = name
        self.position = position
    }
}

/// An item, keyed by its path under images/ (its id is kept too: the log names it).
public struct CopiedItem: Sendable, Equatable {
    public var id: Int64
    public var path: String
    public var row: Int64?
    public var metadata: String
    public var problem: String?
    public var fileSize: Int64?
    public var modificationTime: Double?
    public var givenLabels: String?
    public init(
        id: Int64, path: String, row: Int64?, metadata: String, problem: String?, fileSize: Int64?, modificationTime: Double?,
        givenLabels: String?
    ) {
        self.id = id
        self.path = path
        self.row = row
        self.metadata = metadata
        self.problem = problem
        self.fileSize = fileSize
        self.modificationTime = modificationTime
        self.givenLabels = givenLabels
    }
}

public struct CopiedAnnotation: Sendable, Equatable {
    public var itemID: Int64
    public var annotator: String
    public var labels: String
    public init(itemID: Int64, annotator: String, labels: String) {
        self.itemID = itemID
        self.annotator = annotator
        self.labels = labels
    }
}

/// A model's probabilities: the `.npy` file's bytes, under the name its model row refers to.
public struct CopiedMatrix: Sendable, Equatable {
    public var name: String
    public var npy: Data
    public init(name: String, npy: Data) {
        self.name = name
        self.npy = npy
    }

    /// A matrix name is a file name in the state folder: nothing that could leave it.
    public static func isUsableName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && !name.hasPrefix(".") && !name.contains("\0")
    }
}

public struct CopiedModel: Sendable, Equatable {
    public var name: String
    public var source: String
    public var matrixFile: String
    public var rows: Int64
    public var columns: Int64
    public init(name: String, source: String, matrixFile: String, rows: Int64, columns: Int64) {
        self.name = name
        self.source = source
        self.matrixFile = matrixFile
        self.rows = rows
        self.columns = columns
    }
}

public struct CopiedEmbeddings: Sendable, Equatable {
    public var source: String
    public var rows: Int64
    public var dimension: Int64
    public var scalarType: String
    public var fileSize: Int64
    public var modificationTime: Double
    public var fingerprint: String
    public init(
        source: String, rows: Int64, dimension: Int64, scalarType: String, fileSize: Int64, modificationTime: Double, fingerprint: String
    ) {
        self.source = source
        self.rows = rows
        self.dimension = dimension
        self.scalarType = scalarType
        self.fileSize = fileSize
        self.modificationTime = modificationTime
        self.fingerprint = fingerprint
    }
}

public struct CopiedImport: Sendable, Equatable {
    public var id: Int64
    public var finishedAt: String
    public var summary: String
    public init(id: Int64, finishedAt: String, summary: String) {
        self.id = id
        self.finishedAt = finishedAt
        self.summary = summary
    }
}

/// One event of the decision log as stored, with its hash (never computed again).
public struct CopiedEvent: Sendable, Equatable {
    public var id: Int64
    public var itemID: Int64
    public var reviewer: String
    public var action: String
    public var oldLabels: String?
    public var newLabels: String?
    public var queue: String?
    public var reason: String?
    public var note: String?
    public var undoes: Int64?
    public var createdAt: String
    public var score: Double?
    public var flags: String?
    public var hash: String?
    public init(
        id: Int64, itemID: Int64, reviewer: String, action: String, oldLabels: String?, newLabels: String?, queue: String?,
        reason: String?, note: String?, undoes: Int64?, createdAt: String, score: Double?, flags: String?, hash: String?
    ) {
        self.id = id
        self.itemID = itemID
        self.reviewer = reviewer
        self.action = action
        self.oldLabels = oldLabels
        self.newLabels = newLabels
        self.queue = queue
        self.reason = reason
        self.note = note
        self.undoes = undoes
        self.createdAt = createdAt
        self.score = score
        self.flags = flags
        self.hash = hash
    }
}

/// A content hash as stored (hexadecimal text).
public struct CopiedContentHash: Sendable, Equatable {
    public var itemID: Int64
    public var fileSize: Int64
    public var modificationTime: Double
    public var hash: String
    public init(itemID: Int64, fileSize: Int64, modificationTime: Double, hash: String) {
        self.itemID = itemID
        self.fileSize = fileSize
        self.modificationTime = modificationTime
        self.hash = hash
    }
}

public struct CopiedImageFeature: Sendable, Equatable {
    public var itemID: Int64
    public var fileSize: Int64
    public var modificationTime: Double
    public var version: Int64
    public var dimension: Int64
    public var vector: Data?
    public var descriptor: Data?
    public init(
        itemID: Int64, fileSize: Int64, modificationTime: Double, version: Int64, dimension: Int64, vector: Data?, descriptor: Data?
    ) {
        self.itemID = itemID
        self.fileSize = fileSize
        self.modificationTime = modificationTime
        self.version = version
        self.dimension = dimension
        self.vector = vector
        self.descriptor = descriptor
    }
}

public struct CopiedImageMeasure: Sendable, Equatable {
    public var itemID: Int64
    public var measure: String
    public var version: Int64
    public var fileSize: Int64
    public var modificationTime: Double
    public var value: Data?
    public init(itemID: Int64, measure: String, version: Int64, fileSize: Int64, modificationTime: Double, value: Data?) {
        self.itemID = itemID
        self.measure = measure
        self.version = version
        self.fileSize = fileSize
        self.modificationTime = modificationTime
        self.value = value
    }
}

/// How many rows of each kind a project has: what the source's snapshot holds, and what
/// the target holds once the copy is written (they must be equal).
public struct ProjectRecordCounts: Sendable, Equatable, CustomStringConvertible {
    public var settings = 0
    public var classes = 0
    public var items = 0
    public var annotations = 0
    public var matrices = 0
    public var models = 0
    public var embeddings = 0
    public var imports = 0
    public var events = 0
    public var contentHashes = 0
    public var imageFeatures = 0
    public var imageMeasures = 0

    public init() {}

    /// Counts the copied tables with `count(sql)` (the store's own query runner), the same
    /// statements in both stores; `matrices` is the store's query for its matrices.
    public static func counted(matrices: String, _ count: (String) throws -> Int) rethrows -> ProjectRecordCounts {
        var counts = ProjectRecordCounts()
        counts.settings = try count("SELECT COUNT(*) FROM project")
        counts.classes = try count("SELECT COUNT(*) FROM classes")
        counts.items = try count("SELECT COUNT(*) FROM items")
        counts.annotations = try count("SELECT COUNT(*) FROM annotations")
        counts.matrices = try count(matrices)
        counts.models = try count("SELECT COUNT(*) FROM models")
        counts.embeddings = try count("SELECT COUNT(*) FROM embeddings")
        counts.imports = try count("SELECT COUNT(*) FROM imports")
        counts.events = try count("SELECT COUNT(*) FROM events")
        counts.contentHashes = try count("SELECT COUNT(*) FROM content_hashes")
        counts.imageFeatures = try count("SELECT COUNT(*) FROM image_features")
        counts.imageMeasures = try count("SELECT COUNT(*) FROM image_measures")
        return counts
    }

    /// The tables as `name: count`, in copy order.
    public var tables: [(name: String, count: Int)] {
        [
            ("settings", settings), ("classes", classes), ("items", items), ("annotations", annotations), ("matrices", matrices),
            ("models", models), ("embeddings", embeddings), ("imports", imports), ("events", events), ("content hashes", contentHashes),
            ("image features", imageFeatures), ("image measures", imageMeasures)
        ]
    }

    public var description: String { tables.map { "\($0.name) \($0.count)" }.joined(separator: ", ") }

    /// Adds what `records` holds.
    public mutating func add(_ records: ProjectRecords) {
        switch records {
        case .counts: break
        case .settings(let rows): settings += rows.count
        case .classes(let rows): classes += rows.count
        case .items(let rows): items += rows.count
        case .annotations(let rows): annotations += rows.count
        case .matrix: matrices += 1
        case .models(let rows): models += rows.count
        case .embeddings(let rows): embeddings += rows.count
        case .imports(let rows): imports += rows.count
        case .events(let rows): events += rows.count
        case .contentHashes(let rows): contentHashes += rows.count
        case .imageFeatures(let rows): imageFeatures += rows.count
        case .imageMeasures(let rows): imageMeasures += rows.count
        }
    }
}

/// A batch of one table's rows. A project is exported as `.counts` first, then the tables in
/// this order (each in its key order, in batches): what a row refers to always comes first.
public enum ProjectRecords: Sendable, Equatable {
    /// The snapshot's row counts (first, once).
    case counts(ProjectRecordCounts)
    case settings([CopiedSetting])
    case classes([CopiedClass])
    case items([CopiedItem])
    case annotations([CopiedAnnotation])
    /// One matrix at a time: only one sits in memory.
    case matrix(CopiedMatrix)
    case models([CopiedModel])
    case embeddings([CopiedEmbeddings])
    case imports([CopiedImport])
    case events([CopiedEvent])
    case contentHashes([CopiedContentHash])
    case imageFeatures([CopiedImageFeature])
    case imageMeasures([CopiedImageMeasure])

    /// How many rows the batch holds.
    public var count: Int {
        var counts = ProjectRecordCounts()
        counts.add(self)
        return counts.tables.reduce(0) { $0 + $1.count }
    }

    /// The table's name, for progress and messages.
    public var table: String {
        switch self {
        case .counts: return "counts"
        case .settings: return "settings"
        case .classes: return "classes"
        case .items: return "items"
        case .annotations: return "annotations"
        case .matrix: return "matrices"
        case .models: return "models"
        case .embeddings: return "embeddings"
        case .imports: return "imports"
        case .events: return "events"
        case .contentHashes: return "content hashes"
        case .imageFeatures: return "image features"
        case .imageMeasures: return "image measures"
        }
    }
}
