import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowTerminal
import WinnowUI
import WinnowSession

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Review a queue in the terminal: see each image, accept or relabel it with one key.",
        discussion: """
            Opens the review workstation on DIR's queue (default: triage). Every decision is \
            committed to the project before the screen shows it as saved; quitting, a \
            dropped SSH connection or a killed process loses nothing shown as saved.

            Keys: Enter/a accept · 1–9, 0 relabel to the legend's class (on classes named \
            by digits or number words, the digit's own class) · t take the suggestion · / or \
            r pick a class by name · x exclude · s skip · n note · u undo (also earlier \
            sessions') · U/Ctrl-R redo · j/k move · Tab queues · c component · m more like \
            this · z zoom · b blur · -/+ image colours (in grids: thumbnail size) · S stats \
            · ? help · q quit. Remap them in winnow.toml [keys].

            With [team] reviews_per_item above 1 the review is blind (unless [team] blind = \
            false): the screen shows the given label, never another reviewer's decision. The \
            queue follows other reviewers' decisions and released items by itself.

            Images are drawn with the best protocol the terminal answers to (kitty, sixel, \
            iTerm2), else with Unicode half blocks; `winnow doctor` says what was detected.

            EXAMPLES:
              winnow review SampleProjects/shapes
              winnow review SampleProjects/shapes --queue bad-components --graphics blocks
              winnow review photos/ --reviewer alice --colors 64      (slow SSH link)

            \(WinnowExit.helpText)
            """)

    @OptionGroup var project: ProjectOptions
    @Option(help: "The queue to start with (default: triage; random when labelling from scratch).") var queue: String?
    @Option(help: ArgumentHelp("Who reviews (default: $WINNOW_REVIEWER, else the login name).", valueName: "name"))
    var reviewer: String?
    @Option(help: ArgumentHelp("Image protocol: auto, kitty, sixel, iterm, blocks or none (default: [review] graphics).", valueName: "mode"))
    var graphics: String?
    @Option(help: ArgumentHelp("Colours in sixel images, 2–256 (fewer = less data over SSH; default: [review] colors).", valueName: "n"))
    var colors: Int?
    @Option(help: ArgumentHelp("Theme name (default, light, high-contrast, mono) or a theme file (default: [review] theme).", valueName: "theme"))
    var theme: String?
    @Option(
        name: .customLong("stratify-by"), help: ArgumentHelp("Metadata column for the stratified queue and the audit sample.", valueName: "column"))
    var stratifyBy: String?

    func validate() throws {
        if let queue { do { _ = try QueueName.named(queue) } catch { throw ValidationError(error.description) } }
        if let graphics, !WinnowConfig.graphicsModes.contains(graphics) {
            throw ValidationError("unknown --graphics \"\(graphics)\"; modes: \(WinnowConfig.graphicsModes.joined(separator: ", "))")
        }
        if let colors, !(2...256).contains(colors) { throw ValidationError("--colors must be from 2 to 256") }
    }

    func run() throws {
        let opened = try Project.open(project)
        let config = opened.config
        let reviewerName = try resolveReviewer(reviewer, policy: config.team)
        // Say it now rather than refuse every key later.
        try config.team.authorize(reviewerName, .decide(.skip))
        let evidence = try opened.store.evidence()
        let queue = self.queue ?? ProjectNotes.startQueue(evidence)
        if queue == QueueName.disputed.rawValue { try config.team.authorize(reviewerName, .settleDisputes) }
        let environment = ProcessInfo.processInfo.environment
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        let chosenTheme = try ThemeLocator.load(theme ?? config.theme, datasetRoot: opened.root)
        let keyMap: KeyMap
        do { keyMap = try KeyMap.configured(config, file: opened.root + "/" + WinnowConfig.fileName) } catch {
            throw CLIFailure(message: error.description, exit: .dataError)
        }

        // The screen opens at once; the analysis (seconds on a million items) runs behind
        // "Loading the queue…". Detection comes first: it needs the terminal to itself.
        let display = try GraphicsSetup.choose(
            mode: graphics ?? config.graphics, colors: colors ?? config.sixelColors,
            blurStyle: config.blurStyle)
        let taxonomy = try opened.store.taxonomy()
        let multiLabel = try opened.store.isMultiLabel()
        let column = stratifyBy
        let source = try DeferredReviewSource.opening(opened, queue: queue, reviewer: reviewerName, stratifyBy: column)
        var setup = ReviewSetup(
            projectName: config.projectName ?? URL(fileURLWithPath: opened.root).lastPathComponent,
            reviewer: reviewerName, classes: taxonomy.names, multiLabel: multiLabel,
            queues: QueueName.allCases.filter { $0 != .disputed || config.team.may(reviewerName, .settleDisputes) }.map(\.rawValue),
            graphics: display.description, showsImages: display.showsImages,
            sensitiveClasses: Set(config.sensitiveClasses), blurAll: config.blurAll)
        setup.blind = config.team.isBlind && queue != QueueName.disputed.rawValue
        setup.imageHints = display.hints
        setup.projectNotes = ProjectNotes.notes(evidence)
        let runtime = ReviewRuntime(
            setup: setup, source: source,
            options: .init(queue: queue, theme: chosenTheme, keyMap: keyMap, noColor: noColor),
            images: display.layer)
        let summary: ReviewRuntime.Summary
        do { summary = try runtime.run() } catch {
            throw CLIFailure(message: "\(error)", exit: .usage)
        }
        // An analysis that failed (say, embeddings changed since the import) is reported
        // after the screen closes, with its fix.
        if let failure = source.failure { throw failure }
        var line = "\(summary.decisions) decision\(summary.decisions == 1 ? "" : "s") saved this session"
        if summary.notSaved > 0 {
            // Each was still waiting for the store, never shown as saved.
            line += "; \(summary.notSaved) not saved: the project store was unreachable until the end"
        } else if summary.stoppedBySignal {
            line += " (stopped by a signal; nothing was lost)"
        }
        if !summary.terminalGone { print(line) }
    }
}
