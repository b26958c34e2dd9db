import ArgumentParser
import Foundation
import WinnowSession

/// A Python reference tool run beside Winnow (cleanlab, faiss): which Python, which script,
/// and how to run it and read the one JSON line it prints last.
struct ReferenceTool: ParsableArguments {
    @Option(help: ArgumentHelp("A Python with the reference packages (make bench-venv).", valueName: "path"))
    var python = ProcessInfo.processInfo.environment["WINNOW_CLEANLAB_PYTHON"] ?? "/tmp/cleanlab-venv/bin/python"

    @Option(help: ArgumentHelp("The reference script (default: the benchmark's own, in Benchmarks/reference/).", valueName: "path"))
    var script: String?

    /// Runs `script` (or `defaultScript`) with `arguments` and decodes its last JSON line.
    /// `environment` is added to (and overrides) this process's environment for the child.
    func run<Result: Decodable>(
        _ defaultScript: String, _ arguments: [String], as type: Result.Type,
        environment: [String: String] = [:]
    ) throws -> Result {
        let path = script ?? defaultScript
        printError("running \(environment.map { "\($0.key)=\($0.value) " }.sorted().joined())\(python) \(path) …")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [path] + arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch {
            throw CLIFailure(
                message: "cannot run \(python): \(error)\n    fix: make bench-venv (a venv in /tmp), or pass --python", exit: .projectError)
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CLIFailure(message: "\(path) failed (status \(process.terminationStatus))", exit: .projectError)
        }
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
            let result = try? JSONDecoder().decode(Result.self, from: Data(line.utf8))
        else {
            throw CLIFailure(message: "\(path) printed no result:\n\(output)", exit: .projectError)
        }
        return result
    }
}
