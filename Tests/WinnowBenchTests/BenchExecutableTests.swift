import Foundation
import Testing
import WinnowTestSupport

/// The benchmarks are their own executable, `winnow-bench`: not a subcommand of the shipped
/// `winnow`, and the benches that time `winnow` itself run the `winnow` built beside them.
@Suite("winnow-bench, its own executable")
struct BenchExecutableTests {
    @Test func winnowHasNoBenchSubcommand() {
        let help = WinnowProcess.run(["--help"])
        #expect(help.status == 0)
        #expect(!help.stdout.contains("bench"), "\(help.stdout)")
        let bench = WinnowProcess.run(["bench", "generate", NSTemporaryDirectory() + "winnow-no-bench-\(getpid())"])
        #expect(bench.status == 1, "\(bench.stdout)\(bench.stderr)")
        #expect(!FileManager.default.fileExists(atPath: NSTemporaryDirectory() + "winnow-no-bench-\(getpid())"))
    }

    @Test func winnowBenchListsTheBenchmarks() {
        let help = WinnowProcess.runBench(["--help"])
        #expect(help.status == 0, "\(help.stderr)")
        for bench in [
            "generate", "import", "export", "confident-learning", "neighbours", "analyze", "duplicates", "quality",
            "helper", "review", "review-yield", "label-issues", "multilabel", "crowdlab", "recompute", "pipeline",
            "graphics-encoding", "graphics-frame"
        ] {
            #expect(help.stdout.contains("  \(bench) "), "\(bench) missing from:\n\(help.stdout)")
        }
    }

    /// `winnow-bench export` times `winnow export` as a child: the `winnow` next to it.
    @Test func exportTimesTheWinnowBuiltBesideIt() {
        let dataset = TemporaryDataset()
        let generated = WinnowProcess.runBench(["generate", dataset.root, "--items", "40", "--dimension", "4"])
        #expect(generated.status == 0, "\(generated.stderr)")
        #expect(WinnowProcess.run(["import", dataset.root]).status == 0)
        let run = WinnowProcess.runBench(["export", "--dataset", dataset.root, "--runs", "1", "--formats", "csv,jsonl"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("winnow export --format csv"), "\(run.stdout)")
        #expect(run.stdout.contains("winnow export --format jsonl"), "\(run.stdout)")
        // The timed commands' output goes to /dev/null: it must still be the device (an
        // atomic createFile once renamed a regular file over it, for every process on the box).
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR, "/dev/null is still a character device")
    }

    /// The former manual pixel check: a frame with the text, a sixel image and the cursor return.
    @Test func graphicsFrameWritesASixelFrame() throws {
        let folder = TemporaryDataset()
        let path = folder.root + "/frame.bin"
        let run = WinnowProcess.runBench(["graphics-frame", path])
        #expect(run.status == 0, "\(run.stderr)")
        let frame = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let text = String(decoding: frame, as: UTF8.self)
        #expect(text.hasPrefix("\u{1B}[2J\u{1B}[H"))
        #expect(text.contains("line three\u{1B}"))
        #expect(text.contains("\u{1B}P"), "no sixel DCS in the frame")
        #expect(text.contains("<after>\r\n"))
        let tmux = WinnowProcess.runBench(["graphics-frame", path, "--tmux-origin", "nope"])
        #expect(tmux.status == 1, "\(tmux.stderr)")
    }
}
