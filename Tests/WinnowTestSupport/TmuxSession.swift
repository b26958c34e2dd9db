import Foundation

/// Drives a program in a real terminal: a private tmux server (its own socket, so tests
/// never touch the user's tmux), keys sent with `send-keys`, the screen read with
/// `capture-pane`. Waits poll for the expected text; there are no fixed sleeps.
public final class TmuxSession: @unchecked Sendable {
    public let socket: String
    public let session = "winnow"

    /// Starts `command` (an argument list) in a `columns`×`rows` window. The pane stays
    /// after the program exits, so its last screen (and exit status) can still be read.
    public init(_ command: [String], columns: Int = 120, rows: Int = 40, environment: [String: String] = [:], function: String = #function) throws {
        socket = "winnow-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // No $WINNOW_STORE from the shell running the tests: a test names its store itself.
        var env = ["TERM": "tmux-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "WINNOW_STORE": ""]
        env.merge(environment) { $1 }
        // A shell runs the program and prints its exit status when it ends, where the
        // test can read it (tmux 3.3 does not report every exit status).
        let program = (["env"] + env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + command).map(Self.shellQuote).joined(separator: " ")
        // The shell then stays (until the server is killed) so the last screen can be read:
        // tmux 3.3's remain-on-exit loses lines printed just before the exit.
        let shellCommand = "sh -c " + Self.shellQuote(program + "; echo \"[exit $?]\"; exec sleep 600")
        try tmux(["-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "\(columns)", "-y", "\(rows)", shellCommand])
    }

    deinit { try? tmux(["kill-server"]) }

    public static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    @discardableResult
    public func tmux(_ arguments: [String]) throws -> String {
        // posix_spawn and waitpid rather than Foundation's Process: the tmux server that
        // `new-session` forks keeps inherited descriptors, and Process would wait on them.
        let outputPath = NSTemporaryDirectory() + "/\(socket)-\(UInt32.random(in: 0...UInt32.max)).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = (["tmux", "-L", socket] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // The test runner's threads block most signals; a tmux server (and the programs
        // in its panes) inheriting that mask would never see SIGHUP or SIGTERM.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, "tmux", &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw TmuxError(description: "cannot run tmux: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0, code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw TmuxError(description: "tmux \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    public struct TmuxError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The screen as text.
    public func screen() -> String { (try? tmux(["capture-pane", "-p", "-t", session])) ?? "" }

    /// The screen with its colours and attributes as escape sequences (`capture-pane -e`).
    public func styledScreen() -> String { (try? tmux(["capture-pane", "-p", "-e", "-t", session])) ?? "" }

    /// Sends keys in tmux's key names ("Enter", "Escape", "C-l", "j").
    public func send(_ keys: String...) throws {
        try tmux(["send-keys", "-t", session] + keys)
    }

    /// Sends text literally.
    public func type(_ text: String) throws {
        try tmux(["send-keys", "-t", session, "-l", text])
    }

    public func resize(columns: Int, rows: Int) throws {
        try tmux(["resize-window", "-t", session, "-x", "\(columns)", "-y", "\(rows)"])
    }

    /// Waits until the screen contains `text`; returns the screen. Throws with the last
    /// screen after `timeout`.
    @discardableResult
    public func waitFor(_ text: String, timeout: Double = 20) throws -> String {
        try waitUntil("\"\(text)\" on screen", timeout: timeout) { $0.contains(text) }
    }

    @discardableResult
    public func waitUntil(_ what: String, timeout: Double = 20, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = screen()
            if condition(last) { return last }
            usleep(20_000)
        }
        throw TmuxError(description: "timed out waiting for \(what); the screen was:\n\(last)")
    }

    /// The process id of the program (the child of the pane's shell).
    public func pid() throws -> Int32 {
        let text = try tmux(["list-panes", "-t", session, "-F", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let shell = Int32(text) else { throw TmuxError(description: "no pane pid in \(text)") }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.range(of: ")", options: .backwards)
            else { continue }
            let fields = stat[close.upperBound...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == shell { return pid }
        }
        throw TmuxError(description: "the program in the pane is not running")
    }

    /// The program's exit status, once the shell has printed it.
    public func exitStatus() -> Int32? {
        guard let range = screen().range(of: "[exit ") else { return nil }
        let rest = screen()[range.upperBound...]
        return Int32(rest.prefix { $0.isNumber })
    }

    /// Waits until the program has exited; returns its exit status.
    @discardableResult
    public func waitForExit(timeout: Double = 20) throws -> Int32 {
        try waitFor("[exit ", timeout: timeout)
        return exitStatus() ?? -1
    }

    /// Whether tmux is installed (tests that need it are skipped, loudly, without it).
    public static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/tmux")
    }
}
