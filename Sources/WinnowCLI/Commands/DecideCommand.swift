import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowStore
import WinnowSession

struct DecideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Record a review decision on one image (the scriptable form of the review screen).",
        discussion: """
            Every decision is appended to the project's decision log and committed before \
            the command returns; nothing is overwritten. --undo takes back the image's most \
            recent decision that is still in effect (repeat it to go further back).

            --next N works through a queue instead of one image, as the review screen does: \
            each item is held (leased) before it is decided, so several reviewers (screens, \
            scripts) never decide the same item, and items another session holds, or that \
            no longer need this reviewer ([team] reviews_per_item), are passed over.

            With a [team.reviewers] list in winnow.toml each act needs its role: excluding \
            needs a moderator; changing another reviewer's decision, settling a disputed item \
            and --force need a lead.

            EXAMPLES:
              winnow decide SampleProjects/shapes batch-01/img_0007.png --accept
              winnow decide SampleProjects/shapes batch-01/img_0007.png --relabel hexagon --note "six corners"
              winnow decide photos/ beach/0042.jpg --relabel sea,sky       (multi-label)
              winnow decide SampleProjects/shapes batch-01/img_0007.png --undo
              winnow decide SampleProjects/shapes --next 20 --queue triage --accept --reviewer bot

            \(WinnowExit.helpText)
            """)

    @OptionGroup var project: ProjectOptions

    @Argument(help: ArgumentHelp("The image, as a path relative to images/ (not with --next).", valueName: "image"))
    var image: String?

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
    @Flag(help: "Decide even though another reviewer holds the image (leads only).")
    var force = false
    @Option(help: ArgumentHelp("Decide the next N open items of --queue instead of one image.", valueName: "n"))
    var next: Int?
    @Option(help: ArgumentHelp("The queue --next works through.", valueName: "name"))
    var queue: String = QueueName.triage.rawValue

    func validate() throws {
        // A note is shown in logs and on review screens: no control characters, as for reviewer names.
        if let note, !TerminalText.isSafe(note) {
            throw ValidationError(
                "the note contains control characters (line breaks, escape sequences or bidirectional controls); write it on one line of plain text")
        }
        let chosen = [accept, relabel != nil, exclude, skip, undo, splitOff].filter { $0 }.count
        guard chosen == 1 else {
            throw ValidationError("give exactly one of --accept, --relabel LABEL, --exclude, --skip, --split-off, --undo")
        }
        if let next {
            guard image == nil else { throw ValidationError("give an image or --next N, not both") }
            guard next > 0 else { throw ValidationError("--next needs a number above 0") }
            guard !undo else { throw ValidationError("--undo takes an image, not --next") }
            do { _ = try QueueName.named(queue) } catch { throw ValidationError(error.description) }
        } else if image == nil {
            throw ValidationError("give the image to decide on (a path relative to images/), or --next N")
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
        let policy = opened.config.team
        let who = try resolveReviewer(reviewer, policy: policy)
        var labels: LabelSet?
        if let relabel {
            // A class name may itself contain a comma: an exact match wins over splitting.
            let names =
                taxonomy.contains(relabel)
                ? [relabel] : relabel.split(separator: ",").map { String($0).trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
            labels = LabelSet(names, in: taxonomy)
        }
        guard let next else {
            let image = image ?? ""
            let outcome = try opened.store.decide(
                DecisionRequest(
                    imagePath: image, reviewer: who, action: action, labels: labels, note: note, force: force), policy: policy)
            print(DecisionText.describe(outcome, image: image))
            return
        }
        try workThrough(opened, count: next, reviewer: who, labels: labels, policy: policy)
    }

    /// Decides the next `count` open items of the queue, each held before it is decided.
    func workThrough(_ project: Project, count: Int, reviewer: String, labels: LabelSet?, policy: TeamPolicy) throws {
        let name = QueueName(rawValue: queue)!
        // Refused before any work rather than once per item.
        try policy.authorize(reviewer, .decide(action))
        if name == .disputed { try policy.authorize(reviewer, .settleDisputes) }
        let session = try AnalysisSession(project, progress: SilentProgress())
        let graph = try session.neighbourGraph()?.graph
        let input = try session.input(graph: graph)
        let analysis = LabelAnalysis(input, settings: session.settings())
        let builder = try session.queueBuilder(analysis, input: input, stratifyBy: project.config.stratifyBy, reviewer: reviewer)
        let order = builder.order(name)
        let leases = LeaseSession(store: project.store, reviewer: reviewer, policy: policy)
        defer { leases.close() }
        var decided = 0
        var passed = 0
        var pending = order
        // Items other sessions hold now are tried again after a pause (they may let go
        // without deciding), backing off up to `patience` seconds in all.
        var pause = 0.05
        var waited = 0.0
        let patience = 10.0
        while decided < count, !pending.isEmpty {
            var heldElsewhere: [QueueEntry] = []
            for entry in pending where decided < count {
                let item = session.context.items[entry.item]
                switch try leases.hold([item.id], settling: name == .disputed)[item.id] {
                case .heldBy?: heldElsewhere.append(entry); continue
                case .settled?: passed += 1; continue
                case .held?, nil: break
                }
                let request = DecisionRequest(
                    imagePath: item.path, reviewer: reviewer, action: action, labels: labels, queue: name.rawValue,
                    reason: entry.source.rawValue, note: note, score: QueueMeasure.labelIssueScore(item: entry.item, analysis: builder.analysis),
                    flags: StoreReviewSource.flagKinds(builder.explainedReasons(for: entry.item, in: entry.source).map(\.kind)),
                    mustBeOpen: true)
                // Another reviewer may settle or take the item between the hold and the
                // decision (as on the screen: the item leaves, the queue goes on).
                let outcome: DecisionOutcome
                switch try Self.attempt(request, in: project.store, policy: policy) {
                case .decided(let decided): outcome = decided
                case .settledMeanwhile: passed += 1; continue
                case .heldMeanwhile: heldElsewhere.append(entry); continue
                }
                print(DecisionText.describe(outcome, image: item.path))
                decided += 1
            }
            guard !heldElsewhere.isEmpty, decided < count else { break }
            guard waited < patience else { passed += heldElsewhere.count; break }
            usleep(UInt32(pause * 1_000_000))
            waited += pause
            pause = min(1, pause * 2)
            pending = heldElsewhere
        }
        if decided < count {
            print(
                "\(decided) decided; the \(name.rawValue) queue has no more open items for \(TerminalText.sanitize(reviewer))\(passed > 0 ? " (\(passed) passed over: held by others or settled meanwhile)" : "")"
            )
        }
    }

    private enum Attempt { case decided(DecisionOutcome), settledMeanwhile, heldMeanwhile }

    /// A queue decision, with the two refusals a concurrent reviewer causes told apart.
    private static func attempt(_ request: DecisionRequest, in store: any ProjectStoring, policy: TeamPolicy) throws -> Attempt {
        do {
            return .decided(try store.decide(request, policy: policy))
        } catch {
            switch error {
            case .alreadyDecided: return .settledMeanwhile
            case .leased: return .heldMeanwhile
            default: throw error
            }
        }
    }
}
