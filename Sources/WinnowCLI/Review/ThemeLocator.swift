import Foundation
import WinnowCore
import WinnowDataset
import WinnowUI
import WinnowSession

/// Finds a theme by name or path: a path to a `.toml` file; else `NAME.toml` in
/// `$XDG_CONFIG_HOME/winnow/themes` (default `~/.config/winnow/themes`), in the dataset's
/// `themes/`, then in the `Themes/` folder Winnow ships (found next to the executable or
/// up from it, as in a source checkout). `default` always works: it is built in.
enum ThemeLocator {
    static func load(_ nameOrPath: String, datasetRoot: String) throws -> Theme {
        let candidates = self.candidates(nameOrPath, datasetRoot: datasetRoot)
        for path in candidates where FileManager.default.isReadableFile(atPath: path) {
            // A theme can come from the dataset (its themes/ folder, or a path in its
            // winnow.toml): read as every dataset file is, never blocking on a FIFO.
            let file: MappedFile
            do { file = try MappedFile(path: path, displayName: path) } catch {
                throw CLIFailure(message: "cannot read the theme: " + error.description, exit: .usage)
            }
            guard let text = String(validating: file.bytes, as: UTF8.self) else {
                throw CLIFailure(message: "the theme \(TerminalText.sanitize(path)) is not UTF-8 text\n    fix: save it as UTF-8", exit: .usage)
            }
            do { return try ThemeFile.parse(text, file: path) } catch {
                throw CLIFailure(message: error.description, exit: .usage)
            }
        }
        if nameOrPath == "default" { return .builtIn }
        throw CLIFailure(
            message:
                "there is no theme \"\(TerminalText.sanitize(nameOrPath))\" (looked in: \(candidates.map { TerminalText.sanitize($0) }.joined(separator: ", ")))\n    fix: use default, light, high-contrast or mono, or give the path to a theme .toml",
            exit: .usage)
    }

    static func candidates(_ nameOrPath: String, datasetRoot: String) -> [String] {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".toml") { return [nameOrPath] }
        let file = nameOrPath + ".toml"
        let environment = ProcessInfo.processInfo.environment
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (environment["HOME"].map { $0 + "/.config" } ?? "")
        var paths = [config + "/winnow/themes/" + file, datasetRoot + "/themes/" + file]
        var folder = URL(fileURLWithPath: CommandLine.arguments.first.flatMap { realpath($0, nil).map { String(cString: $0) } } ?? "")
            .deletingLastPathComponent()
        for _ in 0..<5 {
            paths.append(folder.appendingPathComponent("Themes/" + file).path)
            folder = folder.deletingLastPathComponent()
        }
        return paths
    }
}
