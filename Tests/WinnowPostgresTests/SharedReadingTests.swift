import Foundation
import Testing
import WinnowCore
import WinnowStore
import WinnowTestSupport

/// The reads of `ProjectReading` the PostgreSQL store has so far, on both stores.
@Suite("Both stores: evidence and annotations")
struct SharedReadingTests {
    @Test("evidence says what the project gives the analysis", arguments: StoreKind.allCases)
    func evidence(kind: StoreKind) throws {
        let fixture = try StoreFixture.imported(kind)
        defer { withExtendedLifetime(fixture) {} }
        let evidence = try fixture.store.evidence()
        #expect(evidence.labelledItems == 6 && evidence.models == 0 && !evidence.hasEmbeddings)
        #expect(evidence.classesFromFile && evidence.classes == 3)
    }

    @Test("annotations come back by item, annotators ordered by their bytes", arguments: StoreKind.allCases)
    func annotations(kind: StoreKind) throws {
        let dataset = TemporaryDataset.simple()
        dataset.write("labels.csv", "image,label,annotator\nimg0.png,cat,amy\nimg0.png,dog,Zed\nimg1.png,dog,amy\nimg2.png,fox,Zed\n")
        let fixture = try StoreFixture(kind, dataset)
        try fixture.importDataset()
        defer { withExtendedLifetime(fixture) {} }
        let store = fixture.store
        #expect(try store.annotatorCount() == 2)
        let all = try store.allAnnotations().map { "\($0.itemID) \($0.annotator) \($0.labels)" }
        #expect(all == ["1 Zed dog", "1 amy cat", "2 amy dog", "3 Zed fox"])
        let some = try store.annotations(ofItems: [1, 3, 99]).mapValues { $0.map { "\($0.annotator) \($0.labels)" } }
        #expect(some == [1: ["Zed dog", "amy cat"], 3: ["Zed fox"]])
        #expect(try store.annotations(ofItems: []).isEmpty)
    }

    @Test("the analysis input's signature: the same form in both stores, changed by an import")
    func signature() throws {
        let sqlite = try StoreFixture.imported(.sqlite)
        let postgres = try StoreFixture.imported(.postgres)
        defer { withExtendedLifetime((sqlite, postgres)) {} }
        let signature = try postgres.store.analysisInputSignature()
        // The first line names the import (its id and time), the rest what it holds.
        #expect(signature.split(separator: "\n").dropFirst() == (try sqlite.store.analysisInputSignature()).split(separator: "\n").dropFirst())
        #expect(signature.hasPrefix("import 1 ") && signature.contains("classes 3 cat\u{1F}dog\u{1F}fox"))
        #expect(try postgres.store.analysisInputSignature() == signature)
        try postgres.importDataset()
        #expect(try postgres.store.analysisInputSignature() != signature)
    }

    @Test("info counts the same in both stores: classes, annotators, problems (decode failures too), decisions")
    func info() throws {
        var infos: [ProjectInfo] = []
        for kind in StoreKind.allCases {
            let dataset = TemporaryDataset.simple()
            dataset.write(
                "labels.csv",
                "image,label,annotator\nimg0.png,cat,amy\nimg0.png,dog,Zed\nimg1.png,dog,amy\nimg2.png,fox,Zed\n"
                    + "img3.png,cat,amy\nimg4.png,dog,amy\nimg5.png,fox,amy\nimg5.png,fox,Zed\n")
            let fixture = try StoreFixture(kind, dataset)
            try fixture.importDataset()
            defer { withExtendedLifetime(fixture) {} }
            let store = fixture.store
            _ = try store.decide(request("img1.png", .relabel, "fox"))
            _ = try store.decide(request("img2.png", .exclude, by: "bob"))
            try store.markProblem(imagePath: "img3.png", problem: "PNG data is truncated")
            let files = try SharedAnalysisCacheTests.files(fixture)
            try store.saveImageMeasures([
                ImageMeasureRecord(
                    itemID: files[4].id, kind: .decode, size: files[4].size,
                    modificationTime: files[4].time, value: Data("JPEG ends early".utf8))
            ])
            var info = try store.info()
            #expect(info.state.isEmpty == false && info.lastImport != nil)
            (info.state, info.dataset, info.lastImport) = ("", "", nil)
            infos.append(info)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(infos[0]), as: UTF8.self) == String(decoding: try encoder.encode(infos[1]), as: UTF8.self))
        let info = infos[1]
        #expect(info.items == 6 && info.annotators.map(\.name) == ["Zed", "amy"] && info.annotatorDisagreements == 1)
        #expect(info.problems.map(\.image) == ["img3.png", "img4.png"] && info.decisions == 2 && info.status["excluded"] == 1)
        #expect(info.classes.map(\.name) == ["cat", "dog", "fox"] && info.classes[2].current == info.classes[2].given)
    }
}
