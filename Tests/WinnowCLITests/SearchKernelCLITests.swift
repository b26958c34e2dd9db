import Foundation
import Testing
import WinnowNeighbours
import WinnowTestSupport

/// The neighbour graph `winnow analyze` caches for the shapes sample, as bytes, with
/// `environment` (e.g. WINNOW_KERNEL) and an optional wrapper command (an emulator).
private func analysedGraph(
    environment: [String: String] = [:], wrapper: [String] = [], toml: String? = nil,
    function: String = #function
) throws -> (graph: Data, analyze: WinnowProcess.Result) {
    let dataset = Repository.copyOfSample(Repository.sampleShapes, function: function)
    if let toml { dataset.write("winnow.toml", toml) }
    func run(_ arguments: [String]) -> WinnowProcess.Result {
        let command = wrapper + [WinnowProcess.executable] + arguments
        return WinnowProcess.run(Array(command.dropFirst()), environment: environment, executable: command[0])
    }
    let imported = run(["import", dataset.root])
    #expect(imported.status == 0, "\(imported.stderr)")
    let analyzed = run(["analyze", dataset.root])
    #expect(analyzed.status == 0, "\(analyzed.stderr)")
    let folder = dataset.statePath + "/neighbours"
    // The embeddings' graph (the pixel features' graph, features-*.bin, is searched for near-duplicates too).
    let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".bin") && !$0.hasPrefix("features-") }
    try #require(files.count == 1)
    return (try Data(contentsOf: URL(fileURLWithPath: folder + "/" + files[0])), analyzed)
}

/// qemu-user (Debian's qemu-user, in the Makefile's packages) emulates CPUs without the
/// instructions this one has.
private let emulator = ["/usr/bin/qemu-x86_64", "/usr/bin/qemu-x86_64-static"].first { FileManager.default.isExecutableFile(atPath: $0) }

@Suite("Search kernels, end to end", .serialized)
struct SearchKernelCLITests {
    /// Issue 12 / 17: the result does not depend on the kernel. Each kernel this CPU runs,
    /// forced with WINNOW_KERNEL, writes the same graph, byte for byte, and analyze names it.
    @Test func everyKernelWritesTheSameGraph() throws {
        var first: Data?
        for kernel in SearchKernel.supported {
            let (graph, analyzed) = try analysedGraph(environment: ["WINNOW_KERNEL": kernel.rawValue])
            #expect(analyzed.stdout.contains("exact search (kernel \(kernel.rawValue))"), "\(analyzed.stdout)")
            if let first { #expect(graph == first, "the \(kernel.rawValue) kernel wrote a different graph") } else { first = graph }
        }
    }

    /// `winnow doctor` says which kernel runs and why, and reports a user's OPENBLAS_CORETYPE
    /// without changing it; an unknown WINNOW_KERNEL is ignored with a reason.
    @Test func doctorNamesTheKernelAndWhy() {
        let plain = WinnowProcess.run(["doctor", "--timeout", "0.1"], environment: ["OPENBLAS_CORETYPE": "Haswell"])
        #expect(plain.stdout.contains("search kernel: \(SearchKernel.best.rawValue)"), "\(plain.stdout)")
        #expect(plain.stdout.contains("from CPUID"))
        #expect(plain.stdout.contains("OPENBLAS_CORETYPE=Haswell is set: respected"))
        let forced = WinnowProcess.run(["doctor", "--timeout", "0.1"], environment: ["WINNOW_KERNEL": "portable"])
        #expect(forced.stdout.contains("search kernel: portable") && forced.stdout.contains("forced by WINNOW_KERNEL=portable"))
        let bogus = WinnowProcess.run(["doctor", "--timeout", "0.1"], environment: ["WINNOW_KERNEL": "quantum"])
        #expect(bogus.stdout.contains("search kernel: \(SearchKernel.best.rawValue)") && bogus.stdout.contains("was ignored"))
    }

    /// `winnow doctor` reports the colours the review screen will draw in, by the screen's
    /// own rule: TERM_PROGRAM=WezTerm advertises 24-bit colour, but TERM=xterm-256color
    /// without COLORTERM gives the screen 256.
    @Test func doctorReportsTheScreensColourDepth() {
        let advertised = WinnowProcess.run(
            ["doctor", "--timeout", "0.1"], environment: ["TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm", "COLORTERM": "", "NO_COLOR": ""])
        #expect(advertised.stdout.contains("text colours          256 colours"), "\(advertised.stdout)")
        #expect(advertised.stdout.contains("terminfo xterm-256color has 256 colours"))
        let direct = WinnowProcess.run(
            ["doctor", "--timeout", "0.1"], environment: ["TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": ""])
        #expect(direct.stdout.contains("block colours         24-bit colour"), "\(direct.stdout)")
    }

    /// A machine without AVX (qemu's Nehalem: SSE4.2 at most) still runs: the portable
    /// kernel gives the same graph as this CPU's best kernel, and approximate search runs
    /// hnswlib's SSE2 build. An AVX instruction anywhere on those paths would stop the
    /// process with SIGILL.
    @Test(.enabled(if: emulator != nil, "needs qemu-user (make deps installs it)"))
    func runsOnACPUWithoutAVX() throws {
        let native = try analysedGraph().graph
        let doctor = WinnowProcess.run(["-cpu", "Nehalem", WinnowProcess.executable, "doctor", "--timeout", "0.1"], executable: emulator!)
        #expect(doctor.stdout.contains("search kernel: portable"), "\(doctor.stdout)\(doctor.stderr)")
        let (emulated, analyzed) = try analysedGraph(wrapper: [emulator!, "-cpu", "Nehalem"])
        #expect(analyzed.stdout.contains("exact search (kernel portable)"))
        #expect(emulated == native, "the portable kernel wrote a different graph")
        let (_, approximate) = try analysedGraph(wrapper: [emulator!, "-cpu", "Nehalem"], toml: "[analysis]\nsearch = \"approximate\"\n")
        #expect(approximate.stdout.contains("approximate search"), "\(approximate.stdout)\(approximate.stderr)")
    }
}
