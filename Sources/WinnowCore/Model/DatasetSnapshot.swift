/// Everything an import read from a dataset folder, validated and ready to store.
public struct DatasetSnapshot: Sendable {
    public enum Layout: String, Sendable {
        /// Labels come from `labels.csv`.
        case labelsFile = "labels.csv"
        /// Labels are the folder names in `images/<class>/<file>`.
        case imageFolder = "image-folder"
        /// No labels at all (predictions and images only).
        case unlabelled
    }

    public struct Item: Sendable, Equatable {
        /// Relative to `images/`, `/`-separated.
        public var path: String
        /// The `items.csv` metadata columns as a JSON object (`{}` when there are none).
        public var metadataJSON: String
        /// Per-image problem found at import (missing, empty, not an image), or nil.
        public var problem: String?
        public var fileSize: Int64?
        public var modificationTime: Double?
        /// The annotators' consensus (see `AnnotatorConsensus`); nil when unlabelled.
        public var givenLabels: LabelSet?

        public init(
            path: String, metadataJSON: String = "{}", problem: String? = nil, fileSize: Int64? = nil,
            modificationTime: Double? = nil, givenLabels: LabelSet? = nil
        ) {
            self.path = path
            self.metadataJSON = metadataJSON
            self.problem = problem
            self.fileSize = fileSize
            self.modificationTime = modificationTime
            self.givenLabels = givenLabels
        }
    }

    public struct Annotation: Sendable, Equatable {
        /// Index into `items`.
        public var item: Int
        /// `""` when `labels.csv` has no annotator column.
        public var annotator: String
        public var labels: LabelSet

        public init(item: Int, annotator: String, labels: LabelSet) {
            self.item = item
            self.annotator = annotator
            self.labels = labels
        }
    }

    public struct ModelPredictions: Sendable {
        public var name: String
        /// e.g. `predictions/logreg.csv`.
        public var source: String
        /// Row-major items × classes, in taxonomy column order.
        public var probabilities: [Float]

        public init(name: String, source: String, probabilities: [Float]) {
            self.name = name
            self.source = source
            self.probabilities = probabilities
        }
    }

    public struct Embeddings: Sendable, Equatable {
        public var source: String
        public var rows: Int
        public var dimension: Int
        public var scalarType: String
        public var fileSize: Int
        public var modificationTime: Double
        public var fingerprint: UInt64

        public init(
            source: String, rows: Int, dimension: Int, scalarType: String, fileSize: Int,
            modificationTime: Double, fingerprint: UInt64
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

    public var layout: Layout
    public var taxonomy: ClassTaxonomy
    /// Whether `classes.txt` defined the taxonomy (else it was inferred).
    public var classesFromFile: Bool
    public var isMultiLabel: Bool
    public var metadataColumns: [String]
    public var items: [Item]
    public var annotations: [Annotation]
    public var models: [ModelPredictions]
    public var embeddings: Embeddings?
    /// Things worth telling the user that did not stop the import.
    public var notices: [String]

    public init(
        layout: Layout, taxonomy: ClassTaxonomy, classesFromFile: Bool, isMultiLabel: Bool,
        metadataColumns: [String], items: [Item], annotations: [Annotation], models: [ModelPredictions],
        embeddings: Embeddings?, notices: [String]
    ) {
        self.layout = layout
        self.taxonomy = taxonomy
        self.classesFromFile = classesFromFile
        self.isMultiLabel = isMultiLabel
        self.metadataColumns = metadataColumns
        self.items = items
        self.annotations = annotations
        self.models = models
        self.embeddings = embeddings
        self.notices = notices
    }

    public var annotators: [String] {
        var seen = Set<String>()
        return annotations.compactMap { seen.insert($0.annotator).inserted ? $0.annotator : nil }
    }

    public var itemsWithProblems: Int { items.reduce(0) { $0 + ($1.problem == nil ? 0 : 1) } }
}
