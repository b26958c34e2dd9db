import Foundation
import Testing
import WinnowCore
import WinnowPostgres
import WinnowStore
import WinnowTestSupport

/// `winnow store copy` at the store level: a project moves between SQLite and PostgreSQL
/// whole (every table, the log's hashes unchanged), into an empty target only, in one
/// transaction that leaves the target as it was when anything fails.
@Suite("Store copy: SQLite ⇄ PostgreSQL")
struct ProjectCopyTests {
    /// Items and annotations: more than one copy batch (5,000), so batch boundaries are crossed.
    static let itemCount = 5_100

    /// A project with something in every copied table: settings, classes, items, annotations,
    /// a model and its matrix, imports (two), decisions of every kind with scores, flags and
    /// notes, a problem, content hashes, image features (with and without vectors) and measures.
    static func populate(_ store: any ProjectStoring) throws {
        let snapshot = generatedSnapshot(itemCount)
        _ = try store.applyImport(snapshot, datasetRoot: "/host-a/data", progress: SilentProgress())
        _ = try store.applyImport(snapshot, datasetRoot: "/host-a/data", progress: SilentProgress())
        let t0 = Date(timeIntervalSince1970: 1_765_000_000)
        _ = try store.decide(
            DecisionRequest(
                imagePath: "d1/img1.png", reviewer: "alice", action: .relabel, labels: LabelSet(single: "fox"), queue: "label-issues",
                reason: "looks like a fox", note: "line one\nline two = ünïcode", score: 0.1 + 0.2, flags: ["labelIssue", "outlier"]),
            policy: TeamPolicy(), at: t0)
        _ = try store.decide(request("d2/img2.png", .exclude, by: "bob"), policy: TeamPolicy(), at: t0.addingTimeInterval(1.25))
        _ = try store.decide(request("d3/img3.png", .accept), policy: TeamPolicy(), at: t0.addingTimeInterval(2))
        _ = try store.decide(request("d2/img2.png", .undo, by: "bob"), policy: TeamPolicy(), at: t0.addingTimeInterval(3))
        _ = try store.decide(
            (10..<40).map { request("d\($0 % 7)/img\($0).png", $0 % 2 == 0 ? .accept : .skip, by: "carol") }, policy: TeamPolicy(),
            at: t0.addingTimeInterval(4))
        try store.markProblem(imagePath: "d4/img4.png", problem: "PNG data is truncated")
        try store.saveContentHashes([(1, 100, 1_700_000_000.25, 0xdead_beef), (2, 101, 1_700_000_000.25, UInt64.max)])
        try store.saveImageFeatures(
            [
                ImageFeatureRecord(itemID: 1, size: 100, modificationTime: 1_700_000_000.25, vector: [1, -2.5, .infinity], descriptor: [0, 255, 7]),
                ImageFeatureRecord(itemID: 2, size: 101, modificationTime: 1_700_000_000.25, vector: nil)
            ], version: 3, dimension: 3)
        try store.saveImageMeasures([
            ImageMeasureRecord(itemID: 1, kind: .decode, size: 100, modificationTime: 1_700_000_000.25, value: nil),
            ImageMeasureRecord(itemID: 2, kind: .decode, size: 101, modificationTime: 1_700_000_000.25, value: Data("truncated".utf8)),
            ImageMeasureRecord(itemID: 2, kind: .quality, size: 101, modificationTime: 1_700_000_000.25, value: Data([0, 1, 2]))
        ])
    }

    /// Everything a store exports, in order.
    static func records(_ store: any ProjectCopying) throws -> (records: [ProjectRecords], log: LogVerification) {
        var records: [ProjectRecords] = []
        let log = try store.exportProject { records.append($0) }
        return (records, log)
    }

    /// A fresh PostgreSQL database's store (dropped with the fixture).
    static func postgres(function: String = #function) throws -> StoreFixture {
        try StoreFixture(.postgres, TemporaryDataset(function: function), function: function)
    }

    static func sqlite(function: String = #function) throws -> StoreFixture {
        try StoreFixture(.sqlite, TemporaryDataset(function: function), function: function)
    }

    static func copying(_ fixture: StoreFixture) throws -> any ProjectCopying & ProjectStoring {
        try #require(fixture.store as? any ProjectCopying & ProjectStoring)
    }

    @Test("SQLite → PostgreSQL → SQLite gives the same project, the same log and the same verify result")
    func roundTrip() throws {
        let (original, middle, final) = (try Self.sqlite(), try Self.postgres(), try Self.sqlite())
        defer { withExtendedLifetime((original, middle, final)) {} }
        let source = try Self.copying(original)
        try Self.populate(source)
        let there = try copyProject(from: source, to: try Self.copying(middle))
        let back = try copyProject(from: try Self.copying(middle), to: try Self.copying(final))

        let (want, wantLog) = try Self.records(source)
        let (inPostgres, postgresLog) = try Self.records(try Self.copying(middle))
        let (got, gotLog) = try Self.records(try Self.copying(final))
        #expect(want.count > 10)
        #expect(inPostgres == want, "PostgreSQL holds exactly the SQLite rows")
        #expect(got == want, "back in SQLite: exactly the original rows")
        #expect(wantLog.eventsChecked == 34 && wantLog.isIntact)
        #expect(postgresLog == wantLog && gotLog == wantLog && there.log == wantLog && back.log == wantLog)
        #expect(there.counts.items == Self.itemCount && there.counts.annotations == Self.itemCount && there.counts.matrices == 1)
        #expect(there.counts.events == 34 && there.counts.imports == 2 && there.counts.imageMeasures == 3 && back.counts == there.counts)

        #expect(try final.store.analysisInputSignature() == source.analysisInputSignature(), "the same analysis input, matrix included")
        for store in [middle.store, final.store] {
            #expect(try store.verifyDecisionLog(expectingHead: nil) == source.verifyDecisionLog(expectingHead: nil))
            #expect(try store.decisionLogHead() == source.decisionLogHead())
            #expect(try store.resolution(ofImage: "d1/img1.png").labels == LabelSet(single: "fox"))
            #expect(try store.resolution(ofImage: "d2/img2.png").status == .unreviewed)
            #expect(try store.freshImageFeatures(version: 3, dimension: 3) == source.freshImageFeatures(version: 3, dimension: 3))
            #expect(try store.decodeFailures() == source.decodeFailures())
            #expect(try store.contentHashes().mapValues { $0.hash } == source.contentHashes().mapValues { $0.hash })
            // The copy goes on like the source: the next decision chains onto the copied head.
            let next = try store.decide(request("d5/img5.png", .accept))
            #expect(try next.event.id == 35 && store.verifyDecisionLog(expectingHead: nil).isIntact)
        }
        let context = try final.store.analysisContext(policy: TeamPolicy())
        let matrix = try Data(contentsOf: URL(fileURLWithPath: try #require(context.models.first?.matrixPath)))
        #expect(matrix.count > Self.itemCount * 3 * 4)
        // PostgreSQL's sequences continue after the copied ids, as SQLite's do.
        let sequences = try ThrowawayPostgres.server().psql(
            "SELECT last_value FROM items_id_seq UNION ALL SELECT last_value FROM classes_id_seq UNION ALL SELECT last_value FROM imports_id_seq",
            database: try #require(middle.databaseName))
        #expect(sequences.output.split(separator: "\n") == ["\(Self.itemCount)", "3", "2"])
        let reimported = try middle.store.applyImport(generatedSnapshot(Self.itemCount + 1), datasetRoot: "/x", progress: SilentProgress())
        #expect(try reimported.newItems == 1 && middle.store.info().items == Self.itemCount + 1)
    }

    @Test("PostgreSQL → PostgreSQL and SQLite → SQLite copies are exact too", arguments: StoreKind.allCases)
    func sameKind(kind: StoreKind) throws {
        let (source, target) = (try StoreFixture(kind, TemporaryDataset()), try StoreFixture(kind, TemporaryDataset()))
        defer { withExtendedLifetime((source, target)) {} }
        try Self.populate(source.store)
        _ = try copyProject(from: try Self.copying(source), to: try Self.copying(target))
        #expect(try Self.records(try Self.copying(target)).records == Self.records(try Self.copying(source)).records)
    }

    @Test("a target that already holds a project is refused and left as it was", arguments: StoreKind.allCases)
    func nonEmptyTarget(kind: StoreKind) throws {
        let (source, target) = (try Self.postgres(), try StoreFixture.imported(kind))
        defer { withExtendedLifetime((source, target)) {} }
        try Self.populate(source.store)
        _ = try target.store.decide(request("img0.png", .accept))
        let before = try Self.records(try Self.copying(target)).records
        let error = #expect(throws: ProjectCopyError.self) {
            try copyProject(from: try Self.copying(source), to: try Self.copying(target))
        }
        guard case .targetNotEmpty(_, let what) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(what == "6 items, 1 decision")
        #expect(try Self.records(try Self.copying(target)).records == before)
    }

    @Test("a source whose log was tampered with is refused; nothing is written", arguments: StoreKind.allCases)
    func tamperedSource(targetKind: StoreKind) throws {
        let server = try ThrowawayPostgres.server()
        let (source, target) = (try Self.postgres(), try StoreFixture(targetKind, TemporaryDataset()))
        defer { withExtendedLifetime((source, target)) {} }
        try Self.populate(source.store)
        let database = try #require(source.databaseName)
        let edit = server.psql(
            "ALTER TABLE events DISABLE TRIGGER USER; UPDATE events SET note = 'rewritten' WHERE id = 3; ALTER TABLE events ENABLE TRIGGER USER",
            database: database)
        #expect(edit.status == 0, "\(edit.output)")
        let error = #expect(throws: ProjectCopyError.self) {
            try copyProject(from: try Self.copying(source), to: try Self.copying(target))
        }
        guard case .sourceLogBroken(_, let link) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(link.eventID == 3)
        #expect(try !target.store.hasImported && target.store.decisionCount() == 0)
        #expect(try Self.records(try Self.copying(target)).records == [.counts(ProjectRecordCounts())])
    }

    @Test("a failure in the middle of the copy leaves the target empty, and a later copy succeeds", arguments: StoreKind.allCases)
    func failureMidCopy(targetKind: StoreKind) throws {
        let (source, target) = (try Self.sqlite(), try StoreFixture(targetKind, TemporaryDataset()))
        defer { withExtendedLifetime((source, target)) {} }
        try Self.populate(source.store)
        let matrices = target.store.stateDirectory + "/matrices"
        let filesBefore = (try? FileManager.default.contentsOfDirectory(atPath: matrices)) ?? []
        // Fails once the items, annotations, the matrix and the events were written.
        let failing = FailingSource(try Self.copying(source), failAt: "content hashes")
        #expect(throws: InjectedFailure.self) { try copyProject(from: failing, to: try Self.copying(target)) }
        #expect(failing.batchesPassed > 5, "the failure came after rows were written")
        #expect(try Self.records(try Self.copying(target)).records == [.counts(ProjectRecordCounts())])
        #expect(try !target.store.hasImported && target.store.decisionLogHead() == nil)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: matrices)) ?? []) == filesBefore, "the copied matrix went too")
        _ = try copyProject(from: try Self.copying(source), to: try Self.copying(target))
        #expect(try Self.records(try Self.copying(target)).records == Self.records(try Self.copying(source)).records)
    }

    @Test("a copy whose written log differs from the source's is rolled back", arguments: StoreKind.allCases)
    func writtenLogDiffers(targetKind: StoreKind) throws {
        let (source, target) = (try Self.postgres(), try StoreFixture(targetKind, TemporaryDataset()))
        defer { withExtendedLifetime((source, target)) {} }
        try Self.populate(source.store)
        // The source's own check passes; the record is changed on its way (its hash is not).
        let altering = FailingSource(try Self.copying(source), failAt: nil) { records in
            guard case .events(var events) = records else { return records }
            events[1].note = "changed on the way"
            return .events(events)
        }
        let error = #expect(throws: ProjectCopyError.self) {
            try copyProject(from: altering, to: try Self.copying(target))
        }
        guard case .mismatch(_, let what) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(what.contains("decision log") && what.contains("broken at event #2"), "\(what)")
        #expect(try !target.store.hasImported && target.store.decisionCount() == 0)
    }

    @Test("a store with no project is not copied")
    func emptySource() throws {
        let (source, target) = (try Self.postgres(), try Self.sqlite())
        defer { withExtendedLifetime((source, target)) {} }
        let location = try Self.copying(source).copyLocation
        #expect(throws: ProjectCopyError.sourceEmpty(source: location)) {
            try copyProject(from: try Self.copying(source), to: try Self.copying(target))
        }
    }
}

struct InjectedFailure: Error {}

/// A source that passes another's records on, changed by `alter`, and fails when the first
/// batch of table `failAt` comes (as a dropped connection or a full disk would).
final class FailingSource: ProjectCopying, @unchecked Sendable {
    let inner: any ProjectCopying
    let failAt: String?
    let alter: (ProjectRecords) -> ProjectRecords
    private(set) var batchesPassed = 0

    init(_ inner: any ProjectCopying, failAt: String?, alter: @escaping (ProjectRecords) -> ProjectRecords = { $0 }) {
        self.inner = inner
        self.failAt = failAt
        self.alter = alter
    }

    var copyLocation: String { "failing " + inner.copyLocation }

    func verifyDecisionLog(expectingHead recorded: String?) throws(StoreError) -> LogVerification {
        try inner.verifyDecisionLog(expectingHead: recorded)
    }

    func exportProject(_ write: (ProjectRecords) throws -> Void) throws -> LogVerification {
        try inner.exportProject { records in
            if records.table == failAt { throw InjectedFailure() }
            try write(alter(records))
            batchesPassed += 1
        }
    }

    func importProject(
        _ records: ((ProjectRecords) throws -> Void) throws -> Void, beforeCommit: (ProjectRecordCounts, LogVerification) throws -> Void
    ) throws {
        try inner.importProject(records, beforeCommit: beforeCommit)
    }
}
