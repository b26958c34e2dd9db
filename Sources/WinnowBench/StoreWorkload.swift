import Foundation
import Synchronization
import WinnowCore
import WinnowSession
import WinnowStore

/// The project-store workload `winnow-bench store` times on each store: generated items (no
/// image files: the stores never read images), and reviewers working through one queue as
/// `winnow decide --next` does: hold the next item, decide it if held, pass it if another
/// session holds it or it is settled.
enum StoreWorkload {
    /// `count` items in 7 folders, `classes` classes, one annotation each and one model.
    static func snapshot(items count: Int, classes: Int, seed: UInt64) -> DatasetSnapshot {
        let names = (0..<classes).map { "class\($0)" }
        var random = SplitMix64(seed: seed)
        var items: [DatasetSnapshot.Item] = []
        items.reserveCapacity(count)
        var annotations: [DatasetSnapshot.Annotation] = []
        annotations.reserveCapacity(count)
        for i in 0..<count {
            let label = names[Int(random.next() % UInt64(classes))]
            items.append(
                DatasetSnapshot.Item(
                    path: "d\(i % 7)/img\(i).png", metadataJSON: #"{"i":"\#(i)"}"#, fileSize: Int64(100 + i),
                    modificationTime: 1_700_000_000.25, givenLabels: LabelSet(single: label)))
            annotations.append(.init(item: i, annotator: "a\(i % 3)", labels: LabelSet(single: label)))
        }
        var probabilities = [Float](repeating: 0, count: count * classes)
        for i in 0..<probabilities.count { probabilities[i] = Float(random.next() % 1000) / 1000 }
        return DatasetSnapshot(
            layout: .labelsFile, taxonomy: ClassTaxonomy(names), classesFromFile: true, isMultiLabel: false,
            metadataColumns: ["i"], items: items, annotations: annotations,
            models: [.init(name: "m", source: "predictions.npy", probabilities: probabilities)], embeddings: nil, notices: [])
    }

    /// What the reviewers of one run did.
    struct Run {
        var seconds: Double
        var decided: [Int64]
        var claims: [Double]
        var decisions: [Double]
        var passed: Int
    }

    /// `reviewers` threads, each with a store of its own (`open`), as separate processes would
    /// have, work through the items `queue` (ids, in queue order) until `target` decisions are
    /// made in all. Each claim and each decision is timed.
    static func review(
        queue: [(id: Int64, path: String)], target: Int, reviewers: Int, run: String,
        open: @escaping @Sendable () throws -> any ProjectStoring
    ) throws -> Run {
        struct Shared {
            var decided: [Int64] = []
            var claims: [Double] = []
            var decisions: [Double] = []
            var passed = 0
            var failure: String?
        }
        // In a class: threads' closures may capture it (a Mutex itself cannot be copied).
        final class Box: Sendable { let state = Mutex(Shared()) }
        let shared = Box()
        let stores = try (0..<reviewers).map { _ in try open() }
        let queue = queue
        let done = DispatchGroup()
        let start = MonotonicClock.now()
        for (worker, store) in stores.enumerated() {
            done.enter()
            let thread = Thread {
                defer { done.leave() }
                let reviewer = "\(run)-r\(worker)"
                let session = "\(run)-s\(worker)-\(UUID().uuidString.prefix(8))"
                var claims: [Double] = [], decisions: [Double] = [], decided: [Int64] = []
                var passed = 0
                do {
                    for entry in queue {
                        if shared.state.withLock({ $0.decided.count + decided.count >= target || $0.failure != nil }) { break }
                        let claimStart = MonotonicClock.now()
                        let outcome = try store.hold(
                            itemIDs: [entry.id], reviewer: reviewer, session: session, policy: TeamPolicy(), settling: false, now: Date())
                        claims.append(MonotonicClock.now() - claimStart)
                        guard outcome[entry.id] == .held else {
                            passed += 1
                            continue
                        }
                        let decideStart = MonotonicClock.now()
                        _ = try store.decide(
                            DecisionRequest(imagePath: entry.path, reviewer: reviewer, action: .accept, queue: "triage", mustBeOpen: true),
                            policy: TeamPolicy(), at: Date())
                        decisions.append(MonotonicClock.now() - decideStart)
                        decided.append(entry.id)
                        // Published now and then, so the others stop at the target.
                        if decided.count % 16 == 0 {
                            shared.state.withLock { $0.decided += decided }
                            decided = []
                        }
                    }
                    try store.releaseLeases(session: session)
                } catch {
                    shared.state.withLock { $0.failure = $0.failure ?? "\(reviewer): \(error)" }
                }
                shared.state.withLock {
                    $0.decided += decided
                    $0.claims += claims
                    $0.decisions += decisions
                    $0.passed += passed
                }
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        done.wait()
        let seconds = MonotonicClock.now() - start
        let result = shared.state.withLock { $0 }
        if let failure = result.failure { throw CLIFailure(message: "a reviewer failed: \(failure)", exit: .projectError) }
        return Run(seconds: seconds, decided: result.decided, claims: result.claims, decisions: result.decisions, passed: result.passed)
    }

    /// The `fraction` quantile of `values` (nearest rank), in milliseconds.
    static func milliseconds(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)] * 1000
    }
}
