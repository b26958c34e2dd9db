import Foundation

/// Runs the built `winnow` executable, as a user (or a script) would.
public enum WinnowProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The executable next to the test bundle (`swift build` puts both in the same folder),
    /// or `$WINNOW_BIN`.
    public static let executable: String = {
        if let explicit = ProcessInfo.processInfo.environment["WINNOW_BIN"] { return explicit }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("winnow").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return Repository.root + "/.build/debug/winnow"
    }()

    /// `winnow-bench`, built beside `winnow` (the benchmarks are their own executable).
    public static var benchExecutable: String {
        URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("winnow-bench").path
    }

    /// Runs `winnow-bench` with these arguments.
    @discardableResult
    public static func runBench(_ arguments: [String], environment: [String: String] = [:]) -> Result {
        run(arguments, environment: environment, executable: benchExecutable)
    }

    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil, executable: String? = nil) -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? Self.executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["WINNOW_REVIEWER"] = nil
        // The store comes from each test's arguments (or `environment`), never from the shell running the tests.
        env["WINNOW_STORE"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try! process.run()
        // Read both pipes concurrently so a chatty process cannot fill one and block.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
