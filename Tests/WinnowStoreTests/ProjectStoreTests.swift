import Foundation
import GRDB
import Testing
import WinnowCore
import WinnowTestSupport
@testable import WinnowDataset
@testable import WinnowStore

/// Imports `dataset` into its default state folder and returns the store.
@discardableResult
func importDataset(_ dataset: TemporaryDataset, into store: ProjectStore? = nil) throws -> (ProjectStore, ImportSummary) {
    let store = try store ?? ProjectStore(stateDirectory: dataset.statePath)
    let snapshot = try DatasetReader(root: dataset.root, config: DatasetReader.loadConfig(root: dataset.root)).read()
    return (store, try store.applyImport(snapshot, datasetRoot: dataset.root))
}

func request(_ path: String, _ action: DecisionAction, _ label: String? = nil, by reviewer: String = "alice") -> DecisionRequest {
    DecisionRequest(imagePath: path, reviewer: reviewer, action: action, labels: label.map(LabelSet.init(single:)))
}

@Suite("Project store")
struct ProjectStoreTests {
    @Test func importRecordsItemsClassesAndLabels() throws {
        let dataset = TemporaryDataset.simple()
        let (store, summary) = try importDataset(dataset)
        #expect(summary.items == 6 && summary.newItems == 6 && summary.classes == 3)
        #expect(try store.taxonomy().names == ["cat", "dog", "fox"])
        #expect(try store.resolution(ofImage: "img1.png").labels == LabelSet(single: "dog"))
        let info = try store.info()
        #expect(info.classes.map(\.given) == [2, 2, 2])
        #expect(info.status["unreviewed"] == 6)
    }

    @Test func invalidDecisionsAreRefused() throws {
        let (store, _) = try importDataset(TemporaryDataset.simple())
        #expect(throws: StoreError.unknownImage("nope.png")) { try store.decide(request("nope.png", .accept)) }
        #expect(throws: StoreError.self) { try store.decide(request("img0.png", .relabel, "wolf")) }
        #expect(throws: StoreError.self) {
            try store.decide(DecisionRequest(imagePath: "img0.png", reviewer: "a", action: .relabel, labels: LabelSet(normalized: ["cat", "dog"])))
        }
    }

    @Test func theDecisionLogIsAppendOnly() throws {
        let dataset = TemporaryDataset.simple()
        let (store, _) = try importDataset(dataset)
        _ = try store.decide(request("img0.png", .accept))
        let queue = try DatabaseQueue(path: store.databasePath)
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "UPDATE events SET reviewer = 'mallory'") } }
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "DELETE FROM events") } }
        #expect(try store.history(ofImage: "img0.png").first?.reviewer == "alice")
    }

    @Test func reimportKeepsDecisionsAddsNewItemsAndKeepsHistoryOfRemovedOnes() throws {
        let dataset = TemporaryDataset.simple(count: 4)
        let (store, _) = try importDataset(dataset)
        _ = try store.decide(request("img0.png", .relabel, "fox"))
        _ = try store.decide(request("img3.png", .accept))

        dataset.remove("images/img3.png")
        dataset.image("img9.png")
        dataset.write("labels.csv", "image,label\nimg9.png,dog\nimg0.png,cat\nimg1.png,dog\nimg2.png,fox\n")
        let (_, summary) = try importDataset(dataset, into: store)
        #expect(summary.items == 4 && summary.newItems == 1 && summary.removedItems == 1)
        #expect(try store.resolution(ofImage: "img0.png").labels == LabelSet(single: "fox"), "decision survives")
        #expect(try store.history(ofImage: "img3.png").count == 1, "history of a removed image is kept")
        #expect(throws: StoreError.removedImage("img3.png")) { try store.decide(request("img3.png", .accept)) }
        let info = try store.info()
        #expect(info.items == 4 && info.removedItems == 1)

        // The image comes back: same item, same history.
        dataset.image("img3.png")
        dataset.write("labels.csv", "image,label\nimg3.png,cat\nimg0.png,cat\n")
        let (_, again) = try importDataset(dataset, into: store)
        #expect(again.newItems == 0)
        #expect(try store.resolution(ofImage: "img3.png").status == .accepted)
    }

    @Test func aFailingImportTransactionChangesNothing() throws {
        let dataset = TemporaryDataset.simple()
        let (store, _) = try importDataset(dataset)
        _ = try store.decide(request("img0.png", .relabel, "dog"))
        let before = try store.info()

        // A snapshot that passes no reader (two items with one path) fails inside the
        // transaction, after classes and some items were already written.
        var snapshot = try DatasetReader(root: dataset.root, config: WinnowConfig()).read()
        snapshot.taxonomy = ClassTaxonomy(["zebra", "cat", "dog", "fox"])
        snapshot.items.append(snapshot.items[0])
        #expect(throws: (any Error).self) { try store.applyImport(snapshot, datasetRoot: dataset.root) }

        let after = try store.info()
        #expect(after.items == before.items)
        #expect(after.classes.map(\.name) == before.classes.map(\.name))
        #expect(after.decisions == before.decisions)
        #expect(try store.resolution(ofImage: "img0.png").labels == LabelSet(single: "dog"))
    }

    @Test func concurrentWritersLoseNothing() async throws {
        let dataset = TemporaryDataset.simple(count: 20)
        let (store, _) = try importDataset(dataset)
        let path = store.stateDirectory
        // Separate stores = separate connection pools, as separate processes would have.
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    let mine = try! ProjectStore(stateDirectory: path)
                    for i in 0..<50 {
                        _ = try! mine.decide(request("img\((writer * 5 + i) % 20).png", i % 3 == 0 ? .skip : .accept, by: "w\(writer)"))
                    }
                }
            }
        }
        let info = try store.info()
        #expect(info.decisions == 200)
        #expect(info.decisionsByReviewer.map(\.total) == [50, 50, 50, 50])
    }

    @Test func exportReadsOneSnapshotWhileOthersKeepDeciding() throws {
        let dataset = TemporaryDataset.simple()
        let (store, _) = try importDataset(dataset)
        _ = try store.decide(request("img5.png", .accept))
        let other = try ProjectStore(stateDirectory: store.stateDirectory)
        var seen: [String: ItemStatus] = [:]
        var decidedDuringExport = false
        let head = try store.exportItems { _, record in
            if !decidedDuringExport {
                decidedDuringExport = true
                _ = try other.decide(request("img4.png", .exclude, by: "bob"))
            }
            seen[record.path] = record.resolution.status
        }
        #expect(head.lastEventID == 1)
        #expect(seen["img4.png"] == .unreviewed, "the concurrent decision is not in this export")
        #expect(seen["img5.png"] == .accepted)
        #expect(try store.resolution(ofImage: "img4.png").status == .excluded)
    }

    @Test func aStateFolderFromANewerWinnowIsRefused() throws {
        let dataset = TemporaryDataset.simple()
        let (store, _) = try importDataset(dataset)
        try DatabaseQueue(path: store.databasePath).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations(identifier) VALUES ('v99: from the future')")
        }
        #expect(throws: StoreError.newerSchema(path: store.databasePath)) { try ProjectStore(stateDirectory: dataset.statePath) }
    }

    @Test func aRefusedOpenLeavesNoStateSubfoldersBehind() throws {
        let dataset = TemporaryDataset.simple()
        let (store, _) = try importDataset(dataset)
        try DatabaseQueue(path: store.databasePath).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations(identifier) VALUES ('v99: from the future')")
        }
        // An old project's folder, from before the matrices folder (no predictions: it is empty).
        let matrices = dataset.statePath + "/matrices"
        try FileManager.default.removeItem(atPath: matrices)
        #expect(throws: StoreError.newerSchema(path: store.databasePath)) { try ProjectStore(stateDirectory: dataset.statePath) }
        #expect(!FileManager.default.fileExists(atPath: matrices), "a refused open creates no subfolder")
        // A damaged database is refused the same way.
        let damaged = TemporaryDataset.simple()
        try FileManager.default.createDirectory(atPath: damaged.statePath, withIntermediateDirectories: true)
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: damaged.statePath + "/" + ProjectStore.databaseFileName))
        #expect(throws: StoreError.self) { try ProjectStore(stateDirectory: damaged.statePath) }
        #expect(!FileManager.default.fileExists(atPath: damaged.statePath + "/matrices"))
    }

    @Test func predictionMatricesAreStoredAsNumpyReadableFiles() throws {
        let dataset = TemporaryDataset.simple(count: 2, classes: ["cat", "dog"])
        dataset.write("predictions/m.csv", "image,cat,dog\nimg0.png,0.25,0.75\nimg1.png,1,0\n")
        let (store, _) = try importDataset(dataset)
        let file = try #require(try store.read { try String.fetchOne($0, sql: "SELECT matrix_file FROM models") })
        let matrix = try NPYMatrix(path: store.stateDirectory + "/matrices/" + file, displayName: file)
        #expect(matrix.rows == 2 && matrix.columns == 2)
        #expect(matrix.value(row: 0, column: 1) == 0.75)
    }
}
