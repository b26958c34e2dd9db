/// One thing wrong with a dataset or a setting, located as precisely as we can.
///
/// Rendered as `file:line:column (column-name): message` followed by a hint that says
/// what to do about it; every importer error is one of these, so users always learn
/// *which* file, *which* line, *what* is wrong and *how* to fix it.
public struct DataProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// Path relative to the dataset folder, e.g. `labels.csv` or `predictions/logreg.npy`.
    public var file: String
    /// 1-based physical line, when the problem has one.
    public var line: Int?
    /// 1-based column (CSV field index), when the problem has one.
    public var column: Int?
    /// The header name of that column, when known.
    public var columnName: String?
    public var message: String
    /// What the user should do about it.
    public var hint: String

    public init(
        file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil,
        message: String, hint: String
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
        self.message = message
        self.hint = hint
    }

    public var location: String {
        var text = TerminalText.sanitize(file) // a file name from the dataset is untrusted too
        if let line { text += ":\(line)" }
        if let column { text += ":\(column)" }
        if let columnName { text += " (\(TerminalText.sanitize(columnName)))" }
        return text
    }

    public var description: String {
        "\(location): \(message)\n    fix: \(hint)"
    }
}

/// The import was refused. Nothing in the project was changed.
public struct DatasetInvalid: Error, Sendable, CustomStringConvertible {
    public var problems: [DataProblem]
    /// True when more problems were found than are listed.
    public var truncated: Bool

    public init(problems: [DataProblem], truncated: Bool = false) {
        self.problems = problems
        self.truncated = truncated
    }

    public var description: String {
        var lines = [
            "the dataset has \(problems.count)\(truncated ? "+" : "") problem\(problems.count == 1 && !truncated ? "" : "s"); nothing was imported or changed:"
        ]
        lines += problems.map { $0.description }
        if truncated { lines.append("(more problems were not listed; fix these and run the import again)") }
        return lines.joined(separator: "\n")
    }
}

/// Collects problems up to a limit, so one run shows the user a useful batch of them
/// instead of one at a time, without drowning them in a million identical lines.
public struct ProblemCollector: Sendable {
    public private(set) var problems: [DataProblem] = []
    public private(set) var truncated = false
    public let limit: Int

    public init(limit: Int = 20) { self.limit = limit }

    public var isFull: Bool { problems.count >= limit }
    public var isEmpty: Bool { problems.isEmpty }

    public mutating func add(_ problem: DataProblem) {
        if problems.count < limit { problems.append(problem) } else { truncated = true }
    }

    public func check() throws(DatasetInvalid) {
        if !problems.isEmpty { throw DatasetInvalid(problems: problems, truncated: truncated) }
    }
}
