import Foundation
import Testing
import WinnowCore
import WinnowStore
import WinnowTestSupport
@testable import WinnowPostgres

/// A snapshot of `count` generated items (no files: the stores never read images).
func generatedSnapshot(_ count: Int, reversed: Bool = false) -> DatasetSnapshot {
    let classes = ["cat", "dog", "fox"]
    var items = (0..<count).map { i in
        DatasetSnapshot.Item(
            path: "d\(i % 7)/img\(i).png", metadataJSON: #"{"i":"\#(i)"}"#, fileSize: Int64(100 + i),
            modificationTime: 1_700_000_000.25, givenLabels: LabelSet(single: classes[i % 3]))
    }
    if reversed { items.reverse() }
    let probabilities = (0..<count * 3).map { Float($0 % 3) / 3 }
    return DatasetSnapshot(
        layout: .labelsFile, taxonomy: ClassTaxonomy(classes), classesFromFile: true, isMultiLabel: false,
        metadataColumns: ["i"], items: items,
        annotations: (0..<count).map { .init(item: $0, annotator: "a\($0 % 2)", labels: LabelSet(single: classes[$0 % 3])) },
        models: [.init(name: "m", source: "predictions.npy", probabilities: probabilities)], embeddings: nil, notices: [])
}

@Suite("PostgreSQL store: reads and writes in batches")
struct PostgresBatchTests {
    @Test("an import of more items than one INSERT holds keeps every id by path when the order changes")
    func largeImport() throws {
        let server = try ThrowawayPostgres.server()
        try server.withDatabase { url, _ in
            let store = try PostgresProjectStore(url: url)
            let first = try store.applyImport(generatedSnapshot(2_100), datasetRoot: "/host-a/data")
            #expect(first.items == 2_100 && first.newItems == 2_100)
            let before = try store.itemStates(ids: [1, 2_001, 2_100]).map(\.path)
            #expect(before == ["d0/img0.png", "d5/img2000.png", "d6/img2099.png"])
            // Another host, another folder, the rows in another order: the same items.
            let again = try store.applyImport(generatedSnapshot(2_100, reversed: true), datasetRoot: "/host-b/elsewhere")
            #expect(again.newItems == 0 && again.removedItems == 0)
            let after = try store.itemStates(ids: [1, 2_001, 2_100])
            #expect(after.map(\.path) == before && after.map(\.row) == [2_099, 99, 0])
            #expect(try store.setting(.datasetRoot) == "/host-b/elsewhere")
        }
    }

    @Test("an import in statements of 1,000 rows keeps every id by path, the annotations with them, when the order changes")
    func importBatchBoundaries() throws {
        let server = try ThrowawayPostgres.server()
        try server.withDatabase { url, _ in
            let store = try PostgresProjectStore(url: url)
            let first = try store.applyImport(generatedSnapshot(2_100), datasetRoot: "/host-a/data", progress: SilentProgress(), batch: 1_000)
            #expect(first.items == 2_100 && first.newItems == 2_100)
            let again = try store.applyImport(
                generatedSnapshot(2_100, reversed: true), datasetRoot: "/host-b/elsewhere", progress: SilentProgress(), batch: 1_000)
            #expect(again.newItems == 0 && again.removedItems == 0)
            let after = try store.itemStates(ids: [1, 1_000, 1_001, 2_000, 2_001, 2_100])
            #expect(after.map(\.path) == ["d0/img0.png", "d5/img999.png", "d6/img1000.png", "d4/img1999.png", "d5/img2000.png", "d6/img2099.png"])
            #expect(after.map(\.row) == [2_099, 1_100, 1_099, 100, 99, 0])
            #expect(after.map(\.given) == [0, 999, 1_000, 1_999, 2_000, 2_099].map { LabelSet(single: ["cat", "dog", "fox"][$0 % 3]) })
            // The reversed snapshot's annotation of row r (annotator a(r % 2), class r % 3)
            // belongs to the item at that row: id 2,100 - r.
            #expect(try store.allAnnotations().count == 2_100)
            let annotations = try store.annotations(ofItems: [1, 1_001, 2_100])
            #expect(annotations[1]?.map(\.annotator) == ["a1"] && annotations[1]?.map(\.labels) == [LabelSet(single: "fox")])
            #expect(annotations[1_001]?.map(\.annotator) == ["a1"] && annotations[1_001]?.map(\.labels) == [LabelSet(single: "dog")])
            #expect(annotations[2_100]?.map(\.annotator) == ["a0"] && annotations[2_100]?.map(\.labels) == [LabelSet(single: "cat")])
        }
    }

    @Test("an export and a verify read across batch boundaries, in order, exactly once each")
    func batchBoundaries() throws {
        let server = try ThrowawayPostgres.server()
        try server.withDatabase { url, _ in
            let store = try PostgresProjectStore(url: url)
            _ = try store.applyImport(generatedSnapshot(25), datasetRoot: "/data")
            for i in 0..<7 { _ = try store.decide(request("d\(i % 7)/img\(i).png", .relabel, "fox")) }
            var paths: [String] = []
            var indexes: [Int] = []
            let head = try store.exportItems(itemBatch: 5, logBatch: 3) { _, record in
                paths.append(record.path)
                indexes.append(record.index)
                #expect(record.resolution.labels == (record.itemID <= 7 ? LabelSet(single: "fox") : record.given))
            }
            #expect(paths == (0..<25).map { "d\($0 % 7)/img\($0).png" } && indexes == Array(0..<25))
            #expect(head.decisions == 7 && head.decisionLog?.eventID == 7)
            for batch: Int64 in [1, 3, 7, 100] {
                let verification = try store.verifyDecisionLog(expectingHead: nil, batch: batch)
                #expect(verification.isIntact && verification.eventsChecked == 7, "batch \(batch)")
            }
        }
    }

    /// Opt-in figures: `WINNOW_PG_MEASURE_ITEMS=100000 swift test --filter measure` imports
    /// that many generated items into both stores, reads them back, decides and verifies.
    @Test("figures for both stores (WINNOW_PG_MEASURE_ITEMS)", .enabled(if: ProcessInfo.processInfo.environment["WINNOW_PG_MEASURE_ITEMS"] != nil))
    func measure() throws {
        let count = Int(ProcessInfo.processInfo.environment["WINNOW_PG_MEASURE_ITEMS"] ?? "") ?? 100_000
        let snapshot = generatedSnapshot(count)
        let dataset = TemporaryDataset()
        let server = try ThrowawayPostgres.server()
        let (name, url) = try server.createDatabase()
        defer { server.dropDatabase(name) }
        let stores: [(String, any ProjectStoring)] = [
            ("sqlite", try ProjectStore(stateDirectory: dataset.statePath)),
            ("postgres", try PostgresProjectStore(url: url))
        ]
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let start = Date()
            try body()
            return Date().timeIntervalSince(start)
        }
        for (label, store) in stores {
            let importing = try seconds { _ = try store.applyImport(snapshot, datasetRoot: "/data", progress: SilentProgress()) }
            var seen = 0
            let exporting = try seconds { _ = try store.exportItems { _, _ in seen += 1 } }
            let deciding = try seconds {
                for i in 0..<500 { _ = try store.decide(request("d\(i % 7)/img\(i).png", .accept), policy: TeamPolicy(), at: Date()) }
            }
            var claims: [Double] = []
            for i in 0..<200 {
                let id = Int64(1000 + i)
                claims.append(
                    try seconds { _ = try store.hold(itemIDs: [id], reviewer: "r", session: "s", policy: TeamPolicy(), settling: false, now: Date()) }
                )
            }
            claims.sort()
            var checked = 0
            let verifying = try seconds { checked = try store.verify().eventsChecked }
            #expect(seen == count && checked == 500)
            print(
                String(
                    format:
                        "%@ %d items: import %.2f s, export read %.2f s, 500 decisions %.2f s (%.0f/s), lease claim p50 %.1f ms p95 %.1f ms, verify %.3f s",
                    label, count, importing, exporting, deciding, 500 / deciding, claims[100] * 1000, claims[190] * 1000, verifying))
        }
    }
}
