#if canImport(Glibc)
import Glibc
#endif
import Foundation

// winnow-fuzz: mutation fuzzing of Winnow's parsers of untrusted files (`make fuzz`).
//
//   WINNOW_FUZZ_TARGET=T winnow-fuzz [libFuzzer options] [CORPUS…]   built by make fuzz (libFuzzer's main)
//   winnow-fuzz TARGET --seconds N [--timeout S] [--artifacts DIR] [SEEDS…]   any other build
//   winnow-fuzz TARGET --replay FILE…                                   runs inputs once (reproduce a finding)

#if WINNOW_LIBFUZZER
/// The target of this libFuzzer run, from WINNOW_FUZZ_TARGET (libFuzzer owns the arguments,
/// and its fork-mode jobs inherit the environment).
let libFuzzerTarget: FuzzTarget = {
    guard let name = ProcessInfo.processInfo.environment["WINNOW_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(
            Data("winnow-fuzz: set WINNOW_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    libFuzzerTarget.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
#else
@main
enum WinnowFuzz {
    static func main() {
        let usage = """
            usage: winnow-fuzz TARGET [options] [CORPUS or SEED folders/files…]
            targets: \(FuzzTarget.allCases.map { "\n  \($0.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \($0.summary)" }.joined())
            Options: --seconds N, --timeout S (a hang), --artifacts DIR, --keep DIR (every 1000th input);
            --replay FILE… runs inputs once.
            (make fuzz builds it with libFuzzer instead: WINNOW_FUZZ_TARGET=T winnow-fuzz [libFuzzer options].)
            """

        let arguments = CommandLine.arguments
        guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else {
            print(usage)
            exit(2)
        }

        let options = Array(arguments.dropFirst(2))
        if options.first == "--replay" {
            for file in files(in: Array(options.dropFirst())) {
                let bytes = Array(FileManager.default.contents(atPath: file) ?? Data())
                print("replaying \(file) (\(bytes.count) bytes)")
                bytes.withUnsafeBytes { target.run($0) }
            }
            print("every input came back")
            exit(0)
        }

        var seconds = 60.0, timeout = 10.0, artifacts = "fuzz-artifacts", keep: String?, seedPaths: [String] = []
        var index = 0
        while index < options.count {
            switch options[index] {
            case "--seconds": index += 1; seconds = Double(options[index]) ?? seconds
            case "--timeout": index += 1; timeout = Double(options[index]) ?? timeout
            case "--artifacts": index += 1; artifacts = options[index]
            case "--keep": index += 1; keep = options[index]
            default: seedPaths.append(options[index])
            }
            index += 1
        }
        let seeds = files(in: seedPaths).compactMap { FileManager.default.contents(atPath: $0).map(Array.init) }
        if let keep { try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true) }
        exit(MutationHarness(target: target, seconds: seconds, timeout: timeout, seeds: seeds, artifacts: artifacts, keep: keep).run())
    }

    static func files(in paths: [String]) -> [String] {
        paths.flatMap { path -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
            guard isDirectory.boolValue else { return [path] }
            return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
        }
    }
}
#endif
