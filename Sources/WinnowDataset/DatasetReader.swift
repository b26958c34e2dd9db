#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WinnowCore
import Foundation

/// Reads a dataset folder (the contract in the README) into a validated `DatasetSnapshot`.
///
/// Structural problems are collected (up to a limit, so one run shows a useful batch) and
/// thrown together as `DatasetInvalid`; the reader never writes anything, so a refused
/// import leaves the project exactly as it was. Per-image problems do not stop the import:
/// the item is kept and marked.
public struct DatasetReader: Sendable {
    public let root: String
    public let config: WinnowConfig

    public init(root: String, config: WinnowConfig) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        self.config = config
    }

    /// Reads `winnow.toml` from `root` if present (defaults otherwise).
    public static func loadConfig(root: String) throws(DatasetInvalid) -> WinnowConfig {
        let path = root + "/" + WinnowConfig.fileName
        guard access(path, F_OK) == 0 else { return WinnowConfig() }
        let file: MappedFile
        do { file = try MappedFile(path: path, displayName: WinnowConfig.fileName) } catch { throw DatasetInvalid(problems: [error]) }
        guard let text = String(validating: file.bytes, as: UTF8.self) else {
            throw DatasetInvalid(problems: [
                DataProblem(file: WinnowConfig.fileName, message: "the text is not valid UTF-8", hint: "save the file as UTF-8")
            ])
        }
        return try WinnowConfig.parse(text)
    }

    public func read(progress: any ProgressReporter = SilentProgress()) throws(DatasetInvalid) -> DatasetSnapshot {
        let session = ReadSession(root: root, config: config, progress: progress)
        return try session.run()
    }
}

/// One read of a dataset: the mutable state behind `DatasetReader.read`.
private final class ReadSession {
    let root: String
    let config: WinnowConfig
    let progress: any ProgressReporter
    var problems = ProblemCollector()
    var notices: [String] = []

    var items: [DatasetSnapshot.Item] = []
    var itemIndex: [String: Int] = [:]
    var itemLines: [Int] = [] // line of each item in items.csv (or first labels.csv line)
    var metadataColumns: [String] = []
    var fileClasses: [String]?
    var rawAnnotations: [(item: Int, annotator: String, labels: [String])] = []
    /// For duplicate detection: the labels.csv line of each item's label, per annotator.
    var firstLabelLine: [Int32] = [] // used when there is no annotator column (by item index)
    var firstAnnotatedLine: [AnnotatorKey: Int] = [:]

    struct AnnotatorKey: Hashable { let item: Int; let annotator: String }
    var seenLabelNames = Set<String>()
    var multiLabel = false
    var layout = DatasetSnapshot.Layout.unlabelled
    /// The classes, in column order, while predictions are read (for messages).
    var predictionClasses: [String] = []

    init(root: String, config: WinnowConfig, progress: any ProgressReporter) {
        self.root = root
        self.config = config
        self.progress = progress
    }

    func path(_ relative: String) -> String { root + "/" + relative }
    func exists(_ relative: String) -> Bool { access(path(relative), F_OK) == 0 }

    func isDirectory(_ fullPath: String) -> Bool {
        var info = stat()
        return stat(fullPath, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    func run() throws(DatasetInvalid) -> DatasetSnapshot {
        guard isDirectory(root) else {
            throw DatasetInvalid(problems: [
                DataProblem(file: root, message: "is not a folder", hint: "give the dataset folder (the one that contains images/)")
            ])
        }
        guard isDirectory(path("images")) else {
            throw DatasetInvalid(problems: [
                DataProblem(
                    file: "images/", message: "the dataset has no images/ folder",
                    hint: "put the images in \(TerminalText.sanitize(root))/images/ (any nesting)")
            ])
        }
        progress.begin("scanning images/", total: nil)
        let listed = exists("items.csv") || exists("labels.csv")
        let scan = ImageScanner.scan(root: path("images"), listPaths: !listed)
        progress.end()
        if scan.skippedFolderLinks > 0 {
            notices.append("\(scan.skippedFolderLinks) symbolic link(s) to folders under images/ were not followed")
        }
        reportNonUTF8Names(scan.nonUTF8Names, listedByFile: listed)
        if scan.specialFiles > 0, !listed {
            notices.append(
                "\(scan.specialFiles) name(s) under images/ with an image extension are not regular files (FIFOs, devices, or links to them) and were not imported"
            )
        }

        readClasses()
        if exists("items.csv") { readItems() }
        let hasLabelsFile = exists("labels.csv")
        if hasLabelsFile { readLabels() }
        try problems.check()

        if !exists("items.csv") && !hasLabelsFile {
            let sortedPaths = scan.sortedImagePaths
            // Scanned names get the checks of paths in a CSV file.
            checkScannedPaths(sortedPaths)
            try problems.check()
            if let folderLabels = imageFolderLabels(sortedPaths) {
                layout = .imageFolder
                for (path, label) in zip(sortedPaths, folderLabels) {
                    let index = addItem(path, line: 0)
                    rawAnnotations.append((index, "", [label]))
                    seenLabelNames.insert(label)
                }
            } else {
                for path in sortedPaths { _ = addItem(path, line: 0) }
            }
        } else if exists("items.csv") && !hasLabelsFile, let folderLabels = imageFolderLabels(items.map(\.path)) {
            layout = .imageFolder
            for (index, label) in folderLabels.enumerated() {
                rawAnnotations.append((index, "", [label]))
                seenLabelNames.insert(label)
            }
        }
        if hasLabelsFile { layout = .labelsFile }

        let taxonomy = try resolveTaxonomy()
        let annotations = buildAnnotations(taxonomy)
        let models = readPredictions(taxonomy)
        if multiLabel && models.isEmpty && problems.problems.isEmpty {
            notices.append(
                "multi-label data without model probabilities: no label-quality signals (add predictions/<model>.npy or .csv with each class's probability, e.g. sigmoid outputs)"
            )
        }
        let embeddings = readEmbeddings()
        try problems.check()

        checkImages(scan, listedByFile: listed)
        return DatasetSnapshot(
            layout: layout, taxonomy: taxonomy, classesFromFile: fileClasses != nil,
            isMultiLabel: multiLabel, metadataColumns: metadataColumns, items: items,
            annotations: annotations, models: models, embeddings: embeddings, notices: notices)
    }

    // MARK: - Items

    @discardableResult
    func addItem(_ path: String, line: Int, metadataJSON: String = "{}") -> Int {
        let index = items.count
        items.append(
            DatasetSnapshot.Item(
                path: path, metadataJSON: metadataJSON, problem: nil, fileSize: nil,
                modificationTime: nil, givenLabels: nil))
        itemIndex[path] = index
        itemLines.append(line)
        return index
    }

    /// Validates an image path cell; nil (and a recorded problem) when it is unusable.
    func imagePath(_ reader: CSVReader, column: Int) throws(DataProblem) -> String? {
        let path = try reader.string(column, columnName: "image")
        if let (message, hint) = DatasetPath.problem(with: path) {
            problems.add(DataProblem(file: reader.file, line: reader.line, column: column + 1, columnName: "image", message: message, hint: hint))
            return nil
        }
        return path
    }

    func readItems() {
        withCSV("items.csv") { reader throws(DataProblem) in
            let header = try reader.readHeader()
            guard let imageColumn = header.firstIndex(of: "image") else {
                throw DataProblem(
                    file: "items.csv", line: 1,
                    message: "there is no \"image\" column (found: \(header.map { TerminalText.sanitize($0) }.joined(separator: ", ")))",
                    hint: "name the column holding image paths \"image\"")
            }
            metadataColumns = header.enumerated().filter { $0.offset != imageColumn }.map(\.element)
            let metadataIndices = header.indices.filter { $0 != imageColumn }
            var values = [String](repeating: "", count: metadataIndices.count)
            progress.begin("reading items.csv", total: reader.bytes.count)
            var rows = 0
            while try reader.nextRecord() {
                guard try checkWidth(reader, expected: header.count) else { continue }
                guard let path = try imagePath(reader, column: imageColumn) else { continue }
                if let previous = itemIndex[path] {
                    problems.add(
                        DataProblem(
                            file: "items.csv", line: reader.line, column: imageColumn + 1, columnName: "image",
                            message: "\"\(TerminalText.sanitize(path))\" is listed twice (first on line \(itemLines[previous]))",
                            hint: "keep one row per image"))
                    continue
                }
                for (slot, column) in metadataIndices.enumerated() { values[slot] = try reader.string(column, columnName: header[column]) }
                addItem(path, line: reader.line, metadataJSON: JSONText.object(keys: metadataColumns, values: values))
                rows += 1
                if rows & 0xFFFF == 0 { progress.update(reader.bytesRead) }
                if problems.isFull { break }
            }
            progress.end()
        }
    }

    /// Records a problem and returns false when the record's width differs from the header's.
    func checkWidth(_ reader: CSVReader, expected: Int) throws(DataProblem) -> Bool {
        guard reader.fieldCount != expected else { return true }
        problems.add(
            DataProblem(
                file: reader.file, line: reader.line,
                message:
                    "this row has \(reader.fieldCount) field\(reader.fieldCount == 1 ? "" : "s") but the header has \(expected) column\(expected == 1 ? "" : "s")",
                hint: "give every row one value per header column; quote values that contain commas"))
        return false
    }

    /// Maps a CSV file and runs `body`; a `DataProblem` thrown by the body is recorded.
    func withCSV(_ relative: String, _ body: (inout CSVReader) throws(DataProblem) -> Void) {
        do {
            let file = try MappedFile(path: path(relative), displayName: relative)
            var reader = CSVReader(bytes: file.bytes, file: relative)
            try withExtendedLifetime(file) { () throws(DataProblem) in try body(&reader) }
        } catch {
            problems.add(error)
        }
    }

    // MARK: - Classes and labels

    func readClasses() {
        guard exists("classes.txt") else { return }
        do {
            let file = try MappedFile(path: path("classes.txt"), displayName: "classes.txt")
            guard let text = String(validating: file.bytes, as: UTF8.self) else {
                problems.add(DataProblem(file: "classes.txt", message: "the text is not valid UTF-8", hint: "save the file as UTF-8"))
                return
            }
            var names: [String] = []
            var lines: [String: Int] = [:]
            var body = Substring(text)
            if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
            for (i, rawLine) in body.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                var line = String(rawLine)
                if line.hasSuffix("\r") { line.removeLast() }
                let name = line.trimmingASCIIWhitespace()
                if name.isEmpty { continue }
                if let problem = ClassTaxonomy.problem(withName: name) {
                    problems.add(DataProblem(file: "classes.txt", line: i + 1, message: problem, hint: "write one class name per line"))
                    continue
                }
                if let first = lines[name] {
                    problems.add(
                        DataProblem(
                            file: "classes.txt", line: i + 1,
                            message: "the class \"\(TerminalText.sanitize(name))\" is listed twice (first on line \(first))",
                            hint: "list every class once, in the column order of the probability files"))
                    continue
                }
                lines[name] = i + 1
                names.append(name)
            }
            if names.isEmpty {
                problems.add(
                    DataProblem(
                        file: "classes.txt", message: "the file lists no classes",
                        hint: "write one class name per line, or delete the file to infer classes from the labels"))
            }
            fileClasses = names
        } catch {
            problems.add(error)
        }
    }

    func readLabels() {
        let known = fileClasses.map(Set.init)
        let itemsListed = exists("items.csv")
        withCSV("labels.csv") { reader throws(DataProblem) in
            let header = try reader.readHeader()
            guard let imageColumn = header.firstIndex(of: "image") else {
                throw DataProblem(
                    file: "labels.csv", line: 1,
                    message: "there is no \"image\" column (found: \(header.map { TerminalText.sanitize($0) }.joined(separator: ", ")))",
                    hint: "the header must be image,label (optionally with an annotator column)")
            }
            let single = header.firstIndex(of: "label"), multi = header.firstIndex(of: "labels")
            if single != nil && multi != nil {
                throw DataProblem(
                    file: "labels.csv", line: 1, message: "the header has both \"label\" and \"labels\" columns",
                    hint: "use \"label\" for one class per image, or \"labels\" with |-separated classes for multi-label data")
            }
            guard let labelColumn = single ?? multi else {
                throw DataProblem(
                    file: "labels.csv", line: 1,
                    message: "there is no \"label\" column (found: \(header.map { TerminalText.sanitize($0) }.joined(separator: ", ")))",
                    hint: "the header must be image,label (or image,labels for multi-label data)")
            }
            multiLabel = multi != nil
            let annotatorColumn = header.firstIndex(of: "annotator")
            let ignored = header.enumerated().filter { ![imageColumn, labelColumn, annotatorColumn].contains($0.offset) }.map(\.element)
            if !ignored.isEmpty {
                notices.append("labels.csv: ignored column(s) \(ignored.map { TerminalText.sanitize($0) }.joined(separator: ", "))")
            }
            let columnName = header[labelColumn]

            progress.begin("reading labels.csv", total: reader.bytes.count)
            var rows = 0
            while try reader.nextRecord() {
                guard try checkWidth(reader, expected: header.count) else { continue }
                guard let path = try imagePath(reader, column: imageColumn) else { continue }
                let annotator =
                    try annotatorColumn.map { c throws(DataProblem) in try reader.string(c, columnName: "annotator").trimmingASCIIWhitespace() } ?? ""
                if annotatorColumn != nil && annotator.isEmpty {
                    problems.add(
                        DataProblem(
                            file: "labels.csv", line: reader.line, column: annotatorColumn! + 1, columnName: "annotator",
                            message: "the annotator is empty",
                            hint: "name who gave this label (every row of an annotator column needs one), or remove the annotator column"))
                    continue
                }
                if !TerminalText.isSafe(annotator) {
                    problems.add(
                        DataProblem(
                            file: "labels.csv", line: reader.line, column: annotatorColumn! + 1, columnName: "annotator",
                            message: "the annotator name contains control characters", hint: "use plain names"))
                    continue
                }
                let cell = try reader.string(labelColumn, columnName: columnName)
                let names: [String]
                if multiLabel {
                    names = cell.split(separator: "|").map { String($0).trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
                    var seen = Set<String>()
                    if let repeated = names.first(where: { !seen.insert($0).inserted }) {
                        problems.add(
                            DataProblem(
                                file: "labels.csv", line: reader.line, column: labelColumn + 1, columnName: columnName,
                                message: "\"\(TerminalText.sanitize(repeated))\" is listed twice in this cell",
                                hint: "list each class of the image once, separated by |"))
                        continue
                    }
                } else {
                    let name = cell.trimmingASCIIWhitespace()
                    if name.isEmpty {
                        problems.add(
                            DataProblem(
                                file: "labels.csv", line: reader.line, column: labelColumn + 1, columnName: columnName,
                                message: "the label is empty",
                                hint: "give the image's class, or remove the row if it is unlabelled (list it in items.csv instead)"))
                        continue
                    }
                    names = [name]
                }
                var rowOK = true
                for name in names {
                    if let known {
                        if !known.contains(name) {
                            problems.add(
                                DataProblem(
                                    file: "labels.csv", line: reader.line, column: labelColumn + 1, columnName: columnName,
                                    message: "\"\(TerminalText.sanitize(name))\" is not a class in classes.txt",
                                    hint: "add it to classes.txt, or correct the label"))
                            rowOK = false
                        }
                    } else if let problem = ClassTaxonomy.problem(withName: name) {
                        problems.add(
                            DataProblem(
                                file: "labels.csv", line: reader.line, column: labelColumn + 1, columnName: columnName,
                                message: problem, hint: "correct the label"))
                        rowOK = false
                    }
                }
                guard rowOK else { continue }
                let index: Int
                if let existing = itemIndex[path] {
                    index = existing
                } else if itemsListed {
                    problems.add(
                        DataProblem(
                            file: "labels.csv", line: reader.line, column: imageColumn + 1, columnName: "image",
                            message: "\"\(TerminalText.sanitize(path))\" is not listed in items.csv",
                            hint: "add a row for it to items.csv, or remove its label"))
                    continue
                } else {
                    index = addItem(path, line: reader.line)
                }
                if let first = recordLabelLine(item: index, annotator: annotatorColumn == nil ? nil : annotator, line: reader.line) {
                    let who = annotator.isEmpty ? "" : " by annotator \"\(TerminalText.sanitize(annotator))\""
                    problems.add(
                        DataProblem(
                            file: "labels.csv", line: reader.line, column: imageColumn + 1, columnName: "image",
                            message: "\"\(TerminalText.sanitize(path))\" is labelled twice\(who) (first on line \(first))",
                            hint: annotatorColumn == nil
                                ? "keep one row per image, or add an annotator column when several people labelled it"
                                : "keep one row per image and annotator"))
                    continue
                }
                if fileClasses == nil { for name in names { seenLabelNames.insert(name) } }
                rawAnnotations.append((index, annotator, names))
                rows += 1
                if rows & 0xFFFF == 0 { progress.update(reader.bytesRead) }
                if problems.isFull { break }
            }
            progress.end()
        }
    }

    /// Remembers that `item` got a label (from `annotator`) on `line`; returns the earlier
    /// line when it already had one.
    func recordLabelLine(item: Int, annotator: String?, line: Int) -> Int? {
        if let annotator {
            let key = AnnotatorKey(item: item, annotator: annotator)
            if let first = firstAnnotatedLine[key] { return first }
            firstAnnotatedLine[key] = line
            return nil
        }
        if firstLabelLine.count <= item {
            firstLabelLine.append(contentsOf: repeatElement(0, count: max(item + 1, items.count) - firstLabelLine.count))
        }
        if firstLabelLine[item] != 0 { return Int(firstLabelLine[item]) }
        firstLabelLine[item] = Int32(clamping: line)
        return nil
    }

    /// Names under images/ that are not UTF-8 cannot be item paths. When the scan decides
    /// the items they would silently go missing, so the import is refused naming them;
    /// when a file lists the items, they were not listed (no UTF-8 file can name them), and
    /// a notice says so.
    func reportNonUTF8Names(_ names: [String], listedByFile: Bool) {
        guard !names.isEmpty else { return }
        let hint = "rename it with a UTF-8 name (convmv -f latin1 -t utf8 -r --notest images/ converts a whole tree)"
        if listedByFile {
            notices.append("\(names.count) name(s) under images/ are not UTF-8 and were not imported, e.g. images/\(names[0]) (\(hint))")
            return
        }
        for name in names {
            problems.add(
                DataProblem(
                    file: "images/" + name,
                    message: "the \(name.hasSuffix("/") ? "folder" : "file") name is not valid UTF-8, so its images cannot be items", hint: hint))
        }
    }

    /// The checks a path in items.csv or labels.csv gets, for the paths found by the scan.
    func checkScannedPaths(_ paths: [String]) {
        for path in paths {
            guard let (message, hint) = DatasetPath.problem(with: path) else { continue }
            problems.add(DataProblem(file: "images/", message: message, hint: hint))
            if problems.isFull { return }
        }
    }

    /// The label of every path when the paths follow the ImageFolder layout (`<class>/<file>`), else nil.
    /// A folder name that cannot be a class name (padded with spaces, control characters) is
    /// recorded as a problem, as the same label in labels.csv would be.
    func imageFolderLabels(_ paths: [String]) -> [String]? {
        // `[import] folder_labels = false` / `--no-folder-labels`: folders are not classes.
        guard config.folderLabels, !paths.isEmpty else { return nil }
        var labels: [String] = []
        labels.reserveCapacity(paths.count)
        for path in paths {
            guard let slash = path.firstIndex(of: "/") else { return nil }
            labels.append(String(path[..<slash]))
        }
        if let fileClasses {
            let known = Set(fileClasses)
            let unknown = Set(labels).subtracting(known)
            guard unknown.isEmpty else {
                notices.append(
                    "images/ has sub-folders that are not classes in classes.txt (\(unknown.sorted().prefix(3).map { TerminalText.sanitize($0) }.joined(separator: ", "))), so folder names were not used as labels"
                )
                return nil
            }
        } else {
            // Without classes.txt nothing says the folders are classes: say how to undo it.
            let folders = Set(labels).sorted()
            notices.append(
                "the \(folders.count) sub-folder\(folders.count == 1 ? "" : "s") of images/ (\(folders.prefix(3).map { TerminalText.sanitize($0) }.joined(separator: ", "))\(folders.count > 3 ? ", …" : "")) became the classes; if they are not classes (a folder per writer, per day), import again with --no-folder-labels or set [import] folder_labels = false"
            )
        }
        for name in Set(labels).sorted() {
            guard let problem = ClassTaxonomy.problem(withName: name) else { continue }
            problems.add(
                DataProblem(
                    file: "images/\(TerminalText.sanitize(name))/", message: problem + " (folder names are the labels)",
                    hint: "rename the folder, or give the labels in labels.csv"))
        }
        return labels
    }

    func resolveTaxonomy() throws(DatasetInvalid) -> ClassTaxonomy {
        if let fileClasses { return ClassTaxonomy(fileClasses) }
        if !seenLabelNames.isEmpty { return ClassTaxonomy(seenLabelNames.sorted()) }
        // No labels, no classes.txt: the first probability CSV's header names the classes.
        for file in predictionFiles() where file.hasSuffix(".csv") {
            var header: [String] = []
            withCSV(file) { reader throws(DataProblem) in header = try reader.readHeader() }
            try problems.check()
            return ClassTaxonomy(header.filter { $0 != "image" })
        }
        return ClassTaxonomy([])
    }

    func buildAnnotations(_ taxonomy: ClassTaxonomy) -> [DatasetSnapshot.Annotation] {
        progress.begin("resolving annotators' labels", total: nil)
        defer { progress.end() }
        var annotations: [DatasetSnapshot.Annotation] = []
        annotations.reserveCapacity(rawAnnotations.count)
        var count = [UInt16](repeating: 0, count: items.count)
        for raw in rawAnnotations {
            let set = raw.labels.count == 1 ? LabelSet(single: raw.labels[0]) : LabelSet(raw.labels, in: taxonomy)
            annotations.append(.init(item: raw.item, annotator: raw.annotator, labels: set))
            count[raw.item] &+= 1
        }
        rawAnnotations = []
        // Most items have one annotator: their label is the given label. Only items with
        // several go through the consensus rule, with their labels in file order.
        var several: [Int: [LabelSet]] = [:]
        for annotation in annotations {
            if count[annotation.item] == 1 {
                items[annotation.item].givenLabels = annotation.labels
            } else {
                several[annotation.item, default: []].append(annotation.labels)
            }
        }
        for (item, sets) in several {
            items[item].givenLabels = AnnotatorConsensus.consensus(of: sets, multiLabel: multiLabel, taxonomy: taxonomy)
        }
        return annotations
    }

    // MARK: - Predictions

    /// The files of predictions/, listed once (their problems are recorded once).
    lazy var predictionFileList: [String] = listPredictionFiles()

    func predictionFiles() -> [String] { predictionFileList }

    func listPredictionFiles() -> [String] {
        guard isDirectory(path("predictions")), let dir = opendir(path("predictions")) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let (name, escaped): (String?, String) = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                let bytes = raw[0..<(raw.firstIndex(of: 0) ?? raw.count)]
                if bytes.first == 0x2E { return (".", "") } // hidden: ignored whatever its name
                return (String(validating: bytes, as: UTF8.self), ImageScanner.escapedName(bytes))
            }
            guard let name else {
                problems.add(
                    DataProblem(
                        file: "predictions/" + escaped, message: "the file name is not valid UTF-8",
                        hint: "rename it with a UTF-8 name; the name without its extension is the model's name"))
                continue
            }
            if name.hasPrefix(".") { continue }
            names.append(name)
        }
        var files: [String] = []
        for name in names.sorted() {
            let lower = name.lowercased()
            if lower.hasSuffix(".csv") || lower.hasSuffix(".npy") {
                files.append("predictions/" + name)
            } else {
                notices.append("predictions/\(TerminalText.sanitize(name)) was ignored: prediction files end in .csv or .npy")
            }
        }
        return files
    }

    func readPredictions(_ taxonomy: ClassTaxonomy) -> [DatasetSnapshot.ModelPredictions] {
        predictionClasses = taxonomy.names
        var models: [DatasetSnapshot.ModelPredictions] = []
        var sources: [String: String] = [:]
        for file in predictionFiles() {
            let fileName = String(file.dropFirst("predictions/".count))
            let name = String(fileName.dropLast(4))
            if name.isEmpty || !TerminalText.isSafe(name) {
                problems.add(
                    DataProblem(
                        file: file, message: "the model name (the file name without its extension) is empty or has control characters",
                        hint: "rename the file, e.g. predictions/resnet50.csv"))
                continue
            }
            if let other = sources[name] {
                problems.add(
                    DataProblem(
                        file: file, message: "the model \"\(TerminalText.sanitize(name))\" also has \(other)",
                        hint: "keep one probability file per model"))
                continue
            }
            sources[name] = file
            guard taxonomy.count > 0 else {
                problems.add(
                    DataProblem(
                        file: file, message: "there are no classes to match the probability columns to",
                        hint: "add classes.txt listing the classes in column order"))
                continue
            }
            let probabilities = file.lowercased().hasSuffix(".npy") ? readPredictionsNPY(file, taxonomy) : readPredictionsCSV(file, taxonomy)
            if let probabilities { models.append(.init(name: name, source: file, probabilities: probabilities)) }
            if problems.isFull { break }
        }
        return models
    }

    /// Checks one row of probabilities; records a problem and returns false when it is unusable.
    func checkProbabilityRow(_ row: UnsafeMutableBufferPointer<Float>, sum: Double, file: String, line: Int?, rowLabel: String) -> Bool {
        // Multi-label probabilities are per class (one-vs-rest, e.g. sigmoid outputs): a row
        // need not sum to 1, but each value is a probability.
        if multiLabel { return checkPerClassProbabilities(row, file: file, line: line, rowLabel: rowLabel) }
        let tolerance = config.probabilityTolerance
        if abs(sum - 1) > tolerance {
            problems.add(
                DataProblem(
                    file: file, line: line,
                    message: "the probabilities of \(rowLabel) sum to \(formatNumber(sum)), not 1 (allowed: ±\(formatNumber(tolerance)))",
                    hint:
                        "give each row a probability distribution (e.g. softmax outputs); the tolerance is import.probability_tolerance in winnow.toml"
                ))
            return false
        }
        return true
    }

    /// Each value of a multi-label row is at most 1 (cleanlab's bound: 1 + 1e-6).
    func checkPerClassProbabilities(_ row: UnsafeMutableBufferPointer<Float>, file: String, line: Int?, rowLabel: String) -> Bool {
        guard let c = row.firstIndex(where: { Double($0) > 1 + 1e-6 }) else { return true }
        let name = c < predictionClasses.count ? " (\"\(TerminalText.sanitize(predictionClasses[c]))\")" : ""
        problems.add(
            DataProblem(
                file: file, line: line, message: "\(rowLabel) gives class \(c)\(name) the probability \(formatNumber(Double(row[c]))), above 1",
                hint: "multi-label probabilities are per class, each from 0 to 1 (e.g. sigmoid outputs, not logits); columns count from 0"))
        return false
    }

    func readPredictionsCSV(_ file: String, _ taxonomy: ClassTaxonomy) -> [Float]? {
        let k = taxonomy.count, n = items.count
        var probabilities: [Float] = []
        var seen = [Int32](repeating: 0, count: n) // line of the row that gave the item's probabilities
        let before = problems.problems.count
        withCSV(file) { reader throws(DataProblem) in
            let header = try reader.readHeader()
            guard let imageColumn = header.firstIndex(of: "image") else {
                throw DataProblem(
                    file: file, line: 1, message: "there is no \"image\" column", hint: "the header must be image followed by one column per class")
            }
            var columnClass = [Int](repeating: -1, count: header.count)
            var covered = Set<String>()
            for (c, name) in header.enumerated() where c != imageColumn {
                guard let position = taxonomy.position(of: name) else {
                    problems.add(
                        DataProblem(
                            file: file, line: 1, column: c + 1, message: "the column \"\(TerminalText.sanitize(name))\" is not a class",
                            hint: "name one column per class exactly as in classes.txt (or the labels)"))
                    continue
                }
                columnClass[c] = position
                covered.insert(name)
            }
            let missing = taxonomy.names.filter { !covered.contains($0) }
            if !missing.isEmpty {
                problems.add(
                    DataProblem(
                        file: file, line: 1,
                        message:
                            "no column for the class\(missing.count == 1 ? "" : "es") \(missing.prefix(5).map { "\"\(TerminalText.sanitize($0))\"" }.joined(separator: ", "))\(missing.count > 5 ? " …" : "")",
                        hint: "give one probability column per class"))
            }
            guard problems.problems.count == before else { return }
            // Every item needs a row of k numbers, each at least one digit and a comma: a
            // file too small for that cannot be complete, and n × k from untrusted counts
            // is checked before it is allocated.
            let (cells, overflow) = n.multipliedReportingOverflow(by: k)
            guard !overflow, cells <= reader.bytes.count else {
                problems.add(
                    DataProblem(
                        file: file, message: "the file has \(reader.bytes.count) bytes, too few for the probabilities of \(n) items × \(k) classes",
                        hint: "give one row per item (the model's out-of-fold probabilities for every image)"))
                return
            }
            probabilities = [Float](repeating: 0, count: cells)
            progress.begin("reading \(file)", total: reader.bytes.count)
            var rows = 0
            try probabilities.withUnsafeMutableBufferPointer { (probs) throws(DataProblem) in
                while try reader.nextRecord() {
                    guard try checkWidth(reader, expected: header.count) else { if problems.isFull { break } else { continue } }
                    guard let path = try imagePath(reader, column: imageColumn) else { continue }
                    guard let item = itemIndex[path] else {
                        problems.add(
                            DataProblem(
                                file: file, line: reader.line, column: imageColumn + 1, columnName: "image",
                                message: "\"\(TerminalText.sanitize(path))\" is not an item of the dataset",
                                hint: "remove the row, or add the image to the dataset"))
                        continue
                    }
                    if seen[item] != 0 {
                        problems.add(
                            DataProblem(
                                file: file, line: reader.line, column: imageColumn + 1, columnName: "image",
                                message: "\"\(TerminalText.sanitize(path))\" has probabilities twice (first on line \(seen[item]))",
                                hint: "keep one row per image"))
                        continue
                    }
                    seen[item] = Int32(clamping: reader.line)
                    let row = UnsafeMutableBufferPointer(rebasing: probs[(item * k)..<((item + 1) * k)])
                    var sum = 0.0
                    var rowOK = true
                    for c in 0..<header.count where c != imageColumn {
                        let position = columnClass[c]
                        guard let value = NumberParsing.double(reader.rawField(c)), value.isFinite, value >= 0 else {
                            let text = (try? reader.string(c)) ?? "?"
                            let what =
                                NumberParsing.double(reader.rawField(c)).map { $0.isNaN ? "NaN" : ($0.isInfinite ? "infinite" : "negative") }
                                ?? "not a number"
                            problems.add(
                                DataProblem(
                                    file: file, line: reader.line, column: c + 1, columnName: header[c],
                                    message: "\"\(TerminalText.sanitize(text))\" is \(what); probabilities are numbers from 0 to 1",
                                    hint: "write the model's probability for this class"))
                            rowOK = false
                            break
                        }
                        row[position] = Float(value)
                        sum += value
                    }
                    if rowOK { _ = checkProbabilityRow(row, sum: sum, file: file, line: reader.line, rowLabel: "this row") }
                    rows += 1
                    if rows & 0x3FFF == 0 { progress.update(reader.bytesRead) }
                    if problems.isFull { break }
                }
            }
            progress.end()
        }
        guard problems.problems.count == before else { return nil }
        if let first = seen.firstIndex(of: 0) {
            let count = seen.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
            problems.add(
                DataProblem(
                    file: file, message: "\(count) item(s) have no probabilities, e.g. \"\(TerminalText.sanitize(items[first].path))\"",
                    hint: "give one row per item (the model's out-of-fold probabilities for every image)"))
            return nil
        }
        return probabilities
    }

    func readPredictionsNPY(_ file: String, _ taxonomy: ClassTaxonomy) -> [Float]? {
        let matrix: NPYMatrix
        do { matrix = try NPYMatrix(path: path(file), displayName: file) } catch { problems.add(error); return nil }
        let n = items.count, k = taxonomy.count
        guard matrix.rows == n, matrix.columns == k else {
            problems.add(
                DataProblem(
                    file: file, message: "the matrix is \(matrix.rows) × \(matrix.columns) but the dataset has \(n) items and \(k) classes",
                    hint:
                        "save an items × classes matrix, rows in items order\(exists("items.csv") ? " (items.csv)" : ""), columns in classes.txt order"
                ))
            return nil
        }
        var probabilities = [Float](repeating: 0, count: n * k)
        progress.begin("reading \(file)", total: n)
        let ok = probabilities.withUnsafeMutableBufferPointer { probs -> Bool in
            for r in 0..<n {
                var sum = 0.0
                let row = UnsafeMutableBufferPointer(rebasing: probs[(r * k)..<((r + 1) * k)])
                for c in 0..<k {
                    let value = matrix.value(row: r, column: c)
                    guard value.isFinite, value >= 0 else {
                        problems.add(
                            DataProblem(
                                file: file,
                                message:
                                    "row \(r), column \(c) (\"\(TerminalText.sanitize(taxonomy.names[c]))\", item \"\(TerminalText.sanitize(items[r].path))\") is \(value.isNaN ? "NaN" : value.isInfinite ? "infinite" : "negative (\(formatNumber(value)))")",
                                hint: "probabilities are numbers from 0 to 1 (rows and columns count from 0)"))
                        return false
                    }
                    row[c] = Float(value)
                    sum += value
                }
                if !checkProbabilityRow(row, sum: sum, file: file, line: nil, rowLabel: "row \(r) (\"\(TerminalText.sanitize(items[r].path))\")") {
                    return false
                }
                if r & 0xFFFF == 0 { progress.update(r) }
            }
            return true
        }
        progress.end()
        return ok ? probabilities : nil
    }

    // MARK: - Embeddings

    func readEmbeddings() -> DatasetSnapshot.Embeddings? {
        let file = "embeddings.npy"
        guard exists(file) else { return nil }
        let matrix: NPYMatrix
        do { matrix = try NPYMatrix(path: path(file), displayName: file) } catch { problems.add(error); return nil }
        guard matrix.rows == items.count else {
            problems.add(
                DataProblem(
                    file: file, message: "the matrix has \(matrix.rows) rows but the dataset has \(items.count) items",
                    hint: "save one embedding row per item, in items order\(exists("items.csv") ? " (items.csv)" : "")"))
            return nil
        }
        guard matrix.columns > 0 else {
            problems.add(DataProblem(file: file, message: "the embeddings have 0 dimensions", hint: "save an items × dimensions matrix"))
            return nil
        }
        progress.begin("checking embeddings.npy", total: nil)
        defer { progress.end() }
        let (fingerprint, nonFinite) = matrix.scan()
        if let (row, column) = nonFinite {
            problems.add(
                DataProblem(
                    file: file, message: "row \(row) (item \"\(TerminalText.sanitize(items[row].path))\"), column \(column) is NaN or infinite",
                    hint: "recompute that item's embedding (rows and columns count from 0)"))
            return nil
        }
        return .init(
            source: file, rows: matrix.rows, dimension: matrix.columns, scalarType: matrix.header.scalarType == .float32 ? "float32" : "float64",
            fileSize: matrix.file.size, modificationTime: matrix.file.modificationTime, fingerprint: fingerprint)
    }

    // MARK: - Images

    func checkImages(_ scan: ImageScanner.Result, listedByFile: Bool) {
        progress.begin("checking images", total: items.count)
        let checks = ImageSniffer.check(root: path("images"), paths: items.map(\.path), sniff: config.checkImages, progress: progress)
        progress.end()
        var found = 0
        for i in items.indices {
            items[i].problem = checks[i].problem
            items[i].fileSize = checks[i].size
            items[i].modificationTime = checks[i].modificationTime
            if checks[i].size != nil, ImageScanner.hasImageExtension(items[i].path) { found += 1 }
        }
        // Every image file found under images/ that no item refers to was left out: say so.
        let unlisted = scan.imageCount - found
        if listedByFile, unlisted > 0 {
            notices.append(
                exists("items.csv")
                    ? "\(unlisted) image(s) under images/ are not listed in items.csv and were not imported"
                    : "\(unlisted) image(s) under images/ have no row in labels.csv and were not imported (list every image in items.csv to include unlabelled ones)"
            )
        }
    }
}

func formatNumber(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    let text = String(format: "%.4g", value)
    return text
}
