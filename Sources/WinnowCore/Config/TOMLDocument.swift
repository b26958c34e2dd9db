import TOMLKit

/// Reads TOML text for every file Winnow takes in that form (winnow.toml, theme files): the
/// preflight that keeps toml++ away from the headers it would abort on, then TOMLKit's
/// parser, with every failure a `DatasetInvalid` that names the file, line and column.
public enum TOMLDocument {
    public static func parse(_ text: String, file: String) throws(DatasetInvalid) -> TOMLTable {
        if let (line, column) = TOMLPreflight.problem(in: text) {
            throw DatasetInvalid(problems: [
                DataProblem(
                    file: file, line: line, column: column,
                    message: "not valid TOML: a table header's name must start with a letter, digit, _, - or a quote",
                    hint: "write the table as [name] (and an array whose line starts with [ on one line with its key)")
            ])
        }
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw DatasetInvalid(problems: [
                DataProblem(
                    file: file, line: error.source.begin.line, column: error.source.begin.column,
                    message: "not valid TOML: \(error.description)", hint: "fix the syntax (see https://toml.io)")
            ])
        } catch {
            throw DatasetInvalid(problems: [DataProblem(file: file, message: "not valid TOML: \(error)", hint: "fix the syntax")])
        }
    }
}
