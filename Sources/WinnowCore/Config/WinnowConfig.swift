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
///
/// [export]
/// formula_guard = true            # neutralise spreadsheet formulas in CSV exports
/// ```
public struct WinnowConfig: Sendable, Equatable {
    public var projectName: String?
    public var probabilityTolerance: Double = 0.01
    public var checkImages: Bool = true
    public var formulaGuard: Bool = true

    public init() {}

    public static let fileName = "winnow.toml"

    /// Every key Winnow understands, by table. Later features add theirs here.
    static let knownKeys: [String: Set<String>] = [
        "project": ["name"],
        "import": ["probability_tolerance", "check_images"],
        "export": ["formula_guard"],
    ]

    public static func parse(_ text: String, file: String = fileName) throws(DatasetInvalid) -> WinnowConfig {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw DatasetInvalid(problems: [DataProblem(
                file: file, line: error.source.begin.line, column: error.source.begin.column,
                message: "not valid TOML: \(error.description)", hint: "fix the syntax (see https://toml.io)")])
        } catch {
            throw DatasetInvalid(problems: [DataProblem(file: file, message: "not valid TOML: \(error)", hint: "fix the syntax")])
        }

        var problems = ProblemCollector()
        let locator = TOMLKeyLocator(text: text)
        var config = WinnowConfig()

        for (tableName, value) in root {
            guard let keys = knownKeys[tableName] else {
                problems.add(DataProblem(file: file, line: locator.line(ofTable: tableName) ?? locator.line(ofKey: tableName, inTable: nil),
                                         message: "unknown setting [\(TerminalText.sanitize(tableName))]",
                                         hint: "known tables: \(knownKeys.keys.sorted().map { "[\($0)]" }.joined(separator: ", "))"))
                continue
            }
            guard let table = value.table else {
                problems.add(DataProblem(file: file, line: locator.line(ofKey: tableName, inTable: nil),
                                         message: "\(tableName) must be a table", hint: "write it as [\(tableName)]"))
                continue
            }
            for (key, item) in table {
                let line = locator.line(ofKey: key, inTable: tableName)
                guard keys.contains(key) else {
                    problems.add(DataProblem(file: file, line: line, message: "unknown setting \(tableName).\(TerminalText.sanitize(key))",
                                             hint: "known keys in [\(tableName)]: \(keys.sorted().joined(separator: ", "))"))
                    continue
                }
                func wrongType(_ expected: String) {
                    problems.add(DataProblem(file: file, line: line, message: "\(tableName).\(key) must be \(expected)",
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
                case ("export", "formula_guard"):
                    if let b = item.bool { config.formulaGuard = b } else { wrongType("true or false") }
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
        case "true or false": return "true"
        default: return "0.01"
        }
    }
}

/// Finds the line of a key in TOML text. TOMLKit does not report where keys are, and an error
/// message without a line number is half an error message.
struct TOMLKeyLocator {
    let lines: [Substring]

    init(text: String) { lines = text.split(separator: "\n", omittingEmptySubsequences: false) }

    func line(ofTable name: String) -> Int? {
        for (i, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters()
            if line == "[\(name)]" || line.hasPrefix("[\(name)]") || line == "[[\(name)]]" { return i + 1 }
        }
        return nil
    }

    func line(ofKey key: String, inTable table: String?) -> Int? {
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
