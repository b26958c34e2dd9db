#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import WinnowCore
import WinnowStore
import WinnowTestSupport
@testable import WinnowCLI
@testable import WinnowSession

/// `winnow export`: every format, every policy, the image folder's names and atomic
/// replacement, the manifest, with the real binary.
@Suite("winnow export")
struct ExportCLITests {
    func winnow(_ arguments: String...) -> WinnowProcess.Result { CLIStore.run(arguments) }

    /// A dataset whose near-duplicate groups are byte-identical files: images of the same
    /// `group` have the same bytes, every other image different ones.
    static func grouped(
        _ rows: [(image: String, label: String, group: Int)], classes: [String], multiLabel: Bool = false,
        function: String = #function
    ) -> TemporaryDataset {
        let dataset = TemporaryDataset(function: function)
        var labels = multiLabel ? "image,labels\n" : "image,label\n"
        for row in rows {
            dataset.write("images/" + row.image, bytes: TemporaryDataset.onePixelPNG + [UInt8(row.group)])
            labels += "\(row.image),\(row.label)\n"
        }
        dataset.write("classes.txt", classes.joined(separator: "\n") + "\n").write("labels.csv", labels)
        return dataset
    }

    /// {a0, a1, a2} disagree (cat, cat, dog), {b0, b1} agree (fox), c alone.
    static func withGroups(function: String = #function) -> TemporaryDataset {
        grouped(
            [("a0.png", "cat", 1), ("a1.png", "cat", 1), ("a2.png", "dog", 1), ("b0.png", "fox", 2), ("b1.png", "fox", 2), ("c.png", "dog", 3)],
            classes: ["cat", "dog", "fox"], function: function)
    }

    func manifest(_ path: String) throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: path), "no manifest at \(path)")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func csvRows(_ dataset: TemporaryDataset, _ file: String) throws -> [[String]] {
        try #require(dataset.read(file)).split(separator: "\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
    }

    func files(under folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? [])
            .filter {
                var s = stat(); return lstat(folder + "/" + $0, &s) == 0 && s.st_mode & S_IFMT != S_IFDIR
            }.sorted()
    }

    // MARK: - Formats

    @Test(arguments: StoreKind.allCases) func manifestCitesTheDecisionLogPoliciesAndCounts(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = Self.withGroups()
            #expect(winnow("decide", dataset.root, "c.png", "--relabel", "fox", "--reviewer", "alice").status == 0)
            #expect(winnow("decide", dataset.root, "b1.png", "--exclude", "--reviewer", "bob").status == 0)
            let export = winnow("export", dataset.root, "-o", dataset.root + "/out.csv")
            #expect(export.status == 0, "\(export.stderr)")
            #expect(export.stderr.contains("exported 5 items") && export.stderr.contains("1 excluded"))
            let m = try manifest(dataset.root + "/out.csv.manifest.json")
            #expect(m["format"] as? String == "csv" && m["output"] as? String == "out.csv" && m["winnow_version"] as? String != nil)
            #expect(m["policies"] as? [String] == ["drop-excluded"] && m["final_only"] as? Bool == false)
            let log = try #require(m["decision_log"] as? [String: Any])
            #expect(log["events"] as? Int == 2 && log["last_event_id"] as? Int == 2 && log["head_hash"] is String)
            let counts = try #require(m["counts"] as? [String: Any])
            #expect(counts["items"] as? Int == 6 && counts["written"] as? Int == 5 && counts["excluded"] as? Int == 1)
            #expect(counts["dropped"] as? [String: Int] == ["drop-excluded": 1])
            #expect(counts["per_class"] as? [String: Int] == ["cat": 2, "dog": 1, "fox": 2])
            #expect(counts["by_status"] as? [String: Int] == ["relabelled": 1, "unreviewed": 4])
            // The rows hold exactly the decisions the manifest cites: the newest (#2) is the exclusion.
            let rows = try csvRows(dataset, "out.csv")
            #expect(!rows.contains { $0[0] == "b1.png" } && rows.first { $0[0] == "c.png" }?[1] == "fox")
        }
    }

    @Test func keepExcludedWritesThemWithTheirStatus() throws {
        let dataset = Self.withGroups()
        #expect(winnow("decide", dataset.root, "b1.png", "--exclude").status == 0)
        let jsonl = winnow("export", dataset.root, "--format", "jsonl", "--policy", "keep-excluded").stdout.split(separator: "\n")
        #expect(jsonl.count == 6)
        let excluded = try jsonl.compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.filter {
            $0["status"] as? String == "excluded"
        }
        #expect(excluded.count == 1 && excluded.first?["image"] as? String == "b1.png" && excluded.first?["label"] as? String == "fox")
    }

    @Test(arguments: StoreKind.allCases) func correctionsListRelabelledAndExcludedItemsWithReviewersAndTheirFlag(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = Self.withGroups()
            #expect(winnow("decide", dataset.root, "a2.png", "--accept", "--reviewer", "alice").status == 0)
            // From the review screen, with the queue and reason that surfaced the item.
            _ = try CLIStore.open(dataset).decide(
                DecisionRequest(
                    imagePath: "a2.png", reviewer: "bob", action: .relabel, labels: LabelSet(single: "cat"),
                    queue: "label-issues", reason: "the models favour 'cat'", note: "=HYPERLINK(\"x\")"))
            #expect(winnow("decide", dataset.root, "c.png", "--exclude", "--reviewer", "carol").status == 0)
            #expect(winnow("decide", dataset.root, "b0.png", "--accept").status == 0, "accepted: not a correction")
            #expect(winnow("decide", dataset.root, "b1.png", "--relabel", "cat").status == 0)
            #expect(winnow("decide", dataset.root, "b1.png", "--undo").status == 0, "undone: not a correction")

            let csv = winnow("export", dataset.root, "--format", "corrections", "-o", dataset.root + "/corrections.csv")
            #expect(csv.status == 0, "\(csv.stderr)")
            let text = try #require(dataset.read("corrections.csv"))
            let lines = text.split(separator: "\n").map(String.init)
            #expect(lines[0] == "image,old_label,new_label,action,reviewers,decided_at,queue,reason,note")
            #expect(lines.count == 3)
            #expect(lines[1].hasPrefix("a2.png,dog,cat,relabel,alice|bob,20"))
            #expect(lines[1].hasSuffix(",label-issues,the models favour 'cat',\"'=HYPERLINK(\"\"x\"\")\""), "the formula guard applies: \(lines[1])")
            #expect(lines[2].hasPrefix("c.png,dog,(excluded),exclude,carol,"))
            let m = try manifest(dataset.root + "/corrections.csv.manifest.json")
            #expect(m["format"] as? String == "corrections" && m["policies"] as? [String] == [] && m["formula_guard"] as? Bool == true)
            #expect((m["counts"] as? [String: Any])?["written"] as? Int == 2)

            let jsonl = winnow("export", dataset.root, "--format", "corrections", "-o", dataset.root + "/corrections.jsonl")
            #expect(jsonl.status == 0)
            let objects = try #require(dataset.read("corrections.jsonl")).split(separator: "\n").compactMap {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(objects.count == 2)
            #expect(objects[0]["reviewers"] as? [String] == ["alice", "bob"] && objects[0]["note"] as? String == "=HYPERLINK(\"x\")")
            #expect(objects[0]["queue"] as? String == "label-issues" && objects[0]["old_label"] as? String == "dog")
            #expect(objects[1]["new_label"] is NSNull && objects[1]["action"] as? String == "exclude")
        }
    }

    @Test func imageFolderIsOneFolderPerClassOfHardLinksWithItsManifestInside() throws {
        let dataset = Self.withGroups()
        #expect(winnow("decide", dataset.root, "c.png", "--exclude").status == 0)
        let out = dataset.root + "-export"
        defer { removeTree(out) }
        let export = winnow("export", dataset.root, "--format", "imagefolder", "-o", out)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(files(under: out) == ["cat/a0.png", "cat/a1.png", "dog/a2.png", "fox/b0.png", "fox/b1.png", "manifest.json"])
        var source = stat(), linked = stat()
        #expect(stat(dataset.root + "/images/a0.png", &source) == 0 && stat(out + "/cat/a0.png", &linked) == 0)
        #expect(source.st_ino == linked.st_ino, "a hard link")
        let m = try manifest(out + "/manifest.json")
        #expect(m["format"] as? String == "imagefolder" && m["link_mode"] as? String == "hard")
        let layout = try #require(m["layout"] as? [String: Any])
        #expect(layout["class_folders"] as? [String: String] == ["cat": "cat", "dog": "dog", "fox": "fox"])
        #expect((m["counts"] as? [String: Any])?["missing_images"] as? Int == 0)
        #expect(!FileManager.default.fileExists(atPath: out + ".tmp-\(getpid())"))

        let sym = dataset.root + "-sym", copy = dataset.root + "-copy"
        defer { removeTree(sym); removeTree(copy) }
        #expect(winnow("export", dataset.root, "--format", "imagefolder", "--link", "sym", "-o", sym).status == 0)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: sym + "/cat/a0.png")) == dataset.root + "/images/a0.png")
        #expect(winnow("export", dataset.root, "--format", "imagefolder", "--link", "copy", "-o", copy).status == 0)
        var copied = stat()
        #expect(stat(copy + "/cat/a0.png", &copied) == 0 && copied.st_ino != source.st_ino && copied.st_size == source.st_size)
    }

    // MARK: - Policies

    @Test func badComponentsDropOrHoldUnresolvedGroupsOnly() throws {
        let dataset = Self.withGroups()
        let drop = winnow("export", dataset.root, "--policy", "bad-components=drop")
        #expect(drop.status == 0)
        #expect(drop.stdout.split(separator: "\n").dropFirst().map { String($0.prefix(while: { $0 != "," })) } == ["b0.png", "b1.png", "c.png"])

        let out = dataset.root + "/out.csv"
        let hold = winnow("export", dataset.root, "--policy", "bad-components=hold", "-o", out)
        #expect(hold.status == 0, "\(hold.stderr)")
        #expect(try csvRows(dataset, "out.held-back.csv").map { $0[0] } == ["a0.png", "a1.png", "a2.png"])
        #expect(try csvRows(dataset, "out.csv").map { $0[0] } == ["b0.png", "b1.png", "c.png"])
        let m = try manifest(out + ".manifest.json")
        #expect(m["held_back"] as? String == "out.held-back.csv")
        let counts = try #require(m["counts"] as? [String: Any])
        #expect(counts["held_back"] as? Int == 3 && counts["written"] as? Int == 3)
        #expect(counts["groups"] as? [String: Int] == ["groups": 2, "bad": 1, "unresolved": 1])

        // Every member decided: the group is resolved, and written.
        for image in ["a0.png", "a1.png", "a2.png"] { #expect(winnow("decide", dataset.root, image, "--accept").status == 0) }
        #expect(winnow("export", dataset.root, "--policy", "bad-components=drop").stdout.split(separator: "\n").count == 7)
        #expect(winnow("export", dataset.root, "--policy", "bad-components=hold").status == 1, "hold needs -o")
    }

    @Test(arguments: StoreKind.allCases) func onePerGroupAndFinalOnlyCompose(_ store: StoreKind) throws {
        // (Said to throw: its only `try`s are inside #expect, which the closure's inference does not see.)
        try CLIStore.on(store) { () throws in
            let dataset = Self.withGroups()
            #expect(winnow("decide", dataset.root, "a1.png", "--accept").status == 0)
            // One per group: a1 (final) for {a0, a1, a2}, b0 (smaller path) for {b0, b1}, c alone.
            let one = winnow("export", dataset.root, "--policy", "one-per-group", "-o", dataset.root + "/one.csv")
            #expect(one.status == 0)
            #expect(try csvRows(dataset, "one.csv").map { $0[0] } == ["a1.png", "b0.png", "c.png"])
            #expect(
                ((try manifest(dataset.root + "/one.csv.manifest.json"))["counts"] as? [String: Any])?["dropped"] as? [String: Int] == [
                    "one-per-group": 3
                ])
            // Final only: a1 is the one decided item.
            let final = winnow("export", dataset.root, "--final-only", "--policy", "one-per-group")
            #expect(final.stdout.split(separator: "\n").dropFirst().map { String($0.prefix(while: { $0 != "," })) } == ["a1.png"])
            // With the disagreeing group held back, one-per-group acts on the rest.
            let both = winnow("export", dataset.root, "--policy", "bad-components=drop", "--policy", "one-per-group")
            #expect(both.stdout.split(separator: "\n").dropFirst().map { String($0.prefix(while: { $0 != "," })) } == ["b0.png", "c.png"])
        }
    }

    @Test func winnowTomlPoliciesApplyUnlessThePolicyOptionReplacesThem() throws {
        let dataset = Self.withGroups()
        dataset.write("winnow.toml", "[export]\npolicies = [\"one-per-group\"]\n")
        #expect(winnow("export", dataset.root).stdout.split(separator: "\n").count == 4)
        #expect(winnow("export", dataset.root, "--policy", "drop-excluded").stdout.split(separator: "\n").count == 7)
        dataset.write("winnow.toml", "[export]\npolicies = [\"one-per-grup\"]\n")
        let bad = winnow("export", dataset.root)
        #expect(bad.status == 2 && bad.stderr.contains("winnow.toml:2") && bad.stderr.contains("one-per-grup"))
    }

    @Test func labelPoliciesNarrowMultiLabelGroupsAndAreRefusedOnSingleLabelData() throws {
        let dataset = Self.grouped(
            [("a0.png", "cat|dog", 1), ("a1.png", "cat|dog|fox", 1), ("a2.png", "cat", 1), ("b.png", "dog|fox", 2)],
            classes: ["cat", "dog", "fox"], multiLabel: true)
        let intersection = winnow("export", dataset.root, "--policy", "label-intersection", "-o", dataset.root + "/i.csv")
        #expect(intersection.status == 0, "\(intersection.stderr)")
        #expect(
            try csvRows(dataset, "i.csv").map { [$0[0], $0[1]] } == [["a0.png", "cat"], ["a1.png", "cat"], ["a2.png", "cat"], ["b.png", "dog|fox"]])
        #expect(((try manifest(dataset.root + "/i.csv.manifest.json"))["counts"] as? [String: Any])?["labels_removed"] as? Int == 3)
        let rare = winnow("export", dataset.root, "--policy", "drop-rare-labels=0.5")
        #expect(rare.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] } == ["cat|dog", "cat|dog", "cat", "dog|fox"])

        let single = Self.withGroups()
        for policy in ["label-intersection", "drop-rare-labels=0.5"] {
            let refused = winnow("export", single.root, "--policy", policy)
            #expect(refused.status == 4 && refused.stderr.contains("apply to multi-label data") && refused.stderr.contains("fix:"))
        }
    }

    @Test func multiLabelItemsGoIntoEachOfTheirClassFolders() throws {
        let dataset = Self.grouped([("a.png", "cat|dog", 1), ("b.png", "", 2)], classes: ["cat", "dog"], multiLabel: true)
        let out = dataset.root + "-ml"
        defer { removeTree(out) }
        #expect(winnow("export", dataset.root, "--format", "imagefolder", "-o", out).status == 0)
        #expect(files(under: out) == ["cat/a.png", "dog/a.png", "manifest.json"])
    }

    // MARK: - Names, replacing, refusing

    @Test func sameFileNamesFromDifferentFoldersAreToldApartNeverOverwritten() throws {
        let dataset = Self.grouped([("x/img.png", "cat", 1), ("y/img.png", "cat", 2), ("z/img.png", "dog", 3)], classes: ["cat", "dog"])
        let out = dataset.root + "-names"
        defer { removeTree(out) }
        #expect(winnow("export", dataset.root, "--format", "imagefolder", "-o", out).status == 0)
        let hash = SafeFileName.shortHash("y/img.png")
        #expect(files(under: out) == ["cat/\(hash)-img.png", "cat/img.png", "dog/img.png", "manifest.json"])
        let layout = try #require(try manifest(out + "/manifest.json")["layout"] as? [String: Any])
        #expect(layout["renamed_files"] as? [String: String] == ["cat/\(hash)-img.png": "y/img.png"])
        var first = stat(), second = stat()
        #expect(stat(out + "/cat/img.png", &first) == 0 && stat(out + "/cat/\(hash)-img.png", &second) == 0 && first.st_ino != second.st_ino)
    }

    @Test func hostileClassNamesStayInsideTheExport() throws {
        let classes = ["../x", ".hidden", "a/b", "manifest.json", "Cat", "cat"]
        let dataset = Self.grouped(classes.enumerated().map { ("img\($0.offset).png", $0.element, $0.offset) }, classes: classes)
        let parent = TemporaryDataset()
        let out = parent.root + "/export"
        let export = winnow("export", dataset.root, "--format", "imagefolder", "-o", out)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.root).sorted() == ["export", "images"], "nothing written beside it")
        let folders = try #require(try manifest(out + "/manifest.json")["layout"] as? [String: Any])["class_folders"] as? [String: String]
        let written = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0 != "manifest.json" }
        #expect(Set(written) == Set(try #require(folders).values) && written.count == 6)
        for folder in written {
            #expect(!folder.hasPrefix(".") && !folder.contains("/") && folder != "manifest.json", "\(folder)")
        }
        #expect(folders?["../x"] == "_._x-" + SafeFileName.shortHash("../x"))
        #expect(folders?["Cat"] != folders?["cat"] && folders?["Cat"]?.lowercased() != folders?["cat"]?.lowercased())
    }

    @Test func anExistingFolderIsReplacedAtomicallyOnlyWithForceAndOnlyIfItIsAnExport() throws {
        let dataset = Self.withGroups()
        let out = dataset.root + "-replace"
        defer { removeTree(out) }
        #expect(winnow("export", dataset.root, "--format", "imagefolder", "-o", out).status == 0)
        #expect(winnow("decide", dataset.root, "c.png", "--relabel", "fox").status == 0)
        let refused = winnow("export", dataset.root, "--format", "imagefolder", "-o", out)
        #expect(refused.status == 4 && refused.stderr.contains("already exists") && refused.stderr.contains("--force"))
        #expect(files(under: out).contains("dog/c.png"), "untouched")
        let forced = winnow("export", dataset.root, "--format", "imagefolder", "-o", out, "--force")
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(files(under: out).contains("fox/c.png") && !files(under: out).contains("dog/c.png"))
        let siblings = try FileManager.default.contentsOfDirectory(atPath: (out as NSString).deletingLastPathComponent)
        #expect(!siblings.contains { $0.hasPrefix((out as NSString).lastPathComponent + ".") }, "no .tmp- or .old- folder left: \(siblings)")

        // A folder that is not an export is never replaced, even with --force.
        let precious = TemporaryDataset()
        precious.write("notes.txt", "keep me")
        let kept = winnow("export", dataset.root, "--format", "imagefolder", "-o", precious.root, "--force")
        #expect(kept.status == 4 && kept.stderr.contains("not an imagefolder export"))
        #expect(precious.read("notes.txt") == "keep me")
    }

    @Test func anImageFolderInsideImagesIsRefused() {
        let dataset = Self.withGroups()
        let inside = winnow("export", dataset.root, "--format", "imagefolder", "-o", dataset.root + "/images/export")
        #expect(inside.status == 1 && inside.stderr.contains("inside the dataset's images/"))
        #expect(!FileManager.default.fileExists(atPath: dataset.root + "/images/export"))
    }

    @Test func hardLinksAcrossFileSystemsFailWithTheWayOut() throws {
        let dataset = Self.withGroups()
        var shm = stat(), tmp = stat()
        guard stat("/dev/shm", &shm) == 0, stat(dataset.root, &tmp) == 0, shm.st_dev != tmp.st_dev, access("/dev/shm", W_OK) == 0 else { return }
        let out = "/dev/shm/winnow-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { removeTree(out) }
        let failed = winnow("export", dataset.root, "--format", "imagefolder", "-o", out)
        #expect(failed.status == 3 && failed.stderr.contains("different file systems") && failed.stderr.contains("--link sym"))
        #expect(!FileManager.default.fileExists(atPath: out) && !FileManager.default.fileExists(atPath: out + ".tmp-\(getpid())"))
        #expect(winnow("export", dataset.root, "--format", "imagefolder", "-o", out, "--link", "copy").status == 0)
    }

    @Test func optionsThatDoNotFitTheFormatAreUsageErrors() {
        let dataset = Self.withGroups()
        for arguments in [
            ["--format", "imagefolder"], ["--link", "sym"], ["--force"], ["--format", "corrections", "--policy", "one-per-group"],
            ["--format", "imagefolder", "--policy", "keep-excluded", "-o", dataset.root + "/x"], ["--format", "corrections", "--metadata"],
            ["--policy", "nonsense"]
        ] {
            let result = WinnowProcess.run(["export", dataset.root] + arguments)
            #expect(result.status == 1 && !result.stderr.isEmpty, "\(arguments)")
        }
        let help = winnow("export", "--help").stdout
        for word in [
            "imagefolder", "corrections", "bad-components=drop|hold|keep", "one-per-group", "label-intersection", "drop-rare-labels", "--final-only",
            "--link"
        ] {
            #expect(help.contains(word), "\(word)")
        }
    }
}
