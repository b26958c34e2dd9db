import Dispatch
import Foundation
import Testing
@testable import WinnowGraphics
#if canImport(Glibc)
import Glibc
#endif

/// glibc's pseudo-terminal calls, which its Swift module map hides (they need
/// `_XOPEN_SOURCE`): looked up at run time instead.
enum PTY {
    private static func function<T>(_ name: String, as type: T.Type) -> T {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), name) else {
            fatalError("\(name) not found")
        }
        return unsafeBitCast(symbol, to: type)
    }

    static let openMaster = function("posix_openpt", as: (@convention(c) (Int32) -> Int32).self)
    static let grant = function("grantpt", as: (@convention(c) (Int32) -> Int32).self)
    static let unlock = function("unlockpt", as: (@convention(c) (Int32) -> Int32).self)
    static let name = function("ptsname_r", as: (@convention(c) (Int32, UnsafeMutablePointer<CChar>, Int) -> Int32).self)
}

/// A pseudo-terminal: the probe gets the slave side, the test plays the terminal on the master.
final class FakeTerminal: @unchecked Sendable {
    let master: Int32
    let slave: Int32

    init(rows: UInt16 = 40, columns: UInt16 = 120, pixelWidth: UInt16 = 1200, pixelHeight: UInt16 = 800) throws {
        master = PTY.openMaster(O_RDWR | O_NOCTTY)
        guard master >= 0, PTY.grant(master) == 0, PTY.unlock(master) == 0 else { throw POSIXError(.ENODEV) }
        var name = [CChar](repeating: 0, count: 256)
        guard PTY.name(master, &name, name.count) == 0 else { throw POSIXError(.ENODEV) }
        slave = open(String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw POSIXError(.ENODEV) }
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: pixelWidth, ws_ypixel: pixelHeight)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
    }

    deinit {
        close(slave)
        close(master)
    }

    /// On a background thread: reads what the program writes until the DA1 query, then
    /// answers with `replies`, in pieces of `pieceSize` bytes `pause` apart. Returns a
    /// semaphore signalled with the query bytes once done.
    func answer(with replies: [UInt8], pieceSize: Int = .max, pause: Duration = .zero) -> QueryRecorder {
        let recorder = QueryRecorder()
        let master = self.master
        DispatchQueue.global().async {
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1024)
            let sentinel = bytes("\\e[c")
            while !received.contains(subsequence: sentinel) {
                var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 2000) > 0 else { break }
                let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                received += buffer[0..<count]
            }
            var offset = 0
            while offset < replies.count {
                let end = min(offset + pieceSize, replies.count)
                _ = replies[offset..<end].withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
                offset = end
                if pause > .zero { usleep(UInt32(TerminalProbe.seconds(pause) * 1_000_000)) }
            }
            recorder.finish(received)
        }
        return recorder
    }

    /// The slave's terminal settings that raw mode changes.
    func settings() -> [UInt] {
        var current = termios()
        _ = tcgetattr(slave, &current)
        return [UInt(current.c_iflag), UInt(current.c_oflag), UInt(current.c_lflag), UInt(current.c_cflag)]
    }
}

final class QueryRecorder: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var queries: [UInt8] = []

    func finish(_ received: [UInt8]) {
        lock.withLock { queries = received }
        done.signal()
    }

    func wait() -> [UInt8] {
        _ = done.wait(timeout: .now() + 5)
        return lock.withLock { queries }
    }
}

@Suite("Terminal probe", .serialized)
struct TerminalProbeTests {
    static let probe = TerminalProbe(timeout: .milliseconds(300))
    /// For tests that must *not* wait for the timeout: one so long that reaching it is an
    /// unmistakable failure, even on a loaded CI machine (a tight bound would be flaky).
    static let patientProbe = TerminalProbe(timeout: .seconds(10))

    @Test func aTerminalThatAnswersEverything() throws {
        let terminal = try FakeTerminal()
        let before = terminal.settings()
        let recorder = terminal.answer(with: bytes(TerminalReplyParserTests.xtermVT340))
        let result = Self.patientProbe.probe(fileDescriptor: terminal.slave, queries: TerminalQueries.bytes(for: .none))
        #expect(result.status == .answered)
        #expect(result.replies.deviceAttributes?.advertisesSixel == true)
        #expect(result.replies.terminalVersion == "XTerm(379)")
        #expect(result.windowSize == WindowSize(rows: 40, columns: 120, pixelWidth: 1200, pixelHeight: 800))
        #expect(result.elapsed < .seconds(5), "stops at the DA1 reply, no waiting out the timeout")
        #expect(recorder.wait() == TerminalQueries.bytes(for: .none), "all queries in one write, as sent")
        #expect(terminal.settings() == before, "the terminal's settings are restored")
    }

    @Test func repliesTricklingInPiecesAreCollected() throws {
        let terminal = try FakeTerminal()
        _ = terminal.answer(with: bytes(TerminalReplyParserTests.kitty), pieceSize: 5, pause: .milliseconds(2))
        let result = TerminalProbe(timeout: .seconds(2)).probe(fileDescriptor: terminal.slave, queries: TerminalQueries.bytes(for: .none))
        #expect(result.status == .answered)
        #expect(result.replies.kittyGraphics == .ok)
    }

    @Test func aTerminalThatNeverAnswersTimesOut() throws {
        let terminal = try FakeTerminal()
        let before = terminal.settings()
        let result = Self.probe.probe(fileDescriptor: terminal.slave, queries: TerminalQueries.bytes(for: .none))
        #expect(result.status == .timedOut(seconds: 0.3))
        #expect(result.bytes.isEmpty)
        #expect(result.elapsed >= .milliseconds(290) && result.elapsed < .seconds(5))
        #expect(terminal.settings() == before)
    }

    @Test func aPartialAnswerTimesOutButKeepsWhatCame() throws {
        let terminal = try FakeTerminal()
        _ = terminal.answer(with: bytes("\\eP>|tmux 3.3a\\e\\\\e[6;20;1"))
        // Two seconds for the fake terminal's partial answer to arrive, however loaded the machine.
        let result = TerminalProbe(timeout: .seconds(2)).probe(fileDescriptor: terminal.slave, queries: TerminalQueries.bytes(for: .none))
        #expect(result.status == .timedOut(seconds: 2))
        #expect(result.replies.terminalVersion == "tmux 3.3a")
        #expect(result.replies.cellPixelSize == nil)
    }

    @Test func ctrlCDuringTheProbeIsReported() throws {
        let terminal = try FakeTerminal()
        _ = terminal.answer(with: [0x03] + bytes("\\e[?62c"))
        let result = TerminalProbe(timeout: .seconds(2), deliversInterrupt: false).probe(
            fileDescriptor: terminal.slave, queries: TerminalQueries.bytes(for: .none))
        #expect(result.status == .answered)
        #expect(result.interrupted)
    }

    @Test func notATerminalReturnsAtOnce() throws {
        let clock = ContinuousClock()
        let start = clock.now
        var pipeEnds: [Int32] = [0, 0]
        #expect(pipe(&pipeEnds) == 0)
        defer { close(pipeEnds[0]); close(pipeEnds[1]) }
        let fromPipe = Self.patientProbe.probe(fileDescriptor: pipeEnds[0], queries: TerminalQueries.bytes(for: .none))
        #expect(fromPipe.status == .noTerminal("not a terminal"))
        let fromNull = Self.patientProbe.probe(devicePath: "/dev/null", queries: TerminalQueries.bytes(for: .none))
        #expect(fromNull.status == .noTerminal("not a terminal"))
        let missing = Self.patientProbe.probe(devicePath: "/nonexistent/tty", queries: TerminalQueries.bytes(for: .none))
        guard case .noTerminal(let why) = missing.status else { Issue.record("expected no terminal"); return }
        #expect(why.contains("cannot open /nonexistent/tty"))
        let detection = GraphicsDetection.run(devicePath: "/nonexistent/tty")
        #expect(detection.capabilities.imageProtocol == .none)
        #expect(clock.now - start < .seconds(5), "none of them waited for the 10 s timeout")
    }

    @Test func timeoutsConvertToPollMilliseconds() {
        #expect(TerminalProbe.milliseconds(.seconds(1)) == 1000)
        #expect(TerminalProbe.milliseconds(.microseconds(400)) == 1, "a sliver still waits")
        #expect(TerminalProbe.milliseconds(.zero) == 0)
        #expect(TerminalProbe.milliseconds(.seconds(-1)) == 0)
    }
}
