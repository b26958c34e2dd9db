import Foundation
import GRDB
import Testing
import WinnowCore
import WinnowTestSupport
@testable import WinnowStore

/// Every reader of the multi-label setting and of the class list goes through one store
/// method; these pin what those methods mean, so the readers cannot drift apart again.
@Suite("Store: project settings and the class list")
struct ProjectSettingsTests {
    func multiLabelDataset(function: String = #function) -> TemporaryDataset {
        let dataset = TemporaryDataset(function: function)
        dataset.image("a.png").image("b.png")
        dataset.write("classes.txt", "sea\nsky\nsand\n").write("labels.csv", "image,labels\na.png,sky|sea\nb.png,sand\n")
        return dataset
    }

    /// Every view of the project (info, the analysis input, the export head, the import's
    /// record) gives the same answer as `isMultiLabel()`.
    func readers(_ store: ProjectStore) throws -> [Bool] {
        [
            try store.isMultiLabel(), try store.info().multiLabel, try store.analysisContext().multiLabel,
            try store.exportSnapshot { $0.head.multiLabel }
        ]
    }

    @Test func everyReaderAgreesOnMultiLabel() throws {
        let singleDataset = TemporaryDataset.simple(), multiDataset = multiLabelDataset()
        let (single, _) = try importDataset(singleDataset)
        #expect(try readers(single) == [false, false, false, false])
        #expect(try single.setting(.multiLabel) == "false")
        let (multi, _) = try importDataset(multiDataset)
        #expect(try readers(multi) == [true, true, true, true])
        #expect(try multi.setting(.multiLabel) == "true")
        // The store's own label check follows the same setting: two labels are fine here…
        _ = try multi.decide(DecisionRequest(imagePath: "b.png", reviewer: "alice", action: .relabel, labels: LabelSet(normalized: ["sea", "sand"])))
        // …and refused on single-label data.
        #expect(throws: StoreError.self) {
            try single.decide(
                DecisionRequest(imagePath: "img0.png", reviewer: "alice", action: .relabel, labels: LabelSet(normalized: ["cat", "dog"])))
        }
    }

    /// Only the exact text Winnow writes counts as yes: a hand-edited "TRUE" or "1" is no,
    /// everywhere at once.
    @Test func onlyTheStoredTrueIsYes() throws {
        let dataset = multiLabelDataset()
        let (store, _) = try importDataset(dataset)
        for (text, expected) in [("true", true), ("TRUE", false), ("1", false), ("yes", false), ("", false)] {
            let pool = try DatabasePool(path: store.databasePath)
            try pool.write { try $0.execute(sql: "UPDATE project SET value = ? WHERE key = 'multi_label'", arguments: [text]) }
            #expect(try readers(store) == Array(repeating: expected, count: 4), "stored \(text.debugDescription)")
        }
    }

    @Test func theClassListIsTheTaxonomyInForceInColumnOrder() throws {
        let dataset = TemporaryDataset.simple(classes: ["cat", "dog", "fox"])
        let (store, _) = try importDataset(dataset)
        // A re-import with fewer classes keeps the old class's row without a position.
        dataset.write("classes.txt", "fox\ncat\n").write(
            "labels.csv", "image,label\nimg0.png,cat\nimg1.png,fox\nimg2.png,fox\nimg3.png,cat\nimg4.png,cat\nimg5.png,fox\n")
        try importDataset(dataset, into: store)
        let names = ["fox", "cat"]
        #expect(try store.taxonomy().names == names)
        #expect(try store.info().classes.map(\.name) == names)
        #expect(try store.analysisContext().classes == names)
        #expect(try store.exportSnapshot { $0.head.classes } == names)
        #expect(try store.evidence().classes == 2)
        #expect(try store.analysisInputSignature().contains("classes 2 fox\u{1F}cat"))
        #expect(throws: StoreError.self) { try store.decide(request("img1.png", .relabel, "dog")) }
    }
}
