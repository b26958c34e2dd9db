import Foundation
import WinnowCore
import WinnowTestSupport
import WinnowUI
@testable import WinnowSession

/// The review screen without a terminal: the reducer's effects run at once against a real
/// data source, in order, as the runtime runs them (minus threads). Keys go in, the state
/// and the rendered screen come out.
final class ReviewHarness {
    var state: AppState
    let source: any ReviewDataSource

    init(source: any ReviewDataSource, classes: [String], queue: String = "triage", size: TerminalSize = TerminalSize(columns: 120, rows: 40)) {
        self.source = source
        let setup = ReviewSetup(
            projectName: "test", reviewer: "tester", classes: classes,
            queues: ["triage", "label-issues", "bad-components", "duplicates", "random"], graphics: "none", showsImages: false)
        state = AppState(setup: setup, size: size, queueName: queue)
        run([.loadQueue(queue)])
    }

    func press(_ keys: Key...) { for key in keys { run(Reducer.reduce(&state, .key(key))) } }

    func send(_ action: Action) { run(Reducer.reduce(&state, action)) }

    /// Runs effects (and the effects of the actions they produce) until none are left.
    func run(_ effects: [Effect]) {
        var pending = effects
        while !pending.isEmpty {
            let effect = pending.removeFirst()
            guard let action = perform(effect) else { continue }
            pending += Reducer.reduce(&state, action)
        }
    }

    func perform(_ effect: Effect) -> Action? {
        do {
            switch effect {
            case .loadQueue(let name):
                let loaded = try source.queue(named: name)
                return .queueLoaded(name: name, slots: loaded.slots, counts: loaded.counts)
            case .loadQueueCounts:
                return .queueCountsLoaded(try source.queueCounts())
            case .refreshQueue(let name):
                let fresh = try source.refreshedQueue(named: name)
                return .queueRefreshed(name: name, slots: fresh?.slots, counts: fresh?.counts)
            case .loadDetails(let items):
                return items.isEmpty ? nil : .detailsLoaded(try source.details(of: items))
            case .decide(let command):
                do {
                    let saved = try source.decide(command)
                    return .decisionSaved(SavedDecision(command: command, eventIDs: saved.eventIDs, message: saved.message, time: 0))
                } catch let gone as ItemsUnavailable {
                    return .decisionFailed(gone.message)
                } catch {
                    return .decisionFailed("\(error)")
                }
            case .undo(let items):
                do { return .undoSaved(items: items, message: try source.undo(items: items)) } catch { return .undoFailed("\(error)") }
            case .undoEarlier:
                do { return .earlierUndone(try source.undoEarlier()) } catch { return .undoFailed("\(error)") }
            case .loadSimilar(let item):
                return .similarLoaded(item: item, try source.similar(to: item))
            case .loadStats:
                return .statsLoaded(try source.stats())
            case .hold(let items, let queue):
                let refused = try source.hold(items: items, queue: queue)
                return refused.isEmpty ? nil : .unavailable(refused)
            case .keepNote(_, let path, let text):
                try source.keepNote(text, forImage: path)
                return text == nil
                    ? nil
                    : .notice(StatusMessage(.success, "note kept for \(path): your next decision on it saves it, in this session or a later one"))
            case .prefetchImages, .redraw, .lowerImageQuality, .raiseImageQuality, .quit:
                return nil
            }
        } catch {
            return .notice(StatusMessage(.error, "\(error)"))
        }
    }

    var screenText: String { View.render(state).buffer.text }
}

/// A dataset of near-duplicate groups: `groups` groups of 2–4 images with almost the same
/// embedding, their labels mostly agreeing, plus single images; one model's probabilities.
/// Byte-identical images are not grouped (every image is the same tiny PNG).
func groupedDataset(seed: UInt64, groups: Int = 8, singles: Int = 8, classes: [String] = ["cat", "dog", "fox"], function: String = #function)
    -> TemporaryDataset
{
    var rng = SplitMix64(seed: seed)
    func uniform() -> Float { Float(rng.next() % 1_000_000) / 1_000_000 }
    func unitVector(_ dimension: Int) -> [Float] {
        let v = (0..<dimension).map { _ in uniform() * 2 - 1 }
        let norm = v.map { $0 * $0 }.reduce(0, +).squareRoot()
        return v.map { $0 / max(norm, 1e-6) }
    }
    let dataset = TemporaryDataset(function: function)
    let dimension = 16
    var labels = "image,label\n", model = "image," + classes.joined(separator: ",") + "\n"
    var vectors: [Float] = []
    var index = 0
    func add(label: Int, truth: Int, vector: [Float]) {
        let name = "img\(String(format: "%03d", index)).png"
        dataset.image(name)
        labels += "\(name),\(classes[label])\n"
        var p = [Float](repeating: 0.2 / Float(classes.count - 1), count: classes.count)
        p[truth] = 0.8
        model += name + "," + p.map { String($0) }.joined(separator: ",") + "\n"
        vectors += vector
        index += 1
    }
    for _ in 0..<groups {
        let centre = unitVector(dimension)
        let truth = Int(rng.next() % UInt64(classes.count))
        let size = 2 + Int(rng.next() % 3)
        for _ in 0..<size {
            let noisy = zip(centre, unitVector(dimension)).map { $0 + 0.02 * $1 }
            let label = uniform() < 0.35 ? Int(rng.next() % UInt64(classes.count)) : truth
            add(label: label, truth: truth, vector: noisy)
        }
    }
    for _ in 0..<singles {
        let truth = Int(rng.next() % UInt64(classes.count))
        add(label: uniform() < 0.3 ? (truth + 1) % classes.count : truth, truth: truth, vector: unitVector(dimension))
    }
    dataset.write("classes.txt", classes.joined(separator: "\n") + "\n")
        .write("labels.csv", labels)
        .write("predictions/model.csv", model)
        .write("winnow.toml", "[analysis]\nexact_duplicates = false\n")
        .npy("embeddings.npy", rows: index, columns: dimension, vectors)
    return dataset
}
