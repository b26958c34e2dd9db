#if canImport(Glibc)
import Glibc
#endif
import Foundation
import WinnowSession

/// Runs a program as a child process and measures it: wall time, CPU time and peak resident
/// memory (from wait4's rusage of that child alone). Output goes to a file, returned as text.
/// On a shared machine the CPU time says what the wall time would be without the others:
/// at least cpuSeconds / cores.
struct ChildRun {
    let seconds: Double
    let cpuSeconds: Double
    let status: Int32
    let peakResidentBytes: Int
    let output: String

    /// The `winnow` executable built beside this one (to time `winnow import` and `winnow
    /// analyze` as a user runs them), or `$WINNOW_BIN`.
    static var winnowExecutable: String {
        if let explicit = ProcessInfo.processInfo.environment["WINNOW_BIN"], !explicit.isEmpty { return explicit }
        let this = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: this).deletingLastPathComponent().appendingPathComponent("winnow").path
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ChildRun {
        let log = NSTemporaryDirectory() + "winnow-child-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).log"
        defer { unlink(log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let start = MonotonicClock.now()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw CLIFailure(message: "cannot run \(executable): \(String(cString: strerror(spawned)))", exit: .projectError)
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = MonotonicClock.now() - start
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let cpu =
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec)
            / 1e6
        return ChildRun(seconds: seconds, cpuSeconds: cpu, status: exited, peakResidentBytes: Int(usage.ru_maxrss) * 1024, output: output)
    }
}
