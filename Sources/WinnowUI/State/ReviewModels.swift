/// What the review screen shows. The application fills these from the store and the
/// analysis; the UI core never reads a database or a file.

/// Static facts about the session, known before the first frame.
public struct ReviewSetup: Sendable, Equatable {
    public var projectName: String
    public var reviewer: String
    /// The project's classes, in taxonomy order (the class picker lists them so).
    public var classes: [String] { didSet { legend = ClassLegend.slots(for: classes) } }
    /// The class each digit key relabels to (`ClassLegend`): slot 0 is "1", slot 9 is "0".
    public private(set) var legend: [String?]
    public var multiLabel: Bool
    /// Queue names in the order the queue switcher lists them.
    public var queues: [String]
    /// What the image pane can do here, e.g. "sixel (DA1 lists 4)" or "blocks: tmux without passthrough".
    public var graphics: String
    /// False when images cannot be shown at all (`--graphics none`).
    public var showsImages: Bool
    /// Classes whose images stay blurred until revealed.
    public var sensitiveClasses: Set<String>
    /// Blur every image until revealed.
    public var blurAll: Bool
    /// Blind review (`[team] blind`): the screen shows the given label, never another
    /// reviewer's decision, so agreement between reviewers is measured honestly.
    public var blind: Bool = false
    /// How to get better pictures here, when there is a way ("tmux: set -g allow-passthrough on").
    public var imageHints: [String] = []
    /// What Winnow can and cannot check on this project and what to add (a plain folder of
    /// images has no labels, predictions or embeddings), for the info pane and help.
    public var projectNotes: [String] = []

    public init(
        projectName: String, reviewer: String, classes: [String], multiLabel: Bool = false, queues: [String],
        graphics: String = "blocks", showsImages: Bool = true, sensitiveClasses: Set<String> = [], blurAll: Bool = false
    ) {
        self.projectName = projectName
        self.reviewer = reviewer
        self.classes = classes
        self.legend = ClassLegend.slots(for: classes)
        self.multiLabel = multiLabel
        self.queues = queues
        self.graphics = graphics
        self.showsImages = showsImages
        self.sensitiveClasses = sensitiveClasses
        self.blurAll = blurAll
    }
}

/// One entry of a queue: the item (its row in the dataset) and why it is there.
public struct QueueSlot: Sendable, Hashable {
    public var item: Int
    /// The queue that surfaced it (for triage: the sub-queue).
    public var source: String
    public var score: Double

    public init(item: Int, source: String, score: Double) {
        self.item = item
        self.source = source
        self.score = score
    }
}

/// A reason an item was flagged, coloured by its kind.
public struct ReasonLine: Sendable, Hashable, Codable {
    public var kind: Theme.ReasonKind
    public var text: String
    public init(kind: Theme.ReasonKind, text: String) {
        self.kind = kind
        self.text = text
    }
}

/// One model's most likely classes for an item.
public struct ModelTop: Sendable, Hashable, Codable {
    public struct Entry: Sendable, Hashable, Codable {
        public var label: String
        public var probability: Double
        public init(label: String, probability: Double) {
            self.label = label
            self.probability = probability
        }
    }
    public var model: String
    public var top: [Entry]
    public init(model: String, top: [Entry]) {
        self.model = model
        self.top = top
    }
}

/// An item's near-duplicate component, with its current label counts.
public struct ComponentInfo: Sendable, Hashable, Codable {
    public struct LabelCount: Sendable, Hashable, Codable {
        public var label: String
        public var count: Int
        public init(label: String, count: Int) {
            self.label = label
            self.count = count
        }
    }
    public var id: Int
    public var members: [Int]
    public var labelCounts: [LabelCount]
    public var purity: Double
    public var isBad: Bool
    public var majority: String?

    public init(id: Int, members: [Int], labelCounts: [LabelCount], purity: Double, isBad: Bool, majority: String?) {
        self.id = id
        self.members = members
        self.labelCounts = labelCounts
        self.purity = purity
        self.isBad = isBad
        self.majority = majority
    }
}

/// Everything the review screen shows about one item.
public struct ItemDetails: Sendable, Hashable, Codable {
    public struct Field: Sendable, Hashable, Codable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var item: Int
    /// Relative to images/.
    public var path: String
    /// pending, accepted, relabelled, excluded, skipped.
    public var status: String
    public var currentLabels: [String]
    public var givenLabels: [String]
    /// Each annotator's labels when there were several ("ann-a: circle").
    public var annotators: [Field]
    public var suggested: String?
    public var reasons: [ReasonLine]
    public var models: [ModelTop]
    public var component: ComponentInfo?
    public var metadata: [Field]
    /// Why the image cannot be shown or used, when it cannot.
    public var problem: String?
    /// Each reviewer's decision when several reviewed it ("alice: circle").
    public var reviews: [Field] = []
    /// The item's label-issue score (0–1, how likely its label is wrong): the same scale in
    /// every queue, so it compares across them. Nil when nothing judges the label.
    public var labelIssueScore: Double?
    /// Why the queue that surfaced it ranks it where it does, in words ("audit sample",
    /// "group 3 of 62, most mixed first"): each queue's own measure, which does not compare.
    public var flagMeasure: String?

    public init(
        item: Int, path: String, status: String = "pending", currentLabels: [String], givenLabels: [String] = [],
        annotators: [Field] = [], suggested: String? = nil, reasons: [ReasonLine] = [], models: [ModelTop] = [],
        component: ComponentInfo? = nil, metadata: [Field] = [], problem: String? = nil
    ) {
        self.item = item
        self.path = path
        self.status = status
        self.currentLabels = currentLabels
        self.givenLabels = givenLabels
        self.annotators = annotators
        self.suggested = suggested
        self.reasons = reasons
        self.models = models
        self.component = component
        self.metadata = metadata
        self.problem = problem
    }

    public var labelText: String { currentLabels.isEmpty ? "(none)" : currentLabels.joined(separator: ", ") }
}

/// A nearest neighbour, for the more-like-this grid.
public struct SimilarItem: Sendable, Hashable {
    public var item: Int
    public var path: String
    public var label: String
    public var similarity: Double
    public init(item: Int, path: String, label: String, similarity: Double) {
        self.item = item
        self.path = path
        self.label = label
        self.similarity = similarity
    }
}

/// The figures of the stats view: titled sections of labelled bars.
public struct ReviewStats: Sendable, Hashable {
    public struct Bar: Sendable, Hashable {
        public var label: String
        /// The bar's length, 0…1 (clamped); NaN draws no bar (a figure that is not a
        /// share, or is undefined: the text says which).
        public var value: Double
        public var text: String
        public init(label: String, value: Double, text: String) {
            self.label = label
            self.value = value
            self.text = text
        }
    }
    public struct Section: Sendable, Hashable {
        public var title: String
        /// Lines under the title that say what the figures mean or why there are none.
        public var notes: [String]
        public var bars: [Bar]
        public init(title: String, notes: [String] = [], bars: [Bar]) {
            self.title = title
            self.notes = notes
            self.bars = bars
        }
    }
    public var sections: [Section]
    public init(sections: [Section]) { self.sections = sections }
}
