import Foundation
import Testing
import WinnowCore
import WinnowStore
import WinnowTestSupport

/// The analysis context from both stores: the same items, states, problems and models, and
/// each model's matrix as a file of the same bytes in the state folder.
@Suite("Both stores: analysis context")
struct SharedAnalysisContextTests {
    @Test("the same import and decisions give the same context; the matrix is written out once")
    func sameContext() throws {
        var contexts: [AnalysisContext] = []
        var matrices: [Data] = []
        var fixtures: [StoreFixture] = []
        defer { withExtendedLifetime(fixtures) {} }
        for kind in StoreKind.allCases {
            let fixture = try StoreFixture(kind, TemporaryDataset())
            fixtures.append(fixture)
            let store = fixture.store
            _ = try store.applyImport(generatedSnapshot(30), datasetRoot: "/data", progress: SilentProgress())
            _ = try store.decide(request("d1/img1.png", .relabel, "fox"))
            _ = try store.decide(request("d2/img2.png", .exclude, by: "bob"))
            try store.markProblem(imagePath: "d3/img3.png", problem: "PNG data is truncated")
            let context = try store.analysisContext(policy: TeamPolicy())
            contexts.append(context)
            let path = try #require(context.models.first?.matrixPath)
            matrices.append(try Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(path.hasPrefix(store.stateDirectory + "/matrices/"))
            #expect(try store.analysisContext(policy: TeamPolicy()).models.first?.matrixPath == path, "read again: the same file")
        }
        let (sqlite, postgres) = (contexts[0], contexts[1])
        #expect(matrices[0] == matrices[1] && matrices[0].count > 30 * 3 * 4)
        #expect(postgres.items.map(\.path) == sqlite.items.map(\.path) && postgres.items.map(\.id) == sqlite.items.map(\.id))
        #expect(postgres.items.map(\.problem) == sqlite.items.map(\.problem) && postgres.items[3].problem == "PNG data is truncated")
        // (Each store's decisions were made at its own moment: labels and status, not times.)
        #expect(postgres.items.map(\.resolution.labels) == sqlite.items.map(\.resolution.labels))
        #expect(postgres.items.map(\.resolution.status) == sqlite.items.map(\.resolution.status) && postgres.items[2].resolution.status == .excluded)
        #expect(postgres.items.map(\.metadataJSON) == sqlite.items.map(\.metadataJSON))
        #expect(
            postgres.items.map(\.fileSize) == sqlite.items.map(\.fileSize)
                && postgres.items.map(\.modificationTime) == sqlite.items.map(\.modificationTime))
        #expect(postgres.classes == sqlite.classes && postgres.multiLabel == sqlite.multiLabel && postgres.datasetRoot == "/data")
        #expect(postgres.models.map(\.name) == ["m"] && postgres.lastEventID == 2 && sqlite.lastEventID == 2)
    }

    @Test("before an import there is no context", arguments: StoreKind.allCases)
    func notImported(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind, TemporaryDataset())
        defer { withExtendedLifetime(fixture) {} }
        #expect(throws: StoreError.notImported) { try fixture.store.analysisContext(policy: TeamPolicy()) }
    }
}
