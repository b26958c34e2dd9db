import ArgumentParser
import WinnowCore
import WinnowStore

struct DecideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Record a review decision on one image (the scriptable form of the review screen).",
        discussion: """
            Every decision is appended to the project's decision log and committed before \
            the command returns; nothing is overwritten. --undo takes back the image's most \
            recent decision that is still in effect (repeat it to go further back).

            EXAMPLES:
              winnow decide SampleProjects/shapes batch-01/img_0007.png --accept
              winnow decide SampleProjects/shapes batch-01/img_0007.png --relabel hexagon --note "six corners"
              winnow decide photos/ beach/0042.jpg --relabel sea,sky       (multi-label)
              winnow decide SampleProjects/shapes batch-01/img_0007.png --undo

            \(WinnowExit.helpText)
            """)

    @OptionGroup var project: ProjectOptions

    @Argument(help: ArgumentHelp("The image, as a path relative to images/.", valueName: "image"))
    var image: String

    @Flag(help: "The current label is right.") var accept = false
    @Option(help: ArgumentHelp("Give the image this label (comma-separated for multi-label data).", valueName: "label[,label…]"))
    var relabel: String?
    @Flag(help: "Exclude the image from the dataset.") var exclude = false
    @Flag(help: "Skip the image for now.") var skip = false
    @Flag(help: "Take back the image's latest decision.") var undo = false
    @Flag(name: .customLong("split-off"), help: "The image is not a duplicate of its near-duplicate group: take it out of the group.")
    var splitOff = false

    @Option(help: ArgumentHelp("Who decides (default: $WINNOW_REVIEWER, else the login name).", valueName: "name"))
    var reviewer: String?
    @Option(help: ArgumentHelp("A free-text note stored with the decision.", valueName: "text"))
    var note: String?

    func validate() throws {
        let chosen = [accept, relabel != nil, exclude, skip, undo, splitOff].filter { $0 }.count
        guard chosen == 1 else {
            throw ValidationError("give exactly one of --accept, --relabel LABEL, --exclude, --skip, --split-off, --undo")
        }
    }

    var action: DecisionAction {
        if accept { return .accept }
        if relabel != nil { return .relabel }
        if exclude { return .exclude }
        if skip { return .skip }
        if splitOff { return .split }
        return .undo
    }

    func run() throws {
        let opened = try Project.open(project)
        let taxonomy = try opened.store.taxonomy()
        var labels: LabelSet?
        if let relabel {
            // A class name may itself contain a comma: an exact match wins over splitting.
            let names = taxonomy.contains(relabel) ? [relabel] : relabel.split(separator: ",").map { String($0).trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
            labels = LabelSet(names, in: taxonomy)
        }
        let outcome = try opened.store.decide(DecisionRequest(
            imagePath: image, reviewer: try resolveReviewer(reviewer), action: action, labels: labels, note: note))
        print(Self.describe(outcome, image: image))
    }

    static func describe(_ outcome: DecisionOutcome, image: String, showReviewer: Bool = true) -> String {
        func show(_ labels: LabelSet?) -> String { labels.map { $0.isEmpty ? "(no labels)" : TerminalText.sanitize($0.description) } ?? "(unlabelled)" }
        let event = outcome.event
        var text = "saved #\(event.id): \(event.action.rawValue) \(TerminalText.sanitize(image))"
        switch event.action {
        case .relabel: text += "  \(show(outcome.before.labels)) → \(show(outcome.after.labels))"
        case .undo:
            if let undone = outcome.undone { text += "  (took back #\(undone.id) \(undone.action.rawValue))" }
            text += "  now \(outcome.after.status.rawValue): \(show(outcome.after.labels))"
        default: text += "  \(show(outcome.after.labels))"
        }
        return showReviewer ? text + "  by \(TerminalText.sanitize(event.reviewer))" : text
    }
}
