#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Foundation
import WinnowCore
import WinnowHelperModel
import WinnowSession

struct BenchHelper: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "helper",
        abstract: "Time the helper model against scikit-learn's LogisticRegression + cross_val_predict on the same data.",
        discussion: """
            Generates classification features in memory (Gaussian classes with per-column \
            scales and offsets, labels with uniform noise), trains Winnow's helper model \
            (K-fold out-of-fold probabilities; regularisation chosen by inner \
            cross-validation; then retrained from its weights after --retrain-changes \
            reviewed items, as the review screen does; and again with C = 1), then runs \
            Benchmarks/reference/helper_bench.py on the same features and labels \
            (StandardScaler + LogisticRegression(C = 1) + cross_val_predict, \
            StratifiedKFold), and prints both times, their ratio and both out-of-fold \
            log-losses, with the CPU, the BLAS kernels and the load average. \
            --no-reference skips scikit-learn (the 1M-item run).
            """)

    @Option(help: "Number of items.") var items = 100_000
    @Option(help: "Number of classes.") var classes = 10
    @Option(help: "Feature dimension.") var dimension = 128
    @Option(help: "Folds.") var folds = 5
    @Option(help: "Share of labels flipped to a random class.") var noise = 0.1
    @Option(help: "Distance of the class centres (in feature standard deviations per column).") var separation = 0.35
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Repetitions (each side once per repetition, alternating).") var runs = 1
    @Option(help: "Decisions before the timed retrain (labels set to the truth, counted as verified).") var retrainChanges = 200
    @Flag(help: "Skip scikit-learn.") var noReference = false
    @OptionGroup var reference: ReferenceTool

    struct Reference: Decodable {
        let seconds: Double
        let log_loss: Double
        let accuracy: Double
        let sklearn: String
        let blas: String
        let load_before: Double
        let load_after: Double
        let convergence_warnings: Int
    }

    func run() throws {
        let data = BenchHelperData(items: items, classes: classes, dimension: dimension, noise: noise, separation: separation, seed: seed)
        let directory = NSTemporaryDirectory() + "winnow-helper-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        if !noReference { try data.write(to: directory) }
        print(BenchEnvironment.describe())
        print("\(items) items × \(dimension) features, \(classes) classes, \(Int(noise * 100))% noisy labels, \(folds) folds")
        for run in 1...max(1, runs) {
            var settings = HelperSettings()
            settings.folds = folds
            var auto = try Self.time(data, settings: settings)
            let retrain = Self.retrain(&auto.model, data, changes: retrainChanges)
            settings.regularisation = 1
            let fixed = try Self.time(data, settings: settings)
            let cs = auto.result.regularisation.map { String(format: "%g", $0) }.joined(separator: ", ")
            print("run \(run):")
            print(
                String(
                    format: "  winnow, C by inner CV (%@): %.2f s (CPU %.2f s, %d L-BFGS steps), out-of-fold log-loss %.5f, accuracy %.4f, load %.1f",
                    cs, auto.seconds, auto.cpu, auto.result.iterations, auto.result.outOfFoldLogLoss, auto.result.outOfFoldAccuracy, auto.load))
            print(
                String(
                    format:
                        "  winnow, C = 1:               %.2f s (CPU %.2f s, %d L-BFGS steps), out-of-fold log-loss %.5f, accuracy %.4f, load %.1f",
                    fixed.seconds, fixed.cpu, fixed.result.iterations, fixed.result.outOfFoldLogLoss, fixed.result.outOfFoldAccuracy, fixed.load))
            print(
                String(
                    format: "  winnow, retrain after %d decisions (warm start): %.2f s (CPU %.2f s, %d L-BFGS steps), out-of-fold log-loss %.5f",
                    retrain.changed, retrain.seconds, retrain.cpu, retrain.result.iterations, retrain.result.outOfFoldLogLoss))
            guard !noReference else { continue }
            let sk = try reference.run(
                "Benchmarks/reference/helper_bench.py",
                [
                    "--features", directory + "/features.npy", "--labels", directory + "/labels.npy",
                    "--folds", "\(folds)", "--C", "1", "--seed", "\(seed)"
                ], as: Reference.self)
            print(
                String(
                    format: "  scikit-learn %@, C = 1:     %.2f s, out-of-fold log-loss %.5f, accuracy %.4f, load %.1f→%.1f%@",
                    sk.sklearn, sk.seconds, sk.log_loss, sk.accuracy, sk.load_before, sk.load_after,
                    sk.convergence_warnings > 0 ? " (\(sk.convergence_warnings) folds stopped at max_iter)" : ""))
            print("  (scikit-learn's BLAS: \(sk.blas))")
            print(
                String(
                    format: "  → %.1f× faster with C chosen (%.1f× at C = 1); log-loss %+.2f%% (%+.2f%% at C = 1) against scikit-learn's",
                    sk.seconds / auto.seconds, sk.seconds / fixed.seconds,
                    (auto.result.outOfFoldLogLoss / sk.log_loss - 1) * 100, (fixed.result.outOfFoldLogLoss / sk.log_loss - 1) * 100))
        }
    }

    /// A retrain as the review screen runs it: `changes` items reviewed (the first noisy
    /// labels set to the truth, the rest accepted), weighted as verified, the model
    /// continuing from its last fit.
    static func retrain(_ model: inout HelperModel, _ data: BenchHelperData, changes: Int) -> (
        changed: Int, seconds: Double, result: HelperResult, cpu: Double
    ) {
        var labels = data.labels, weights = [Float](repeating: 1, count: data.items)
        let noisy = (0..<data.items).filter { data.labels[$0] != data.truth[$0] }
        let reviewed =
            Array(noisy.prefix(changes / 2))
            + Array((0..<data.items).filter { data.labels[$0] == data.truth[$0] }.prefix(changes - min(noisy.count, changes / 2)))
        for i in reviewed {
            labels[i] = data.truth[i]
            weights[i] = HelperEvidence.verifiedWeight
        }
        let cpu = BenchEnvironment.cpuSeconds()
        let start = MonotonicClock.now()
        let result = model.train(labels: labels, weights: weights)
        return (reviewed.count, MonotonicClock.now() - start, result, BenchEnvironment.cpuSeconds() - cpu)
    }

    static func time(_ data: BenchHelperData, settings: HelperSettings) throws -> (
        seconds: Double, result: HelperResult, load: Double, cpu: Double, model: HelperModel
    ) {
        let load = BenchEnvironment.loadAverage()
        let cpu = BenchEnvironment.cpuSeconds()
        let start = MonotonicClock.now()
        var model = try HelperModel.prepare(
            items: data.items, columns: data.dimension, read: data.reader, labels: data.labels,
            weights: [Float](repeating: 1, count: data.items), classes: data.classes, settings: settings)
        let result = model.train(labels: data.labels, weights: [Float](repeating: 1, count: data.items))
        return (MonotonicClock.now() - start, result, max(load, BenchEnvironment.loadAverage()), BenchEnvironment.cpuSeconds() - cpu, model)
    }
}

/// The benchmark's features: Gaussian classes whose centres differ by `separation` per
/// column, every column then given its own scale and offset (so standardising matters),
/// and a share of labels flipped uniformly. Deterministic for a seed.
struct BenchHelperData {
    let items: Int, classes: Int, dimension: Int
    let features: [Float]
    let labels: [Int32]
    let truth: [Int32]

    init(items: Int, classes: Int, dimension: Int, noise: Double, separation: Double, seed: UInt64) {
        self.items = items
        self.classes = classes
        self.dimension = dimension
        var rng = SplitMix64(seed: seed)
        let centres = (0..<(classes * dimension)).map { _ in rng.gaussian() * separation }
        let scales = (0..<dimension).map { _ in 0.2 + 3 * Double(rng.next() % 1000) / 1000 }
        let offsets = (0..<dimension).map { _ in 5 * rng.gaussian() }
        var truth = [Int32](repeating: 0, count: items), labels = [Int32](repeating: 0, count: items)
        var features = [Float](repeating: 0, count: items * dimension)
        for i in 0..<items {
            let t = Int(rng.next() % UInt64(classes))
            truth[i] = Int32(t)
            labels[i] = Double(rng.next() % 1_000_000) / 1_000_000 < noise ? Int32(rng.next() % UInt64(classes)) : Int32(t)
            for j in 0..<dimension {
                features[i * dimension + j] = Float((centres[t * dimension + j] + rng.gaussian()) * scales[j] + offsets[j])
            }
        }
        self.features = features
        self.labels = labels
        self.truth = truth
    }

    var reader: FeatureMatrix.RowReader {
        let features = self.features, d = dimension
        return { item, into in
            features.withUnsafeBufferPointer { into.update(from: $0.baseAddress! + item * d, count: d) }
        }
    }

    func write(to directory: String) throws {
        var x = Data(NPYWriter.float32Header(rows: items, columns: dimension))
        features.withUnsafeBytes { x.append(contentsOf: $0) }
        try x.write(to: URL(fileURLWithPath: directory + "/features.npy"))
        var y = Data(NPYWriter.float32Header(rows: items, columns: 1))
        labels.map(Float.init).withUnsafeBytes { y.append(contentsOf: $0) }
        try y.write(to: URL(fileURLWithPath: directory + "/labels.npy"))
    }
}

/// What a benchmark ran on: the CPU, its vector extensions, the BLAS kernel setting, the
/// kernel, and the load.
enum BenchEnvironment {
    static func describe() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model =
            cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }.map {
                String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingASCIIWhitespace()
            } ?? "unknown CPU"
        let flags = Set(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
        let vector = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_bf16", "avx512_vnni"].filter(flags.contains).joined(separator: " ")
        var system = utsname()
        uname(&system)
        let release = withUnsafeBytes(of: system.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let environment = ProcessInfo.processInfo.environment
        let blas = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"].compactMap { key in environment[key].map { "\(key)=\($0)" } }.joined(separator: " ")
        return
            "CPU: \(model), \(sysconf(Int32(_SC_NPROCESSORS_ONLN))) cores (\(vector)); Linux \(release); \(blas.isEmpty ? "OpenBLAS chooses its kernels" : blas); load average \(String(format: "%.1f", loadAverage()))"
    }

    /// CPU time (user and system) of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec)
            / 1e6
    }

    static func loadAverage() -> Double {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) > 0 ? loads[0] : .nan
    }
}
