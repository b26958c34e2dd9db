/// The screens of the workstation.
public enum Screen: Sendable, Hashable {
    case review
    /// The image over the whole screen.
    case zoom
    /// The current item's near-duplicate component as a grid.
    case component
    /// The current item's nearest neighbours as a grid.
    case similar
    /// An image of a grid opened full size (`neighbour`), to decide on it; Escape goes
    /// back to the grid it came from.
    case opened
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
        self.text = Self.oneLine(text)
    }

    /// Messages made for a terminal come in several lines ("refused…\n    fix: ask bob"):
    /// the status line shows them as one, the parts joined by " · ".
    static func oneLine(_ text: String) -> String {
        guard text.contains(where: { $0 == "\n" || $0 == "\r" }) else { return text }
        return text.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { $0.drop(while: { $0 == " " || $0 == "\t" }) }
            .filter { !$0.isEmpty }
            .joined(separator: " · ")
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

    /// A picker that opens with `suggested` selected (an empty query lists every class in
    /// taxonomy order), so Enter takes the suggestion.
    public init(purpose: Purpose, classes: [String], suggested: String?) {
        self.purpose = purpose
        if let suggested, let index = FuzzyMatch.rank("", classes).firstIndex(where: { classes[$0] == suggested }) { selection = index }
    }
}

/// The note being written (`n`): one line, kept for the item and saved with the next
/// decision on it.
public struct NoteEditor: Sendable, Hashable {
    public var item: Int
    public var text: String
    public init(item: Int, text: String) {
        self.item = item
        self.text = text
    }
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
    /// The switcher asked for fresh counts and they have not come yet.
    public var countingQueues = false
    public var queueCursor: Int = 0

    /// Loaded item details by item (a window around the position, not the whole dataset).
    public var details: [Int: ItemDetails] = [:]
    /// Counts the changes to the project this session has seen (its decisions and undos,
    /// others' changes): details loaded before the latest one are read again before they
    /// are shown, since a decision changes the analysis (groups, suggestions, reasons) of
    /// items beyond the one decided.
    public var factsVersion = 0
    /// The `factsVersion` each item's details were loaded at.
    public var detailsVersion: [Int: Int] = [:]
    /// Images that could not be shown, with why.
    public var imageProblems: [Int: String] = [:]
    /// A reload of the queue is on its way (others decided items it lists).
    public var queueReloading = false
    /// Others changed the project while a reload was on its way: reload once more after it.
    public var refreshAgain = false

    /// A decision or undo sent to the store and not yet confirmed. Keys that arrive
    /// meanwhile wait in `deferredKeys`, so they act on the screen the user will see.
    public var inFlight: DecisionCommand?
    public var undoInFlight = false
    public var deferredKeys: [Key] = []
    public var undoStack: [SessionDecision] = []
    /// Decisions undone (newest last), for redo; any new decision clears it.
    public var redoStack: [SessionDecision] = []
    /// The undo on its way reaches an earlier session (the session's own stack was empty).
    public var undoingEarlier = false
    /// The decision in flight is a redo (it keeps the rest of the redo stack).
    public var redoing = false
    /// The store could not be reached for the decision or undo in flight: it is being tried
    /// again (the status line says so; Ctrl-C quits without it).
    public var storeRetrying = false

    /// Multi-label data: the labels being composed for the current item (digits toggle).
    public var draftLabels: [String]?

    /// Items whose blur the reviewer flipped with `b`: a sensitive image revealed, or
    /// another one blurred by hand.
    public var blurFlipped: Set<Int> = []

    /// Notes written for items, saved with the next decision on each (and kept by the data
    /// source meanwhile, `Effect.keepNote`).
    public var notes: [Int: String] = [:]
    /// Notes kept from earlier sessions, by image path, not yet matched to an item on screen
    /// (each moves to `notes` when its item's details load).
    public var keptNotes: [String: String] = [:]
    public var noteEditor: NoteEditor?

    public var gridCursor: Int = 0
    /// Thumbnail size steps away from the size that fits the grid (`+` / `-`).
    public var gridZoom: Int = 0
    /// The image of a grid opened full size (`Screen.opened`), and the grid to go back to.
    public var opened: Int?
    public var openedFrom: Screen = .similar
    public var similar: [SimilarItem]?
    public var stats: ReviewStats?
    public var statsScroll: Int = 0
    public var helpScroll: Int = 0

    public var status: StatusMessage?
    /// Items this session decided (accepted, relabelled, excluded) and still has decided,
    /// counted as `winnow stats` counts them: skips and split-offs are not decisions, an
    /// undo takes one back. The value counts this session's settling decisions in effect.
    public var settledThisSession: [Int: Int] = [:]
    public var decisionsThisSession: Int { settledThisSession.count }
    public var sessionStart: Double = 0
    public var now: Double = 0
    public var quitting = false

    public init(
        setup: ReviewSetup, theme: Theme = .builtIn, keyMap: KeyMap = .defaults, size: TerminalSize, queueName: String = "triage", now: Double = 0
    ) {
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
    /// The item the review layout shows and decides on: the opened grid image, else the
    /// queue's current item.
    public var focusItem: Int? { screen == .opened ? opened : currentItem }
    public var currentDetails: ItemDetails? { currentItem.flatMap { details[$0] } }
    public var isBusy: Bool { inFlight != nil || undoInFlight }

    /// Whether `item`'s details must be (re)loaded before they are shown: never loaded, or
    /// loaded before the project last changed.
    public func needsDetails(_ item: Int) -> Bool {
        details[item] == nil || detailsVersion[item, default: -1] < factsVersion
    }

    /// Whether `item` is blurred until revealed (a sensitive class, or `blur_all`).
    public func isSensitive(_ item: Int) -> Bool {
        setup.blurAll || (details[item]?.currentLabels.contains { setup.sensitiveClasses.contains($0) } ?? false)
            || (details[item]?.givenLabels.contains { setup.sensitiveClasses.contains($0) } ?? false)
    }

    /// Whether `item`'s image is shown blurred.
    public func isBlurred(_ item: Int) -> Bool { isSensitive(item) != blurFlipped.contains(item) }

    /// Whether the screen is too small to work in: keys other than quit and redraw wait.
    public var isTooSmall: Bool { size.columns < View.minimumSize.columns || size.rows < View.minimumSize.rows }

    /// The items shown in the component or similar grid (more like this begins with the
    /// image whose neighbours it shows).
    public var gridItems: [Int] {
        switch screen {
        case .component: return currentDetails?.component?.members ?? []
        case .similar:
            guard let similar else { return [] }
            let neighbours = similar.map(\.item)
            guard let query = currentItem, !neighbours.contains(query) else { return neighbours }
            return [query] + neighbours
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
