import Foundation
import GRDB
import Testing
import WinnowCore
import WinnowStore
import WinnowTestSupport

/// Issue 17's hostile-input campaign, kept in `make test`: special files, overflowing
/// headers, escape sequences in every place a string enters, names that are not UTF-8,
/// mutated images, a full disk, killed writers. Every command runs as the real binary on a
/// pseudo-terminal, under a watchdog, and must end with an exit status (never a signal)
/// and print nothing a terminal would act on. See `Campaign` for what is checked per run.
@Suite("hostile")
struct HostileSuite {
    // MARK: - Datasets

    /// A small dataset of distinct real images in two classes, with labels.csv.
    static func goodDataset(images: Int = 8, function: String = #function) -> (TemporaryDataset, [String]) {
        let dataset = TemporaryDataset(function: function)
        var paths: [String] = []
        for i in 0..<images {
            let name = Hostile.goodImages[i % Hostile.goodImages.count]
            let path = (i % 2 == 0 ? "cat/" : "dog/") + "\(i)-" + name
            dataset.write("images/" + path, bytes: Hostile.fixture(name))
            paths.append(path)
        }
        dataset.write("labels.csv", "image,label\n" + paths.map { "\($0),\($0.hasPrefix("cat") ? "cat" : "dog")" }.joined(separator: "\n") + "\n")
        return (dataset, paths)
    }

    static func labels(_ dataset: TemporaryDataset, _ paths: [String]) {
        dataset.write("labels.csv", "image,label\n" + paths.map { "\($0),\($0.hasPrefix("cat") ? "cat" : "dog")" }.joined(separator: "\n") + "\n")
    }

    static func fifo(_ dataset: TemporaryDataset, _ relative: String) {
        let path = dataset.root + "/" + relative
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        #expect(mkfifo(path, 0o644) == 0)
    }

    static func link(_ dataset: TemporaryDataset, _ relative: String, to target: String) {
        let path = dataset.root + "/" + relative
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        #expect(symlink(target, path) == 0)
    }

    /// An embeddings.npy of `rows` random 8-d rows (a fixed seed).
    static func embeddings(_ dataset: TemporaryDataset, rows: Int) {
        var random = SplitMix64(seed: 17)
        dataset.npy("embeddings.npy", rows: rows, columns: 8, (0..<(rows * 8)).map { _ in Float(random.next() % 1000) / 1000 })
    }

    // MARK: - 1. Special files (the hang)

    @Test("FIFOs and links to /dev/zero and /dev/urandom: import marks them, every command that analyses finishes")
    func specialFilesNeverHang() throws {
        let campaign = Campaign("special files")
        defer { campaign.report() }
        for withEmbeddings in [true, false] {
            var (dataset, paths) = Self.goodDataset()
            dataset.write("images/dog/copy.png", bytes: Hostile.fixture(Hostile.goodImages[0])) // byte-identical: the hashing path runs
            paths.append("dog/copy.png")
            Self.fifo(dataset, "images/cat/fifo.png")
            Self.link(dataset, "images/cat/zero.png", to: "/dev/zero")
            Self.link(dataset, "images/dog/random.png", to: "/dev/urandom")
            paths += ["cat/fifo.png", "cat/zero.png", "dog/random.png"]
            campaign.inputs += 3
            Self.labels(dataset, paths)
            if withEmbeddings { Self.embeddings(dataset, rows: paths.count) }
            let root = dataset.root
            campaign.run(Job(["import", root], mustSay: ["3 image problems"]))
            // The review screen loads the analysis itself (no saved queue yet): its reasons show once it is done.
            var review = Job(["review", root, "--graphics", "none", "--reviewer", "ann"])
            review.typeWhen = "Why"
            review.keys = Array("q".utf8)
            review.scanForLeaks = false
            review.scanScreen = true
            campaign.run(review)
            campaign.run([
                Job(["analyze", root]), Job(["queue", root]), Job(["queue", root, "--queue", "problems", "--format", "jsonl"]),
                Job(["components", root]), Job(["stats", root]), Job(["info", root]), Job(["similar", root, paths[0]]),
                Job(["export", root, "--policy", "one-per-group"])
            ])
            campaign.run(Job(["decide", root, "--next", "4", "--accept", "--reviewer", "bot"]))
            let out = dataset.root + "-out"
            defer { removeTree(out) }
            let export = campaign.run(Job(["export", root, "--format", "imagefolder", "--link", "copy", "-o", out], mustSay: ["left out"]))
            let manifest = try #require(FileManager.default.contents(atPath: out + "/manifest.json"))
            let leftOut = try #require((try JSONSerialization.jsonObject(with: manifest) as? [String: Any])?["left_out"] as? [String: String])
            #expect(Set(leftOut.keys) == ["cat/fifo.png", "cat/zero.png", "dog/random.png"], "\(export.text)")
            #expect(!FileManager.default.fileExists(atPath: out + "/cat/fifo.png"))
        }
    }

    @Test("a FIFO or a device in place of any dataset file is refused at once, nothing created")
    func specialFilesAsDatasetFiles() {
        let campaign = Campaign("special dataset files")
        defer { campaign.report() }
        let files = ["labels.csv", "items.csv", "classes.txt", "winnow.toml", "embeddings.npy", "predictions/m.npy", "predictions/m.csv"]
        var datasets: [TemporaryDataset] = [], jobs: [Job] = [], before: [TreeSnapshot] = []
        for file in files {
            for kind in ["fifo", "/dev/zero", "/dev/urandom"] where kind != "/dev/urandom" || file.hasSuffix(".npy") {
                let (dataset, _) = Self.goodDataset(images: 2)
                if file == "labels.csv" { dataset.remove("labels.csv") }
                if kind == "fifo" { Self.fifo(dataset, file) } else { Self.link(dataset, file, to: kind) }
                datasets.append(dataset)
                before.append(TreeSnapshot(dataset.root))
                jobs.append(Job(["import", dataset.root], exit: [2], mustSay: ["is not a regular file"]))
                campaign.inputs += 1
            }
        }
        campaign.run(jobs)
        for (dataset, snapshot) in zip(datasets, before) {
            #expect(TreeSnapshot(dataset.root).differences(from: snapshot).isEmpty, "a refused import changed \(dataset.root)")
        }
    }

    // MARK: - 2. Overflowing headers (the crash) and image mutants

    @Test("NPY headers whose sizes overflow: a clear error, exit 2, never a trap")
    func overflowingNPYHeaders() {
        let campaign = Campaign("NPY headers")
        defer { campaign.report() }
        var jobs: [Job] = [], datasets: [TemporaryDataset] = []
        for (index, header) in Hostile.hostileNPYHeaders.enumerated() {
            for file in ["embeddings.npy", "predictions/m.npy"] where file == "embeddings.npy" || index < 4 {
                let (dataset, _) = Self.goodDataset(images: 2)
                dataset.write(
                    file, bytes: Hostile.npy(header: header.dictionary, data: [UInt8](repeating: 0, count: 64), version: index % 3 == 2 ? 2 : 1))
                if file.hasPrefix("predictions") { dataset.write("classes.txt", "cat\ndog\n") }
                datasets.append(dataset)
                jobs.append(Job(["import", dataset.root], exit: [2], mustSay: [file]))
                campaign.inputs += 1
            }
        }
        // Every command imports first: one that is not `import` meets the header too.
        let (dataset, _) = Self.goodDataset(images: 2)
        dataset.write("embeddings.npy", bytes: Hostile.npy(header: Hostile.hostileNPYHeaders[1].dictionary))
        datasets.append(dataset)
        jobs.append(Job(["queue", dataset.root], exit: [2], mustSay: ["too large"]))
        let results = campaign.run(jobs)
        #expect(results[0].text.contains("the shape (1, 4194304000000000000) is too large"), "\(results[0].text)")
    }

    @Test("overflowing image headers and byte-mutated images: marked or undecodable, never a crash")
    func imageHeadersAndMutants() {
        let campaign = Campaign("image headers and mutants")
        defer { campaign.report() }
        var (dataset, paths) = Self.goodDataset(images: 8)
        for image in Hostile.overflowingImages + Hostile.mutants(count: 160, seed: 17) {
            let path = (paths.count % 2 == 0 ? "cat/" : "dog/") + image.name
            dataset.write("images/" + path, bytes: image.bytes)
            paths.append(path)
            campaign.inputs += 1
        }
        Self.labels(dataset, paths)
        let root = dataset.root, out = root + "-out"
        defer { removeTree(out) }
        campaign.run(Job(["import", root]))
        // Without embeddings the analysis decodes every image for its own features.
        campaign.run(Job(["analyze", root]))
        campaign.run([
            Job(["components", root]), Job(["similar", root, paths[0]]), Job(["queue", root, "--queue", "problems"]),
            Job(["export", root, "--format", "imagefolder", "--link", "copy", "-o", out])
        ])
    }

    /// winnow.toml is parsed by TOMLKit (toml++): table headers that reach an assertion in
    /// toml++ aborted debug builds (`make fuzz` found the first one). They are errors now.
    @Test("hostile winnow.toml table headers: exit 2, never an abort")
    func hostileWinnowToml() {
        let campaign = Campaign("winnow.toml")
        defer { campaign.report() }
        let texts = [
            "[*iKKJKK*74+\u{01}\u{01}", "[\n", "[[ *x]]\n", "[project]\nname = \"a\"\n[{x=1}]\n", "[\u{1B}]52;c;cHduZWQ=\u{07}]\n",
            "[project]\nname = " + String(repeating: "[", count: 5000) + "\n",
            "a = " + String(repeating: "{b=", count: 3000) + "1" + String(repeating: "}", count: 3000) + "\n"
        ]
        var jobs: [Job] = [], datasets: [TemporaryDataset] = []
        for text in texts {
            let (dataset, _) = Self.goodDataset(images: 2)
            dataset.write("winnow.toml", text)
            datasets.append(dataset)
            jobs.append(Job(["import", dataset.root], exit: [2], mustSay: ["winnow.toml"]))
            campaign.inputs += 1
        }
        campaign.run(jobs)
    }

    // MARK: - 3. Escape sequences wherever a string enters

    /// One refused import per place a string enters a dataset, with a payload each (all of
    /// them covered over the places): the error must name the problem and print the string
    /// only sanitised, and the dataset must stay exactly as it was, with no state created.
    @Test("escape sequences in every place a string enters: refused imports name it, sanitised, changing nothing")
    func hostileStringsInRefusedImports() {
        let campaign = Campaign("hostile strings, refused imports")
        defer { campaign.report() }
        typealias Plant = (TemporaryDataset, String) -> Void
        let places: [(name: String, plant: Plant, command: String)] = [
            ("class name in classes.txt", { d, p in d.write("classes.txt", "cat\ndog\ncat\(p)\n") }, "import"),
            ("label in labels.csv", { d, p in d.write("labels.csv", "image,label\n0-rgb.png," + Hostile.csvField("cat" + p) + "\n") }, "import"),
            (
                "image path in labels.csv", { d, p in d.write("labels.csv", "image,label\n" + Hostile.csvField("cat/" + p + ".png") + ",cat\n") },
                "import"
            ),
            (
                "annotator in labels.csv",
                { d, p in d.write("labels.csv", "image,label,annotator\ncat/0-rgb.png,cat," + Hostile.csvField(p) + "\n") }, "import"
            ),
            ("image path in items.csv", { d, p in d.write("items.csv", "image,source\n" + Hostile.csvField(p + ".png") + ",x\n") }, "import"),
            (
                "folder name (ImageFolder scan)",
                { d, p in
                    d.remove("labels.csv"); d.write("images/cat" + p + "/a.png", bytes: Hostile.png)
                }, "import"
            ),
            (
                "file name (scan)",
                { d, p in
                    d.remove("labels.csv"); d.write("images/cat/a" + p + ".png", bytes: Hostile.png)
                }, "import"
            ),
            ("predictions file name", { d, p in d.write("predictions/m" + p + ".csv", "image,cat,dog\n") }, "import"),
            ("predictions column name", { d, p in d.write("predictions/m.csv", "image,cat," + Hostile.csvField("dog" + p) + "\n") }, "import"),
            ("predictions image cell", { d, p in d.write("predictions/m.csv", "image,cat,dog\n" + Hostile.csvField(p) + ",0.5,0.5\n") }, "import"),
            (
                "probability cell", { d, p in d.write("predictions/m.csv", "image,cat,dog\ncat/0-rgb.png," + Hostile.csvField(p) + ",0.5\n") },
                "import"
            ),
            ("winnow.toml key", { d, p in d.write("winnow.toml", "[import]\n" + Hostile.tomlString("x" + p) + " = 1\n") }, "import"),
            (
                "winnow.toml reviewer name",
                { d, p in d.write("winnow.toml", "[team.reviewers]\n" + Hostile.tomlString("bob" + p) + " = \"lead\"\n") }, "import"
            ),
            (
                "embeddings dtype",
                { d, p in d.write("embeddings.npy", bytes: Hostile.npy(header: "{'descr': '\(p)', 'fortran_order': False, 'shape': (2, 2), }")) },
                "import"
            ),
            (
                "items.csv column as --stratify-by", { d, p in d.write("items.csv", "image,source\ncat/0-rgb.png,a\ndog/1-baseline.jpg,b\n") },
                "stratify"
            ),
            (
                "class name in a multi-label cell",
                { d, p in d.write("labels.csv", "image,labels\ncat/0-rgb.png," + Hostile.csvField("cat|dog" + p) + "\n") }, "import"
            ),
            (
                "annotator of a multi-label row",
                { d, p in d.write("labels.csv", "image,labels,annotator\ncat/0-rgb.png,cat|dog," + Hostile.csvField("ann" + p) + "\n") }, "import"
            ),
            (
                "multi-label predictions column name",
                { d, p in
                    d.write("labels.csv", "image,labels\ncat/0-rgb.png,cat|dog\n")
                    d.write("predictions/m.csv", "image,cat," + Hostile.csvField("dog" + p) + "\ncat/0-rgb.png,0.9,0.8\n")
                }, "import"
            ),
            (
                "a label, met by a command that imports first",
                { d, p in d.write("labels.csv", "image,label\n0-rgb.png," + Hostile.csvField("cat" + p) + "\n") }, "queue"
            )
        ]
        var jobs: [Job] = [], datasets: [TemporaryDataset] = [], before: [TreeSnapshot] = []
        for (index, place) in places.enumerated() {
            for round in 0..<3 {
                let payload = Hostile.payload(index + round * places.count)
                let (dataset, _) = Self.goodDataset(images: 2)
                place.plant(dataset, payload)
                datasets.append(dataset)
                before.append(TreeSnapshot(dataset.root))
                switch place.command {
                case "stratify":
                    jobs.append(
                        Job(
                            ["queue", dataset.root, "--queue", "stratified", "--stratify-by", "source" + payload], exit: [1],
                            mustSay: ["no metadata column"]))
                default:
                    jobs.append(Job([place.command, dataset.root], exit: [2]))
                }
                campaign.inputs += 1
            }
        }
        campaign.run(jobs)
        for ((dataset, snapshot), job) in zip(zip(datasets, before), jobs) where job.exitCodes == [2] {
            #expect(TreeSnapshot(dataset.root).differences(from: snapshot).isEmpty, "refused, yet \(dataset.root) changed")
            #expect(!FileManager.default.fileExists(atPath: dataset.statePath), "a refused first import created \(dataset.statePath)")
        }
    }

    /// Text that is accepted (metadata, a project name, notes and reviewer names already in
    /// a project, the dataset folder's own name) and every command that can print it, plus
    /// hostile arguments, which must be refused with their echo sanitised.
    @Test("accepted hostile text and hostile arguments: every command's terminal output is clean")
    func hostileTextNeverReachesTheTerminalRaw() throws {
        let campaign = Campaign("hostile strings, every command")
        defer { campaign.report() }
        let sandbox = TemporaryDataset()
        let root = sandbox.root + "/set" + Hostile.payload(0) + Hostile.payload(4)
        try FileManager.default.createDirectory(atPath: root + "/images", withIntermediateDirectories: true)
        let (source, paths) = Self.goodDataset(images: 8)
        for path in paths {
            try FileManager.default.copyItem(
                atPath: source.root + "/images/" + path, toPath: root + "/images/" + (path as NSString).lastPathComponent)
        }
        let names = paths.map { ($0 as NSString).lastPathComponent }
        let column = "source" + Hostile.payload(1)
        var items = "image," + Hostile.csvField(column) + ",caption\n"
        for (i, name) in names.enumerated() {
            items += name + "," + Hostile.csvField(Hostile.payload(i)) + "," + Hostile.csvField(Hostile.allPayloads) + "\n"
        }
        try items.write(toFile: root + "/items.csv", atomically: true, encoding: .utf8)
        try ("image,label\n" + names.enumerated().map { "\($1),\($0 % 2 == 0 ? "cat" : "dog")" }.joined(separator: "\n") + "\n").write(
            toFile: root + "/labels.csv", atomically: true, encoding: .utf8)
        try ("[project]\nname = " + Hostile.tomlString("shapes" + Hostile.allPayloads) + "\n").write(
            toFile: root + "/winnow.toml", atomically: true, encoding: .utf8)
        campaign.inputs += 2 * names.count + 2
        campaign.run(Job(["import", root]))
        // A note and a reviewer name from before such text was refused (or from another tool).
        let store = try ProjectStore(stateDirectory: root + "/.winnow")
        _ = try store.decide(
            DecisionRequest(
                imagePath: names[0], reviewer: "eve" + Hostile.payload(2), action: .relabel, labels: LabelSet(single: "dog"),
                note: Hostile.allPayloads))
        _ = try store.decide(
            DecisionRequest(imagePath: names[1], reviewer: "mallory" + Hostile.payload(5), action: .exclude, note: Hostile.payload(3)))
        campaign.inputs += 4
        let out = sandbox.root + "/out" + Hostile.payload(2)
        campaign.run([
            Job(["info", root]), Job(["info", root, "--json"]), Job(["analyze", root]),
            Job(["queue", root]), Job(["queue", root, "--format", "jsonl"]), Job(["queue", root, "--format", "csv"]),
            Job(["queue", root, "--queue", "stratified", "--stratify-by", column]),
            Job(["components", root]), Job(["components", root, "--format", "jsonl"]), Job(["similar", root, names[2]]),
            Job(["log", root]), Job(["log", root, "--format", "jsonl"]), Job(["stats", root]), Job(["stats", root, "--format", "json"]),
            Job(["export", root]), Job(["export", root, "--format", "jsonl", "--metadata"]),
            Job(["export", root, "--metadata", "--no-formula-guard"]),
            Job(["export", root, "--format", "corrections"]), Job(["export", root, "-o", out + ".csv"]),
            Job(["leases", root]), Job(["verify", root]),
            Job(["decide", root, names[3], "--accept", "--reviewer", "bob"])
        ])
        campaign.inputs += 9
        let refusals: [Job] = [
            Job(["queue", root, "--queue", "triage" + Hostile.payload(0)], exit: [1], mustSay: ["unknown queue"]),
            Job(["decide", root, "--next", "1", "--accept", "--queue", Hostile.payload(1)], exit: [1], mustSay: ["unknown queue"]),
            Job(
                ["decide", root, names[4], "--accept", "--note", "fine" + Hostile.payload(2)], exit: [1],
                mustSay: ["the note contains control characters"]),
            Job(["decide", root, names[4], "--accept", "--note", "line one\nline two"], exit: [1], mustSay: ["the note contains control characters"]),
            Job(["decide", root, names[4], "--accept", "--reviewer", "bob" + Hostile.payload(3)], exit: [1], mustSay: ["control characters"]),
            Job(
                ["decide", root, names[4], "--accept"], exit: [1], environment: ["WINNOW_REVIEWER": "bob" + Hostile.payload(4)],
                mustSay: ["WINNOW_REVIEWER contains control characters"]),
            Job(
                ["decide", root, "x" + Hostile.payload(5) + ".png", "--accept", "--reviewer", "bob"], exit: [4],
                mustSay: ["no item has the image path"]),
            Job(["decide", root, names[4], "--relabel", "cat" + Hostile.payload(6), "--reviewer", "bob"], exit: [4]),
            Job(["similar", root, "x" + Hostile.payload(7) + ".png"], exit: [4]),
            Job(["queue", root, "--stratify-by", "no" + Hostile.payload(0)], exit: [1], mustSay: ["no metadata column"]),
            Job(["log", root, "--since", "yesterday" + Hostile.payload(1)], exit: [1]),
            Job(["verify", root, "--head", "abc" + Hostile.payload(2)], exit: [1]),
            Job(["export", root, "--policy", "bogus" + Hostile.payload(3)], exit: [1]),
            Job(["frobnicate" + Hostile.payload(4)], exit: [1]),
            Job(["import", root, "--flag" + Hostile.payload(5)], exit: [1]),
            Job(["import", sandbox.root + "/missing" + Hostile.payload(6)], exit: [2])
        ]
        campaign.inputs += refusals.count
        campaign.run(refusals)
        // The refused decisions left the log as it was: two from the store, one accepted.
        let log = campaign.run(Job(["log", root, "--format", "jsonl"]))
        #expect(log.lines.count == 3, "\(log.text.debugDescription)")
        // On a terminal, a CSV export is the sanitised view; into a file it is the data as it is.
        let csv = try #require(FileManager.default.contents(atPath: out + ".csv"))
        #expect(String(decoding: csv, as: UTF8.self).contains("\u{1B}]52;c;"), "files keep the data verbatim (under the formula guard)")
    }

    // MARK: - 4. Names that are not UTF-8

    @Test("names that are not UTF-8: an error naming them (exit 2), never a silent drop")
    func namesThatAreNotUTF8() {
        let campaign = Campaign("names that are not UTF-8")
        defer { campaign.report() }
        func writeBytes(_ path: [UInt8], _ contents: [UInt8]) {
            let fd = (path + [0]).withUnsafeBufferPointer {
                open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            }
            contents.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        let latin1Folder: [UInt8] = Array("caf".utf8) + [0xE9]
        var jobs: [Job] = [], datasets: [TemporaryDataset] = [], before: [TreeSnapshot] = []
        // An ImageFolder dataset with a Latin-1 class folder holding images: refused, named.
        let folder = TemporaryDataset()
        folder.write("images/tea/a.png", bytes: Hostile.png)
        let folderPath = Array((folder.root + "/images/").utf8) + latin1Folder
        _ = (folderPath + [0]).withUnsafeBufferPointer { mkdir(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), 0o755) }
        for i in 0..<3 { writeBytes(folderPath + Array("/\(i).png".utf8), Hostile.png) }
        jobs.append(Job(["import", folder.root], exit: [2], mustSay: ["images/caf\\xE9/", "not valid UTF-8"]))
        datasets.append(folder)
        // A file name (scan), and a predictions file name.
        let file = TemporaryDataset()
        file.write("images/ok.png", bytes: Hostile.png)
        writeBytes(Array((file.root + "/images/").utf8) + [0x66, 0xFF, 0xFE] + Array(".png".utf8), Hostile.png)
        jobs.append(Job(["import", file.root], exit: [2], mustSay: ["images/f\\xFF\\xFE.png"]))
        datasets.append(file)
        let (predictions, _) = Self.goodDataset(images: 2)
        try? FileManager.default.createDirectory(atPath: predictions.root + "/predictions", withIntermediateDirectories: true)
        writeBytes(Array((predictions.root + "/predictions/").utf8) + [0x6D, 0xE9] + Array(".csv".utf8), Array("image,cat,dog\n".utf8))
        jobs.append(Job(["import", predictions.root], exit: [2], mustSay: ["predictions/m\\xE9.csv"]))
        datasets.append(predictions)
        // When labels.csv lists the items, an unlisted Latin-1 folder is named in a notice.
        let (listed, _) = Self.goodDataset(images: 2)
        _ = (Array((listed.root + "/images/").utf8) + latin1Folder + [0]).withUnsafeBufferPointer {
            mkdir(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), 0o755)
        }
        jobs.append(Job(["import", listed.root], exit: [0], mustSay: ["not UTF-8 and were not imported", "images/caf\\xE9/"]))
        campaign.inputs += 4
        for dataset in datasets { before.append(TreeSnapshot(dataset.root)) }
        campaign.run(jobs)
        for (dataset, snapshot) in zip(datasets, before) {
            #expect(TreeSnapshot(dataset.root).differences(from: snapshot).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: dataset.statePath))
        }
    }

    // MARK: - 5. Refused re-imports change nothing

    @Test("a refused re-import leaves the dataset and the project exactly as they were")
    func refusedReimportChangesNothing() throws {
        let campaign = Campaign("refused re-imports")
        defer { campaign.report() }
        typealias Break = (TemporaryDataset) -> Void
        let breaks: [Break] = [
            { $0.write("labels.csv", "image,label\ncat/0-rgb.png," + Hostile.csvField("cat" + Hostile.payload(0)) + "\n") },
            {
                $0.remove("labels.csv"); Self.fifo($0, "labels.csv")
            },
            { $0.write("embeddings.npy", bytes: Hostile.npy(header: Hostile.hostileNPYHeaders[0].dictionary)) },
            { $0.write("items.csv", "image\n" + Hostile.csvField("../escape.png") + "\n") }
        ]
        for breakIt in breaks {
            let (dataset, _) = Self.goodDataset(images: 4)
            campaign.run(Job(["import", dataset.root]))
            campaign.run(Job(["decide", dataset.root, "cat/0-rgb.png", "--relabel", "dog", "--reviewer", "ann"]))
            breakIt(dataset)
            let before = TreeSnapshot(dataset.root)
            campaign.run(Job(["import", dataset.root], exit: [2], mustSay: ["nothing was imported or changed"]))
            #expect(TreeSnapshot(dataset.root).differences(from: before).isEmpty, "the refused re-import changed the dataset or its project")
            campaign.inputs += 1
        }
    }

    // MARK: - 6. Full disk, killed writers

    /// A full disk without root or a tmpfs: the process's file size limit (`ulimit -f`,
    /// RLIMIT_FSIZE) makes every write past it fail (Winnow ignores SIGXFSZ, so the write
    /// returns EFBIG, which it reports as full), and /dev/full fails every write with ENOSPC.
    @Test("a full disk (ulimit -f, /dev/full) is said as such, exit 3, and loses no saved decision")
    func fullDisk() {
        let campaign = Campaign("full disk")
        defer { campaign.report() }
        let (dataset, _) = Self.goodDataset(images: 4)
        campaign.run(Job(["import", dataset.root]))
        campaign.run(Job(["decide", dataset.root, "cat/0-rgb.png", "--relabel", "dog", "--reviewer", "ann"]))
        var decide = Job(["decide", dataset.root, "dog/1-baseline.jpg", "--accept", "--reviewer", "ann"], exit: [3], mustSay: ["ulimit -f"])
        decide.shellPrefix = "ulimit -f 2;"
        let (fresh, _) = Self.goodDataset(images: 4)
        var importing = Job(["import", fresh.root], exit: [3], mustSay: ["cannot write"])
        importing.shellPrefix = "ulimit -f 8;"
        campaign.run([decide, importing, Job(["export", dataset.root, "-o", "/dev/full"], exit: [3], mustSay: ["the disk is full"])])
        campaign.inputs += 3
        let log = campaign.run(Job(["log", dataset.root, "--format", "jsonl"]))
        #expect(log.lines.count == 1, "\(log.text.debugDescription)")
        campaign.run(Job(["verify", dataset.root], mustSay: ["decision log intact: 1 event,"]))
    }

    /// `decide --next` processes killed with SIGKILL at random moments: every decision a
    /// process said it saved is in the log, and the hash chain holds.
    @Test("writers killed with SIGKILL lose no decision they reported saved")
    func killedWritersLoseNothing() throws {
        let campaign = Campaign("killed writers")
        defer { campaign.report() }
        let (dataset, paths) = Self.goodDataset(images: 500)
        Self.embeddings(dataset, rows: paths.count) // no image decoding: the kills land among decisions
        campaign.run(Job(["import", dataset.root]))
        campaign.run(Job(["analyze", dataset.root]))
        var reported = Set<Int>()
        var killedWhileDeciding = 0
        var random = SplitMix64(seed: 17)
        for round in 0..<5 {
            // Killed the moment it reports a decision a random number ahead of the last one
            // (ids are the log's, one writer at a time): mid-stream, wherever that lands.
            let cue = "saved #\((reported.max() ?? 0) + 5 + Int(random.next() % 60)):"
            let run = PseudoTerminalRun.run(
                WinnowProcess.executable, ["decide", dataset.root, "--next", "500", "--accept", "--reviewer", "r\(round)"],
                timeout: Campaign.watchdog, killWhen: cue)
            campaign.inputs += 1
            if case .signalled(let signal) = run.ending { Issue.record("crashed with signal \(signal)") }
            if run.ending == .hung { Issue.record("hung: \(run.text.suffix(500))") }
            let saved = run.lines.filter { $0.hasPrefix("saved #") }
            for line in saved { reported.insert(Int(line.dropFirst(7).prefix { $0.isNumber })!) }
            if run.ending == .killedOnCue { killedWhileDeciding += 1 }
        }
        #expect(killedWhileDeciding == 5, "every process was to be killed while deciding (\(killedWhileDeciding) were)")
        let stored = try DatabaseQueue(path: dataset.statePath + "/winnow.sqlite").read { db in
            Set(try Int.fetchAll(db, sql: "SELECT id FROM events"))
        }
        let lost = reported.subtracting(stored)
        print(
            "hostile campaign killed writers: \(killedWhileDeciding) of 5 processes killed while deciding, \(reported.count) decisions reported saved, \(lost.count) lost"
        )
        #expect(lost.isEmpty, "decisions reported saved but not stored: \(lost.sorted())")
        campaign.run(Job(["verify", dataset.root], mustSay: ["decision log intact"]))
    }

    // MARK: - 7. Exports write nothing outside their output

    @Test("exports with hostile class and file names write nothing outside their output")
    func exportsStayInsideTheirOutput() throws {
        let campaign = Campaign("exports")
        defer { campaign.report() }
        let sandbox = TemporaryDataset()
        let root = sandbox.root + "/dataset"
        let classes = ["../../etc", "..", ".", ".hidden", "a\\b", "CON", "manifest.json", "Cat", "cat", "/abs"]
        var labels = "image,label\n"
        for (i, label) in classes.enumerated() {
            let name = ["\(i).png", ".a\(i).png", "-rf\(i).png", "a b\(i).png"][i % 4]
            try FileManager.default.createDirectory(atPath: root + "/images/d\(i)", withIntermediateDirectories: true)
            FileManager.default.createFile(
                atPath: root + "/images/d\(i)/" + name, contents: Data(Hostile.fixture(Hostile.goodImages[i % Hostile.goodImages.count])))
            labels += "d\(i)/\(name)," + Hostile.csvField(label) + "\n"
        }
        try labels.write(toFile: root + "/labels.csv", atomically: true, encoding: .utf8)
        campaign.inputs += classes.count
        campaign.run(Job(["import", root]))
        let before = TreeSnapshot(sandbox.root, excluding: ["dataset/.winnow"])
        let outputs = ["out-hard", "out-sym", "out-copy", "labels.csv", "labels.csv.manifest.json", "fixes.csv", "fixes.csv.manifest.json"]
        campaign.run([
            Job(["export", root, "--format", "imagefolder", "-o", sandbox.root + "/out-hard"]),
            Job(["export", root, "--format", "imagefolder", "--link", "sym", "-o", sandbox.root + "/out-sym"]),
            Job(["export", root, "--format", "imagefolder", "--link", "copy", "-o", sandbox.root + "/out-copy"]),
            Job(["export", root, "-o", sandbox.root + "/labels.csv"]),
            Job(["export", root, "--format", "corrections", "-o", sandbox.root + "/fixes.csv"]),
            Job(["export", root, "--format", "imagefolder", "-o", root + "/images/export"], exit: [1], mustSay: ["inside the dataset's images/"])
        ])
        let after = TreeSnapshot(sandbox.root, excluding: ["dataset/.winnow"])
        let outside = after.differences(from: before).filter { path in !outputs.contains { path == $0 || path.hasPrefix($0 + "/") } }
        #expect(outside.isEmpty, "written outside the outputs: \(outside)")
        for mode in ["hard", "sym", "copy"] {
            let files = try FileManager.default.subpathsOfDirectory(atPath: sandbox.root + "/out-\(mode)")
            #expect(files.filter { !$0.contains("/") }.count == classes.count + 1, "one folder per class plus the manifest: \(files)")
        }
    }
}

/// Removes a folder tree (links removed, never followed).
func removeTree(_ path: String) { try? FileManager.default.removeItem(atPath: path) }
