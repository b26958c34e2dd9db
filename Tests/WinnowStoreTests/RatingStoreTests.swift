import Foundation
import Testing
import WinnowCore
import WinnowTestSupport
@testable import WinnowStore

/// The agreement figures read each reviewer's rating of each item from the decision log.
@Suite("Store: ratings from the decision log")
struct RatingStoreTests {
    func rating(_ store: ProjectStore, _ path: String) throws -> [String: String] {
        let id = try #require(try store.history(ofImage: path).first?.itemID)
        return Dictionary(uniqueKeysWithValues: try store.ratings().filter { $0.item == id }.map { ($0.rater, $0.category) })
    }

    @Test("accept rates the label the item had, relabel the new one, exclude '(excluded)'; skips and splits are not ratings")
    func actions() throws {
        let (store, _) = try importDataset(TemporaryDataset.simple())
        _ = try store.decide(request("img0.png", .accept, by: "alice"))
        _ = try store.decide(request("img0.png", .relabel, "fox", by: "bob"))
        _ = try store.decide(request("img0.png", .accept, by: "carol"))
        _ = try store.decide(request("img0.png", .exclude, by: "dave"))
        _ = try store.decide(request("img0.png", .skip, by: "erin"))
        _ = try store.decide(request("img0.png", .split, by: "erin"))
        #expect(try rating(store, "img0.png") == ["alice": "cat", "bob": "fox", "carol": "fox", "dave": Rating.excluded])
    }

    @Test("a reviewer's latest decision counts; undo takes it back and the earlier one counts again")
    func latestAndUndo() throws {
        let (store, _) = try importDataset(TemporaryDataset.simple())
        _ = try store.decide(request("img1.png", .relabel, "fox", by: "alice"))
        _ = try store.decide(request("img1.png", .relabel, "cat", by: "alice"))
        #expect(try rating(store, "img1.png") == ["alice": "cat"])
        _ = try store.decide(request("img1.png", .undo, by: "alice"))
        #expect(try rating(store, "img1.png") == ["alice": "fox"])
        // A skip after a decision leaves the decision as the rating.
        _ = try store.decide(request("img1.png", .skip, by: "alice"))
        #expect(try rating(store, "img1.png") == ["alice": "fox"])
        _ = try store.decide(request("img1.png", .undo, by: "alice")) // the skip
        _ = try store.decide(request("img1.png", .undo, by: "alice")) // the relabel to fox
        #expect(try rating(store, "img1.png").isEmpty)
    }

    @Test("an undo by anyone takes back the item's latest decision, whoever made it")
    func undoByAnother() throws {
        let (store, _) = try importDataset(TemporaryDataset.simple())
        _ = try store.decide(request("img2.png", .accept, by: "alice"))
        _ = try store.decide(request("img2.png", .relabel, "cat", by: "bob"))
        _ = try store.decide(request("img2.png", .undo, by: "alice"))
        #expect(try rating(store, "img2.png") == ["alice": "fox"])
    }

    @Test("multi-label: the whole label set is the category; no label at all is '(none)'")
    func multiLabel() throws {
        let dataset = TemporaryDataset()
        dataset.image("a.png").image("b.png")
        dataset.write("classes.txt", "sea\nsky\nsand\n").write("labels.csv", "image,labels\na.png,sky|sea\nb.png,\n")
        let (store, _) = try importDataset(dataset)
        _ = try store.decide(request("a.png", .accept, by: "alice"))
        _ = try store.decide(DecisionRequest(imagePath: "a.png", reviewer: "bob", action: .relabel, labels: LabelSet(normalized: ["sea", "sand"])))
        _ = try store.decide(request("b.png", .accept, by: "alice"))
        #expect(try rating(store, "a.png") == ["alice": LabelSet(normalized: ["sea", "sky"]).storageText, "bob": "sea\u{1F}sand"])
        #expect(try rating(store, "b.png") == ["alice": Rating.unlabelled])
        #expect(Rating.displayName("sea\u{1F}sand") == "sea|sand")
    }

    @Test("the streaming read agrees with replaying each item's history, on a random log")
    func matchesItemHistory() throws {
        let (store, _) = try importDataset(TemporaryDataset.simple(count: 12))
        var rng = SplitMix64(seed: 3)
        let actions: [DecisionAction] = [.accept, .relabel, .exclude, .skip, .split, .undo, .undo]
        for _ in 0..<300 {
            let path = "img\(rng.next() % 12).png"
            let action = actions[Int(rng.next() % UInt64(actions.count))]
            let reviewer = ["alice", "bob", "carol"][Int(rng.next() % 3)]
            _ = try? store.decide(request(path, action, action == .relabel ? ["cat", "dog", "fox"][Int(rng.next() % 3)] : nil, by: reviewer))
        }
        var replayed: [Rating] = []
        for i in 0..<12 { replayed += ItemHistory.ratings(try store.history(ofImage: "img\(i).png")) }
        let streamed = try store.ratings()
        #expect(streamed.count > 12)
        #expect(Set(streamed) == Set(replayed) && streamed.count == replayed.count)
    }

    @Test("review figures count decisions per reviewer and action, and each flag source's outcomes")
    func figuresByReviewerAndFlag() throws {
        let (store, _) = try importDataset(TemporaryDataset.simple())
        func decide(_ path: String, _ action: DecisionAction, _ label: String? = nil, by reviewer: String, reason: String?) throws {
            var r = request(path, action, label, by: reviewer)
            r.queue = "triage"
            r.reason = reason
            _ = try store.decide(r)
        }
        try decide("img0.png", .relabel, "fox", by: "alice", reason: "confident-learning")
        try decide("img1.png", .accept, by: "bob", reason: "confident-learning")
        try decide("img2.png", .exclude, by: "bob", reason: "disagreement")
        try decide("img3.png", .accept, by: "bob", reason: nil)
        let figures = try store.reviewFigures()
        #expect(figures.decisionsByReviewer == ["alice": ["relabel": 1], "bob": ["accept": 2, "exclude": 1]])
        let cl = try #require(figures.flags.first { $0.flag == "confident-learning" })
        #expect(cl.decided == 2 && cl.relabelled == 1 && cl.accepted == 1 && cl.relabelledShare == 0.5)
        #expect(figures.flags.first { $0.flag == "disagreement" }?.precision == 1)
        #expect(figures.flags.first { $0.flag == "triage" }?.decided == 1, "no reason: the queue is the flag")
    }

    @Test("an image that left the dataset keeps its log but is out of the figures and the ratings")
    func removedItems() throws {
        let dataset = TemporaryDataset.simple(count: 4)
        let (store, _) = try importDataset(dataset)
        for path in ["img0.png", "img1.png", "img3.png"] {
            _ = try store.decide(request(path, .relabel, "fox", by: "alice"))
            _ = try store.decide(request(path, .accept, by: "bob"))
        }
        dataset.remove("images/img1.png")
        dataset.write("labels.csv", "image,label\nimg0.png,cat\nimg2.png,fox\nimg3.png,cat\n")
        _ = try importDataset(dataset, into: store)
        let figures = try store.reviewFigures()
        #expect(figures.status["relabelled"] == 2 && figures.status["unreviewed"] == 1)
        #expect(figures.status.values.reduce(0, +) == 3)
        #expect(figures.decisionsByAction["relabel"] == 3, "the log itself is counted whole")
        #expect(Set(try store.ratings().map(\.item)).count == 2)
    }

    @Test("a flag tally counts an item once under each flag that surfaced it")
    func tallyOfSeveralFlags() {
        var tally = FlagTally()
        tally.record(flags: ["label_issue", "confident_learning"], outcome: .relabelled)
        tally.record(flags: ["label_issue", "label_issue"], outcome: .accepted)
        tally.record(flags: ["outlier"], outcome: .skipped)
        #expect(tally.results.map(\.flag) == ["label_issue", "confident_learning"])
        #expect(tally.results[0].decided == 2 && tally.results[0].relabelled == 1)
    }
}
