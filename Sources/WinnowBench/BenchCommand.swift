#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Foundation
import WinnowCore
import WinnowDataset
import WinnowStore
import WinnowSession

/// `winnow-bench`: the root command (its own executable, not shipped in `winnow`).
public struct BenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "winnow-bench",
        abstract: "Benchmarks, measured against reference tools in the same run.",
        subcommands: [
            BenchGenerate.self, BenchImport.self, BenchConfidentLearning.self, BenchMultiLabel.self, BenchCrowdlab.self, BenchNeighbours.self,
            BenchPipeline.self, BenchAnalyze.self,
            BenchLabelIssues.self, BenchReview.self, BenchExport.self, BenchStore.self, BenchRecompute.self, BenchDuplicates.self,
            BenchHelper.self, BenchHelperQuality.self, BenchReviewYield.self, BenchQuality.self,
            BenchGraphicsEncoding.self, BenchGraphicsFrame.self
        ])

    public init() {}

}

struct SyntheticOptions: ParsableArguments {
    @Option(help: "Number of items.") var items = 100_000
    @Option(help: "Number of classes.") var classes = 10
    @Option(help: "Embedding dimension.") var dimension = 128
    @Option(help: "Number of models (each a predictions CSV).") var models = 1
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(
        help: "Embeddings: noisy (nearly isotropic around each class) or clustered (tight sub-clusters and near-duplicates, like real embeddings).")
    var embeddings: SyntheticDataset.EmbeddingKind = .noisy

    var dataset: SyntheticDataset {
        SyntheticDataset(items: items, classes: classes, dimension: dimension, models: models, seed: seed, embeddings: embeddings)
    }
}

extension SyntheticDataset.EmbeddingKind: ExpressibleByArgument {}

struct BenchGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic dataset (images as hard links, labels with 10% noise, predictions, embeddings).")

    @Argument(help: ArgumentHelp("The folder to create.", valueName: "dir")) var directory: String
    @OptionGroup var options: SyntheticOptions

    func run() throws {
        try options.dataset.write(to: directory, progress: TerminalProgress())
        print("wrote a synthetic dataset of \(options.items) items to \(directory)")
    }
}

struct BenchImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Time a full import against sqlite3's own .import of the same CSV rows.",
        discussion: """
            Generates a synthetic dataset (or reuses --dataset), imports it into a fresh \
            project, then loads items.csv, labels.csv and the predictions CSVs with the \
            sqlite3 shell's .import into a fresh database: the near-physical cost of \
            getting those rows into SQLite. Reports both times and their ratio.
            """)

    @OptionGroup var options: SyntheticOptions
    @Option(help: ArgumentHelp("Use (and keep) this dataset folder; generated if it does not exist.", valueName: "dir"))
    var dataset: String?
    @Option(help: "Repetitions (the median is reported).") var runs = 1

    func run() throws {
        let root = dataset ?? NSTemporaryDirectory() + "winnow-bench-\(options.items)"
        if access(root + "/items.csv", F_OK) != 0 {
            printError("generating \(options.items) items in \(root) …")
            try options.dataset.write(to: root, progress: TerminalProgress())
        }
        var winnowTimes: [Double] = [], sqliteTimes: [Double] = []
        var summary: ImportSummary?
        var phases: [(String, Double)] = []
        for _ in 0..<runs {
            let state = NSTemporaryDirectory() + "winnow-bench-state-\(getpid())"
            try? FileManager.default.removeItem(atPath: state)
            let timer = PhaseTimer()
            let start = MonotonicClock.now()
            let snapshot = try DatasetReader(root: root, config: try DatasetReader.loadConfig(root: root)).read(progress: timer)
            // SQLite: the reference is sqlite3's own import.
            let store = try StoreLocation.sqlite(stateDirectory: state).open()
            summary = try store.applyImport(snapshot, datasetRoot: root, progress: timer)
            winnowTimes.append(MonotonicClock.now() - start)
            phases = timer.phases
            try? FileManager.default.removeItem(atPath: state)
            sqliteTimes.append(try Self.sqliteImport(root))
        }
        let w = median(winnowTimes), s = median(sqliteTimes)
        if let summary { print(Project.describe(summary)) }
        for (name, seconds) in phases { print(String(format: "  %6.2f s  %@", seconds, name)) }
        print(String(format: "winnow import: %.2f s   sqlite3 .import (CSV rows only): %.2f s   ratio: %.2f×", w, s, w / s))
    }

    /// Times the sqlite3 shell importing the dataset's CSV files into a fresh database.
    static func sqliteImport(_ root: String) throws -> Double {
        let database = NSTemporaryDirectory() + "winnow-bench-sqlite-\(getpid()).db"
        try? FileManager.default.removeItem(atPath: database)
        defer { try? FileManager.default.removeItem(atPath: database) }
        var script = ".mode csv\n.import '\(root)/items.csv' items\n.import '\(root)/labels.csv' labels\n"
        let predictions = (try? FileManager.default.contentsOfDirectory(atPath: root + "/predictions")) ?? []
        for (i, file) in predictions.sorted().enumerated() where file.hasSuffix(".csv") {
            script += ".import '\(root)/predictions/\(file)' predictions_\(i)\n"
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", database]
        let input = Pipe()
        process.standardInput = input
        let start = MonotonicClock.now()
        do { try process.run() } catch {
            throw CLIFailure(message: "cannot run sqlite3 (the reference): \(error)\n    fix: apt-get install sqlite3", exit: .projectError)
        }
        input.fileHandleForWriting.write(Data(script.utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CLIFailure(message: "sqlite3 failed (status \(process.terminationStatus))", exit: .projectError)
        }
        return MonotonicClock.now() - start
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}
