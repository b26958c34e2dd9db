#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Asks the terminal what it can do: the one part of detection that touches the tty.
///
/// Run it before ncurses starts. The probe puts the terminal in raw mode (no echo, no line
/// buffering, so replies are neither shown nor held back until Enter), writes every query
/// in one write ending with DA1, reads with `poll()` until the DA1 reply or the timeout,
/// and restores the terminal's settings on every path. Replies still in flight after a
/// timeout may later reach the program as input; a generous timeout for SSH avoids that.
public struct TerminalProbe: Sendable {
    /// How long to wait for the DA1 reply. One second covers a slow SSH link.
    public var timeout: Duration
    /// Raise SIGINT after restoring the terminal when Ctrl-C was typed during the probe
    /// (raw mode turns it into a byte). Tests turn this off and read ``Result/interrupted``.
    public var deliversInterrupt: Bool

    public init(timeout: Duration = .seconds(1), deliversInterrupt: Bool = true) {
        self.timeout = timeout
        self.deliversInterrupt = deliversInterrupt
    }

    /// What the probe got back.
    public struct Result: Sendable, Equatable {
        public var status: ProbeStatus
        /// Everything read from the terminal, replies and any keys typed meanwhile.
        public var bytes: [UInt8]
        /// The window size of the probed terminal, when it is one.
        public var windowSize: WindowSize?
        /// From the write of the queries to the last read.
        public var elapsed: Duration
        /// The interrupt character (Ctrl-C) was typed during the probe.
        public var interrupted: Bool

        public init(status: ProbeStatus, bytes: [UInt8], windowSize: WindowSize?, elapsed: Duration, interrupted: Bool = false) {
            self.status = status
            self.bytes = bytes
            self.windowSize = windowSize
            self.elapsed = elapsed
            self.interrupted = interrupted
        }

        /// The parsed replies.
        public var replies: TerminalReplies { TerminalReplyParser.parse(bytes) }
    }

    /// Probes the controlling terminal (`/dev/tty` by default), whatever stdin and stdout are.
    ///
    /// Returns at once with ``ProbeStatus/noTerminal(_:)`` when the process has no
    /// controlling terminal (a cron job, CI, `ssh host cmd` without `-t`).
    public func probe(devicePath: String = "/dev/tty", queries: [UInt8]) -> Result {
        let descriptor = open(devicePath, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else {
            return Result(status: .noTerminal("cannot open \(devicePath): \(Self.errorText(errno))"), bytes: [], windowSize: nil, elapsed: .zero)
        }
        defer { close(descriptor) }
        return probe(fileDescriptor: descriptor, queries: queries)
    }

    /// Probes the terminal on `fileDescriptor` (open for reading and writing; not closed).
    ///
    /// Tests hand it the slave side of a pseudo-terminal and play the terminal on the master.
    public func probe(fileDescriptor descriptor: Int32, queries: [UInt8]) -> Result {
        guard isatty(descriptor) == 1 else {
            return Result(status: .noTerminal("not a terminal"), bytes: [], windowSize: nil, elapsed: .zero)
        }
        // Reading the size is allowed from the background, and worth having either way.
        let windowSize = WindowSize.read(from: descriptor)
        func noTerminal(_ why: String) -> Result {
            Result(status: .noTerminal(why), bytes: [], windowSize: windowSize, elapsed: .zero)
        }
        // Changing the settings of our controlling terminal from a background process
        // group stops the process with SIGTTOU: do not probe from the background.
        let foreground = tcgetpgrp(descriptor)
        if foreground >= 0 && foreground != getpgrp() && Self.isControllingTerminal(descriptor) {
            return noTerminal("running in the background")
        }
        var saved = termios()
        guard tcgetattr(descriptor, &saved) == 0 else { return noTerminal("cannot read its settings: \(Self.errorText(errno))") }

        var raw = saved
        // No ISIG: a Ctrl-C during the probe arrives as a byte instead of killing us with
        // the terminal still in raw mode; it is delivered once the settings are restored.
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ECHONL | IEXTEN | ISIG)
        raw.c_iflag &= ~tcflag_t(ICRNL | IXON)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(descriptor, TCSANOW, &raw) == 0 else {
            return noTerminal("cannot switch it to raw mode: \(Self.errorText(errno))")
        }
        let clock = ContinuousClock()
        let start = clock.now
        // 0 is _POSIX_VDISABLE: no interrupt character.
        let interruptCharacter = withUnsafeBytes(of: saved.c_cc) { $0[Int(VINTR)] }
        let signalsEnabled = saved.c_lflag & tcflag_t(ISIG) != 0 && interruptCharacter != 0
        var received: [UInt8] = []
        defer {
            // Drop unread input: late replies must not reach ncurses as keystrokes.
            var restore = saved
            _ = tcsetattr(descriptor, TCSAFLUSH, &restore)
            if deliversInterrupt && signalsEnabled && received.contains(interruptCharacter) {
                raise(SIGINT)
            }
        }
        func result(_ status: ProbeStatus) -> Result {
            Result(
                status: status, bytes: received, windowSize: windowSize, elapsed: clock.now - start,
                interrupted: signalsEnabled && received.contains(interruptCharacter))
        }

        guard Self.writeAll(descriptor, queries) else {
            return result(.noTerminal("cannot write to it: \(Self.errorText(errno))"))
        }
        let deadline = start + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if TerminalReplyParser.containsDeviceAttributes(received) {
                return result(.answered)
            }
            let remaining = deadline - clock.now
            guard remaining > .zero else { break }
            var pollDescriptor = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pollDescriptor, 1, Self.milliseconds(remaining))
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if ready == 0 { break }
            if pollDescriptor.revents & Int16(POLLIN) != 0 {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    received += buffer[0..<count]
                    continue
                }
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                break // end of file or a read error: the terminal went away
            }
            if pollDescriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { break }
        }
        return result(.timedOut(seconds: Self.seconds(timeout)))
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// True when `descriptor` is this process's controlling terminal (a pty a test opened is not).
    private static func isControllingTerminal(_ descriptor: Int32) -> Bool {
        tcgetsid(descriptor) == getsid(0)
    }

    /// Rounded up, so a remaining 0.4 ms still waits rather than spinning.
    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let total = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: max(total, 0))
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
}
