import ArgumentParser
import Foundation
import WinnowAnalysis
import WinnowCore
import WinnowDataset
import WinnowStore
import WinnowSession

struct BenchDuplicates: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duplicates",
        abstract: "Near-duplicate pairs against known copies, beside cleanlab Datalab's near_duplicate check.",
        discussion: """
            For every combination of image kind, embedding regime, copy strength, seed, copy \
            rate and class count, Benchmarks/reference/duplicates_bench.py (with a Python that \
            has cleanlab[datalab], scikit-learn and Pillow: make bench-duplicates) writes a \
            dataset with known copies and runs Datalab's near_duplicate check on its \
            embeddings and on its raw pixels (32×32 grey levels: what a user without \
            embeddings would give it). Winnow then analyses the same dataset with its \
            embeddings.npy and, in a copy, without. Reported for each: pair precision, recall \
            and F1 against the known copies, and Winnow's bad-component recall (copy groups \
            with conflicting labels that end up in one group with those labels). The worst \
            case of each column closes the table. --sample adds a dataset with a \
            ground_truth.csv (duplicate_group, given_label), e.g. SampleProjects/shapes.
            """)

    @Option(help: "Image kinds (digits, sketches, shapes, scenes), comma-separated.") var kinds = "digits,sketches,shapes,scenes"
    @Option(help: "Embedding regimes (clusters, weak, noisy), comma-separated.") var regimes = "clusters,weak,noisy"
    @Option(help: "Copy strengths (full: crops and shifts up to an eighth; mild: up to 1/32), comma-separated.") var transforms = "full,mild"
    @Option(help: "Seeds, comma-separated.") var seeds = "1,2"
    @Option(help: "Source pictures per dataset.") var sources = 500
    @Option(
        help: ArgumentHelp(
            "Pairs of copy rate (share of sources with 1–3 copies) and class count, comma-separated, each rate:classes.", valueName: "list"))
    var mixes = "0.1:10,0.3:4"
    @Option(help: ArgumentHelp("Also measure this dataset (it needs ground_truth.csv with duplicate_group and given_label).", valueName: "dir"))
    var sample: String?
    @Option(help: ArgumentHelp("Where the generated datasets go.", valueName: "dir")) var work = NSTemporaryDirectory() + "winnow-bench-duplicates"
    @Flag(help: "Print each wrong and missed pair with its alignment score, and each missed conflicting copy group (for diagnosis).") var explain =
        false
    @OptionGroup var reference: ReferenceTool

    struct Reference: Decodable {
        let items: Int
        let cleanlab_version: String
        let datalab_embeddings: [[String]]
        let datalab_pixels: [[String]]
        let datalab_embeddings_seconds: Double
        let datalab_pixels_seconds: Double
    }

    /// Pair precision, recall and F1.
    struct Score {
        var precision: Double, recall: Double
        var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
        init(found: Set<Pair>, truth: Set<Pair>) {
            let hits = found.intersection(truth).count
            precision = found.isEmpty ? 1 : Double(hits) / Double(found.count)
            recall = truth.isEmpty ? 1 : Double(hits) / Double(truth.count)
        }
        var text: String { String(format: "%.3f %.3f %.3f", precision, recall, f1) }
    }

    struct Pair: Hashable {
        let a: String, b: String
        init(_ x: String, _ y: String) { a = min(x, y); b = max(x, y) }
    }

    struct Row {
        var name: String, regime: String, items: Int, truePairs: Int
        var winnow: Score, datalab: Score, winnowPixels: Score, datalabPixels: Score
        var badRecall: Double, badRecallPixels: Double, badGroups: Int
        var winnowSeconds: Double, winnowPixelsSeconds: Double, datalabSeconds: Double
    }

    func run() throws {
        let list = { (text: String) in text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        var rows: [Row] = []
        var version = "?"
        printError("machine: \(Self.machine())")
        for kind in list(kinds) {
            for regime in list(regimes) {
                for strength in list(transforms) {
                    for seed in list(seeds) {
                        for mix in list(mixes) {
                            let parts = mix.split(separator: ":")
                            guard parts.count == 2 else { throw CLIFailure(message: "--mixes wants rate:classes pairs, got \(mix)", exit: .usage) }
                            let name = "\(kind)-\(regime)-\(strength)-s\(seed)-r\(parts[0])-k\(parts[1])"
                            let root = work + "/" + name
                            let result = try reference.run(
                                "Benchmarks/reference/duplicates_bench.py",
                                [
                                    "--out", root, "--kind", kind, "--regime", regime, "--transforms", strength, "--seed", seed,
                                    "--sources", "\(sources)", "--copy-rate", String(parts[0]), "--classes", String(parts[1])
                                ], as: Reference.self)
                            version = result.cleanlab_version
                            let row = try measure(name: name, regime: regime, root: root, reference: result)
                            print(Self.format(row))
                            rows.append(row)
                        }
                    }
                }
            }
        }
        if let sample {
            let root = work + "/sample"
            try? FileManager.default.removeItem(atPath: root)
            try Self.copyDataset(from: sample, to: root, embeddings: true)
            let result = try reference.run("Benchmarks/reference/duplicates_bench.py", ["--dataset", root], as: Reference.self)
            let row = try measure(name: "sample " + (sample as NSString).lastPathComponent, regime: "sample", root: root, reference: result)
            print(Self.format(row))
            rows.append(row)
        }
        print(Self.table(rows, cleanlab: version))
    }

    /// Winnow with and without embeddings on the dataset at `root`, against its ground truth.
    func measure(name: String, regime: String, root: String, reference: Reference) throws -> Row {
        let truth = try Self.groundTruth(root + "/ground_truth.csv")
        var truePairs = Set<Pair>()
        for members in truth.groups.values where members.count > 1 {
            for (i, a) in members.enumerated() { for b in members[(i + 1)...] { truePairs.insert(Pair(a, b)) } }
        }
        let conflicting = truth.groups.values.filter { Set($0.map { truth.label[$0] ?? "" }).count > 1 }

        func winnow(_ dataset: String) throws -> (pairs: Set<Pair>, badRecall: Double, seconds: Double) {
            let state = dataset + "/.winnow-bench"
            try? FileManager.default.removeItem(atPath: state)
            let start = MonotonicClock.now()
            let options = try ProjectOptions.parse([dataset, "--state", state])
            let project = try Project.open(options, importIfNeeded: false)
            let snapshot = try DatasetReader(root: project.root, config: project.config).read(progress: SilentProgress())
            _ = try project.store.applyImport(snapshot, datasetRoot: project.root, progress: SilentProgress())
            let session = try AnalysisSession(project, progress: SilentProgress())
            let input = try session.input(graph: try session.neighbourGraph()?.graph)
            let components = Components(count: input.count, pairs: input.duplicatePairs, identical: input.identical)
            let seconds = MonotonicClock.now() - start
            let paths = session.context.items.map(\.path)
            var found = Set<Pair>()
            var groupOf: [String: Int] = [:]
            for (g, members) in components.members.enumerated() {
                for m in members { groupOf[paths[Int(m)]] = g }
                for (i, a) in members.enumerated() { for b in members[(i + 1)...] { found.insert(Pair(paths[Int(a)], paths[Int(b)])) } }
            }
            // A conflicting copy group is caught when two of its members with different labels share a group.
            let caught = conflicting.filter { members in
                var labelsByGroup: [Int: Set<String>] = [:]
                for m in members { if let g = groupOf[m] { labelsByGroup[g, default: []].insert(truth.label[m] ?? "") } }
                return labelsByGroup.values.contains { $0.count > 1 }
            }
            if explain {
                try Self.explain(
                    dataset: dataset, found: found, truth: truePairs, conflicting: conflicting, groupOf: groupOf, label: truth.label,
                    pairs: input.duplicatePairs, paths: paths, descriptors: try session.imageVectors().descriptors)
            }
            try? FileManager.default.removeItem(atPath: state)
            return (found, conflicting.isEmpty ? 1 : Double(caught.count) / Double(conflicting.count), seconds)
        }
        let withEmbeddings = try winnow(root)
        let plain = root + "-no-embeddings"
        try? FileManager.default.removeItem(atPath: plain)
        try Self.copyDataset(from: root, to: plain, embeddings: false)
        let withoutEmbeddings = try winnow(plain)
        try? FileManager.default.removeItem(atPath: plain)
        let datalab = Set(reference.datalab_embeddings.map { Pair($0[0], $0[1]) })
        let datalabPixels = Set(reference.datalab_pixels.map { Pair($0[0], $0[1]) })
        return Row(
            name: name, regime: regime, items: reference.items, truePairs: truePairs.count,
            winnow: Score(found: withEmbeddings.pairs, truth: truePairs), datalab: Score(found: datalab, truth: truePairs),
            winnowPixels: Score(found: withoutEmbeddings.pairs, truth: truePairs), datalabPixels: Score(found: datalabPixels, truth: truePairs),
            badRecall: withEmbeddings.badRecall, badRecallPixels: withoutEmbeddings.badRecall, badGroups: conflicting.count,
            winnowSeconds: withEmbeddings.seconds, winnowPixelsSeconds: withoutEmbeddings.seconds,
            datalabSeconds: reference.datalab_embeddings_seconds + reference.datalab_pixels_seconds)
    }

    /// Wrong and missed pairs, and missed conflicting groups, with what the pixels said.
    static func explain(
        dataset: String, found: Set<Pair>, truth: Set<Pair>, conflicting: [[String]], groupOf: [String: Int], label: [String: String],
        pairs: [DuplicatePair], paths: [String], descriptors: [DuplicateDescriptor?]
    ) throws {
        var index: [String: Int] = [:]
        for (i, p) in paths.enumerated() { index[p] = i }
        var direct: [Pair: Float] = [:]
        for p in pairs { direct[Pair(paths[Int(p.first)], paths[Int(p.second)])] = p.score }
        func describe(_ p: Pair) -> String {
            let a = index[p.a]!, b = index[p.b]!
            let score = descriptors.isEmpty ? Float.nan : descriptors[a].flatMap { x in descriptors[b].map { x.match($0) } } ?? .nan
            let link = direct[p].map { String(format: "direct %.3f", $0) } ?? "via core"
            let s = TerminalText.sanitize // file names and labels come from the dataset
            return String(
                format: "%@ %@ match %.3f (%@) groups %@/%@ labels %@/%@", s(p.a), s(p.b), score, link,
                groupOf[p.a].map(String.init) ?? "-", groupOf[p.b].map(String.init) ?? "-", s(label[p.a] ?? "?"), s(label[p.b] ?? "?"))
        }
        printError("explain \(TerminalText.sanitize(dataset))")
        for p in found.subtracting(truth).sorted(by: { ($0.a, $0.b) < ($1.a, $1.b) }) { printError("  false  " + describe(p)) }
        for p in truth.subtracting(found).sorted(by: { ($0.a, $0.b) < ($1.a, $1.b) }) { printError("  missed " + describe(p)) }
        for members in conflicting {
            var labelsByGroup: [Int: Set<String>] = [:]
            for m in members { if let g = groupOf[m] { labelsByGroup[g, default: []].insert(label[m] ?? "") } }
            if !labelsByGroup.values.contains(where: { $0.count > 1 }) {
                printError(
                    "  bad group missed: "
                        + members.map {
                            "\(TerminalText.sanitize($0))[\(TerminalText.sanitize(label[$0] ?? "?"))→\(groupOf[$0].map(String.init) ?? "-")]"
                        }.joined(separator: " "))
            }
        }
    }

    /// Copies a dataset's files (not its state), with or without embeddings.npy.
    static func copyDataset(from source: String, to destination: String, embeddings: Bool) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: destination, withIntermediateDirectories: true)
        for name in try manager.contentsOfDirectory(atPath: source) where !name.hasPrefix(".") {
            if name == "embeddings.npy" && !embeddings { continue }
            if name == "winnow.toml" { continue } // default settings: that is what is measured
            try manager.copyItem(atPath: source + "/" + name, toPath: destination + "/" + name)
        }
    }

    /// Each image's copy group (images without copies are their own group) and given label.
    static func groundTruth(_ path: String) throws -> (groups: [String: [String]], label: [String: String]) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline)
        let header = lines.first.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
        guard let image = header.firstIndex(of: "image"), let group = header.firstIndex(of: "duplicate_group"),
            let given = header.firstIndex(of: "given_label")
        else {
            throw CLIFailure(message: "\(path) needs the columns image, duplicate_group and given_label", exit: .dataError)
        }
        var groups: [String: [String]] = [:], label: [String: String] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == header.count else { continue } // quoted commas: none in these files' columns used here
            let key = fields[group].isEmpty ? "single:" + fields[image] : fields[group]
            groups[key, default: []].append(fields[image])
            label[fields[image]] = fields[given]
        }
        return (groups, label)
    }

    static func format(_ r: Row) -> String {
        String(
            format: "%-34@ %5d %5d | %@ | %@ | %@ | %@ | %.2f %.2f (%d)", r.name, r.items, r.truePairs, r.winnow.text, r.datalab.text,
            r.winnowPixels.text, r.datalabPixels.text, r.badRecall, r.badRecallPixels, r.badGroups)
    }

    static func table(_ rows: [Row], cleanlab: String) -> String {
        var lines = [
            "", "pair precision recall F1 (P R F1); bad: bad-component recall with / without embeddings (conflicting copy groups)",
            String(
                format: "%-34@ %5@ %5@ | %-17@ | %-17@ | %-17@ | %-17@ | %@", "dataset", "items", "pairs", "winnow embeddings",
                "datalab \(cleanlab)", "winnow no embed.", "datalab pixels", "bad")
        ]
        lines += rows.map(format)
        func worst(_ subset: [Row], _ label: String) {
            guard !subset.isEmpty else { return }
            func minimum(_ f: (Row) -> Double) -> Double { subset.map(f).min()! }
            lines.append(
                String(
                    format:
                        "worst %-28@ F1 winnow %.3f (P %.3f) datalab %.3f | no embeddings: F1 winnow %.3f (P %.3f) datalab %.3f | bad %.2f %.2f | F1 winnow − datalab ≥ %+.3f",
                    label, minimum { $0.winnow.f1 }, minimum { $0.winnow.precision }, minimum { $0.datalab.f1 },
                    minimum { $0.winnowPixels.f1 }, minimum { $0.winnowPixels.precision }, minimum { $0.datalabPixels.f1 },
                    minimum { $0.badRecall }, minimum { $0.badRecallPixels }, minimum { $0.winnow.f1 - $0.datalab.f1 }))
        }
        for regime in ["clusters", "weak", "noisy", "sample"] { worst(rows.filter { $0.regime == regime }, regime) }
        worst(rows, "overall")
        let seconds = rows.reduce(0) { $0 + $1.winnowSeconds + $1.winnowPixelsSeconds }, datalab = rows.reduce(0) { $0 + $1.datalabSeconds }
        lines.append(
            String(format: "time: winnow %.1f s (import + analysis, both runs) · datalab %.1f s (find_issues only) · %@", seconds, datalab, machine())
        )
        return lines.joined(separator: "\n")
    }

    static func machine() -> String {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n").first { $0.hasPrefix("flags") }
        let features = ["avx2", "fma", "avx512f"].filter { flags?.contains(" \($0)") ?? false }.joined(separator: ",")
        return "Linux \(release), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(features), load \(load)"
    }
}
