import Foundation
import Testing
import WinnowCore
import WinnowTestSupport

/// End to end: datasets made from the cleanlab fixtures, imported and queued by the real
/// binary, give exactly what cleanlab computed on them.
@Suite("Multi-label issues and multi-annotator consensus from the command line")
struct MultiLabelCLITests {
    static let fixtures = Repository.root + "/Tests/WinnowAnalysisTests/Fixtures"

    func winnow(_ arguments: String...) -> WinnowProcess.Result { WinnowProcess.run(arguments) }

    static func json(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func image(_ i: Int) -> String { String(format: "img%04d.png", i) }

    /// A dataset folder with the fixture's items (one tiny image each), its classes, labels
    /// and model probabilities.
    static func dataset(multiLabel name: String, function: String = #function) throws -> (TemporaryDataset, expected: [String: Any]) {
        let folder = fixtures + "/multilabel/" + name
        let sets = try json(folder + "/labels.json") as! [[Int]]
        let expected = try json(folder + "/expected.json") as! [String: Any]
        let k = expected["k"] as! Int
        let d = TemporaryDataset(function: function)
        var labels = "image,labels\n"
        for (i, set) in sets.enumerated() {
            d.image(image(i))
            labels += image(i) + "," + set.map { "c\($0)" }.joined(separator: "|") + "\n"
        }
        d.write("classes.txt", (0..<k).map { "c\($0)" }.joined(separator: "\n") + "\n")
        d.write("labels.csv", labels)
        d.write("predictions/model.npy", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/pred_probs.npy"))))
        d.write("winnow.toml", "[import]\ncheck_images = false\n[analysis]\nexact_duplicates = false\n")
        return (d, expected)
    }

    func queue(_ root: String, _ name: String, _ extra: [String] = []) -> [[String: Any]] {
        let result = WinnowProcess.run(["queue", root, "--queue", name, "--format", "jsonl"] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    func index(_ entry: [String: Any]) -> Int { Int((entry["image"] as! String).dropFirst(3).prefix(4))! }

    @Test func theConfidentLearningQueueIsCleanlabsMultiLabelFlags() throws {
        let (d, expected) = try Self.dataset(multiLabel: "ml_basic")
        let stable = expected["stable_argsort"] as! [String: Any]
        let flagged = stable["find_label_issues"] as! [String: [Int]]
        let ranked = stable["ranked"] as! [String: [String: [Int]]]
        #expect(winnow("import", d.root).status == 0)
        // Default filter_by: the same items, in cleanlab's ranked (self_confidence) order.
        let entries = queue(d.root, "confident-learning")
        #expect(entries.map(index) == ranked["prune_by_noise_rate"]!["self_confidence"]!)
        for method in ["both", "predicted_neq_given", "low_self_confidence"] {
            let got = queue(d.root, "confident-learning", ["--filter-by", method]).map(index)
            #expect(got.sorted() == flagged[method]!, "\(method): \(got.count) vs cleanlab \(flagged[method]!.count)")
        }
        // Each entry names its classes, and suggests the set they point to.
        let first = try #require(entries.first)
        let reasons = first["reasons"] as! [String]
        #expect(reasons.contains { $0.contains("is probably missing") || $0.contains("is probably wrong") }, "\(reasons)")
        let signals = first["signals"] as! [String: Any]
        let multi = signals["multi_label"] as! [String: Any]
        #expect(multi["issue"] as? Bool == true && !(multi["classes"] as! [Any]).isEmpty)
        #expect(first["suggested"] is [String])
        // The label-issues queue (and so triage) holds the same items on multi-label data.
        #expect(queue(d.root, "label-issues").map(index).sorted() == flagged["prune_by_noise_rate"]!)
    }

    @Test func reasonsNameTheClassAndItsDirection() throws {
        let d = TemporaryDataset()
        d.write("classes.txt", "hat\numbrella\ncoat\n")
        var labels = "image,labels\n", model = "image,hat,umbrella,coat\n"
        for i in 0..<60 {
            d.image(Self.image(i))
            let hat = i % 2 == 0, umbrella = i % 3 == 0
            // Item 1 lacks 'umbrella' the model is sure of; item 2 has a 'hat' it rules out.
            let given = [hat || i == 2 ? "hat" : nil, umbrella && i != 1 ? "umbrella" : nil, "coat"].compactMap { $0 }
            labels += Self.image(i) + "," + given.joined(separator: "|") + "\n"
            model += Self.image(i) + ",\(i == 2 ? 0.01 : hat ? 0.9 : 0.1),\(i == 1 ? 0.99 : umbrella ? 0.85 : 0.12),0.8\n"
        }
        d.write("labels.csv", labels).write("predictions/m.csv", model)
        let table = winnow("queue", d.root, "--queue", "confident-learning")
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("'umbrella' is probably missing (the models give it 0.99)"), "\(table.stdout)")
        #expect(table.stdout.contains("'hat' is probably wrong (the models give it 0.01)"), "\(table.stdout)")
        #expect(table.stdout.contains("img0001.png  [coat]  → [umbrella|coat]"), "\(table.stdout)")
    }

    @Test func lowSelfConfidenceIsRefusedOnSingleLabelData() {
        let d = TemporaryDataset.simple(count: 4, classes: ["cat", "dog"])
        let result = winnow("queue", d.root, "--filter-by", "low_self_confidence")
        #expect(result.status == 1 && result.stderr.contains("multi-label data only"), "\(result.stderr)")
    }

    /// The ma_basic fixture as a dataset: labels.csv with an annotator column, one model.
    static func dataset(annotators name: String, function: String = #function) throws -> (TemporaryDataset, expected: [String: Any]) {
        let folder = fixtures + "/multiannotator/" + name
        let rows = try json(folder + "/labels.json") as! [[Any]]
        let expected = try json(folder + "/expected.json") as! [String: Any]
        let k = expected["k"] as! Int
        let d = TemporaryDataset(function: function)
        var labels = "image,label,annotator\n"
        for (i, row) in rows.enumerated() {
            d.image(image(i))
            for (a, label) in row.enumerated() { if let c = label as? Int { labels += "\(image(i)),c\(c),a\(a)\n" } }
        }
        d.write("classes.txt", (0..<k).map { "c\($0)" }.joined(separator: "\n") + "\n")
        d.write("labels.csv", labels)
        d.write("predictions/model.npy", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/pred_probs.npy"))))
        d.write("winnow.toml", "[import]\ncheck_images = false\n[analysis]\nexact_duplicates = false\n")
        return (d, expected)
    }

    @Test func crowdlabConsensusIsTheGivenLabelAndDrivesQueueStatsAndExport() throws {
        let (d, expected) = try Self.dataset(annotators: "ma_basic")
        let crowd = expected["crowdlab"] as! [String: Any]
        let consensus = crowd["consensus_label"] as! [Int]
        let quality = crowd["consensus_quality_score"] as! [Double]
        let annotations = crowd["num_annotations"] as! [Int]
        let rows = try Self.json(Self.fixtures + "/multiannotator/ma_basic/labels.json") as! [[Any]]
        let imported = winnow("import", d.root)
        #expect(imported.status == 0 && imported.stdout.contains("given labels are CROWDLAB's consensus"), "\(imported.stdout)")

        // export: items several annotators labelled carry CROWDLAB's consensus as given_label,
        // items labelled once their one label.
        let out = d.root + "/labels-out.csv"
        #expect(winnow("export", d.root, "-o", out).status == 0)
        let exported = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        var mismatches = 0
        for line in exported {
            let i = Int(line[0].dropFirst(3).prefix(4))!
            let single = rows[i].compactMap { $0 as? Int }
            let want = annotations[i] > 1 ? consensus[i] : single[0]
            if line[2] != "c\(want)" { mismatches += 1 }
        }
        #expect(exported.count == rows.count && mismatches == 0, "\(mismatches) given labels differ")

        // low-consensus: the multi-annotated items below 0.5, lowest quality first.
        let want = (0..<rows.count).filter { annotations[$0] > 1 && quality[$0] < 0.5 }
            .sorted { quality[$0] != quality[$1] ? quality[$0] < quality[$1] : $0 < $1 }
        let entries = queue(d.root, "low-consensus")
        #expect(!want.isEmpty && entries.map(index) == want)
        #expect((entries.first?["reasons"] as? [String])?.contains { $0.hasPrefix("low consensus: CROWDLAB's consensus 'c") } == true)

        // stats: each annotator's quality, in cleanlab's order, beside the agreement figures.
        let stats = winnow("stats", d.root, "--format", "json", "--no-queues")
        let report = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as! [String: Any]
        let listed = report["annotators"] as! [[String: Any]]
        let wantStats = crowd["annotator_stats"] as! [[String: Any]]
        #expect(listed.map { $0["annotator"] as! String } == wantStats.map { "a\($0["annotator"] as! Int)" })
        #expect(listed.map { $0["quality"] as! Double } == wantStats.map { $0["annotator_quality"] as! Double })
        let table = winnow("stats", d.root, "--no-queues").stdout
        #expect(table.contains("Annotators of the dataset (CROWDLAB"), "\(table)")
    }

    @Test func majorityVoteWhenConfiguredOrWithoutAModel() throws {
        let (d, _) = try Self.dataset(annotators: "ma_ties")
        d.write("winnow.toml", "[import]\ncheck_images = false\nannotator_consensus = \"majority_vote\"\n[analysis]\nexact_duplicates = false\n")
        let vote = winnow("import", d.root)
        #expect(vote.status == 0 && !vote.stdout.contains("CROWDLAB"), "\(vote.stdout)")
        #expect(winnow("queue", d.root, "--queue", "low-consensus").stdout == "the queue is empty\n")

        let (noModel, _) = try Self.dataset(annotators: "ma_ties")
        noModel.remove("predictions")
        let imported = winnow("import", noModel.root)
        #expect(
            imported.stdout.contains("given labels are their majority vote (there are no model probabilities for CROWDLAB)"), "\(imported.stdout)")
    }
}
