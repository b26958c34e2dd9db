import Foundation
import Testing
import WinnowCore
import WinnowTestSupport

/// `winnow stats`, run as a user would, on decisions made with `winnow decide`.
@Suite("winnow stats")
struct StatsCLITests {
    func winnow(_ arguments: String...) -> WinnowProcess.Result { CLIStore.run(arguments) }

    /// Two reviewers on four items: alice accepts cat, dog, fox, cat; bob accepts img0
    /// (cat), relabels img1 to fox, accepts img2 (fox), relabels img3 to dog; an undone
    /// relabel and a skip are not ratings. Cohen's κ: po = 2/4, Σ a_c b_c = 5, so
    /// κ = 1 − 2 / (11/4) = 3/11.
    func reviewed(function: String = #function) -> TemporaryDataset {
        let dataset = TemporaryDataset.simple(function: function)
        for image in ["img0.png", "img1.png", "img2.png", "img3.png"] {
            #expect(winnow("decide", dataset.root, image, "--accept", "--reviewer", "alice").status == 0)
        }
        for (image, action) in [
            ("img0.png", ["--accept"]), ("img1.png", ["--relabel", "fox"]), ("img2.png", ["--accept"]),
            ("img3.png", ["--relabel", "dog"]), ("img4.png", ["--relabel", "cat"]), ("img4.png", ["--undo"])
        ] {
            #expect(CLIStore.run(["decide", dataset.root, image] + action + ["--reviewer", "bob"]).status == 0)
        }
        #expect(winnow("decide", dataset.root, "img5.png", "--skip", "--reviewer", "alice").status == 0)
        return dataset
    }

    @Test("json: decisions by reviewer, flag outcomes and Cohen's κ of two reviewers", arguments: StoreKind.allCases)
    func json(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = reviewed()
            let result = winnow("stats", dataset.root, "--format", "json", "--no-queues")
            #expect(result.status == 0, "\(result.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(json["items"] as? Int == 6)
            let decisions = try #require(json["decisions"] as? [String: Any])
            #expect(decisions["total"] as? Int == 11)
            let byReviewer = try #require(decisions["by_reviewer"] as? [[String: Any]])
            // Most decisions first: bob 6, alice 5.
            #expect(byReviewer.map { $0["reviewer"] as? String } == ["bob", "alice"])
            #expect((byReviewer[0]["by_action"] as? [String: Int]) == ["accept": 2, "relabel": 3, "exclude": 0, "skip": 0, "undo": 1, "split": 0])
            let flags = try #require(json["flags"] as? [[String: Any]])
            #expect(flags.first?["flag"] as? String == "manual" && flags.first?["decided"] as? Int == 4 && flags.first?["relabelled"] as? Int == 2)

            let agreement = try #require(json["agreement"] as? [String: Any])
            #expect(agreement["overlapped_items"] as? Int == 4 && agreement["reviewers"] as? Int == 2)
            let kappa = try #require(agreement["cohens_kappa"] as? Double)
            #expect(abs(kappa - 3.0 / 11.0) < 1e-12)
            #expect(agreement.keys.contains("fleiss") && agreement.keys.contains("krippendorff_alpha"))
            let perReviewer = try #require(agreement["per_reviewer"] as? [[String: Any]])
            #expect(perReviewer.map { $0["agreed"] as? Int } == [2, 2] && perReviewer.map { $0["compared"] as? Int } == [4, 4])
            let pairs = try #require(agreement["pairs"] as? [[String: Any]])
            #expect(pairs.count == 1 && pairs[0]["a"] as? String == "alice" && pairs[0]["b"] as? String == "bob")
            let classes = try #require(agreement["per_class"] as? [[String: Any]])
            #expect(classes.compactMap { $0["class"] as? String } == ["cat", "dog", "fox"])
        }
    }

    @Test("table: fits 80 columns, with bars, the queues' progress and the agreement section")
    func table() throws {
        let dataset = reviewed()
        let result = winnow("stats", dataset.root)
        #expect(result.status == 0, "\(result.stderr)")
        for expected in [
            "6 items · 11 decisions", "Progress per queue", "triage", "open", "Decisions by reviewer", "alice", "bob",
            "Relabel flows", "dog → fox", "Flag precision", "manual", "50% of 4",
            "Agreement", "4 of 4 rated items, 2 reviewers", "Cohen's κ", "0.27", "Krippendorff's α", "█"
        ] {
            #expect(result.stdout.contains(expected), "missing \(expected)")
        }
        // Bars, arrows and Greek letters are one column each: characters are columns here.
        let widest = result.stdout.split(separator: "\n").map(\.count).max() ?? 0
        #expect(widest <= 80, "a line is \(widest) columns wide")
    }

    @Test("a project nobody reviewed twice: the figures say so, the coefficients are null")
    func noOverlap() throws {
        let dataset = TemporaryDataset.simple()
        let table = winnow("stats", dataset.root, "--no-queues")
        #expect(table.status == 0 && table.stdout.contains("agreement needs overlap"))
        let result = winnow("stats", dataset.root, "--format", "json", "--no-queues")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let agreement = try #require(json["agreement"] as? [String: Any])
        #expect(agreement["krippendorff_alpha"] is NSNull && agreement["cohens_kappa"] is NSNull && agreement["fleiss"] is NSNull)
        #expect(winnow("stats", dataset.root, "--format", "xml").status == 1)
        #expect(winnow("stats", "--help").stdout.contains("JSON KEYS"))
    }
}
