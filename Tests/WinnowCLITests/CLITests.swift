import Foundation
import GRDB
import Testing
import WinnowCore
import WinnowTestSupport
@testable import WinnowCLI
@testable import WinnowSession

/// End-to-end: the real `winnow` binary, as a user or a script runs it.
@Suite("winnow command line")
struct CLITests {
    func winnow(_ arguments: String..., environment: [String: String] = [:]) -> WinnowProcess.Result {
        CLIStore.run(arguments, environment: environment)
    }

    @Test func helpListsCommandsAndExitCodes() {
        let help = winnow("--help")
        #expect(help.status == 0)
        for word in ["import", "info", "decide", "export", "EXIT CODES", "2  the dataset or winnow.toml is invalid"] {
            #expect(help.stdout.contains(word), "\(word)")
        }
        for command in ["import", "info", "decide", "export"] {
            let sub = winnow(command, "--help")
            #expect(sub.status == 0 && sub.stdout.contains("EXAMPLES"), "\(command)")
        }
        #expect(winnow("export", "--help").stdout.contains("--no-formula-guard"))
    }

    @Test func usageErrorsExitWithOne() {
        #expect(winnow("frobnicate").status == 1)
        #expect(winnow("decide", "/tmp", "x.png").status == 1, "no action given")
        #expect(winnow("decide", "/tmp", "x.png", "--accept", "--skip").status == 1)
    }

    @Test(arguments: StoreKind.allCases) func importThenInfoOnTheSample(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = Repository.copyOfSample(Repository.sampleShapes)
            let imported = winnow("import", dataset.root)
            #expect(imported.status == 0)
            #expect(
                imported.stdout.hasPrefix(
                    "imported 593 items, 8 classes, 2 annotators, 2 models (forest, logreg), embeddings 64-d, no image problems"))
            let info = winnow("info", dataset.root, "--json")
            #expect(info.status == 0)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
            #expect(json["items"] as? Int == 593)
            #expect(json["annotatorDisagreements"] as? Int == 24)
            #expect(winnow("info", dataset.root).stdout.contains("ann-a 378, ann-b 363"))
        }
    }

    @Test(arguments: StoreKind.allCases) func otherCommandsImportImplicitly(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = TemporaryDataset.simple()
            let info = winnow("info", dataset.root)
            #expect(info.status == 0)
            #expect(info.stderr.contains("has not been imported yet; importing it now"))
            #expect(info.stdout.contains("6 (6 labelled)"))
            #expect(!winnow("info", dataset.root).stderr.contains("importing"))
        }
    }

    @Test(arguments: StoreKind.allCases) func aRefusedImportExitsTwoAndChangesNothing(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = TemporaryDataset.simple()
            #expect(winnow("import", dataset.root).status == 0)
            #expect(winnow("decide", dataset.root, "img0.png", "--relabel", "fox", "--reviewer", "alice").status == 0)
            let before = winnow("info", dataset.root, "--json").stdout

            dataset.write("labels.csv", "image,label\nimg0.png,cat\nimg1.png,wolf\nimg9.png,cat\n")
            dataset.write("classes.txt", "cat\ndog\nfox\nowl\n")
            let refused = winnow("import", dataset.root)
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("labels.csv:3:2 (label): \"wolf\" is not a class in classes.txt"))
            #expect(refused.stderr.contains("fix: add it to classes.txt"))
            #expect(refused.stderr.contains("nothing was imported or changed"))
            #expect(winnow("info", dataset.root, "--json").stdout == before)
        }
    }

    @Test(arguments: StoreKind.allCases) func decisionErrorsExitWithFour(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = TemporaryDataset.simple()
            #expect(winnow("decide", dataset.root, "missing.png", "--accept").status == 4)
            #expect(winnow("decide", dataset.root, "img0.png", "--undo").status == 4)
            let badLabel = winnow("decide", dataset.root, "img0.png", "--relabel", "wolf")
            #expect(badLabel.status == 4 && badLabel.stderr.contains("\"wolf\" is not a class"))
        }
    }

    @Test(arguments: StoreKind.allCases) func decideReportsWhatWasSaved(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = TemporaryDataset.simple()
            let saved = winnow("decide", dataset.root, "img0.png", "--relabel", "dog", "--note", "ears", environment: ["WINNOW_REVIEWER": "carol"])
            #expect(saved.status == 0)
            #expect(saved.stdout == "saved #1: relabel img0.png  cat → dog  by carol\n")
            let undo = winnow("decide", dataset.root, "img0.png", "--undo", "--reviewer", "dave")
            #expect(undo.stdout.contains("took back #1 relabel") && undo.stdout.contains("by dave"))
        }
    }

    @Test func exportIsADatasetLabelsFileWithProvenance() throws {
        let dataset = TemporaryDataset.simple()
        #expect(winnow("decide", dataset.root, "img0.png", "--relabel", "fox", "--reviewer", "alice").status == 0)
        #expect(winnow("decide", dataset.root, "img1.png", "--exclude", "--reviewer", "bob").status == 0)
        #expect(winnow("decide", dataset.root, "img2.png", "--accept", "--reviewer", "bob").status == 0)
        let output = dataset.root + "/export.csv"
        let export = winnow("export", dataset.root, "-o", output)
        #expect(export.status == 0)
        let lines = try #require(dataset.read("export.csv")).split(separator: "\n").map(String.init)
        #expect(lines[0] == "image,label,given_label,status,reviewer,decided_at,note")
        #expect(lines.count == 6, "one excluded item left out")
        #expect(lines[1].hasPrefix("img0.png,fox,cat,relabelled,alice,20"))
        #expect(lines[2].hasPrefix("img2.png,fox,fox,accepted,bob,"))
        #expect(lines[3] == "img3.png,cat,cat,unreviewed,,,")

        let manifestText = try #require(dataset.read("export.csv.manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(manifestText.utf8)) as? [String: Any])
        let counts = try #require(manifest["counts"] as? [String: Any])
        #expect(counts["written"] as? Int == 5 && counts["excluded"] as? Int == 1)
        #expect((manifest["decision_log"] as? [String: Any])?["last_event_id"] as? Int == 3 && manifest["formula_guard"] as? Bool == true)

        // Round trip: the export is the labels.csv of a new dataset.
        let copy = TemporaryDataset.simple()
        copy.write("labels.csv", try #require(dataset.read("export.csv")))
        #expect(winnow("import", copy.root).status == 0)
        let again = winnow("export", copy.root).stdout.split(separator: "\n").dropFirst()
        #expect(again.map { $0.split(separator: ",").prefix(2) } == lines.dropFirst().map { $0.split(separator: ",").prefix(2) })
    }

    @Test(arguments: StoreKind.allCases) func jsonlExportCarriesLabelsAndProvenance(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = TemporaryDataset.simple()
            #expect(winnow("decide", dataset.root, "img0.png", "--relabel", "fox", "--note", "a \"quoted\" note").status == 0)
            let lines = winnow("export", dataset.root, "--format", "jsonl").stdout.split(separator: "\n")
            #expect(lines.count == 6)
            let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            #expect(first["label"] as? String == "fox" && first["given_label"] as? String == "cat")
            #expect(first["note"] as? String == "a \"quoted\" note")
        }
    }

    @Test func spreadsheetFormulasAreNeutralisedUnlessAskedNotTo() {
        let dataset = Repository.copyOfSample(Repository.sampleShapes)
        let guarded = winnow("export", dataset.root, "--metadata")
        #expect(guarded.status == 0)
        #expect(guarded.stdout.contains(",'=cmd|' /C calc'!A0\n"))
        #expect(!guarded.stdout.contains(",=cmd"))
        let raw = winnow("export", dataset.root, "--metadata", "--no-formula-guard")
        #expect(raw.stdout.contains(",=cmd|' /C calc'!A0\n"))
    }

    @Test func aFailedExportLeavesTheOldFileAndNoTemporaryFile() throws {
        let dataset = TemporaryDataset.simple()
        dataset.write("out.csv", "precious\n")
        do {
            let file = try OutputFile(path: dataset.root + "/out.csv")
            try file.write("half a file")
            // No commit: as if the export failed or the process died here.
        }
        #expect(dataset.read("out.csv") == "precious\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dataset.root).filter { $0.contains(".tmp-") }.isEmpty)

        let noFolder = winnow("export", dataset.root, "-o", dataset.root + "/missing/dir/out.csv")
        #expect(noFolder.status == 3 && noFolder.stderr.contains("cannot write"))
    }

    @Test func stateCanLiveOutsideTheDataset() {
        let dataset = TemporaryDataset.simple()
        let state = TemporaryDataset()
        #expect(winnow("import", dataset.root, "--state", state.root + "/s").status == 0)
        #expect(!FileManager.default.fileExists(atPath: dataset.statePath))
        #expect(FileManager.default.fileExists(atPath: state.root + "/s/winnow.sqlite"))
        let other = TemporaryDataset.simple()
        let wrong = winnow("info", other.root, "--state", state.root + "/s")
        #expect(wrong.status == 3 && wrong.stderr.contains("belongs to the dataset"))
    }

    @Test func hostileFileNamesNeverReachTheTerminalRaw() {
        let dataset = TemporaryDataset()
        dataset.image("evil\u{1B}]0;pwned\u{07}.png")
        dataset.write("labels.csv", "image,label\n\"evil\u{1B}]0;pwned\u{07}.png\",cat\n")
        dataset.write("images/also\u{1B}[2J.png", "not an image")
        dataset.write("items.csv", "image\n\"evil\u{1B}]0;pwned\u{07}.png\"\n")
        let result = winnow("info", dataset.root)
        // Control characters in paths are refused at import, with the path shown safely.
        #expect(result.status == 2)
        #expect(!result.stderr.contains("\u{1B}") && !result.stdout.contains("\u{1B}"))
        #expect(result.stderr.contains("control characters"))
    }

    @Test func twoProcessesDecidingAtOnceLoseNothing() throws {
        let dataset = TemporaryDataset.simple(count: 10)
        #expect(winnow("import", dataset.root).status == 0)
        let perProcess = 30
        let processes = (0..<2).map { p -> Process in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = [
                "-c",
                """
                i=0; while [ $i -lt \(perProcess) ]; do
                  "$0" decide "$1" "img$((i % 10)).png" --accept --reviewer p\(p) >/dev/null || exit 1
                  i=$((i + 1))
                done
                """, WinnowProcess.executable, dataset.root
            ]
            return process
        }
        for process in processes { try process.run() }
        for process in processes { process.waitUntilExit(); #expect(process.terminationStatus == 0) }
        let count = try DatabaseQueue(path: dataset.statePath + "/winnow.sqlite").read { db in
            try Row.fetchAll(db, sql: "SELECT reviewer, COUNT(*) AS n, COUNT(DISTINCT id) AS ids FROM events GROUP BY reviewer ORDER BY reviewer")
        }
        #expect(count.map { $0["n"] as Int } == [perProcess, perProcess])
        #expect(count.map { $0["ids"] as Int } == [perProcess, perProcess])
        // Writers take turns, so every event is chained to the one committed just before it.
        #expect(winnow("verify", dataset.root).stdout.hasPrefix("decision log intact: \(2 * perProcess) events"))
    }
}

/// The analysis commands, end to end on the sample project.
@Suite("winnow analyze, queue, components, similar")
struct AnalysisCLITests {
    func winnow(_ arguments: String...) -> WinnowProcess.Result { CLIStore.run(arguments) }

    @Test(arguments: StoreKind.allCases) func analyzeSummarisesAndQueueExplainsEachEntry(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = Repository.copyOfSample(Repository.sampleShapes)
            let analyze = winnow("analyze", dataset.root)
            #expect(analyze.status == 0, "\(analyze.stderr)")
            #expect(analyze.stdout.contains("analysed 593 items"))
            // The sample's ground truth has 48 copy groups of 129 images, 6 with conflicting given labels
            // (winnow-bench duplicates catches all 6); here the current labels (the annotators' consensus) are counted.
            // Hues must agree: the sample's colour-cast copy (img_0245) and look-alike discs are not grouped.
            #expect(analyze.stdout.contains("near-duplicates 47 groups of 126 images (5 with conflicting labels)"), "\(analyze.stdout)")
            #expect(analyze.stdout.contains("queues       triage 593"))

            let jsonl = winnow("queue", dataset.root, "--queue", "label-issues", "--limit", "5", "--format", "jsonl")
            #expect(jsonl.status == 0)
            let lines = jsonl.stdout.split(separator: "\n")
            #expect(lines.count == 5)
            let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            for key in ["image", "label", "suggested", "score", "reasons", "signals"] { #expect(first[key] != nil, "\(key)") }
            let reasons = try #require(first["reasons"] as? [String])
            #expect(reasons.contains { $0.contains("gives") && $0.contains("vs") }, "\(reasons)")
            let signals = try #require(first["signals"] as? [String: Any])
            #expect((signals["models"] as? [String: Any])?.keys.sorted() == ["forest", "logreg"])

            let components = winnow("components", dataset.root, "--bad", "--format", "jsonl").stdout.split(separator: "\n")
            // 6 with majority-vote given labels: CROWDLAB's consensus of the two annotators and the
            // models settles one group's disagreement.
            #expect(components.count == 5)
            let component = try #require(try JSONSerialization.jsonObject(with: Data(components[0].utf8)) as? [String: Any])
            #expect(component["bad"] as? Bool == true && (component["purity"] as? Double ?? 1) < 1)

            let similar = winnow("similar", dataset.root, "batch-01/img_0007.png", "-k", "3")
            #expect(similar.status == 0 && similar.stdout.split(separator: "\n").count == 4)
            #expect(winnow("similar", dataset.root, "nope.png").status == 4)
            #expect(winnow("queue", dataset.root, "--queue", "nonsense").status == 1)
        }
    }

    @Test(arguments: StoreKind.allCases) func decisionsMoveItemsOutOfQueuesAndUndoBringsThemBack(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = Repository.copyOfSample(Repository.sampleShapes)
            func queue() -> [String] {
                winnow("queue", dataset.root, "--queue", "label-issues", "--format", "csv").stdout
                    .split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[1]) }
            }
            let before = queue()
            let top = try #require(before.first)
            #expect(winnow("decide", dataset.root, top, "--accept").status == 0)
            #expect(!queue().contains(top), "a decided item leaves the queue")
            #expect(winnow("decide", dataset.root, top, "--undo").status == 0)
            #expect(queue().first == top, "undo brings it back")
            #expect(winnow("decide", dataset.root, top, "--skip").status == 0)
            #expect(queue().last == top, "a skipped item comes back at the end")
        }
    }

    @Test func stratifiedQueueNeedsAKnownColumn() {
        let dataset = Repository.copyOfSample(Repository.sampleShapes)
        let ok = winnow("queue", dataset.root, "--queue", "stratified", "--stratify-by", "source", "--limit", "3", "--format", "csv")
        #expect(ok.status == 0 && ok.stdout.split(separator: "\n").count == 4)
        let bad = winnow("queue", dataset.root, "--queue", "stratified", "--stratify-by", "colour")
        #expect(bad.status == 1 && bad.stderr.contains("no metadata column \"colour\""))
    }
}

@Suite("Byte-identical duplicates")
struct IdenticalDuplicateTests {
    @Test func identicalFilesFormAGroupWithoutEmbeddingsAndHashesAreCached() throws {
        let dataset = TemporaryDataset.simple(count: 4)
        // img0 and a renamed copy with another label: a bad group; img1 stays alone.
        dataset.image("copy-of-img0.png")
        dataset.write("images/img1.png", bytes: TemporaryDataset.onePixelPNG + [0]) // different bytes
        dataset.write("labels.csv", "image,label\nimg0.png,cat\nimg1.png,dog\nimg2.png,fox\nimg3.png,cat\ncopy-of-img0.png,dog\n")
        let result = WinnowProcess.run(["components", dataset.root, "--format", "jsonl"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        // Every valid one-pixel PNG here is the same file except img1.
        let group = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let images = try #require(group["images"] as? [String])
        #expect(Set(images) == ["img0.png", "img2.png", "img3.png", "copy-of-img0.png"])
        #expect(group["bad"] as? Bool == true)
        #expect(!images.contains("img1.png"))

        let cached = try DatabaseQueue(path: dataset.statePath + "/winnow.sqlite").read {
            try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM content_hashes")
        }
        #expect(cached == 5)
        let off = WinnowProcess.run(["components", dataset.root])
        #expect(off.stdout.contains("4 images"))
        dataset.write("winnow.toml", "[analysis]\nexact_duplicates = false\n")
        #expect(WinnowProcess.run(["components", dataset.root]).stdout.contains("no near-duplicate groups"))
    }
}
