import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tells the review screen when the project's database may have changed under it: another
/// reviewer decided, a session released its items, a lead broke leases. It watches the state
/// folder with inotify (every write reaches `winnow.sqlite-wal`), so the screen sleeps until
/// something happens instead of polling. Bursts are coalesced: one call per quiet 150 ms.
/// This session's own writes wake it too; the source tells them apart.
package final class ProjectChangeWatcher: @unchecked Sendable {
    private let inotify: Int32
    /// Written to on `stop`, so the watching thread leaves its `poll` at once.
    private let wake: [Int32]
    private let lock = NSLock()
    private var stopped = false

    /// Nil when the folder cannot be watched (no inotify): the screen then refreshes its
    /// queue on the next switch, as before.
    package init?(directory: String, changed: @escaping @Sendable () -> Void) {
        #if os(Linux)
        let fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        let mask = UInt32(IN_MODIFY) | UInt32(IN_CLOSE_WRITE) | UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)
        guard inotify_add_watch(fd, directory, mask) >= 0 else { close(fd); return nil }
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { close(fd); return nil }
        inotify = fd
        wake = pipeFDs
        Thread.detachNewThread { [self] in watch(changed) }
        #else
        return nil
        #endif
    }

    private func watch(_ changed: @Sendable () -> Void) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            // Sleep until the folder changes (or `stop`).
            guard waitReadable(timeout: -1) else { break }
            guard read(inotify, &buffer, buffer.count) > 0 else { break }
            // Let a burst of writes (a transaction, a checkpoint) settle, then say so once.
            while waitReadable(timeout: 150) {
                guard read(inotify, &buffer, buffer.count) > 0 else { return }
            }
            if isStopped { break }
            changed()
        }
    }

    /// True when the inotify descriptor has events; false on a timeout or when stopped.
    private func waitReadable(timeout: Int32) -> Bool {
        var fds = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&fds, 2, timeout)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 || fds[1].revents != 0 || isStopped { return false }
            return fds[0].revents & Int16(POLLIN) != 0
        }
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    package func stop() {
        lock.lock()
        let first = !stopped
        stopped = true
        lock.unlock()
        guard first else { return }
        var byte: UInt8 = 1
        _ = write(wake[1], &byte, 1)
    }

    // The watching thread holds the watcher until it returns, so the descriptors are
    // closed only once nothing uses them.
    deinit {
        close(inotify)
        close(wake[0])
        close(wake[1])
    }
}
