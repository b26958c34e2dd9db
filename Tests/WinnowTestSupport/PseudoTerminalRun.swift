import Foundation

/// Runs a program on a pseudo-terminal of its own, as a person at a terminal would, and
/// keeps every byte it writes there: the hostile-input tests scan them for control bytes a
/// terminal would act on. A watchdog kills the program when it runs past its time, so a
/// hang is a test failure instead of a stuck test run.
///
/// Standard input, output and error are the terminal (its controlling terminal too: the
/// program runs in a session of its own, so `/dev/tty` works). The terminal turns `\n`
/// into `\r\n` as a real one does.
public struct PseudoTerminalRun: Sendable {
    public enum Ending: Sendable, Equatable, CustomStringConvertible {
        /// `exit(code)`.
        case exited(Int32)
        /// Killed by a signal it did not expect (a crash: SIGILL for a Swift trap, SIGSEGV…).
        case signalled(Int32)
        /// Still running at the deadline: killed by the watchdog.
        case hung
        /// Killed with SIGKILL when `killWhen` appeared in its output, as asked.
        case killedOnCue

        public var description: String {
            switch self {
            case .exited(let code): return "exit \(code)"
            case .signalled(let signal): return "killed by signal \(signal) (\(String(cString: strsignal(signal))))"
            case .hung: return "hung (killed by the watchdog)"
            case .killedOnCue: return "killed on cue"
            }
        }
    }

    public var arguments: [String]
    public var ending: Ending
    /// Everything written to the terminal, in order.
    public var output: [UInt8]
    public var seconds: Double

    public var text: String { String(decoding: output, as: UTF8.self) }

    /// The output's lines (the terminal's `\r\n` taken as line ends; in Swift `"\r\n"` is
    /// one Character, so splitting `text` on "\n" would not split there).
    public var lines: [String] {
        text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n").map(String.init)
    }

    /// Runs `executable` with `arguments`; `keys` are typed once `typeWhen` appears in the
    /// output (for a program that waits for them); the program is killed with SIGKILL the
    /// moment `killWhen` appears. `environment` adds to (or with nil values removes from) a
    /// plain terminal environment.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String?] = [:],
        timeout: Double = 30, typeWhen trigger: String? = nil, keys: [UInt8] = [], killWhen cue: String? = nil,
        columns: UInt16 = 120, rows: UInt16 = 40
    ) -> PseudoTerminalRun {
        // posix_openpt, unlockpt and ptsname are hidden by Glibc's module without
        // _XOPEN_SOURCE: their Linux ioctls directly (grantpt does nothing on devpts).
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        precondition(master >= 0, "/dev/ptmx: \(String(cString: strerror(errno)))")
        defer { close(master) }
        // TIOCSPTLCK = _IOW('T', 0x31, int), TIOCGPTN = _IOR('T', 0x30, unsigned int): macros Swift cannot import.
        let setLock: UInt = 0x4004_5431, getNumber: UInt = 0x8004_5430
        var unlock: Int32 = 0, number: UInt32 = 0
        precondition(withUnsafeMutablePointer(to: &unlock) { ioctl(master, setLock, $0) } == 0)
        precondition(withUnsafeMutablePointer(to: &number) { ioctl(master, getNumber, $0) } == 0)
        let slavePath = "/dev/pts/\(number)"
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = withUnsafeMutablePointer(to: &size) { ioctl(master, UInt(TIOCSWINSZ), $0) }

        var env = ProcessInfo.processInfo.environment
        env["WINNOW_REVIEWER"] = nil
        env["TERM"] = "xterm-256color"
        env["LANG"] = "C.UTF-8"
        env["LC_ALL"] = "C.UTF-8"
        env["COLUMNS"] = nil
        for (key, value) in environment { env[key] = value }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Opened after setsid (glibc applies POSIX_SPAWN_SETSID first): it becomes the
        // child's controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The test runner's threads block signals; the program must get the defaults.
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigfillset(&defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        let setsid: Int32 = 0x80 // POSIX_SPAWN_SETSID (glibc 2.26), hidden like the above
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | setsid))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }

        let started = Date()
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        precondition(spawned == 0, "posix_spawn \(executable): \(String(cString: strerror(spawned)))")

        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var hung = false, killedOnCue = false
        var typed = trigger == nil && keys.isEmpty
        let deadline = started.addingTimeInterval(timeout)
        var status: Int32 = 0
        var reaped = false
        while true {
            if !typed, let trigger, output.count >= trigger.utf8.count, String(decoding: output, as: UTF8.self).contains(trigger) {
                keys.withUnsafeBytes { _ = write(master, $0.baseAddress, $0.count) }
                typed = true
            }
            if let cue, !killedOnCue, String(decoding: output, as: UTF8.self).contains(cue) {
                kill(pid, SIGKILL)
                killedOnCue = true
            }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { hung = true; break }
            var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(left, 0.2) * 1000))
            if ready > 0 {
                let count = read(master, &buffer, buffer.count)
                if count > 0 { output += buffer[0..<count]; continue }
                if count < 0 && errno == EINTR { continue }
                break // EIO: every copy of the terminal's other end is closed
            }
            // Nothing to read: the program may have ended while something it started holds
            // the terminal open; stop when it has.
            if waitpid(pid, &status, WNOHANG) == pid { reaped = true; break }
        }
        if hung { kill(pid, SIGKILL) }
        if !reaped { while waitpid(pid, &status, 0) < 0 && errno == EINTR {} }
        // What the program wrote just before it ended.
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        while poll(&descriptor, 1, 0) > 0 {
            let count = read(master, &buffer, buffer.count)
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        let ending: Ending
        if killedOnCue, status & 0x7F == SIGKILL {
            ending = .killedOnCue
        } else if hung {
            ending = .hung
        } else if status & 0x7F == 0 {
            ending = .exited((status >> 8) & 0xFF)
        } else {
            ending = .signalled(status & 0x7F)
        }
        return PseudoTerminalRun(arguments: arguments, ending: ending, output: output, seconds: Date().timeIntervalSince(started))
    }
}

/// Finds the bytes of a terminal's output that a terminal would act on rather than show.
///
/// Allowed: printable UTF-8, `\n`, `\r`, `\t`, and the one sequence Winnow's progress bar
/// writes (`\r ESC [ 2 K`, return and clear the line). Everything else is a leak: any other
/// C0 control or ESC, DEL, a C1 control (U+0080–U+009F, which 8-bit terminals read as ESC
/// sequences), a bidirectional control (U+202A–202E, U+2066–2069, U+200E, U+200F, U+061C),
/// and bytes that are not UTF-8 at all.
public enum TerminalLeaks {
    public struct Leak: Sendable, CustomStringConvertible {
        public var offset: Int
        public var what: String
        public var context: String
        public var description: String { "\(what) at byte \(offset): …\(context)…" }
    }

    static let clearLine: [UInt8] = [0x0D, 0x1B, 0x5B, 0x32, 0x4B]

    public static func find(in bytes: [UInt8]) -> [Leak] {
        var leaks: [Leak] = []
        var i = 0
        func leak(_ what: String, length: Int) {
            let lower = max(0, i - 24), upper = min(bytes.count, i + length + 24)
            let context = String(decoding: bytes[lower..<upper], as: UTF8.self).unicodeScalars.map { scalar -> String in
                scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
            }.joined()
            leaks.append(Leak(offset: i, what: what, context: context))
        }
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 0x0D, bytes.count - i >= clearLine.count, Array(bytes[i..<(i + clearLine.count)]) == clearLine {
                i += clearLine.count
                continue
            }
            if byte == 0x0A || byte == 0x0D || byte == 0x09 { i += 1; continue }
            if byte < 0x20 || byte == 0x7F { leak(byte == 0x1B ? "ESC" : String(format: "control byte 0x%02X", byte), length: 1); i += 1; continue }
            if byte < 0x80 { i += 1; continue }
            // A UTF-8 sequence: its length from the lead byte, then the scalar it encodes.
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 0
            guard length > 0, i + length <= bytes.count,
                let scalar = String(validating: bytes[i..<(i + length)], as: UTF8.self)?.unicodeScalars.first
            else {
                leak(String(format: "a byte 0x%02X that is not UTF-8", byte), length: 1)
                i += 1
                continue
            }
            let v = scalar.value
            if (0x80...0x9F).contains(v) {
                leak(String(format: "C1 control U+%04X", v), length: length)
            } else if (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C {
                leak(String(format: "bidi control U+%04X", v), length: length)
            }
            i += length
        }
        return leaks
    }

    /// What a full-screen program (ncurses) must never send, though it draws with escape
    /// sequences of its own (CSI, charset designations, keypad modes): string controls
    /// (OSC such as a title or clipboard write, DCS, SOS, PM, APC), C1 and bidi controls,
    /// DEL, and C0 controls other than ESC, backspace, tab, CR and LF. A hostile string
    /// drawn raw shows up here: the cell buffer turns every control into a visible symbol.
    public static func findOnScreen(in bytes: [UInt8]) -> [Leak] {
        var leaks: [Leak] = []
        for leak in find(in: bytes) {
            let i = leak.offset
            if bytes[i] == 0x08 { continue }
            if bytes[i] == 0x1B {
                // ESC then a string-control introducer: ] P X ^ _
                if i + 1 < bytes.count, [0x5D, 0x50, 0x58, 0x5E, 0x5F].contains(bytes[i + 1]) {
                    leaks.append(Leak(offset: i, what: "a string control ESC \(Character(Unicode.Scalar(bytes[i + 1])))", context: leak.context))
                }
                continue
            }
            leaks.append(leak)
        }
        return leaks
    }
}
