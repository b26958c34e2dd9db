/// The screens of the workstation.
public enum Screen: Sendable, Hashable {
    case review
    /// The image over the whole screen.
    case zoom
    /// The current item's near-duplicate component as a grid.
    case component
    /// The current item's nearest neighbours as a grid.
    case similar
    /// The queue switcher.
    case queues
    case stats
    case help
}

/// A status-line message.
public struct StatusMessage: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case info, success, warning, error }
    public var kind: Kind
    public var text: String
    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }
}

/// The fuzzy class picker (`/` or `r`).
public struct ClassPicker: Sendable, Hashable {
    public enum Purpose: Sendable, Hashable {
        /// Relabel the item under review.
        case relabelCurrent
        /// Relabel the selected image of a grid.
        case relabelSelected
        /// Give every member of the component the chosen label.
        case relabelComponent
    }
    public var purpose: Purpose
    public var query: String = ""
    public var selection: Int = 0

    public init(purpose: Purpose) { self.purpose = purpose }
}

/// The whole state of the workstation. Only `reduce` changes it.
public struct AppState: Sendable {
    public var setup: ReviewSetup
    public var theme: Theme
    public var keyMap: KeyMap
    public var size: TerminalSize

    public var screen: Screen = .review
    public var picker: ClassPicker?

    public var queueName: String
    public var queue: [QueueSlot] = []
    public var position: Int = 0
    public var queueLoaded = false
    /// Open entries per queue, for the switcher.
    public var queueCounts: [String: Int] = [:]
    public var queueCursor: Int = 0

    /// Loaded item details by item (a window around the position, not the whole dataset).
    public var details: [Int: ItemDetails] = [:]
    /// Images that could not be shown, with why.
    public var imageProblems: [Int: String] = [:]
    /// A reload of the queue is on its way (others decided items it lists).
    public var queueReloading = false

    /// A decision or undo sent to the store and not yet confirmed. Keys that arrive
    /// meanwhile wait in `deferredKeys`, so they act on the screen the user will see.
    public var inFlight: DecisionCommand?
    public var undoInFlight = false
    public var deferredKeys: [Key] = []
    public var undoStack: [SessionDecision] = []

    /// Multi-label data: the labels being composed for the current item (digits toggle).
    public var draftLabels: [String]?

    /// Items whose image the reviewer chose to see unblurred; `revealAll` flips the default.
    public var revealed: Set<Int> = []

    public var gridCursor: Int = 0
    public var similar: [SimilarItem]?
    public var stats: ReviewStats?
    public var statsScroll: Int = 0
    public var helpScroll: Int = 0

    public var status: StatusMessage?
    /// Decisions committed this session, and when (session clock, seconds).
    public var decisionsThisSession = 0
    public var sessionStart: Double = 0
    public var now: Double = 0
    public var quitting = false

    public init(setup: ReviewSetup, theme: Theme = .builtIn, keyMap: KeyMap = .defaults, size: TerminalSize, queueName: String = "triage", now: Double = 0) {
        self.setup = setup
        self.theme = theme
        self.keyMap = keyMap
        self.size = size
        self.queueName = queueName
        self.sessionStart = now
        self.now = now
    }

    public var currentSlot: QueueSlot? { queue.indices.contains(position) ? queue[position] : nil }
    public var currentItem: Int? { currentSlot?.item }
    public var currentDetails: ItemDetails? { currentItem.flatMap { details[$0] } }
    public var isBusy: Bool { inFlight != nil || undoInFlight }

    /// Whether `item`'s image is shown blurred.
    public func isBlurred(_ item: Int) -> Bool {
        let sensitive = setup.blurAll || (details[item]?.currentLabels.contains { setup.sensitiveClasses.contains($0) } ?? false)
            || (details[item]?.givenLabels.contains { setup.sensitiveClasses.contains($0) } ?? false)
        return sensitive && !revealed.contains(item)
    }

    /// The items shown in the component or similar grid.
    public var gridItems: [Int] {
        switch screen {
        case .component: return currentDetails?.component?.members ?? []
        case .similar: return similar?.map(\.item) ?? []
        default: return []
        }
    }

    /// Decisions per minute this session.
    public var pace: Double {
        let minutes = (now - sessionStart) / 60
        // Only once there is something to average: three decisions in two seconds is not a pace.
        return minutes >= 0.5 ? Double(decisionsThisSession) / minutes : 0
    }
}
