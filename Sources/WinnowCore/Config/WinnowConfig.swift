import TOMLKit

/// Project settings from `<dataset>/winnow.toml`. Every key is optional; an unknown key is an
/// error naming the key and its line, so a typo never silently does nothing.
///
/// ```toml
/// [project]
/// name = "shapes"                 # shown in the review screen and exports
///
/// [import]
/// probability_tolerance = 0.01    # allowed |row sum − 1| for model probabilities
/// check_images = true             # open every image at import to catch missing/corrupt files
/// folder_labels = true            # images/<class>/<file> without labels.csv: folder names are labels
/// annotator_consensus = "crowdlab" # several annotators: crowdlab (with a model) | majority_vote
///
/// [export]
/// formula_guard = true            # neutralise spreadsheet formulas in CSV exports
/// policies = ["bad-components=hold", "one-per-group"]   # cleaning policies (see ExportPolicies)
///
/// [analysis]
/// neighbours = 10                 # k nearest neighbours per item
/// duplicate_threshold = 0.95      # optional: a fixed cosine instead of the data-relative rule
/// search = "auto"                 # auto | exact | approximate
/// exact_duplicates = true         # find byte-identical images by content hash
/// filter_by = "prune_by_noise_rate"   # confident learning method
///
/// [hnsw]                          # approximate search (large datasets)
/// m = 16
/// ef_construction = 100
/// ef = 64
///
/// [queues]
/// audit_share = 0.15              # share of triage given to a random audit sample
/// stratify_by = "source"          # metadata column for a stratified audit
/// low_confidence = 0.5
/// low_consensus = 0.5             # CROWDLAB consensus quality below which an item is low-consensus
/// outlier_share = 0.01
/// seed = 0
///
/// [triage]                        # quotas of the targeted queues in triage
/// label_issues = 0.45
/// bad_components = 0.15
/// disagreement = 0.10
/// outliers = 0.05
/// problems = 0.10
/// quality = 0.05
///
/// [quality]                       # image-quality flags, CleanVision's definitions (0 turns one off)
/// dark = 0.32                     # flagged below this 99th-percentile brightness
/// light = 0.05                    # flagged below this 1 − 5th-percentile brightness
/// blurry = 0.29                   # flagged below this blur score
/// low_information = 0.3           # flagged below this entropy score (bits / 10)
/// odd_aspect_ratio = 0.35         # flagged below this min(w/h, h/w)
/// odd_size_iqr_factor = 3.0       # flagged beyond the quartiles of √(w·h) ± this many IQRs
/// grayscale = "stored"            # in a colour dataset, flag files stored as greyscale ("stored",
///                                 # CleanVision's rule), also colourless RGB files ("pixels"), or "off"
///
/// [review]                        # the review screen (winnow review)
/// theme = "default"               # default | light | high-contrast | mono | a path to a theme .toml
/// graphics = "auto"               # auto | kitty | sixel | iterm | blocks | none
/// colors = 256                    # sixel palette size (fewer = fewer bytes over SSH)
/// sensitive_classes = ["gore"]    # shown blurred until revealed with a key
/// blur_all = false                # blur every image until revealed
/// blur_style = "blur"             # blur | pixelate
///
/// [team]                          # several reviewers (see the README's "Team work")
/// reviews_per_item = 1            # different reviewers each item goes to before it is final
/// lease_minutes = 5               # an open item is held this long without a heartbeat
/// enforce_login = false           # true: reviewers are their login names (no --reviewer)
/// blind = true                    # show the given label, never another reviewer's decision
///                                 # (default: true when reviews_per_item > 1)
///
/// [team.reviewers]                # without this list everybody may do everything
/// alice = "annotator"             # annotator | moderator | lead
/// carol = "lead"
///
/// [keys]                          # remap keys: command = "key" or ["key", "key"]
/// accept = ["enter", "a"]
///
/// [helper]                        # the helper model (logistic regression on the features)
/// enabled = true                  # default: on with embeddings or image features and < 2 models
/// folds = 5                       # cross-validation folds
/// regularisation = "auto"         # scikit-learn's C, or "auto": chosen by inner cross-validation
/// retrain_every = 20              # decisions between retrains in the review screen
///
/// [store]                         # where the project state lives (default: <dataset>/.winnow, SQLite)
/// url = "postgresql://winnow@db.example.org/shapes"   # a PostgreSQL database shared by hosts
///                                 # (no password here: ~/.pgpass or $PGPASSWORD)
/// ```
public struct WinnowConfig: Sendable, Equatable {
    public var projectName: String?
    public var probabilityTolerance: Double = 0.01
    public var checkImages: Bool = true
    /// `[import] folder_labels`: without a labels file, images in sub-folders take the
    /// folder's name as their label (the ImageFolder layout). False: folders are just folders.
    public var folderLabels: Bool = true
    /// `[import] annotator_consensus`: how several annotators' labels become the given label.
    public var annotatorConsensus = "crowdlab"
    public var formulaGuard: Bool = true
    /// `[export] policies`, checked when read; nil when not set (`--policy` replaces it).
    public var exportPolicies: [String]?

    // [analysis]
    public var neighbourCount = 10
    /// A fixed cosine similarity for near-duplicates, replacing the data-relative rule
    /// (`NearDuplicateRule`); nil (the default): the rule.
    public var duplicateThreshold: Double?
    public var search = "auto"
    public var filterBy = "prune_by_noise_rate"
    public var exactDuplicates = true
    // [hnsw]
    public var hnswM = 16
    public var hnswEfConstruction = 100
    public var hnswEf = 64
    // [queues]
    public var auditShare = 0.15
    public var stratifyBy: String?
    public var lowConfidence = 0.5
    public var lowConsensus = 0.5
    public var outlierShare = 0.01
    public var seed = 0
    // [triage]
    public var triageQuotas: [String: Double] = [
        "label_issues": 0.45, "bad_components": 0.15, "disagreement": 0.10, "outliers": 0.05, "problems": 0.10, "quality": 0.05
    ]
    // [quality]: thresholds of the image-quality checks (CleanVision's defaults; 0 turns one off)
    public var qualityThresholds: [String: Double] = WinnowConfig.defaultQualityThresholds
    public var qualityGrayscale = "stored"
    public static let grayscaleRules = ["stored", "pixels", "off"]
    public static let defaultQualityThresholds: [String: Double] = [
        "dark": 0.32, "light": 0.05, "blurry": 0.29, "low_information": 0.3, "odd_aspect_ratio": 0.35, "odd_size_iqr_factor": 3.0
    ]
    // [review]
    public var theme = "default"
    public var graphics = "auto"
    public var sixelColors = 256
    public var sensitiveClasses: [String] = []
    public var blurAll = false
    public var blurStyle = "blur"
    // [keys]: command name → key names, with the line each was set on (checked by the
    // review screen, which knows the commands).
    public var keyBindings: [String: [String]] = [:]
    /// Several reviewers: roles, overlap, leases ([team]).
    public var team = TeamPolicy()
    public var keyBindingLines: [String: Int] = [:]
    // [helper]: nil `helperEnabled` is automatic (see `HelperEvidence`), nil regularisation
    // is chosen by inner cross-validation.
    public var helperEnabled: Bool?
    public var helperFolds = 5
    public var helperRegularisation: Double?
    public var helperRetrainEvery = 20
    /// `[store] url`: the project's PostgreSQL database (nil: SQLite in the state folder),
    /// with its line for messages. Checked for a password by the session layer, which can
    /// parse the URL.
    public var storeURL: String?
    public var storeURLLine: Int?

    public static let graphicsModes = ["auto", "kitty", "sixel", "iterm", "blocks", "none"]
    public static let blurStyles = ["blur", "pixelate"]

    public static let searchMethods = ["auto", "exact", "approximate"]
    public static let filterByMethods = ["prune_by_noise_rate", "prune_by_class", "both", "confident_learning", "predicted_neq_given"]
    /// cleanlab's ranking-based methods, implemented for multi-label data only.
    public static let multiLabelFilterByMethods = ["low_self_confidence", "low_normalized_margin"]
    public static let annotatorConsensusMethods = ["crowdlab", "majority_vote"]

    public init() {}

    public static let fileName = "winnow.toml"

    /// Every key Winnow understands, by table. Later features add theirs here.
    static let knownKeys: [String: Set<String>] = [
        "project": ["name"],
        "import": ["probability_tolerance", "check_images", "folder_labels", "annotator_consensus"],
        "export": ["formula_guard", "policies"],
        "analysis": ["neighbours", "duplicate_threshold", "search", "filter_by", "exact_duplicates"],
        "hnsw": ["m", "ef_construction", "ef"],
        "queues": ["audit_share", "stratify_by", "low_confidence", "low_consensus", "outlier_share", "seed"],
        "triage": ["label_issues", "bad_components", "disagreement", "outliers", "problems", "quality"],
        "quality": ["dark", "light", "blurry", "low_information", "odd_aspect_ratio", "odd_size_iqr_factor", "grayscale"],
        "review": ["theme", "graphics", "colors", "sensitive_classes", "blur_all", "blur_style"],
        "team": ["reviews_per_item", "lease_minutes", "enforce_login", "reviewers", "blind"],
        "keys": [], // any command name; checked by the review screen
        "helper": ["enabled", "folds", "regularisation", "retrain_every"],
        "store": ["url"]
    ]

    public static func parse(_ text: String, file: String = fileName) throws(DatasetInvalid) -> WinnowConfig {
        let root = try TOMLDocument.parse(text, file: file)

        var problems = ProblemCollector()
        let locator = TOMLKeyLocator(text: text)
        var config = WinnowConfig()

        for (tableName, value) in root {
            if tableName == "keys", let table = value.table {
                for (command, item) in table {
                    let line = locator.line(ofKey: command, inTable: "keys")
                    if let single = item.string {
                        config.keyBindings[command] = [single]
                    } else if let array = item.array, array.allSatisfy({ $0.string != nil }), !array.isEmpty {
                        config.keyBindings[command] = array.compactMap(\.string)
                    } else {
                        problems.add(
                            DataProblem(
                                file: file, line: line, message: "keys.\(TerminalText.sanitize(command)) must be a key name or a list of them",
                                hint: "for example: \(TerminalText.sanitize(command)) = [\"enter\", \"a\"]"))
                    }
                    config.keyBindingLines[command] = line
                }
                continue
            }
            guard let keys = knownKeys[tableName] else {
                problems.add(
                    DataProblem(
                        file: file, line: locator.line(ofTable: tableName) ?? locator.line(ofKey: tableName, inTable: nil),
                        message: "unknown setting [\(TerminalText.sanitize(tableName))]",
                        hint: "known tables: \(knownKeys.keys.sorted().map { "[\($0)]" }.joined(separator: ", "))"))
                continue
            }
            guard let table = value.table else {
                problems.add(
                    DataProblem(
                        file: file, line: locator.line(ofKey: tableName, inTable: nil),
                        message: "\(tableName) must be a table", hint: "write it as [\(tableName)]"))
                continue
            }
            for (key, item) in table {
                let line = locator.line(ofKey: key, inTable: tableName)
                guard keys.contains(key) else {
                    problems.add(
                        DataProblem(
                            file: file, line: line, message: "unknown setting \(tableName).\(TerminalText.sanitize(key))",
                            hint: "known keys in [\(tableName)]: \(keys.sorted().joined(separator: ", "))"))
                    continue
                }
                func wrongType(_ expected: String) {
                    problems.add(
                        DataProblem(
                            file: file, line: line, message: "\(tableName).\(key) must be \(expected)",
                            hint: "for example: \(key) = \(example(for: expected))"))
                }
                switch (tableName, key) {
                case ("project", "name"):
                    if let s = item.string { config.projectName = s } else { wrongType("a string") }
                case ("import", "probability_tolerance"):
                    let number = item.double ?? item.int.map(Double.init)
                    if let number, number > 0, number < 1 { config.probabilityTolerance = number } else { wrongType("a number between 0 and 1") }
                case ("import", "check_images"):
                    if let b = item.bool { config.checkImages = b } else { wrongType("true or false") }
                case ("import", "folder_labels"):
                    if let b = item.bool { config.folderLabels = b } else { wrongType("true or false") }
                case ("import", "annotator_consensus"):
                    if let v = item.string, annotatorConsensusMethods.contains(v) {
                        config.annotatorConsensus = v
                    } else {
                        wrongType("one of " + annotatorConsensusMethods.joined(separator: ", "))
                    }
                case ("export", "formula_guard"):
                    if let b = item.bool { config.formulaGuard = b } else { wrongType("true or false") }
                case ("export", "policies"):
                    guard let array = item.array, array.allSatisfy({ $0.string != nil }) else { wrongType("a list of strings"); break }
                    let specifications = array.compactMap(\.string)
                    do {
                        _ = try ExportPolicies.parse(specifications)
                        config.exportPolicies = specifications
                    } catch {
                        problems.add(DataProblem(file: file, line: line, message: "export.policies: " + error.message, hint: error.hint))
                    }
                case ("analysis", "neighbours"):
                    if let v = item.int, (1...200).contains(v) { config.neighbourCount = v } else { wrongType("a whole number from 1 to 200") }
                case ("analysis", "duplicate_threshold"):
                    if let v = item.double ?? item.int.map(Double.init), v > 0, v <= 1 {
                        config.duplicateThreshold = v
                    } else {
                        wrongType("a number between 0 and 1")
                    }
                case ("analysis", "search"):
                    if let v = item.string, searchMethods.contains(v) {
                        config.search = v
                    } else {
                        wrongType("one of " + searchMethods.joined(separator: ", "))
                    }
                case ("analysis", "filter_by"):
                    let methods = filterByMethods + multiLabelFilterByMethods
                    if let v = item.string, methods.contains(v) {
                        config.filterBy = v
                    } else {
                        wrongType("one of " + methods.joined(separator: ", "))
                    }
                case ("analysis", "exact_duplicates"):
                    if let b = item.bool { config.exactDuplicates = b } else { wrongType("true or false") }
                case ("hnsw", "m"):
                    if let v = item.int, (4...128).contains(v) { config.hnswM = v } else { wrongType("a whole number from 4 to 128") }
                case ("hnsw", "ef_construction"):
                    if let v = item.int, (8...4096).contains(v) { config.hnswEfConstruction = v } else { wrongType("a whole number from 8 to 4096") }
                case ("hnsw", "ef"):
                    if let v = item.int, (8...4096).contains(v) { config.hnswEf = v } else { wrongType("a whole number from 8 to 4096") }
                case ("queues", "audit_share"):
                    if let v = item.double ?? item.int.map(Double.init), v >= 0, v < 1 {
                        config.auditShare = v
                    } else {
                        wrongType("a number from 0 to below 1")
                    }
                case ("queues", "stratify_by"):
                    if let v = item.string { config.stratifyBy = v } else { wrongType("a string") }
                case ("queues", "low_confidence"):
                    if let v = item.double ?? item.int.map(Double.init), v > 0, v <= 1 {
                        config.lowConfidence = v
                    } else {
                        wrongType("a number between 0 and 1")
                    }
                case ("queues", "low_consensus"):
                    if let v = item.double ?? item.int.map(Double.init), v > 0, v <= 1 {
                        config.lowConsensus = v
                    } else {
                        wrongType("a number between 0 and 1")
                    }
                case ("queues", "outlier_share"):
                    if let v = item.double ?? item.int.map(Double.init), v > 0, v <= 1 {
                        config.outlierShare = v
                    } else {
                        wrongType("a number between 0 and 1")
                    }
                case ("queues", "seed"):
                    if let v = item.int, v >= 0 { config.seed = v } else { wrongType("a whole number") }
                case ("review", "theme"):
                    if let v = item.string, !v.isEmpty { config.theme = v } else { wrongType("a string") }
                case ("review", "graphics"):
                    if let v = item.string, graphicsModes.contains(v) {
                        config.graphics = v
                    } else {
                        wrongType("one of " + graphicsModes.joined(separator: ", "))
                    }
                case ("review", "colors"):
                    if let v = item.int, (2...256).contains(v) { config.sixelColors = v } else { wrongType("a whole number from 2 to 256") }
                case ("review", "sensitive_classes"):
                    if let array = item.array, array.allSatisfy({ $0.string != nil }) {
                        config.sensitiveClasses = array.compactMap(\.string)
                    } else {
                        wrongType("a list of strings")
                    }
                case ("review", "blur_all"):
                    if let b = item.bool { config.blurAll = b } else { wrongType("true or false") }
                case ("review", "blur_style"):
                    if let v = item.string, blurStyles.contains(v) {
                        config.blurStyle = v
                    } else {
                        wrongType("one of " + blurStyles.joined(separator: ", "))
                    }
                case ("team", "reviews_per_item"):
                    if let v = item.int, (1...20).contains(v) { config.team.reviewsPerItem = v } else { wrongType("a whole number from 1 to 20") }
                case ("team", "lease_minutes"):
                    if let v = item.double ?? item.int.map(Double.init), v > 0, v <= 24 * 60 {
                        config.team.leaseSeconds = v * 60
                    } else {
                        wrongType("a number of minutes (up to a day)")
                    }
                case ("team", "enforce_login"):
                    if let b = item.bool { config.team.enforceLogin = b } else { wrongType("true or false") }
                case ("team", "blind"):
                    if let b = item.bool { config.team.blind = b } else { wrongType("true or false") }
                case ("team", "reviewers"):
                    guard let reviewers = item.table else { wrongType("a table of name = role"); break }
                    for (name, role) in reviewers {
                        if let text = role.string, let parsed = TeamPolicy.Role(rawValue: text), TerminalText.isSafe(name), !name.isEmpty {
                            config.team.reviewers[name] = parsed
                        } else {
                            problems.add(
                                DataProblem(
                                    file: file, line: locator.line(ofKey: name, inTable: "team.reviewers") ?? line,
                                    message: "team.reviewers.\(TerminalText.sanitize(name)) must be one of "
                                        + TeamPolicy.Role.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "),
                                    hint: "for example: \(TerminalText.sanitize(name)) = \"annotator\""))
                        }
                    }
                case ("helper", "enabled"):
                    if let b = item.bool {
                        config.helperEnabled = b
                    } else if item.string == "auto" {
                        config.helperEnabled = nil
                    } else {
                        wrongType("true or false")
                    }
                case ("helper", "folds"):
                    if let v = item.int, (2...20).contains(v) { config.helperFolds = v } else { wrongType("a whole number from 2 to 20") }
                case ("helper", "regularisation"):
                    if item.string == "auto" {
                        config.helperRegularisation = nil
                    } else if let v = item.double ?? item.int.map(Double.init), v > 0, v.isFinite {
                        config.helperRegularisation = v
                    } else {
                        wrongType("\"auto\" or a positive number (scikit-learn's C)")
                    }
                case ("helper", "retrain_every"):
                    if let v = item.int, (1...1_000_000).contains(v) {
                        config.helperRetrainEvery = v
                    } else {
                        wrongType("a whole number of decisions (at least 1)")
                    }
                case ("store", "url"):
                    if let v = item.string, v.hasPrefix("postgresql://") || v.hasPrefix("postgres://") {
                        config.storeURL = v
                        config.storeURLLine = line
                    } else {
                        wrongType("a PostgreSQL URL (postgresql://USER@HOST/DATABASE)")
                    }
                case ("quality", "grayscale"):
                    if let v = item.string, grayscaleRules.contains(v) {
                        config.qualityGrayscale = v
                    } else if let b = item.bool {
                        config.qualityGrayscale = b ? "stored" : "off"
                    } else {
                        wrongType("one of " + grayscaleRules.joined(separator: ", "))
                    }
                case ("quality", "odd_size_iqr_factor"):
                    if let v = item.double ?? item.int.map(Double.init), v >= 0, v <= 100 {
                        config.qualityThresholds[key] = v
                    } else {
                        wrongType("a number from 0 to 100")
                    }
                case ("quality", _):
                    if let v = item.double ?? item.int.map(Double.init), v >= 0, v <= 1 {
                        config.qualityThresholds[key] = v
                    } else {
                        wrongType("a number from 0 to 1")
                    }
                case ("triage", _):
                    if let v = item.double ?? item.int.map(Double.init), v >= 0 {
                        config.triageQuotas[key] = v
                    } else {
                        wrongType("a number (a share)")
                    }
                default:
                    break
                }
            }
        }
        try problems.check()
        return config
    }

    private static func example(for expected: String) -> String {
        switch expected {
        case "a string": return "\"text\""
        case "a table of name = role": return "{ alice = \"annotator\", carol = \"lead\" }"
        case "true or false": return "true"
        case "a list of strings": return "[\"text\"]"
        case let text where text.hasPrefix("one of "): return "\"" + (text.dropFirst(7).split(separator: ",").first.map(String.init) ?? "") + "\""
        case let text where text.hasPrefix("a whole number"): return "10"
        case let text where text.hasPrefix("a PostgreSQL URL"): return "\"postgresql://winnow@db.example.org/shapes\""
        default: return "0.01"
        }
    }
}

/// Finds the line of a key in TOML text. TOMLKit does not report where keys are, and an error
/// message without a line number is half an error message.
public struct TOMLKeyLocator: Sendable {
    let lines: [Substring]

    public init(text: String) { lines = text.split(separator: "\n", omittingEmptySubsequences: false) }

    public func line(ofTable name: String) -> Int? {
        for (i, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters()
            if line == "[\(name)]" || line.hasPrefix("[\(name)]") || line == "[[\(name)]]" { return i + 1 }
        }
        return nil
    }

    public func line(ofKey key: String, inTable table: String?) -> Int? {
        var current: String? = nil
        for (i, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters()
            if line.hasPrefix("[") {
                current = String(line.drop(while: { $0 == "[" }).prefix(while: { $0 != "]" })).trimmingASCIIWhitespace()
                continue
            }
            let dotted = table.map { "\($0).\(key)" }
            for candidate in [key, "\"\(key)\"", dotted].compactMap({ $0 }) where line.hasPrefix(candidate) {
                let rest = line.dropFirst(candidate.count).drop(while: { $0 == " " || $0 == "\t" })
                guard rest.first == "=" else { continue }
                if candidate == dotted ? current == nil : current == table { return i + 1 }
            }
        }
        return nil
    }
}

private extension Substring {
    func trimmingCharacters() -> String { String(self).trimmingASCIIWhitespace() }
}
