#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowStore
import WinnowSession

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the corrected label set (CSV, JSONL or an image folder per class), or the corrections made.",
        discussion: """
            FORMATS
              csv, jsonl   One row per item: image,label (image,labels for multi-label data, \
            classes joined by |), as in labels.csv, so the export can be a dataset's labels; \
            then given_label, status (unreviewed, skipped, accepted, relabelled; excluded \
            with keep-excluded), reviewer and decided_at (the decision in effect) and note. \
            --metadata appends the items.csv columns (JSONL: a "metadata" object).
              imagefolder  OUT/<class>/<image file name>, the layout torchvision's \
            ImageFolder, Keras and Hugging Face load directly. --link hard (default), sym or \
            copy. A multi-label item goes into each of its classes' folders. Unsafe class and \
            file names are made safe, same-named files from different folders are told apart \
            with a hash of their path (see the manifest's layout). Needs -o; an existing OUT \
            is replaced only with --force, and only if it is an earlier imagefolder export.
              corrections  Only the items relabelled or excluded: image, old_label (given), \
            new_label (or "(excluded)"), action, reviewers (everyone who decided it, in \
            order), decided_at, and the queue and reason that surfaced it. CSV, or JSONL when \
            -o ends in .jsonl.

            POLICIES (--policy, repeatable or comma-separated; replaces [export] policies in \
            winnow.toml). They compose, and apply in this order:
              drop-excluded        (default) leave excluded items out; keep-excluded writes \
            them with status excluded (csv, jsonl)
              --final-only         only items whose review is final (accepted, relabelled \
            or excluded)
              bad-components=drop|hold|keep   a near-duplicate group whose labels disagree \
            while a member is not final: leave its members out, or write them to a separate \
            held-back output (FILE.held-back.EXT, OUT.held-back/) to review later; keep is \
            the default
              one-per-group        one image per near-duplicate group: a final one first, \
            then the models' highest confidence in its label, then the smallest path
              label-intersection   (multi-label) a group member keeps the labels all its \
            group has
              drop-rare-labels=F   (multi-label) a group member loses the labels fewer than \
            the fraction F of its group has

            Everything is read from one snapshot of the project, so reviewers may keep \
            deciding meanwhile. With -o the export is written aside and renamed into place \
            (never half-written), with a manifest (FILE.manifest.json, or OUT/manifest.json) \
            giving the counts (written, excluded, held back, dropped by each policy, per \
            class), the policies, the decision log's head (events, last event id, hash), \
            time and Winnow's version, so a training run can cite exactly which labels it used.

            CSV SAFETY: values a spreadsheet would run as formulas (starting with =, +, -, \
            @, a tab or a carriage return, unless they are plain numbers) are prefixed with \
            a single quote ('), so opening the export in a spreadsheet cannot run code. \
            Pass --no-formula-guard for machine consumers that need values verbatim.

            EXAMPLES:
              winnow export SampleProjects/shapes --format csv -o labels.corrected.csv
              winnow export SampleProjects/shapes --format jsonl | head
              winnow export SampleProjects/shapes --format imagefolder --policy bad-components=hold,one-per-group -o shapes-clean
              winnow export SampleProjects/shapes --format corrections -o corrections.csv

            \(WinnowExit.helpText)
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, jsonl, imagefolder, corrections }

    @OptionGroup var project: ProjectOptions
    @Option(help: "Output format.") var format: Format = .csv
    @Option(
        name: [.short, .customLong("output")],
        help: ArgumentHelp("Write to this file or folder (default: standard output; imagefolder needs it).", valueName: "path"))
    var output: String?
    @Option(name: .customLong("policy"), help: ArgumentHelp("Cleaning policies, comma-separated or repeated (see POLICIES).", valueName: "policy"))
    var policies: [String] = []
    @Option(
        help: ArgumentHelp("Who exports (default: $WINNOW_REVIEWER, else the login name); with a [team.reviewers] list, a lead.", valueName: "name"))
    var reviewer: String?
    @Flag(
        name: .customLong("final-only"), help: "Only items whose review is final (with [team] reviews_per_item = N: N agreeing reviews, or a lead's)."
    )
    var finalOnly = false
    @Option(help: "imagefolder: hard links, symbolic links or copies of the images.")
    var link: ImageFolderOutput.LinkMode?
    @Flag(help: "imagefolder: replace an existing OUT (an earlier imagefolder export).")
    var force = false
    @Flag(help: "Add the items.csv metadata columns after the provenance columns (csv, jsonl).")
    var metadata = false
    @Flag(
        name: .customLong("formula-guard"), inversion: .prefixedNo,
        help: "Neutralise spreadsheet formulas in CSV values (default: on, or export.formula_guard in winnow.toml).")
    var formulaGuard: Bool?

    func run() throws {
        let opened = try Project.open(project)
        // Exports are what training runs cite: with a reviewer list, only leads make them.
        try opened.config.team.authorize(try resolveReviewer(reviewer, policy: opened.config.team), .export)
        let policies = try resolvedPolicies(opened.config)
        try check(policies)
        let multiLabel = try opened.store.isMultiLabel()
        if policies.changesLabels && !multiLabel { throw Self.labelPoliciesNeedMultiLabel(opened.root) }
        let guardFormulas = formulaGuard ?? opened.config.formulaGuard
        let csv = CSVWriter(formulaGuard: guardFormulas)

        if format == .corrections {
            return try exportCorrections(opened, csv: csv)
        }
        let mainOutput = try openOutput(output, opened)
        let heldOutput =
            try policies.badComponents == .hold ? openOutput(Self.heldBackPath(for: output!, folder: format == .imagefolder), opened) : nil
        let groups = policies.needsComponents ? try ExportGroups(opened) : nil
        let metadataColumns = metadata ? try opened.store.metadataColumns() : nil
        let rowFormat: LabelRows.Format = format == .jsonl ? .jsonl : .csv

        var counts = ExportManifest.Counts()
        let finalOnly = finalOnly, metadata = metadata // not through the property wrappers, a million times
        let team = opened.config.team
        let head = try opened.store.exportSnapshot { snapshot -> ExportHead in
            let head = snapshot.head
            if policies.changesLabels && !head.multiLabel { throw Self.labelPoliciesNeedMultiLabel(opened.root) }
            let rows = LabelRows(format: rowFormat, multiLabel: head.multiLabel, csv: csv, metadataColumns: metadataColumns)
            let selection = try groups?.selection(in: snapshot, policies: policies, finalOnly: finalOnly)
            if let selection { counts.groups = .init(groups: selection.groups, bad: selection.badGroups, unresolved: selection.unresolvedGroups) }
            if let header = rows.header {
                try mainOutput.file?.write(header)
                try heldOutput?.file?.write(header)
            }
            try snapshot.forEachItem(metadata: metadata) { record in
                counts.items += 1
                let resolution = record.resolution
                if resolution.isExcluded {
                    counts.excluded += 1
                    if !policies.keepExcluded { counts.dropped["drop-excluded", default: 0] += 1; return }
                }
                if finalOnly && !ReviewFinality.isFinal(record.events, policy: team) { counts.dropped["final-only", default: 0] += 1; return }
                guard let current = resolution.labels, head.multiLabel || !current.isEmpty else { counts.unlabelledLeftOut += 1; return }
                var held = false
                switch selection?.verdict(of: record.index) ?? .keep {
                case .keep: break
                case .dropBadComponent: counts.dropped["bad-components", default: 0] += 1; return
                case .dropDuplicate: counts.dropped["one-per-group", default: 0] += 1; return
                case .holdBadComponent: held = true
                }
                let target = held ? heldOutput! : mainOutput
                let labels = selection?.labels[Int32(record.index)] ?? current
                switch target {
                case .file(let file):
                    try rows.write(record, labels: labels, to: file)
                case .folder(let folder):
                    // A multi-label item with no label left has no class folder to go into.
                    if labels.isEmpty { counts.unlabelledLeftOut += 1; return }
                    // An item whose file the import found wrong (not a regular file, not an
                    // image, missing) is no image for a training set: left out, listed.
                    if let problem = record.problem { folder.leaveOut(record.path, reason: problem); return }
                    guard try folder.add(imagePath: record.path, classes: labels.names) else { return }
                }
                if held {
                    counts.heldBack += 1
                    return
                }
                counts.written += 1
                counts.labelsRemoved += current.names.count - labels.names.count
                counts.byStatus[resolution.status.rawValue, default: 0] += 1
                for name in labels.names { counts.perClass[name, default: 0] += 1 }
            }
            return head
        }

        var manifest = ExportManifest(
            format: format.rawValue, output: output.map { Self.displayName($0) } ?? "-", head: head,
            policies: policies.canonical, finalOnly: finalOnly, formulaGuard: format == .csv ? guardFormulas : nil, counts: counts)
        manifest.heldBack = heldOutput.map { Self.displayName($0.path) }
        if case .folder(let folder) = mainOutput {
            let missing = folder.missing + (heldOutput?.folder?.missing ?? [])
            manifest.linkMode = folder.mode.rawValue
            manifest.layout = folder.layout
            manifest.counts.missingImages = missing.count
            manifest.counts.copiedInsteadOfLinked = folder.copiedInsteadOfLinked + (heldOutput?.folder?.copiedInsteadOfLinked ?? 0)
            let leftOut = folder.leftOut.merging(heldOutput?.folder?.leftOut ?? [:]) { first, _ in first }
            manifest.leftOut = leftOut
            manifest.counts.leftOut = leftOut.count
            if let held = heldOutput?.folder { try held.commit(manifest: manifest) }
            try folder.commit(manifest: manifest)
            if !missing.isEmpty {
                printError(
                    "warning: \(missing.count) image file\(missing.count == 1 ? " is" : "s are") missing and not in the export, e.g. \(missing.prefix(3).map { TerminalText.sanitize($0) }.joined(separator: ", "))\n    fix: run winnow import to record them, then exclude them or put the files back"
                )
            }
            if let (image, reason) = leftOut.min(by: { $0.key < $1.key }) {
                printError(
                    "warning: \(leftOut.count) image\(leftOut.count == 1 ? " was" : "s were") left out of the export (listed with why in its manifest's left_out), e.g. \(TerminalText.sanitize(image)): \(TerminalText.sanitize(reason))\n    fix: exclude them, or replace their files with images inside the dataset folder"
                )
            }
        } else {
            try mainOutput.file?.commit()
            try heldOutput?.file?.commit()
            guard let output, Self.isRegularFileTarget(output) else { return }
            try manifest.write(to: output + ".manifest.json")
        }
        printError(Self.summary(manifest, output: output ?? "-", format: format))
    }

    /// False for a device or a pipe (`-o /dev/null`): no manifest is written beside those.
    static func isRegularFileTarget(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) != 0 || info.st_mode & S_IFMT == S_IFREG
    }

    /// The corrections report: one pass, no policies.
    func exportCorrections(_ opened: Project, csv: CSVWriter) throws {
        let file = try OutputFile(path: output)
        var counts = ExportManifest.Counts()
        let finalOnly = finalOnly
        let team = opened.config.team
        let head = try opened.store.exportSnapshot { snapshot -> ExportHead in
            let rows = CorrectionRows(format: CorrectionRows.format(forOutput: output), multiLabel: snapshot.head.multiLabel, csv: csv)
            if let header = rows.header { try file.write(header) }
            try snapshot.forEachItem(metadata: false) { record in
                counts.items += 1
                let resolution = record.resolution
                if resolution.isExcluded { counts.excluded += 1 }
                guard CorrectionRows.isCorrection(resolution) else { return }
                if finalOnly && !ReviewFinality.isFinal(record.events, policy: team) { counts.dropped["final-only", default: 0] += 1; return }
                try file.write(rows.row(record))
                counts.written += 1
                counts.byStatus[resolution.status.rawValue, default: 0] += 1
                if !resolution.isExcluded, let labels = resolution.labels { for name in labels.names { counts.perClass[name, default: 0] += 1 } }
            }
            return snapshot.head
        }
        try file.commit()
        guard let output, Self.isRegularFileTarget(output) else { return }
        let manifest = ExportManifest(
            format: format.rawValue, output: Self.displayName(output), head: head, policies: [], finalOnly: finalOnly,
            formulaGuard: CorrectionRows.format(forOutput: output) == .csv ? csv.formulaGuard : nil, counts: counts)
        try manifest.write(to: output + ".manifest.json")
        printError(Self.summary(manifest, output: output, format: format))
    }

    // MARK: - Options

    /// `--policy` when given, else `[export] policies`, else the defaults.
    func resolvedPolicies(_ config: WinnowConfig) throws -> ExportPolicies {
        if policies.isEmpty, let configured = config.exportPolicies {
            // Checked when winnow.toml was read.
            return (try? ExportPolicies.parse(configured)) ?? ExportPolicies()
        }
        do { return try ExportPolicies.parse(policies) } catch { throw ValidationError(error.description) }
    }

    /// Combinations of options that cannot work, refused before anything is read.
    func check(_ policies: ExportPolicies) throws {
        if link != nil && format != .imagefolder { throw ValidationError("--link applies to --format imagefolder") }
        if force && format != .imagefolder { throw ValidationError("--force applies to --format imagefolder (files are replaced atomically anyway)") }
        if metadata && (format == .imagefolder || format == .corrections) { throw ValidationError("--metadata applies to --format csv and jsonl") }
        if format == .imagefolder && output == nil { throw ValidationError("--format imagefolder writes a folder: give it with -o OUT") }
        switch format {
        case .corrections:
            if !self.policies.isEmpty {
                throw ValidationError("--policy does not apply to --format corrections (it lists every relabelled or excluded item)")
            }
        case .imagefolder:
            if policies.keepExcluded {
                throw ValidationError(
                    "keep-excluded does not apply to --format imagefolder (a folder per class has no status to mark excluded images with); use csv or jsonl"
                )
            }
        case .csv, .jsonl:
            break
        }
        if policies.badComponents == .hold && output == nil {
            throw ValidationError("bad-components=hold writes the held-back items beside the export: give the export with -o")
        }
    }

    static func labelPoliciesNeedMultiLabel(_ root: String) -> CLIFailure {
        CLIFailure(
            message:
                "label-intersection and drop-rare-labels apply to multi-label data; \(TerminalText.sanitize(root)) has one label per image\n    fix: leave them out (for single-label near-duplicates, use bad-components=drop|hold or one-per-group)",
            exit: .refused)
    }

    // MARK: - Outputs

    /// Where rows go: a file (or standard output), or an image folder.
    enum Output {
        case file(OutputFile)
        case folder(ImageFolderOutput)

        var file: OutputFile? { if case .file(let f) = self { return f } else { return nil } }
        var folder: ImageFolderOutput? { if case .folder(let f) = self { return f } else { return nil } }
        var path: String { file?.path ?? folder?.path ?? "-" }
    }

    func openOutput(_ path: String?, _ opened: Project) throws -> Output {
        guard format == .imagefolder, let path else { return .file(try OutputFile(path: path)) }
        try Self.checkOutsideImages(path, root: opened.root)
        return .folder(
            try ImageFolderOutput(
                path: path, imagesRoot: opened.root + "/images", classes: try opened.store.taxonomy().names,
                mode: link ?? .hard, force: force))
    }

    /// The held-back output beside `output`: `labels.csv` → `labels.held-back.csv`, `OUT` → `OUT.held-back`.
    static func heldBackPath(for output: String, folder: Bool) -> String {
        let trimmed = ImageFolderOutput.withoutTrailingSlash(output)
        let ext = (trimmed as NSString).pathExtension
        if folder || ext.isEmpty { return trimmed + ".held-back" }
        return (trimmed as NSString).deletingPathExtension + ".held-back." + ext
    }

    /// An image folder inside images/ would be imported as new items: refused.
    static func checkOutsideImages(_ path: String, root: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        guard let resolved = realpath(parent.isEmpty ? "." : parent, nil) else { return } // created later, or the error comes then
        defer { free(resolved) }
        let full = String(cString: resolved) + "/" + (path as NSString).lastPathComponent
        let images = root + "/images"
        if full == images || full.hasPrefix(images + "/") || full == root {
            throw CLIFailure(
                message:
                    "\(TerminalText.sanitize(path)) is inside the dataset's images/ (it would be imported as new images)\n    fix: write the export outside \(TerminalText.sanitize(images))",
                exit: .usage)
        }
    }

    static func displayName(_ path: String) -> String {
        (ImageFolderOutput.withoutTrailingSlash(path) as NSString).lastPathComponent
    }

    static func summary(_ manifest: ExportManifest, output: String, format: Format) -> String {
        let c = manifest.counts
        var parts = ["\(c.excluded) excluded" + (manifest.policies.contains("keep-excluded") ? " (kept)" : "")]
        if c.heldBack > 0 || manifest.heldBack != nil { parts.append("\(c.heldBack) held back in \(TerminalText.sanitize(manifest.heldBack ?? ""))") }
        for (policy, n) in c.dropped.sorted(by: { $0.key < $1.key }) where policy != "drop-excluded" { parts.append("\(n) dropped by \(policy)") }
        if c.labelsRemoved > 0 { parts.append("\(c.labelsRemoved) labels removed") }
        if c.unlabelledLeftOut > 0 { parts.append("\(c.unlabelledLeftOut) unlabelled left out") }
        let what = format == .corrections ? "corrections" : "items"
        let manifestPath = format == .imagefolder ? output + "/" + ImageFolderOutput.manifestName : output + ".manifest.json"
        return
            "exported \(c.written) \(what) to \(TerminalText.sanitize(output)) (\(parts.joined(separator: ", "))); manifest: \(TerminalText.sanitize(manifestPath))"
    }
}
