import Foundation
import Testing
import WinnowTestSupport

/// Commands around the review screen, run as a user runs them: reset, import without
/// folder labels, the disputed queue, the agreement line, the log's scores.
@Suite("reset, --no-folder-labels, disputed queue, stats and log wording")
struct ReviewCommandsCLITests {
    func winnow(_ arguments: String...) -> WinnowProcess.Result { CLIStore.run(arguments) }

    @Test("winnow reset starts a sample over with --yes; without a terminal it asks for --yes")
    func resetSample() throws {
        let dataset = Repository.copyOfSample(Repository.sampleShapes)
        #expect(winnow("decide", dataset.root, "batch-01/img_0001.png", "--accept", "--reviewer", "alice").status == 0)
        let unconfirmed = winnow("reset", dataset.root)
        #expect(unconfirmed.status == 4 && unconfirmed.stderr.contains("--yes"))
        #expect(FileManager.default.fileExists(atPath: dataset.statePath + "/winnow.sqlite"))
        let reset = winnow("reset", dataset.root, "--yes")
        #expect(reset.status == 0 && reset.stdout.contains("1 decision deleted"), "\(reset.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dataset.statePath))
        #expect(FileManager.default.fileExists(atPath: dataset.root + "/labels.csv"), "the dataset itself is untouched")
        #expect(winnow("log", dataset.root).stdout.contains("no decisions yet"))
    }

    @Test("winnow reset never touches a real project without --force")
    func resetRealProject() throws {
        let dataset = TemporaryDataset.simple()
        #expect(winnow("decide", dataset.root, "img0.png", "--relabel", "dog", "--reviewer", "alice").status == 0)
        let refused = winnow("reset", dataset.root, "--yes")
        #expect(refused.status == 4 && refused.stderr.contains("not a sample project") && refused.stderr.contains("--force"))
        #expect(winnow("log", dataset.root).stdout.contains("img0.png"), "nothing was deleted")
        let forced = winnow("reset", dataset.root, "--force", "--yes")
        #expect(forced.status == 0)
        #expect(!FileManager.default.fileExists(atPath: dataset.statePath + "/winnow.sqlite"))
    }

    @Test("--no-folder-labels and [import] folder_labels = false keep sub-folders from becoming classes")
    func noFolderLabels() throws {
        let dataset = TemporaryDataset()
        for writer in ["w01", "w02", "w03"] { for i in 0..<2 { dataset.image("\(writer)/scan\(i).png") } }
        let plain = winnow("import", dataset.root)
        #expect(plain.status == 0 && plain.stdout.contains("--no-folder-labels"), "the import says how to undo it")
        #expect(plain.stdout.contains("3 classes"))
        let without = winnow("import", dataset.root, "--no-folder-labels")
        #expect(without.status == 0, "\(without.stderr)")
        let info = winnow("info", dataset.root, "--json").stdout
        #expect(
            info.contains("\"labelledItems\" : 0") || info.contains("\"labelled_items\":0") || info.contains("\"labelledItems\":0"),
            "\(info.prefix(400))")
        let configured = TemporaryDataset(function: "folder-labels-config")
        for writer in ["a", "b"] { configured.image("\(writer)/x.png") }
        configured.write("winnow.toml", "[import]\nfolder_labels = false\n")
        #expect(!winnow("import", configured.root).stdout.contains("labels from folder names"))
        configured.write("winnow.toml", "[import]\nfolder_labels = 3\n")
        #expect(winnow("import", configured.root).stderr.contains("import.folder_labels must be true or false"))
    }

    @Test("the disputed queue lists what each reviewer decided", arguments: StoreKind.allCases)
    func disputedQueue(_ store: StoreKind) throws {
        try CLIStore.on(store) {
            let dataset = TemporaryDataset.simple()
            dataset.write("winnow.toml", "[team]\nreviews_per_item = 2\n")
            #expect(winnow("decide", dataset.root, "img0.png", "--accept", "--reviewer", "alice").status == 0)
            #expect(winnow("decide", dataset.root, "img0.png", "--relabel", "fox", "--reviewer", "bob").status == 0)
            let queue = winnow("queue", dataset.root, "--queue", "disputed")
            #expect(queue.status == 0)
            #expect(queue.stdout.contains("decided: alice cat, bob fox"), "\(queue.stdout)")
            #expect(!queue.stdout.contains("listed below"))
        }
    }

    @Test("agreement with a single reviewer says one reviewer, not none")
    func oneReviewer() {
        let dataset = TemporaryDataset.simple()
        #expect(winnow("decide", dataset.root, "img0.png", "--accept", "--reviewer", "alice").status == 0)
        let stats = winnow("stats", dataset.root, "--no-queues").stdout
        #expect(stats.contains("0 of 1 rated items, 1 reviewer") && !stats.contains("0 reviewers"), "\(stats)")
    }
}
