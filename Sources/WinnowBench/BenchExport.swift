#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Foundation
import WinnowCore
import WinnowStore
import WinnowSession

/// How fast `winnow export` writes each format, against the floor for reading the same rows.
struct BenchExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Time csv, jsonl, corrections and imagefolder exports against sqlite3 dumping the same rows.",
        discussion: """
            Runs `winnow export` (this binary) on the project for each format, end to end \
            (opening the project, one read snapshot, writing, the manifest), and, in the \
            same run, the sqlite3 shell dumping the columns the export reads from items \
            (id, path, given_labels) as CSV: the floor for reading those rows; for the \
            imagefolder export also `cp -al` of images/, the floor for making as many hard \
            links. Reports each median time and its ratios. The imagefolder export uses hard links, \
            so --out must be on the dataset's file system; a dataset made by `winnow-bench \
            generate` links each image file at most 16,000 times, leaving room for the export's links.

            EXAMPLES:
              winnow-bench generate /tmp/winnow-bench-export --items 1000000 --dimension 8
              winnow import /tmp/winnow-bench-export
              winnow-bench export --dataset /tmp/winnow-bench-export --runs 3
            """)

    @Option(help: ArgumentHelp("The dataset (imported).", valueName: "dir")) var dataset: String
    @Option(help: ArgumentHelp("Its state folder, when not <dir>/.winnow.", valueName: "dir")) var state: String?
    @Option(help: ArgumentHelp("Where to write the exports (default: a temporary folder; removed afterwards).", valueName: "dir")) var out: String?
    @Option(help: "Repetitions (the median is reported).") var runs = 3
    @Option(help: "Formats to time, comma-separated.") var formats = "csv,jsonl,corrections,imagefolder"

    func run() throws {
        let stateDirectory = state ?? ProjectStore.defaultStateDirectory(forDataset: dataset)
        let database = stateDirectory + "/" + ProjectStore.databaseFileName
        guard ProjectStore.exists(stateDirectory: stateDirectory) else {
            throw CLIFailure(
                message: "\(TerminalText.sanitize(dataset)) has no project state\n    fix: run winnow import \(TerminalText.sanitize(dataset)) first",
                exit: .usage)
        }
        let folder = out ?? NSTemporaryDirectory() + "winnow-bench-export-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if out == nil { removeTree(folder) } }
        let winnow = ChildRun.winnowExecutable
        let info = try StoreLocation.sqlite(stateDirectory: stateDirectory).open().info()
        say("\(info.items) items, \(info.decisions) decisions; \(runs) run\(runs == 1 ? "" : "s") each, median")

        var reference: [Double] = []
        for _ in 0..<runs {
            reference.append(
                try time(
                    "/usr/bin/env",
                    [
                        "sqlite3", "-csv", database,
                        "SELECT id, path, given_labels FROM items WHERE row IS NOT NULL ORDER BY row"
                    ],
                    stdout: folder + "/sqlite3.csv"))
        }
        let floor = median(reference)
        say(Self.label("sqlite3 -csv (id, path, given_labels)") + String(format: " %7.2f s", floor))

        // The floor for making the image folder's hard links: cp -al of images/ (as many
        // links, into a mirror of its folders).
        var linking: Double?
        if formats.contains("imagefolder") {
            var times: [Double] = []
            let mirror = folder + "/cp-al"
            for _ in 0..<runs {
                removeTree(mirror)
                times.append(try time("/usr/bin/env", ["cp", "-al", dataset + "/images", mirror], stdout: "/dev/null"))
            }
            removeTree(mirror)
            linking = median(times)
            say(Self.label("cp -al images/ (hard links)") + String(format: " %7.2f s", linking!))
        }

        for format in formats.split(separator: ",").map(String.init) {
            let output = folder + "/export-" + format + (format == "imagefolder" ? "" : format == "corrections" ? ".csv" : "." + format)
            var times: [Double] = []
            for _ in 0..<runs {
                removeTree(output)
                var arguments = ["export", dataset, "--format", format, "-o", output]
                if let state { arguments += ["--state", state] }
                times.append(try time(winnow, arguments, stdout: "/dev/null"))
            }
            let t = median(times)
            let extra =
                format == "imagefolder" && linking != nil
                ? String(format: "   %5.2f× cp -al   (%.1f µs per image)", t / linking!, t / Double(max(info.items, 1)) * 1e6) : ""
            say(Self.label("winnow export --format " + format) + String(format: " %7.2f s   %5.2f× sqlite3", t, t / floor) + extra)
            removeTree(output)
            removeTree(output + ".manifest.json")
        }
    }

    /// Runs a program to completion and returns its wall-clock time; its stdout goes to `stdout`.
    func time(_ executable: String, _ arguments: [String], stdout: String) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // Opened, never created by FileManager: `createFile` writes a temporary file and
        // renames it over the path, which replaced /dev/null itself with a regular file.
        let output = open(stdout, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw SessionError.cannotWrite(stdout, errno: errno) }
        let outputHandle = FileHandle(fileDescriptor: output, closeOnDealloc: true)
        process.standardOutput = outputHandle
        let errors = Pipe()
        process.standardError = errors
        let start = MonotonicClock.now()
        do { try process.run() } catch {
            throw CLIFailure(message: "cannot run \(executable): \(error)\n    fix: apt-get install sqlite3 (the reference)", exit: .projectError)
        }
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let elapsed = MonotonicClock.now() - start
        guard process.terminationStatus == 0 else {
            throw CLIFailure(
                message:
                    "\(([executable] + arguments).joined(separator: " ")) failed (status \(process.terminationStatus)):\n\(TerminalText.sanitize(String(decoding: message, as: UTF8.self)))",
                exit: .projectError)
        }
        return elapsed
    }

    static func label(_ text: String) -> String { text.padding(toLength: 40, withPad: " ", startingAt: 0) }

    func say(_ line: String) { Console.write(line + "\n", to: .standardOutput) }
}
