import Foundation
import Synchronization
import WinnowCore
import WinnowSession

/// A progress reporter that records how long each phase took, for benchmark reports.
final class PhaseTimer: ProgressReporter {
    private struct State { var current: (name: String, start: Double)?; var phases: [(String, Double)] = [] }
    private let state = Mutex(State())

    func begin(_ phase: String, total: Int?) {
        state.withLock { s in
            if let current = s.current { s.phases.append((current.name, MonotonicClock.now() - current.start)) }
            s.current = (phase, MonotonicClock.now())
        }
    }

    func update(_ completed: Int) {}

    func end() {
        state.withLock { s in
            if let current = s.current { s.phases.append((current.name, MonotonicClock.now() - current.start)) }
            s.current = nil
        }
    }

    var phases: [(String, Double)] { state.withLock { $0.phases } }
}
