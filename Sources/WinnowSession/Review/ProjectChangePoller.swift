import Foundation
import WinnowStore

/// What tells the review screen that other sessions changed the project: something it can stop.
package protocol ProjectChangeWatching: AnyObject, Sendable {
    func stop()
}

extension ProjectChangeWatcher: ProjectChangeWatching {}

/// How a project's changes are noticed: the SQLite state folder is watched (every write
/// reaches its files), a PostgreSQL project is asked (its writes happen on another host).
package enum ProjectChangeSource: Sendable {
    case stateFolder(String)
    case polling(any DecisionRecording & LeaseKeeping)

    /// The project's: inotify on its state folder (SQLite), polling its database (PostgreSQL).
    package static func of(_ project: Project) -> ProjectChangeSource {
        project.location.isPostgres ? .polling(project.store) : .stateFolder(project.store.stateDirectory)
    }

    /// Starts noticing changes; nil when that cannot be done here (the screen then refreshes
    /// its queue on the next switch, as without a watcher).
    package func watch(_ changed: @escaping @Sendable () -> Void) -> (any ProjectChangeWatching)? {
        switch self {
        case .stateFolder(let folder): return ProjectChangeWatcher(directory: folder, changed: changed)
        case .polling(let store): return ProjectChangePoller(fingerprint: { try ProjectChangePoller.fingerprint(of: store) }, changed: changed)
        }
    }
}

/// Asks a database shared by several hosts, every `interval`, whether anything another
/// session could have done changed: the decision log's newest event (decisions, undo) and
/// the leases in force (items taken, released, broken, expired). Two small indexed reads
/// a second per screen, where no file's writes can be watched. Like `ProjectChangeWatcher`,
/// it calls `changed` once per change it sees, this session's own writes included; a
/// failed read (the server restarting) is skipped, and the next one that answers compares.
package final class ProjectChangePoller: ProjectChangeWatching, @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private let wake = DispatchSemaphore(value: 0)

    package init(interval: Double = 1, fingerprint: @escaping @Sendable () throws -> Int, changed: @escaping @Sendable () -> Void) {
        Thread.detachNewThread { [self] in
            var last = try? fingerprint()
            while wake.wait(timeout: .now() + interval) == .timedOut, !isStopped {
                guard let now = try? fingerprint() else { continue }
                if let seen = last, seen != now, !isStopped { changed() }
                last = now
            }
        }
    }

    /// The log's head and the leases in force, as one number that changes when either does.
    package static func fingerprint(of store: any DecisionRecording & LeaseKeeping) throws -> Int {
        var hasher = Hasher()
        hasher.combine(try store.lastEventID())
        for lease in try store.activeLeases(now: Date()).sorted(by: { ($0.itemID, $0.session) < ($1.itemID, $1.session) }) {
            hasher.combine(lease.itemID)
            hasher.combine(lease.session)
        }
        return hasher.finalize()
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
        if first { wake.signal() }
    }
}
