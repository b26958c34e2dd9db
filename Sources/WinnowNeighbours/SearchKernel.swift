#if canImport(Glibc)
import Glibc
#endif
import CNeighbourKernels
import WinnowCore

/// What CPUID (and XGETBV) report about this CPU: the only thing kernels are chosen by.
/// The model name is shown, never consulted (virtual machines report generic ones).
public struct CPUFeatures: Sendable {
    public let vendor: String
    public let brand: String
    /// The instruction-set extensions present, in the names of /proc/cpuinfo.
    public let flags: [String]
    /// The OS saves the AVX-512 registers across context switches (XCR0).
    public let osSavesAVX512: Bool

    public static let current = CPUFeatures()

    init() {
        var f = winnow_cpu_features()
        winnow_cpu_features_get(&f)
        func text<T>(_ tuple: T) -> String {
            withUnsafeBytes(of: tuple) { raw in
                trimmed(String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self))
            }
        }
        vendor = text(f.vendor)
        brand = text(f.brand)
        let named: [(String, Int32)] = [
            ("sse2", f.sse2), ("avx", f.avx), ("fma", f.fma), ("f16c", f.f16c), ("avx2", f.avx2),
            ("avx512f", f.avx512f), ("avx512dq", f.avx512dq), ("avx512cd", f.avx512cd), ("avx512bw", f.avx512bw),
            ("avx512vl", f.avx512vl), ("avx512ifma", f.avx512ifma), ("avx512vbmi", f.avx512vbmi),
            ("avx512_vnni", f.avx512vnni), ("avx512_bf16", f.avx512bf16), ("avx512_fp16", f.avx512fp16),
            ("avx_vnni", f.avxvnni), ("amx_tile", f.amx_tile)
        ]
        flags = named.filter { $0.1 != 0 }.map(\.0)
        osSavesAVX512 = f.os_avx512 != 0
    }

    /// "AMD EPYC (AuthenticAMD): sse2 avx … avx512_vnni": for benchmarks and `winnow doctor`.
    public var summary: String {
        "\(TerminalText.sanitize(brand.isEmpty ? "unnamed CPU" : brand)) (\(TerminalText.sanitize(vendor))): \(flags.joined(separator: " "))"
    }
}

/// The kernels of exact search's approximate pass. Each computes every pair's similarity
/// with a known error bound; the candidates are then re-ranked exactly, so the result does
/// not depend on the kernel (only the time does).
public enum SearchKernel: String, Sendable, CaseIterable {
    case portable
    case avx2
    case avx512
    case avx512VNNI = "avx512-vnni"

    var c: winnow_knn_kernel {
        switch self {
        case .portable: WINNOW_KNN_PORTABLE
        case .avx2: WINNOW_KNN_AVX2
        case .avx512: WINNOW_KNN_AVX512
        case .avx512VNNI: WINNOW_KNN_AVX512_VNNI
        }
    }

    /// What it computes with, in words.
    public var summary: String {
        switch self {
        case .portable: "float32 candidates in plain C (any CPU), exact float64 re-ranking"
        case .avx2: "float32 candidates with AVX2/FMA, exact float64 re-ranking"
        case .avx512: "float32 candidates with AVX-512, exact float64 re-ranking"
        case .avx512VNNI: "int8 candidates with AVX-512 VNNI (4× the float32 rate), exact float64 re-ranking"
        }
    }

    /// The CPU features it needs.
    public var requires: String {
        switch self {
        case .portable: "nothing"
        case .avx2: "avx avx2 fma (and the OS saving YMM)"
        case .avx512: "avx512f avx512bw avx512dq avx512vl (and the OS saving ZMM)"
        case .avx512VNNI: "avx512f avx512bw avx512dq avx512vl avx512_vnni (and the OS saving ZMM)"
        }
    }

    public var isSupported: Bool { winnow_knn_kernel_supported(c) != 0 }

    /// The fastest kernel this CPU runs.
    public static var best: SearchKernel { from(winnow_knn_best_kernel()) }

    public static var supported: [SearchKernel] { allCases.filter(\.isSupported) }

    static func from(_ kernel: winnow_knn_kernel) -> SearchKernel {
        allCases.first { $0.c == kernel } ?? .portable
    }

    /// Exact search of n × d is chosen by `auto` up to this much work (n²·d): a few
    /// minutes on two cores of a 2024 server with this kernel; approximate search above.
    public var exactWorkLimit: Double {
        switch self {
        case .avx512VNNI: 1.4e14 // 1M × 128 (measured: see README, Benchmarks)
        case .avx512: 4e13
        case .avx2: 2e13
        case .portable: 5e12
        }
    }

    /// The environment variable that forces a kernel (for comparisons and tests).
    public static let overrideVariable = "WINNOW_KERNEL"

    /// The kernel exact search uses in this process, and why.
    public static let selected: (kernel: SearchKernel, reason: String) = choose(override: getenv(overrideVariable).map { String(cString: $0) })

    static func choose(override: String?) -> (kernel: SearchKernel, reason: String) {
        let best = SearchKernel.best
        let why = "the fastest this CPU supports, from CPUID (needs \(best.requires))"
        guard let name = override.map(trimmed), !name.isEmpty else { return (best, why) }
        guard let forced = SearchKernel(rawValue: name) else {
            return (
                best,
                "\(why); \(overrideVariable)=\(TerminalText.sanitize(name)) is not a kernel (\(allCases.map(\.rawValue).joined(separator: ", "))) and was ignored"
            )
        }
        guard forced.isSupported else {
            return (best, "\(why); \(overrideVariable)=\(name) needs \(forced.requires), which this CPU lacks, and was ignored")
        }
        return (forced, "forced by \(overrideVariable)=\(name)")
    }

    /// Lines for `winnow doctor`: the kernel, why, the CPU, and OpenBLAS's setting.
    public static func report() -> [String] {
        let (kernel, reason) = selected
        var lines = [
            "search kernel: \(kernel.rawValue): \(kernel.summary)",
            "  why: \(reason)",
            "  CPU: \(CPUFeatures.current.summary)",
            "  this CPU runs: \(supported.map(\.rawValue).joined(separator: ", ")) (force one with \(overrideVariable)=name)"
        ]
        if let coretype = getenv("OPENBLAS_CORETYPE").map({ String(cString: $0) }) {
            lines.append(
                "  OPENBLAS_CORETYPE=\(TerminalText.sanitize(coretype)) is set: respected (left as it is); Winnow's search does not use OpenBLAS")
        }
        return lines
    }
}

/// `text` without leading and trailing spaces.
func trimmed(_ text: String) -> String {
    String(text.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
}

extension SearchKernel {
    /// Every pair's approximate similarity through this kernel's real tile code, and its
    /// error bound (n × n, row-major; the diagonal is 0): for tests of the bound.
    func approximateScores(_ matrix: EmbeddingMatrix) -> (scores: [Float], bounds: [Float])? {
        let n = matrix.rows
        var scores = [Float](repeating: 0, count: n * n), bounds = [Float](repeating: 0, count: n * n)
        let status = matrix.values.withUnsafeBufferPointer { v in
            scores.withUnsafeMutableBufferPointer { s in
                bounds.withUnsafeMutableBufferPointer { b in
                    winnow_knn_approximate_scores(v.baseAddress, n, matrix.dimension, c, s.baseAddress, b.baseAddress)
                }
            }
        }
        return status == 0 ? (scores, bounds) : nil
    }

    /// The machine's measured peak in G operations per second on `threads` threads: float32
    /// multiply-adds in the widest vectors the CPU has, or int8 VNNI ones (0 without VNNI).
    public static func measuredPeak(int8: Bool, threads: Int, seconds: Double = 1) -> Double {
        winnow_knn_measure_peak(int8 ? 1 : 0, Int32(max(1, threads)), seconds)
    }

    /// The exact similarity as this kernel's build computes it (equal bits on every build).
    func referenceSimilarity(_ a: [Float], _ b: [Float]) -> Double {
        winnow_knn_reference_similarity_using(c, a, b, min(a.count, b.count))
    }
}
