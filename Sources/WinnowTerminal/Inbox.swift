import Foundation
import WinnowUI

/// Where background work leaves its results for the UI thread, which sleeps in `poll`
/// on the inbox's pipe and so wakes at once (no timers, no spinning).
public final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var actions: [Action] = []
    private var stopRequested = false
    private let readFD: Int32
    private let writeFD: Int32

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw NcursesScreen.StartError(description: "cannot create a pipe: \(String(cString: strerror(errno)))") }
        readFD = fds[0]
        writeFD = fds[1]
        _ = fcntl(readFD, F_SETFL, fcntl(readFD, F_GETFL) | O_NONBLOCK)
        _ = fcntl(writeFD, F_SETFL, fcntl(writeFD, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// The descriptor to poll.
    var fileDescriptor: Int32 { readFD }

    func post(_ action: Action) {
        lock.lock()
        actions.append(action)
        lock.unlock()
        wake()
    }

    /// Asks the loop to quit (a signal arrived).
    func requestStop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1) // a full pipe already means "wake up"
    }

    /// Everything posted so far, in order, and whether a stop was requested.
    func drain() -> (actions: [Action], stop: Bool) {
        var scratch = [UInt8](repeating: 0, count: 256)
        while read(readFD, &scratch, scratch.count) > 0 {}
        lock.lock()
        defer { lock.unlock() }
        let taken = actions
        actions = []
        return (taken, stopRequested)
    }
}

/// Turns SIGTERM, SIGHUP and SIGINT into a stop request, so the loop can finish the save
/// in flight and restore the terminal instead of dying mid-write.
final class SignalWatcher {
    private var sources: [DispatchSourceSignal] = []

    init(inbox: Inbox) {
        for number in [SIGTERM, SIGHUP, SIGINT, SIGQUIT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { inbox.requestStop() }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
