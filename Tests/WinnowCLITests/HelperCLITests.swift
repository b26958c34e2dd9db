import Foundation
import Testing
import WinnowCore
import WinnowTestSupport
import WinnowUI
@testable import WinnowCLI
@testable import WinnowSession

/// The helper model as a source of evidence: when it is on, where it shows, its cache and
/// its retraining, through the real binary and the review screen's data source.
@Suite("helper model")
struct HelperCLITests {
    func winnow(_ arguments: String...) -> WinnowProcess.Result { WinnowProcess.run(arguments) }

    /// The shapes sample without its models: embeddings only, so the helper is on by default.
    static func shapesWithoutModels(_ toml: String? = nil, function: String = #function) -> TemporaryDataset {
        let dataset = Repository.copyOfSample(Repository.sampleShapes, function: function)
        dataset.remove("predictions")
        if let toml { dataset.write("winnow.toml", toml) }
        return dataset
    }

    func trainedAt(_ dataset: TemporaryDataset) throws -> String? {
        let info = winnow("info", dataset.root, "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
        let helper = try #require(object["helper"] as? [String: Any])
        return (helper["last_training"] as? [String: Any])?["trained_at"] as? String
    }

    @Test("with embeddings and no models it is on: in analyze, info, the queue's signals and reasons; kept for the next command")
    func onWithEmbeddings() throws {
        let dataset = Self.shapesWithoutModels()
        let analyze = winnow("analyze", dataset.root)
        #expect(analyze.status == 0, "\(analyze.stderr)")
        #expect(analyze.stdout.contains("helper       on: learns from embeddings.npy (64-d)"), "\(analyze.stdout)")
        #expect(analyze.stdout.contains("5-fold logistic regression") && analyze.stdout.contains("(by inner cross-validation)"), "\(analyze.stdout)")
        #expect(analyze.stdout.contains("evidence     helper ("), "\(analyze.stdout)")
        let info = winnow("info", dataset.root)
        #expect(info.stdout.contains("helper       on: learns from embeddings.npy"), "\(info.stdout)")
        let first = try #require(try trainedAt(dataset))
        let queue = winnow("queue", dataset.root, "--queue", "label-issues", "--limit", "5", "--format", "jsonl")
        #expect(queue.status == 0, "\(queue.stderr)")
        let lines = queue.stdout.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines.allSatisfy { $0.contains("\"models\":{\"helper\":") }, "\(queue.stdout)")
        #expect(lines.contains { $0.contains("helper gives") }, "\(queue.stdout)")
        // The queue used the helper trained by analyze.
        #expect(try trainedAt(dataset) == first)
    }

    @Test("off by default beside two models of the dataset's own; [helper] enabled switches it")
    func defaultFollowsTheModels() throws {
        let dataset = Repository.copyOfSample(Repository.sampleShapes)
        let off = winnow("analyze", dataset.root)
        #expect(off.stdout.contains("helper       off: the dataset has 2 models of its own"), "\(off.stdout)")
        dataset.write("winnow.toml", "[helper]\nenabled = true\nregularisation = 0.5\nfolds = 4\n")
        let on = winnow("analyze", dataset.root)
        #expect(
            on.stdout.contains("helper       on: learns from embeddings.npy") && on.stdout.contains("4-fold logistic regression, C 0.5,"),
            "\(on.stdout)")
        let queue = winnow("queue", dataset.root, "--limit", "1", "--format", "jsonl")
        #expect(queue.stdout.contains("\"helper\":"), "\(queue.stdout)")
        let none = Self.shapesWithoutModels("[helper]\nenabled = false\n")
        let disabled = winnow("analyze", none.root)
        #expect(disabled.stdout.contains("helper       off ([helper] enabled = false)"), "\(disabled.stdout)")
        #expect(!winnow("queue", none.root, "--limit", "1", "--format", "jsonl").stdout.contains("\"helper\":"))
    }

    @Test("retrained once retrain_every items' training labels have changed, not before")
    func retrainedAfterEnoughDecisions() throws {
        let dataset = Self.shapesWithoutModels("[helper]\nretrain_every = 3\n")
        #expect(winnow("analyze", dataset.root).status == 0)
        let first = try #require(try trainedAt(dataset))
        let images = ["batch-01/img_0001.png", "batch-01/img_0002.png", "batch-01/img_0003.png"]
        for image in images.prefix(2) { #expect(winnow("decide", dataset.root, image, "--accept", "--reviewer", "t").status == 0) }
        #expect(winnow("queue", dataset.root, "--limit", "1").status == 0)
        #expect(try trainedAt(dataset) == first, "two changed items: the kept helper is used")
        #expect(winnow("decide", dataset.root, images[2], "--exclude", "--reviewer", "t").status == 0)
        #expect(winnow("queue", dataset.root, "--limit", "1").status == 0)
        #expect(try trainedAt(dataset) != first, "three changed items: retrained")
    }

    @Test("all-zero embeddings give no helper and say why; nothing is NaN")
    func allZeroFeatures() throws {
        let dataset = Self.shapesWithoutModels()
        // Same shape as the sample's, read off its header ("'shape': (rows, columns)").
        let header = String(decoding: try #require(FileManager.default.contents(atPath: dataset.root + "/embeddings.npy")).prefix(256), as: UTF8.self)
        let shape = try #require(header.firstMatch(of: /'shape': \((\d+), (\d+)\)/))
        let (rows, columns) = (Int(shape.1)!, Int(shape.2)!)
        dataset.npy("embeddings.npy", rows: rows, columns: columns, [Float](repeating: 0, count: rows * columns))
        let analyze = winnow("analyze", dataset.root)
        #expect(analyze.status == 0, "\(analyze.stderr)")
        #expect(
            analyze.stdout.contains("helper       on: learns from embeddings.npy") && analyze.stdout.contains("unavailable:")
                && analyze.stdout.contains("constant or all zero"), "\(analyze.stdout)")
        #expect(!analyze.stdout.contains("evidence     helper"), "\(analyze.stdout)")
        let queue = winnow("queue", dataset.root, "--queue", "label-issues", "--format", "jsonl")
        #expect(queue.status == 0, "\(queue.stderr)")
        #expect(!queue.stdout.contains("\"helper\":") && !queue.stdout.lowercased().contains("nan"), "\(queue.stdout.prefix(2000))")
    }

    @Test("a class with fewer items than folds lowers the folds and says so; a class with one item gets no helper evidence")
    func smallClasses() throws {
        let dataset = Self.shapesWithoutModels()
        // One label per image: 'triangle' keeps three images, 'star' one, the rest become circles.
        var seen = Set<Substring>(), kept: [String: Int] = [:], rows = ["image,label"]
        var lonely = ""
        for line in try #require(dataset.read("labels.csv")).split(separator: "\n").dropFirst() {
            let cells = line.split(separator: ",")
            guard seen.insert(cells[0]).inserted else { continue }
            var label = String(cells[1])
            kept[label, default: 0] += 1
            if (label == "triangle" && kept[label]! > 3) || (label == "star" && kept[label]! > 1) { label = "circle" }
            if label == "star" { lonely = String(cells[0]) }
            rows.append("\(cells[0]),\(label)")
        }
        dataset.write("labels.csv", rows.joined(separator: "\n") + "\n")
        let analyze = winnow("analyze", dataset.root)
        #expect(analyze.status == 0, "\(analyze.stderr)")
        #expect(analyze.stdout.contains("3-fold logistic regression"), "\(analyze.stdout)")
        #expect(analyze.stdout.contains("note: 'triangle' has only 3 labelled items: 3 folds instead of 5"), "\(analyze.stdout)")
        #expect(analyze.stdout.contains("note: 'star' has too few labelled items to learn it out of fold"), "\(analyze.stdout)")
        // The lonely star's helper row repeats its label: the helper never flags it.
        let queue = winnow("queue", dataset.root, "--queue", "label-issues", "--format", "jsonl")
        #expect(queue.status == 0 && !queue.stdout.lowercased().contains("nan"), "\(queue.stderr)")
        let line = try #require(queue.stdout.split(separator: "\n").first { $0.contains("\"\(lonely)\"") })
        #expect(!line.contains("helper gives"), "\(line)")
    }

    @Test("[helper] settings are checked, each error naming its line")
    func settingsAreChecked() throws {
        let config = try WinnowConfig.parse("[helper]\nenabled = \"auto\"\nfolds = 3\nregularisation = 2\nretrain_every = 50\n")
        #expect(config.helperEnabled == nil && config.helperFolds == 3 && config.helperRegularisation == 2 && config.helperRetrainEvery == 50)
        #expect(try WinnowConfig.parse("[helper]\nregularisation = \"auto\"\n").helperRegularisation == nil)
        for (text, line, words) in [
            ("[helper]\nfolds = 1\n", 2, "helper.folds must be a whole number from 2 to 20"),
            ("[helper]\n\nregularisation = -1\n", 3, "helper.regularisation must be \"auto\" or a positive number"),
            ("[helper]\nenabled = 1\n", 2, "helper.enabled must be true or false"),
            ("[helper]\nretrain = 5\n", 2, "unknown setting helper.retrain")
        ] {
            do {
                _ = try WinnowConfig.parse(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.problems.first?.line == line && error.problems.first?.message.contains(words) == true, "\(error.problems)")
            }
        }
    }

    /// The helper's row of the item in the review screen's models panel.
    static func helperRow(_ source: StoreReviewSource, _ item: Int) throws -> [ModelTop.Entry] {
        try #require(try source.details(of: [item]).first?.models.first { $0.model == "helper" }).top
    }

    @Test(
        "the review source retrains the helper every retrain_every decisions and tells the screen to reload its queue",
        arguments: [StoreReviewSource.synchronousRefreshLimit, 100])
    func reviewRetrains(refreshLimit: Int) throws {
        let dataset = Self.shapesWithoutModels("[helper]\nretrain_every = 4\n")
        let project = try Project.open(try ProjectOptions.parse([dataset.root]), importIfNeeded: true)
        let source = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, refreshLimit: refreshLimit, progress: SilentProgress())
        let helper = try #require(source.helper)
        helper.idleRetrain = false
        let told = Counter()
        source.observeQueueChanges { told.add() }
        let slots = try source.queue(named: "label-issues").slots
        let watched = slots[0].item
        let before = try Self.helperRow(source, watched)
        // Relabel the four most suspicious items to what the evidence suggests.
        for slot in slots.prefix(3) {
            let suggested = try #require(try source.details(of: [slot.item]).first?.suggested)
            _ = try source.decide(DecisionCommand(items: [slot.item], kind: .relabel([suggested]), queue: "label-issues"))
        }
        helper.waitUntilIdle()
        #expect(helper.completed == 0 && told.value == 0, "three decisions: no retrain yet")
        let suggested = try #require(try source.details(of: [slots[3].item]).first?.suggested)
        _ = try source.decide(DecisionCommand(items: [slots[3].item], kind: .relabel([suggested]), queue: "label-issues"))
        helper.waitUntilIdle()
        source.waitForRefresh()
        #expect(helper.completed == 1)
        #expect(told.value == 1)
        // The screen's refresh takes the retrained queue once (as it takes others' decisions).
        #expect(try source.refreshedQueue(named: "label-issues") != nil)
        #expect(try source.refreshedQueue(named: "label-issues") == nil)
        // The relabelled item is now learnt with its new label: the helper's view of it moved.
        #expect(try Self.helperRow(source, watched) != before)
        // Decided items are gone from the reloaded queue.
        #expect(try !source.queue(named: "label-issues").slots.contains { $0.item == watched })
        // And the retrained helper was kept for the next session.
        #expect(
            HelperCache.read(HelperEvidence.cachePath(try AnalysisSession(project, progress: SilentProgress())))?.weights[watched]
                == HelperEvidence.verifiedWeight)
    }

    @Test("a pause retrains the helper with the decisions not yet learnt from")
    func idleRetrains() throws {
        let dataset = Self.shapesWithoutModels("[helper]\nretrain_every = 1000\n")
        let project = try Project.open(try ProjectOptions.parse([dataset.root]), importIfNeeded: true)
        let source = try StoreReviewSource.open(project, reviewer: "tester", stratifyBy: nil, progress: SilentProgress())
        let helper = try #require(source.helper)
        helper.idleSeconds = 0.2
        let told = Counter()
        source.observeQueueChanges { told.add() }
        let item = try #require(try source.queue(named: "triage").slots.first).item
        _ = try source.decide(DecisionCommand(items: [item], kind: .accept, queue: "triage"))
        let deadline = Date().addingTimeInterval(60)
        while helper.completed == 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        helper.waitUntilIdle()
        #expect(helper.completed == 1 && told.value == 1)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

@Suite("helper model cache, damaged")
struct HelperCacheDamageTests {
    /// A cache file with the helper's magic, this header length and header, then `tail` bytes.
    func file(headerLength: UInt64, header: Data, tail: Int) throws -> String {
        var data = Data(HelperCache.magic)
        data.append(contentsOf: withUnsafeBytes(of: headerLength.littleEndian) { Array($0) })
        data.append(header)
        data.append(Data(count: tail))
        let path = NSTemporaryDirectory() + "winnow-helper-cache-\(UUID().uuidString).bin"
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    func header(items: Int, classes: Int, parameters: Int, folds: Int) throws -> Data {
        try JSONEncoder().encode(
            HelperCache.Summary(
                items: items, classes: classes, parameters: parameters, folds: folds, regularisation: [], chosen: false,
                features: "embeddings", notes: [], foldNotes: [], trainedItems: 0, outOfFoldLogLoss: nil, outOfFoldAccuracy: nil,
                priorLogLoss: nil, seconds: 0, trainedAt: "", unused: nil))
    }

    @Test("header lengths and sizes that overflow or are negative make the cache unreadable (retrained), never a trap")
    func oversizedOrNegativeSizesAreRefused() throws {
        let small = try header(items: 2, classes: 2, parameters: 0, folds: 0)
        let paths = [
            try file(headerLength: UInt64.max, header: small, tail: 16),
            try file(headerLength: UInt64(Int.max), header: small, tail: 16),
            try file(headerLength: UInt64(small.count), header: try header(items: Int.max / 2, classes: 3, parameters: 5, folds: 5), tail: 16),
            try file(headerLength: UInt64(small.count), header: try header(items: -4, classes: 2, parameters: 0, folds: 0), tail: 16),
            try file(headerLength: UInt64(small.count), header: try header(items: 4, classes: Int.max, parameters: 1, folds: 1), tail: 16)
        ]
        for path in paths {
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(HelperCache.read(path) == nil, "\(path)")
        }
        // The same layout with consistent sizes is read: the checks refuse only what is damaged.
        let good = try file(headerLength: UInt64(small.count), header: small, tail: 2 * 4 + 2 * 4)
        defer { try? FileManager.default.removeItem(atPath: good) }
        #expect(HelperCache.read(good)?.labels.count == 2)
    }
}
