import WinnowAnalysis
import WinnowCore

extension DeferredReviewSource {
    /// The review screen's data for a project's queue: the saved queue at once when it is
    /// current, the full analysis loading behind it; once loaded, the queue is saved again
    /// for the next start when decisions were made since it was saved. (`winnow review` and
    /// `winnow-bench review` open it the same way.)
    package static func opening(_ project: Project, queue: String, reviewer: String, stratifyBy: String?) throws -> DeferredReviewSource {
        let key = try QueueSnapshot.key(project: project, stratifyBy: stratifyBy ?? project.config.stratifyBy)
        let saved = QueueSnapshot.path(stateDirectory: project.store.stateDirectory, queue: queue)
        let leases = LeaseSession(store: project.store, reviewer: reviewer, policy: project.config.team)
        return DeferredReviewSource(
            leases: leases, changes: .of(project),
            quickStart: { (try? QuickStartSource.open(project: project, queue: queue, key: key, reviewer: reviewer, leases: leases)) ?? nil },
            open: { try StoreReviewSource.open(project, reviewer: reviewer, stratifyBy: stratifyBy, leases: leases, progress: SilentProgress()) },
            loaded: { source, quick in
                guard let name = QueueName(rawValue: queue), quick?.snapshotEventID != .some(source.lastEventID) else { return }
                // A cache: failing to save it only makes the next start slower.
                try? source.snapshot(of: name, key: key).write(to: saved)
            })
    }
}
