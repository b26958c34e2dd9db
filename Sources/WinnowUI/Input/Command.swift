/// What a key does. Keys map to commands through a `KeyMap`, which `winnow.toml` can change.
public enum Command: Sendable, Hashable {
    case accept
    /// Relabel to the class shown as 1…9, 0 (index 0…9) in the legend.
    case relabel(Int)
    case pickClass
    case exclude
    case skip
    case undo
    case next
    case previous
    case pageDown
    case pageUp
    case first
    case last
    case switchQueue
    case component
    case moreLikeThis
    case zoom
    case blur
    case stats
    case help
    case redraw
    case quit
    case back
    /// Component view: give every member the majority label.
    case applyMajority
    /// Component view: give every member a label chosen in the class picker.
    case applyChosen
    /// Component view: split the selected image off as "not a duplicate".
    case splitOff
    case left
    case right
    /// Fewer sixel colours; in a grid, smaller thumbnails.
    case lowerQuality
    /// More sixel colours again; in a grid, larger thumbnails.
    case raiseQuality
    /// Relabel to the label the evidence suggests.
    case takeSuggestion
    /// Write a note, saved with the next decision on the item.
    case note
    /// Make the last undone decision again.
    case redo

    /// The name used in `winnow.toml` [keys].
    public var name: String {
        switch self {
        case .relabel(let index): return "relabel_\(index == 9 ? 0 : index + 1)"
        default: return String(describing: self).snakeCased
        }
    }

    /// What the help screen says the command does.
    public var summary: String {
        switch self {
        case .accept: return "accept the current label (in a grid: open the selected image)"
        case .relabel(let index): return "relabel to class \(index == 9 ? 0 : index + 1) of the legend"
        case .pickClass: return "pick a class by name (type to filter)"
        case .exclude: return "exclude the image from the dataset"
        case .skip: return "skip for now (it comes back later)"
        case .undo: return "undo your last decision (repeatable, also from earlier sessions)"
        case .redo: return "redo the decision just undone"
        case .takeSuggestion: return "take the suggested label"
        case .note: return "write a note (saved with your next decision on the image)"
        case .next: return "next item"
        case .previous: return "previous item"
        case .pageDown: return "ten items on"
        case .pageUp: return "ten items back"
        case .first: return "first item"
        case .last: return "last item"
        case .switchQueue: return "switch queue"
        case .component: return "the item's near-duplicate component"
        case .moreLikeThis: return "more like this (nearest neighbours)"
        case .zoom: return "zoom the image to the whole screen"
        case .blur: return "reveal / blur the image"
        case .stats: return "statistics"
        case .help: return "this help"
        case .redraw: return "redraw the screen"
        case .quit: return "quit (every decision is already saved)"
        case .back: return "back to the review screen"
        case .applyMajority: return "component: give every image the majority label"
        case .applyChosen: return "component: give every image a chosen label"
        case .splitOff: return "component: split the image off (not a duplicate)"
        case .left: return "move left in a grid"
        case .right: return "move right in a grid"
        case .lowerQuality: return "fewer sixel colours (less data over SSH); in a grid: smaller thumbnails"
        case .raiseQuality: return "more sixel colours again; in a grid: larger thumbnails"
        }
    }

    /// Every command, in the order the help screen lists them.
    public static let all: [Command] =
        [.accept] + (0..<10).map { .relabel($0) } + [
            .takeSuggestion, .pickClass, .exclude, .skip, .note, .undo, .redo, .next, .previous, .pageDown, .pageUp, .first, .last,
            .left, .right, .switchQueue, .component, .applyMajority, .applyChosen, .splitOff, .moreLikeThis, .zoom, .blur,
            .lowerQuality, .raiseQuality, .stats, .help, .redraw, .back, .quit
        ]
}

extension String {
    /// "moreLikeThis" → "more_like_this".
    var snakeCased: String {
        var out = ""
        for c in self {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }
}
