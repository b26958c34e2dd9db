#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowNeighbours
import WinnowSession

struct BenchQuality: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quality",
        abstract: "Image-quality flags against CleanVision on generated image sets: agreement per issue, and time.",
        discussion: """
            For each kind of set and each seed, Benchmarks/reference/cleanvision_bench.py (a \
            Python with Benchmarks/reference/requirements-cleanvision.txt: `make \
            bench-quality` makes one) generates an image set (PNG, JPEG and WebP; colour, \
            greyscale and opaque-alpha files; mixed: photo-like, drawn, textured and text-like \
            pictures of varied sizes; photo: larger photo-like pictures, mostly JPEG; drawn: \
            flat shapes and text, mostly PNG; small: every kind at 32×32) with injected dark, light, blurry, low-information, grayscale, odd-aspect \
            and odd-size images, and runs CleanVision's seven image-property checks on it \
            (default parameters, every core). Winnow then imports the same folder into a \
            fresh project and reads every image (decode and quality measures, stored in the \
            project) and flags them, timed cold and again from its cache.

            Agreement per issue, taking CleanVision's flags as the reference: F1 (precision: \
            the share of Winnow's flags CleanVision also raises; recall: the share of \
            CleanVision's flags Winnow also raises) and the Jaccard index of the two flagged \
            sets. The worst set is reported per issue.
            """)

    @Option(help: "Images per generated set.") var images = 2000
    @Option(help: ArgumentHelp("Seeds of the generated sets, comma-separated.", valueName: "list")) var seeds = "1,2,3"
    @Option(help: ArgumentHelp("Kinds of generated sets (mixed, photo, drawn, small), comma-separated; each with every seed.", valueName: "list"))
    var kinds = "mixed"
    @Option(help: "Processes CleanVision may use (default: every core, as Winnow).") var jobs: Int?
    @Option(help: ArgumentHelp("Where the generated sets are kept (reused when present).", valueName: "dir"))
    var directory: String?
    @OptionGroup var reference: ReferenceTool

    struct Generated: Decodable { let images: Int; let seconds: Double }
    struct CleanVisionRun: Decodable {
        let version: String
        let seconds: Double
        let jobs: Int
        let flags: [String: [String]]
        let scores: [String: [String: Double]]
    }

    struct Agreement {
        var cleanvision = 0, winnow = 0, both = 0
        var precision: Double { winnow == 0 ? (cleanvision == 0 ? 1 : 0) : Double(both) / Double(winnow) }
        var recall: Double { cleanvision == 0 ? (winnow == 0 ? 1 : 0) : Double(both) / Double(cleanvision) }
        var f1: Double { cleanvision + winnow == 0 ? 1 : 2 * Double(both) / Double(cleanvision + winnow) }
        var jaccard: Double { cleanvision + winnow - both == 0 ? 1 : Double(both) / Double(cleanvision + winnow - both) }
    }

    func run() throws {
        let cores = NeighbourSearch.activeProcessors
        let script = "Benchmarks/reference/cleanvision_bench.py"
        print(Self.machine())
        var worst: [QualityIssue: (agreement: Agreement, seed: String)] = [:]
        var timings: [(seed: String, winnowCold: Double, winnowCached: Double, cleanvision: Double)] = []
        var version = ""
        let sets = kinds.split(separator: ",").flatMap { kind in seeds.split(separator: ",").map { (kind: String(kind), seed: String($0)) } }
        for (kind, seedNumber) in sets {
            // "seed" names the set in what follows: the seed, after its kind unless mixed.
            let seed = kind == "mixed" ? seedNumber : "\(kind) \(seedNumber)"
            let folder =
                (directory ?? NSTemporaryDirectory() + "winnow-quality-bench") + "/\(images)-\(kind == "mixed" ? "" : kind + "-")seed\(seedNumber)"
            if access(folder + "/injected.csv", F_OK) != 0 {
                _ = try reference.run(script, ["generate", folder, "--images", "\(images)", "--seed", seedNumber, "--kind", kind], as: Generated.self)
            }
            let cleanvision = try reference.run(script, ["run", folder, "--jobs", "\(jobs ?? cores)"], as: CleanVisionRun.self)
            version = cleanvision.version
            let state = NSTemporaryDirectory() + "winnow-quality-bench-state-\(getpid())"
            try? FileManager.default.removeItem(atPath: state)
            defer { try? FileManager.default.removeItem(atPath: state) }
            let (project, _) = try Project.importDataset(try ProjectOptions.parse([folder, "--state", state]))

            var start = MonotonicClock.now()
            let checks = try AnalysisSession(project, progress: TerminalProgress()).imageChecks()
            let cold = MonotonicClock.now() - start
            start = MonotonicClock.now()
            let cached = try AnalysisSession(project, progress: SilentProgress()).imageChecks()
            let warm = MonotonicClock.now() - start
            guard cached.pass.read == 0 else { throw CLIFailure(message: "the second read was not cached", exit: .projectError) }
            timings.append((seed, cold, warm, cleanvision.seconds))

            let paths = try AnalysisSession(project, progress: SilentProgress()).context.items.map(\.path)
            print(
                "seed \(seed): \(paths.count) images, \(checks.quality.measuredCount) measured by Winnow, \(cleanvision.flags.count) by CleanVision")
            for issue in QualityIssue.allCases {
                var agreement = Agreement()
                var disagreements: [String] = []
                for (i, path) in paths.enumerated() {
                    let byCleanVision = cleanvision.flags[path]?.contains(issue.rawValue) ?? false
                    let byWinnow = checks.quality.flags[i].contains { $0.issue == issue }
                    if byCleanVision { agreement.cleanvision += 1 }
                    if byWinnow { agreement.winnow += 1 }
                    if byCleanVision && byWinnow { agreement.both += 1 }
                    if byCleanVision != byWinnow, disagreements.count < 3, let m = checks.quality.measures[i] {
                        let theirs = cleanvision.scores[path]?[issue.rawValue] ?? .nan
                        disagreements.append(
                            String(
                                format:
                                    "%@ (%@ flags it; CleanVision's score %.4f; Winnow's measures: %dx%d, p99 %.4f, p5 %.4f, entropy %.3f, blur %.3f, spread %.2f%@)",
                                path, byWinnow ? "only Winnow" : "only CleanVision", theirs, m.width, m.height, m.brightness99, m.brightness5,
                                m.entropy, m.blurriness, m.greyLevelSpread, m.storedGreyscale ? ", stored grey" : (m.hasColour ? "" : ", no colour")))
                    }
                }
                print(
                    String(
                        format: "  %@ CleanVision %4d  Winnow %4d  both %4d   F1 %.3f (precision %.3f, recall %.3f)   Jaccard %.3f",
                        Self.padded(issue.rawValue), agreement.cleanvision, agreement.winnow, agreement.both, agreement.f1, agreement.precision,
                        agreement.recall, agreement.jaccard))
                for line in disagreements { print("      " + line) }
                if worst[issue] == nil || agreement.f1 < worst[issue]!.agreement.f1 { worst[issue] = (agreement, seed) }
            }
        }
        print("\nworst set per issue (F1 with CleanVision \(version) as the reference; bar 0.9):")
        for issue in QualityIssue.allCases {
            guard let (a, seed) = worst[issue] else { continue }
            print(
                String(
                    format: "  %@ F1 %.3f  Jaccard %.3f  (seed %@: CleanVision %d, Winnow %d, both %d)%@",
                    Self.padded(issue.rawValue), a.f1, a.jaccard, seed, a.cleanvision, a.winnow, a.both, a.f1 < 0.9 ? "  BELOW THE BAR" : ""))
        }
        print("\ntime to read, decode and measure every image and flag the set:")
        for t in timings {
            print(
                String(
                    format: "  seed %@: Winnow %.2f s cold (%.2f s from its cache)   CleanVision %.2f s (%d processes)   → %.2f× CleanVision's time",
                    t.seed, t.winnowCold, t.winnowCached, t.cleanvision, jobs ?? cores, t.winnowCold / t.cleanvision))
        }
        print(Self.load())
    }

    /// An issue's name in a column of 17 (Foundation's `%-17@` does not pad on Linux).
    static func padded(_ name: String) -> String { name.padding(toLength: max(17, name.count), withPad: " ", startingAt: 0) }

    /// Kernel, CPU and its vector features, cores, and the load at the start.
    static func machine() -> String {
        var name = utsname()
        uname(&name)
        func text<T>(_ field: T) -> String { withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } }
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last.map {
                $0.trimmingCharacters(in: .whitespaces)
            } ?? "unknown CPU"
        let flags = Set(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
        let features = ["sse4_2", "avx", "avx2", "fma", "avx512f"].filter(flags.contains).joined(separator: " ")
        return
            "\(text(name.sysname)) \(text(name.release)) \(text(name.machine)), \(model) (\(features)), \(NeighbourSearch.activeProcessors) cores; \(load())"
    }

    static func load() -> String {
        let average = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        return "load average \(average)"
    }
}
